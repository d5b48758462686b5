"""D56, D62: revocation happens only through an amendment of the national jury (or its fraud decision):
signing the amendment's minutes revokes the certificates its decisions no longer deliver, re-signs the
status list and the verification page says « révoqué »; what they deliver anew is issued, replacing
what was revoked. The revoking service belongs to the amendment's signer alone."""

import base64
import gzip
import html

import pytest
from django.urls import reverse

from certifier.certificates.credentials import LIST_SIZE, status_list_credential, status_list_number
from certifier.certificates.issuance import grouped
from certifier.certificates.models import Certificate, RevocationReason
from certifier.certificates.revocation import do_revoke, revise
from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import AuditEvent, DomainError, Job, NotAllowed
from certifier.juries.amendments import do_open_amendment
from certifier.juries.deliberation import do_decide
from certifier.juries.models import JuryDecision
from certifier.juries.sitting import do_record_attendance
from certifier.referential.models import Block
from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import sign
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

REASON = "Erreur matérielle : le bloc 2 de M. Durand n'était pas acquis."
BC01, BC02, BC03 = "RNCP35729BC01", "RNCP35729BC02", "RNCP35729BC03"


def amend(users, session, decisions, capture, fraud=False):
    """An amendment of `session` deciding, for each birth name, (status, validated blocks), reasoned and
    voted by the 8 members; its minutes signed by the national administrator (the jobs run at once)."""
    admin = users["national_admin"]
    amendment = do_open_amendment(admin, session, REASON)
    do_record_attendance(admin, amendment, amendment.jury.members.all())
    codes = Block.objects.filter(version=session.version).values_list("code", flat=True)
    for name, (status, validated) in decisions.items():
        blocks = {code: "validated" if code in validated else "not_validated" for code in codes}
        do_decide(
            admin, amendment, registration_of(session, name), status, blocks, REASON, 8, 0, 0, "", fraud
        )
    job = sign(admin, amendment, capture)
    assert job.status == JobStatus.DONE, job.outcome
    return amendment


def held(name):
    return sorted(
        Certificate.objects.filter(candidate__birth_name=name, revoked_at__isnull=True).values_list(
            "kind", "block_code"
        )
    )


