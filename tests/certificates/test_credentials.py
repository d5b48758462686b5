"""D60: the certificates' Open Badges 3.0 credentials, signed eddsa-rdfc-2022, the issuer's controller
document and the revocation status lists; checked here for their shape and, independently, by Digital
Bazaar's verifier (npm, offline) on the credentials the issuing job signed."""

import base64
import gzip
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from pyld import jsonld

from certifier.certificates import credentials
from certifier.certificates.models import Certificate, CertificateKind, RevocationReason, StatusList
from certifier.certificates.revocation import do_revoke
from tests.personas import PERSONAS

BASE = "https://certifier.test"
CONTROLLER = f"{BASE}/certificateur/cles/"
VERIFIER = Path(__file__).with_name("verify_credentials.mjs")


def public_key_multibase(path: Path) -> str:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(b"\xed\x01" + raw).decode()


def decode_list(encoded: str) -> bytes:
    assert encoded.startswith("u")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def revoke(users, certificate: Certificate) -> Certificate:
    """The certificate revoked by the national administrator (its status list signed again)."""
    return do_revoke(users["national_admin"], certificate, RevocationReason.FRAUD)


def run_verifier(documents: dict) -> list[dict]:
    """Digital Bazaar's verifier on `documents`; skipped when node or the npm packages are missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the independent verifier (npm packages) cannot run")
    if not (Path(settings.BASE_DIR) / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.skip("the npm packages are not installed (make install): the independent verifier cannot run")
    completed = subprocess.run(  # noqa: S603 (our script, our documents on its standard input)
        [node, str(VERIFIER)],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout)


def test_each_issued_certificate_has_a_signed_open_badge_aligned_to_its_rncp_code(issued):
    by_code = {(c.kind, c.block_code): c for c in issued if c.candidate.birth_name == "Martin"}
    cqp = by_code[(CertificateKind.CQP, "")]
    ccp = by_code[(CertificateKind.CCP, "RNCP35729BC01")]
    method = f"{CONTROLLER}#{public_key_multibase(settings.CREDENTIAL_KEY_PATH)}"
    for certificate, code, achievement_type in (
        (cqp, "RNCP35729", "Certification"),
        (ccp, "RNCP35729BC01", "Competency"),
    ):
        credential = certificate.credential
        assert credential["@context"] == [credentials.VC_V2, credentials.OB_V3]
        assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert credential["id"] == certificate.content["verification_url"]
        assert credential["issuer"] == {"id": CONTROLLER, "type": ["Profile"], "name": "Ucanss", "url": BASE}
        assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        achievement = credential["credentialSubject"]["achievement"]
        assert achievement["achievementType"] == achievement_type
        assert achievement["humanCode"] == code
        assert achievement["alignment"][0]["targetCode"] == code
        assert (
            achievement["alignment"][0]["targetUrl"]
            == "https://www.francecompetences.fr/recherche/rncp/35729/"
        )
        assert credential["credentialStatus"] == {
            "id": f"{BASE}/certificateur/statuts/0/#{certificate.pk}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.pk),
            "statusListCredential": f"{BASE}/certificateur/statuts/0/",
        }
        proof = credential["proof"]
        assert {key: proof[key] for key in ("type", "cryptosuite", "proofPurpose", "verificationMethod")} == {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "verificationMethod": method,
        }
        assert proof["proofValue"].startswith("z") and len(base58.b58decode(proof["proofValue"][1:])) == 64


def test_the_credential_names_the_holder_and_states_nothing_else_of_them(issued):
    certificate = next(c for c in issued if c.kind == CertificateKind.CQP)
    candidate = certificate.candidate
    assert certificate.credential["credentialSubject"]["identifier"] == [
        {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Léa MARTIN"}
    ]
    text = json.dumps(certificate.credential, ensure_ascii=False)
    for private in (candidate.birth_date.isoformat(), candidate.birth_insee_code, candidate.employee_number):
        assert private not in text
    assert "Martin" not in text.replace("Léa MARTIN", "")


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_reads_the_controller_document_with_the_public_key(client_for, persona, credential_settings):
    response = client_for(persona).get(reverse("certificates:controller"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    key = public_key_multibase(credential_settings)
    assert response.json() == {
        "@context": ["https://w3id.org/security/v2", "https://w3id.org/security/multikey/v1"],
        "id": CONTROLLER,
        "verificationMethod": [
            {
                "id": f"{CONTROLLER}#{key}",
                "type": "Multikey",
                "controller": CONTROLLER,
                "publicKeyMultibase": key,
            }
        ],
        "assertionMethod": [f"{CONTROLLER}#{key}"],
    }


def test_without_its_key_the_controller_document_is_unavailable_not_an_error(client, settings, tmp_path):
    settings.CREDENTIAL_KEY_PATH = tmp_path / "absent.pem"
    response = client.get(reverse("certificates:controller"))
    assert response.status_code == 503
    assert "clé de signature des attestations" in response.content.decode()


def test_an_encrypted_or_foreign_key_makes_the_controller_document_unavailable_not_an_error(
    client, settings, tmp_path
):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    settings.CREDENTIAL_KEY_PATH = tmp_path / "encrypted.pem"
    settings.CREDENTIAL_KEY_PATH.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    assert client.get(reverse("certificates:controller")).status_code == 503


def test_anyone_reads_a_status_list_which_sets_the_bits_of_the_revoked(
    client_for, users, issued, django_assert_max_num_queries
):
    revoked = revoke(users, issued[0])
    for persona in PERSONAS:  # one issue for every persona: the list is public
        client = client_for(persona)
        with django_assert_max_num_queries(4):
            response = client.get(reverse("certificates:status_list", args=[0]))
        assert response.status_code == 200, persona
        assert response["Content-Type"] == "application/vc+ld+json; charset=utf-8"
        assert "max-age=60" in response["Cache-Control"]
    document = response.json()
    assert document["id"] == f"{BASE}/certificateur/statuts/0/"
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == CONTROLLER
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    bits = decode_list(document["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == 131_072
    set_bits = [i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))]
    assert set_bits == [revoked.pk]


def test_a_status_list_is_signed_on_first_need_and_kept(client, issued):
    assert not StatusList.objects.exists()
    first = client.get(reverse("certificates:status_list", args=[0])).json()
    assert StatusList.objects.get().number == 0
    assert client.get(reverse("certificates:status_list", args=[0])).json() == first


def test_no_status_list_is_made_for_a_range_without_certificates(client, issued):
    response = client.get(reverse("certificates:status_list", args=[1]))
    assert response.status_code == 404
    assert not StatusList.objects.exists()


def test_the_bitstring_counts_from_the_first_bytes_most_significant_bit():
    bits = decode_list(credentials.encode_list([0, 9, 131_071]))
    assert (bits[0], bits[1], bits[-1]) == (0x80, 0x40, 0x01)
    assert sum(bin(byte).count("1") for byte in bits) == 3


def test_contexts_are_served_from_the_npm_packages_and_nothing_else_is_loaded():
    assert "OpenBadgeCredential" in credentials.load_document(credentials.OB_V3)["document"]["@context"]
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(
            {"@context": "https://example.org/context.json", "name": "x"},
            {"documentLoader": credentials.load_document},
        )


def test_without_the_npm_contexts_no_credential_is_signed_and_the_administrator_is_told(
    settings, tmp_path, issued
):
    settings.BASE_DIR = tmp_path  # no node_modules there
    credentials._context_document.cache_clear()
    try:
        with pytest.raises(credentials.CredentialUnavailable, match=r"paquets npm.*make install"):
            credentials.issue_credential(issued[0])
    finally:
        credentials._context_document.cache_clear()


def test_the_development_key_is_made_once_readable_by_its_owner_only(settings, tmp_path):
    settings.CREDENTIAL_KEY_PATH = tmp_path / "keys" / "credential-key.pem"
    call_command("make_credential_key")
    made = settings.CREDENTIAL_KEY_PATH.read_bytes()
    assert stat.S_IMODE(os.stat(settings.CREDENTIAL_KEY_PATH).st_mode) == 0o600
    call_command("make_credential_key")
    assert settings.CREDENTIAL_KEY_PATH.read_bytes() == made


def test_digital_bazaars_verifier_accepts_the_issued_refuses_the_altered_and_reports_the_revoked(
    client, users, issued
):
    revoked, *valid = issued
    revoke(users, revoked)
    altered = json.loads(json.dumps(valid[0].credential))
    altered["credentialSubject"]["identifier"][0]["identityHash"] = "Léa MARTIM"
    # texts with control characters PyLD would write in N-Quads otherwise than RDFC-1.0
    valid[1].content["holder"]["name"] = 'Léa\x0cMARTIN\x7f\tépouse\x01 "DURAND"\\'
    valid[1].credential = credentials.issue_credential(valid[1])
    assert valid[1].credential["credentialSubject"]["identifier"][0]["identityHash"] == (
        'Léa MARTIN \tépouse  "DURAND"\\'
    )
    documents = {
        "credentials": [c.credential for c in valid] + [altered, revoked.credential],
        "controller": client.get(reverse("certificates:controller")).json(),
        "statusLists": [client.get(reverse("certificates:status_list", args=[0])).json()],
    }
    results = run_verifier(documents)
    assert results[: len(valid)] == [{"verified": True, "revoked": False, "error": None}] * len(valid)
    assert results[len(valid)]["verified"] is False
    assert "Invalid signature" in results[len(valid)]["error"]
    assert results[-1] == {"verified": True, "revoked": True, "error": None}
