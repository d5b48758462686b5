"""The certificates issued on the national jury's decisions (D59–D61) and their declaration to the CPF
(D62): one module for the certificates and their revocation list, one for the CPF declaration."""

from .certificates import (
    NATIONAL_JURY,
    Certificate,
    CertificateKind,
    NumberSequence,
    RevocationReason,
    StatusList,
    VaeRoute,
    jury_name,
)
from .cpf import CpfFlux, CpfPassage, CpfReceipt, PassageState

__all__ = [
    "NATIONAL_JURY",
    "Certificate",
    "CertificateKind",
    "CpfFlux",
    "CpfPassage",
    "CpfReceipt",
    "NumberSequence",
    "PassageState",
    "RevocationReason",
    "StatusList",
    "VaeRoute",
    "jury_name",
]
