"""D59, D60: once the national jury's minutes are signed, a job issues a CCP for each block the jury
validated and the CQP for each candidate it certified (the 2013 scheme: the CQP only), numbered without
gaps per kind and year, their content frozen at issue; re-running it issues nothing twice, a failure
loses no number and leaves no file."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from certifier.certificates import issuance
from certifier.certificates.issuance import (
    do_issue_certificates,
    grouped,
    issue_certificates_for,
    next_number,
    normalise_code,
)
from certifier.certificates.models import Certificate, NumberSequence
from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import AuditEvent, DomainError, Job, NotAllowed
from certifier.exams.models import Registration
from certifier.juries.deliberation import decisions_in_force, do_adopt_proposals, do_decide
from certifier.pathways.models import Candidate
from tests.certificates.conftest import REASON
from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import sign

pytestmark = pytest.mark.django_db


def numbers(kind):
    return list(Certificate.objects.filter(kind=kind).order_by("sequence").values_list("number", flat=True))


def in_force(session):
    return list(decisions_in_force(Registration.objects.filter(session=session)).values())


@pytest.fixture
def unissued(users, blocks_decided, monkeypatch, django_capture_on_commit_callbacks):
    """The blocks-scheme session proclaimed with its issuing job held back: nothing issued yet."""
    monkeypatch.setattr(issuance, "start_issuing", lambda actor, session: None)
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.outcome
    monkeypatch.undo()
    return blocks_decided.jury.session


def test_the_proclamation_issues_a_ccp_per_validated_block_and_the_cqp_of_the_certified(issued):
    held = sorted((c.candidate.birth_name, c.kind, c.block_code) for c in issued)
    assert held == [
        ("Durand", "ccp", "RNCP35729BC01"),
        ("Durand", "ccp", "RNCP35729BC02"),
        ("Martin", "ccp", "RNCP35729BC01"),
        ("Martin", "ccp", "RNCP35729BC02"),
        ("Martin", "ccp", "RNCP35729BC03"),
        ("Martin", "cqp", ""),
    ]
    job = Job.objects.get(kind=JobKind.CERTIFICATES)
    assert (job.status, job.outcome) == (JobStatus.DONE, "6 certificats émis et signés.")
    assert AuditEvent.objects.filter(action=AuditAction.CERTIFICATE_ISSUED).count() == 6


def test_numbers_follow_each_other_without_gap_per_kind_and_year(issued):
    year = issued[0].year
    assert numbers("ccp") == [f"CCP-{year}-{rank:06d}" for rank in range(1, 6)]
    assert numbers("cqp") == [f"CQP-{year}-000001"]
    assert dict(NumberSequence.objects.values_list("kind", "last")) == {"ccp": 5, "cqp": 1}


def test_each_certificate_keeps_its_signed_pdf_its_fingerprint_and_its_signed_credential(issued):
    for certificate in issued:
        with certificate.pdf.open("rb") as stored:
            pdf = stored.read()
        assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf
        assert certificate.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
        assert certificate.credential["proof"]["proofValue"]
        assert certificate.credential["id"] == certificate.content["verification_url"]


def test_the_content_says_what_the_certificate_prints_and_nothing_more(issued):
    cqp = next(c for c in issued if c.kind == "cqp")
    content = cqp.content
    assert content["holder"] == {
        "birth_name": "Martin",
        "usage_name": "",
        "first_names": cqp.candidate.first_name
        + (f" {cqp.candidate.other_first_names}" if cqp.candidate.other_first_names else ""),
        "name": f"{content['holder']['first_names']} MARTIN",
    }
    assert content["certification"]["rncp_code"] == "RNCP35729"
    assert [block["code"] for block in content["blocks"]] == [
        "RNCP35729BC01",
        "RNCP35729BC02",
        "RNCP35729BC03",
    ]
    assert content["president"]["capacity"] and content["president"]["name"]
    code = cqp.verification_code
    assert content["verification_code"] == grouped(code)
    assert content["verification_url"] == f"https://certifier.test/verifier/{code}/"
    assert "birth_date" not in str(content) and str(cqp.candidate.birth_date.year) not in str(
        content["holder"]
    )
    ccp = next(c for c in issued if c.kind == "ccp" and c.block_code == "RNCP35729BC02")
    assert ccp.content["block"]["code"] == "RNCP35729BC02" and "blocks" not in ccp.content


def test_the_content_stays_frozen_when_the_holder_changes_name(
    users, issued, django_capture_on_commit_callbacks
):
    Candidate.objects.filter(birth_name="Martin").update(usage_name="Lambert", first_name="Léonie")
    session = issued[0].decision.registration.session
    with django_capture_on_commit_callbacks(execute=True):
        do_issue_certificates(users["national_admin"], session)
    cqp = Certificate.objects.get(kind="cqp")
    assert cqp.content["holder"]["name"].endswith("MARTIN") and "Lambert" not in str(cqp.content)
    assert Certificate.objects.count() == 6


def test_running_the_issue_again_issues_nothing_twice(users, issued, django_capture_on_commit_callbacks):
    before = sorted(Certificate.objects.values_list("number", "pdf_sha256"))
    session = issued[0].decision.registration.session
    with django_capture_on_commit_callbacks(execute=True):
        job = do_issue_certificates(users["national_admin"], session)
    job.refresh_from_db()
    assert (job.status, job.outcome) == (
        JobStatus.DONE,
        "Aucun certificat à émettre : chacun est déjà délivré.",
    )
    assert sorted(Certificate.objects.values_list("number", "pdf_sha256")) == before
    assert issue_certificates_for(in_force(session)) == []


def test_a_failed_issue_gives_its_numbers_back_and_leaves_no_file(unissued, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    real = issuance.record_event

    def audit(action, certificate, **kwargs):
        if certificate.block_code == "RNCP35729BC02":
            raise RuntimeError("audit unavailable")
        return real(action, certificate, **kwargs)

    monkeypatch.setattr(issuance, "record_event", audit)
    durand, martin = sorted(in_force(unissued), key=lambda d: d.registration.enrolment.candidate.birth_name)
    with pytest.raises(RuntimeError):
        issue_certificates_for([durand])  # his BC01 drawn, signed and stored, then rolled back
    assert not Certificate.objects.exists() and not NumberSequence.objects.filter(last__gt=0).exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    monkeypatch.undo()
    issue_certificates_for([martin, durand])
    year = Certificate.objects.first().year
    assert numbers("ccp") == [f"CCP-{year}-{rank:06d}" for rank in range(1, 6)]
    assert numbers("cqp") == [f"CQP-{year}-000001"]
    assert len([path for path in tmp_path.rglob("*.pdf")]) == 6


def test_a_job_without_the_signing_key_fails_in_french_and_issues_nothing(
    users, unissued, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SIGNING_KEY_PATH = tmp_path / "missing.pem"
    with django_capture_on_commit_callbacks(execute=True):
        job = do_issue_certificates(users["national_admin"], unissued)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.outcome.startswith("La clé de signature du certificateur")
    assert not Certificate.objects.exists() and not NumberSequence.objects.filter(last__gt=0).exists()


@pytest.mark.parametrize("persona", ["cpnefp", "national_jury", "crfp_staff", "candidate"])
def test_only_the_national_administrator_starts_the_issue_again(users, unissued, persona):
    with pytest.raises(NotAllowed):
        do_issue_certificates(users[persona], unissued)


def test_no_certificate_is_issued_for_a_session_not_proclaimed(users, blocks_decided):
    with pytest.raises(DomainError, match="ne sont pas proclamés"):
        do_issue_certificates(users["national_admin"], blocks_decided.jury.session)


def test_under_the_2013_scheme_the_certified_candidate_gets_the_cqp_only(
    users, lifted_session, deliberation, django_capture_on_commit_callbacks
):
    admin = users["national_admin"]
    martin = registration_of(lifted_session, "Martin")
    do_decide(admin, deliberation, martin, "certified", {}, REASON, 8, 0, 0, "", False)
    do_adopt_proposals(admin, deliberation, [registration_of(lifted_session, "Durand")])
    sign(admin, deliberation, django_capture_on_commit_callbacks)
    certified = {
        d.registration.enrolment.candidate.birth_name
        for d in in_force(lifted_session)
        if d.confirmed_status == "certified"
    }
    held = list(Certificate.objects.values_list("candidate__birth_name", "kind", "block_code"))
    assert sorted(held) == sorted((name, "cqp", "") for name in certified) and ("Martin", "cqp", "") in held
    assert Certificate.objects.get(candidate__birth_name="Martin").content["blocks"] == []


def test_next_number_creates_the_years_sequence_then_counts_on():
    with transaction.atomic():
        assert next_number("cqp", 2031) == (1, "CQP-2031-000001")
        assert next_number("cqp", 2031) == (2, "CQP-2031-000002")
        assert next_number("ccp", 2031) == (1, "CCP-2031-000001")
        assert next_number("cqp", 2032) == (1, "CQP-2032-000001")


def test_verification_codes_are_drawn_at_random_and_read_back_however_typed(issued):
    codes = [certificate.verification_code for certificate in issued]
    assert len(set(codes)) == len(codes) and all(len(code) == 16 for code in codes)
    code = codes[0]
    typed = " " + grouped(code).lower().replace("1", "l").replace("0", "o") + " "
    assert normalise_code(typed) == code
    assert normalise_code(grouped(code).replace("-", " ")) == code


@pytest.mark.parametrize(
    "text", ["", "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRSU", "UUUU-UUUU-UUUU-UUUU", "AB*D" * 4, None]
)
def test_a_malformed_verification_code_is_not_one(text):
    assert normalise_code(text) is None


def test_the_command_issues_what_is_missing_and_says_so(unissued):
    out = StringIO()
    call_command("issue_certificates", str(unissued.pk), stdout=out)
    assert out.getvalue().startswith("6 certificats émis et signés.") and "CQP émis : 1" in out.getvalue()
    with pytest.raises(CommandError, match="Aucune session"):
        call_command("issue_certificates", str(unissued.pk + 1000))
    out = StringIO()
    call_command("issue_certificates", str(unissued.pk), stdout=out)
    assert out.getvalue().startswith("Aucun certificat à émettre")


def test_a_holder_with_a_usage_name_is_named_by_it_then_by_their_birth_name(unissued):
    Candidate.objects.filter(birth_name="Martin").update(usage_name="Lambert", other_first_names="Marie")
    issue_certificates_for(in_force(unissued))
    holder = Certificate.objects.get(kind="cqp").content["holder"]
    assert holder["usage_name"] == "Lambert" and holder["first_names"] == "Léa Marie"
    sex = Candidate.objects.get(birth_name="Martin").sex
    assert holder["name"] == f"Léa Marie LAMBERT, {'née' if sex == 'F' else 'né'} MARTIN"


def test_a_failure_to_start_the_issue_leaves_the_minutes_signed_and_the_results_proclaimed(
    users, blocks_decided, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(actor, session):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(issuance, "start_issuing", fail)
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE and blocks_decided.jury.session.proclaimed_at is not None
    assert not Certificate.objects.exists()
