"""The certificates issued on the national jury's decisions (D59–D61) and their declaration to the CPF
(D62): one module for the certificates and their revocation list, one for the CPF declaration."""

from .certificates import Certificate, CertificateKind, NumberSequence, RevocationReason, StatusList
from .cpf import CpfFlux, CpfPassage, CpfReceipt, PassageState

__all__ = [
    "Certificate",
    "CertificateKind",
    "CpfFlux",
    "CpfPassage",
    "CpfReceipt",
    "NumberSequence",
    "PassageState",
    "RevocationReason",
    "StatusList",
]
