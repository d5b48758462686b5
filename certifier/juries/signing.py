"""The certifier's electronic signature of the national jury's minutes (D54): PAdES with pyHanko.

The key, its certificate and the chain above it are files named by the settings (`SIGNING_KEY_PATH`,
`SIGNING_CERT_PATH`, `SIGNING_CHAIN_PATH`, the key's passphrase in `SIGNING_KEY_PASSPHRASE`), read from
the environment in production. In development `manage.py make_signing_certificate` (run by `make demo`)
writes a throwaway authority and a signing certificate in the name of Ucanss there."""

import asyncio
import datetime
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import load_cert_from_pemder

from certifier.core.models import DomainError

CERTIFIER = "Ucanss"
FIELD = "SignatureUcanss"

UNAVAILABLE = (
    "La clé de signature du certificateur n'est pas disponible : le procès-verbal n'a pas été signé. "
    "Signalez-le à l'administrateur technique (certificat et clé de signature à configurer)."
)


class SigningUnavailable(DomainError):
    """The certifier's key or certificate cannot be read."""


@dataclass(frozen=True)
class SigningFiles:
    key: Path
    certificate: Path
    chain: Path | None  # the authority above the signing certificate, when there is one
    passphrase: bytes | None


def configured_files() -> SigningFiles:
    chain = settings.SIGNING_CHAIN_PATH
    passphrase = settings.SIGNING_KEY_PASSPHRASE
    return SigningFiles(
        key=Path(settings.SIGNING_KEY_PATH),
        certificate=Path(settings.SIGNING_CERT_PATH),
        chain=Path(chain) if chain else None,
        passphrase=passphrase.encode() if passphrase else None,
    )


def signer(files: SigningFiles | None = None) -> signers.SimpleSigner:
    """The certifier's signer, from the configured files; SigningUnavailable when they cannot be read."""
    files = files or configured_files()
    chain = [str(files.chain)] if files.chain and files.chain.is_file() else None
    if not files.key.is_file() or not files.certificate.is_file():
        raise SigningUnavailable(UNAVAILABLE)
    loaded: signers.SimpleSigner | None = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(files.key), str(files.certificate), ca_chain_files=chain, key_passphrase=files.passphrase
    )
    if loaded is None:  # pyHanko logs why (a wrong passphrase, a damaged file)
        raise SigningUnavailable(UNAVAILABLE)
    return loaded


def sign_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    files: SigningFiles | None = None,
    bytes_reserved: int | None = None,
) -> bytes:
    """The PDF signed PAdES (baseline B-B) by the certifier, as an incremental update of `pdf`. With
    `bytes_reserved` (room for the signature container), pyHanko skips the trial signature it otherwise
    makes to size it: twice as fast, for documents signed by the thousand (certificates)."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=CERTIFIER,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    pdf_signer = signers.PdfSigner(meta, signer=signer(files))
    output = _run(lambda: pdf_signer.async_sign_pdf(writer, bytes_reserved=bytes_reserved))
    return bytes(output.getbuffer())


def _run(coroutine: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """pyHanko's signature is a coroutine: run in this thread, or, when it already runs an event loop
    (an asynchronous server, a browser driver), in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine())).result()


def trust_root(files: SigningFiles | None = None) -> asn1_x509.Certificate:
    """The certificate a verifier trusts: the chain's authority, or the signing certificate itself."""
    files = files or configured_files()
    path = files.chain if files.chain and files.chain.is_file() else files.certificate
    root: asn1_x509.Certificate = load_cert_from_pemder(str(path))  # type: ignore[no-untyped-call]
    return root


# --- the development certificate ---------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CERTIFIER),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    authority: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    usage = {
        "digital_signature": not authority,
        "content_commitment": not authority,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": authority,
        "crl_sign": authority,
        "encipher_only": False,
        "decipher_only": False,
    }
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def _write(path: Path, content: bytes, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if private:
        os.chmod(path, 0o600)


def make_development_certificate(files: SigningFiles) -> bool:
    """Writes a development authority and a signing certificate in the name of Ucanss, with its key (not
    encrypted), at the given paths; does nothing and returns False when they are all there already."""
    wanted = [files.key, files.certificate] + ([files.chain] if files.chain else [])
    if all(path.exists() for path in wanted):
        return False
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = _name(f"{CERTIFIER} — autorité de certification de développement")
    authority = _certificate(
        authority_name, authority_key.public_key(), authority_name, authority_key, authority=True
    )
    key = ec.generate_private_key(ec.SECP256R1())
    if files.chain:
        certificate = _certificate(
            _name(CERTIFIER), key.public_key(), authority_name, authority_key, authority=False
        )
        _write(files.chain, authority.public_bytes(serialization.Encoding.PEM))
    else:  # one self-signed certificate
        certificate = _certificate(_name(CERTIFIER), key.public_key(), _name(CERTIFIER), key, authority=False)
    _write(files.certificate, certificate.public_bytes(serialization.Encoding.PEM))
    _write(
        files.key,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        private=True,
    )
    return True