def revoked_bits(certificate) -> set[int]:
    encoded = status_list_credential(status_list_number(certificate))["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return {index for index in range(LIST_SIZE) if bits[index // 8] & (0x80 >> (index % 8))}


def test_an_amendment_withdrawing_a_block_revokes_its_ccp_and_keeps_the_others(
    users, client, issued, proclaimed_blocks_session, django_capture_on_commit_callbacks
):
    bc02 = Certificate.objects.get(candidate__birth_name="Durand", block_code=BC02)
    martin = held("Martin")
    amend(
        users,
        proclaimed_blocks_session,
        {"Durand": ("not_certified", {BC01})},
        django_capture_on_commit_callbacks,
    )
    bc02.refresh_from_db()
    assert bc02.revoked and bc02.revocation_reason == RevocationReason.AMENDMENT
    assert bc02.revoked_by == users["national_admin"]
    assert held("Durand") == [("ccp", BC01)] and held("Martin") == martin
    event = AuditEvent.objects.get(action=AuditAction.CERTIFICATE_REVOKED)
    assert (event.actor, event.before["revoked_at"], event.after["revocation_reason"]) == (
        users["national_admin"],
        None,
        "amendment",
    )
    assert revoked_bits(bc02) == {bc02.pk % LIST_SIZE}
    page = html.unescape(
        client.get(reverse("certificates:verify", args=[bc02.verification_code])).content.decode()
    )
    assert "Ce certificat a été révoqué" in page and "Décision rectifiée par le jury" in page
    job = Job.objects.filter(kind=JobKind.CERTIFICATES).latest("pk")
    assert (job.status, job.outcome) == (JobStatus.DONE, "1 certificat révoqué, 0 certificat émis.")


def test_an_amendment_withdrawing_the_certification_revokes_the_cqp_and_the_ccps_no_longer_validated(
    users, issued, proclaimed_blocks_session, django_capture_on_commit_callbacks
):
    amend(
        users,
        proclaimed_blocks_session,
        {"Martin": ("not_certified", {BC01, BC02})},
        django_capture_on_commit_callbacks,
        fraud=True,
    )
    assert held("Martin") == [("ccp", BC01), ("ccp", BC02)]
    revoked = Certificate.objects.filter(candidate__birth_name="Martin", revoked_at__isnull=False)
    assert sorted(revoked.values_list("kind", "block_code", "revocation_reason")) == [
        ("ccp", BC03, "fraud"),
        ("cqp", "", "fraud"),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_REVOKED).count() == 2


def test_an_amendment_delivering_more_issues_what_is_missing_and_revokes_nothing(
    users, issued, proclaimed_blocks_session, django_capture_on_commit_callbacks
):
    amend(
        users,
        proclaimed_blocks_session,
        {"Durand": ("certified", {BC01, BC02, BC03})},
        django_capture_on_commit_callbacks,
    )
    assert held("Durand") == [("ccp", BC01), ("ccp", BC02), ("ccp", BC03), ("cqp", "")]
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()
    assert Certificate.objects.get(
        candidate__birth_name="Durand", kind="cqp"
    ).decision.deliberation.is_amendment


def test_a_block_delivered_again_by_a_later_amendment_replaces_the_revoked_ccp(
    users, client, issued, proclaimed_blocks_session, django_capture_on_commit_callbacks
):
    session = proclaimed_blocks_session
    capture = django_capture_on_commit_callbacks
    amend(users, session, {"Durand": ("not_certified", {BC01})}, capture)
    amend(users, session, {"Durand": ("not_certified", {BC01, BC02})}, capture)
    first, second = Certificate.objects.filter(candidate__birth_name="Durand", block_code=BC02).order_by("pk")
    assert first.revoked and not second.revoked and second.replaces == first
    assert second.number != first.number
    page = html.unescape(
        client.get(reverse("certificates:verify", args=[first.verification_code])).content.decode()
    )
    assert f'href="{reverse("certificates:verify", args=[grouped(second.verification_code)])}"' in page


def test_revising_a_decision_twice_revokes_and_issues_nothing_more(
    users, issued, proclaimed_blocks_session, django_capture_on_commit_callbacks
):
    amend(
        users,
        proclaimed_blocks_session,
        {"Martin": ("not_certified", {BC01})},
        django_capture_on_commit_callbacks,
    )
    before = list(Certificate.objects.order_by("pk").values_list("pk", "revoked_at"))
    amended = JuryDecision.objects.filter(deliberation__amends__isnull=False).get()
    outcome = revise(users["national_admin"], amended)
    assert outcome.message == "Le rectificatif ne change aucun certificat."
    assert list(Certificate.objects.order_by("pk").values_list("pk", "revoked_at")) == before


def test_without_the_credential_key_nothing_is_revoked_and_the_amendment_still_stands(
    users, settings, tmp_path, issued, proclaimed_blocks_session, django_capture_on_commit_callbacks
):
    settings.CREDENTIAL_KEY_PATH = tmp_path / "missing.pem"
    amend(
        users,
        proclaimed_blocks_session,
        {"Durand": ("not_certified", {BC01})},
        django_capture_on_commit_callbacks,
    )
    assert held("Durand") == [("ccp", BC01), ("ccp", BC02)]
    job = Job.objects.filter(kind=JobKind.CERTIFICATES).latest("pk")
    assert job.status == JobStatus.FAILED and job.outcome.startswith("Aucun certificat n'a été révoqué : ")
    assert not AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_REVOKED).exists()


# the revoking service


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"national_admin"}))
def test_only_the_amendments_signer_revokes(users, issued, persona):
    certificate = issued[0]
    with pytest.raises(NotAllowed):
        do_revoke(users.get(persona), certificate, RevocationReason.AMENDMENT)
    certificate.refresh_from_db()
    assert not certificate.revoked


def test_a_certificate_is_revoked_once(users, issued):
    do_revoke(users["national_admin"], issued[0], RevocationReason.AMENDMENT)
    with pytest.raises(DomainError, match="déjà révoqué"):
        do_revoke(users["national_admin"], issued[0], RevocationReason.FRAUD)
    issued[0].refresh_from_db()
    assert issued[0].revocation_reason == RevocationReason.AMENDMENT
