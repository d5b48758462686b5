"""D54: the minutes of the national jury are drawn from the data, signed PAdES by the certifier in a job
(its progress shown), their SHA-256 kept; the signature validates with pyHanko's own validator and an
altered byte breaks it. Only the chair and the national administrator sign; the page is for the national
administrator, the CPNEFP and the members of the jury."""

import asyncio
import hashlib
import html
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certifier.core.enums import AuditAction, JobStatus
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.core.pdf import document, paragraph, styles
from certifier.exams.documents import long_date
from certifier.exams.models import Registration
from certifier.exams.services import do_register
from certifier.juries import minutes as minutes_module
from certifier.juries.deliberation import do_adopt_proposals, do_decide
from certifier.juries.minutes import NOT_ALLOWED, do_sign_minutes, draw_minutes, minutes_data
from certifier.juries.models import Deliberation, JuryDecision, JuryStatus, MemberRole, Minutes
from certifier.juries.signing import sign_pdf, trust_root
from certifier.juries.sitting import do_record_attendance
from certifier.people.models import Membership
from tests.exams.conftest import registration_of
from tests.exams.test_documents import pdf_text
from tests.exams.test_outcome import GOOD, enter, follow_pass, pass_session  # noqa: F401
from tests.factories import EnrolmentFactory
from tests.personas import PERSONAS

from .minutes_fixtures import sign

pytestmark = pytest.mark.django_db

READERS = {"national_admin", "cpnefp", "national_jury"}


@pytest.fixture
def departed(users, lifted_session, deliberation, follow_pass):  # noqa: F811
    """Martin certifiable but not certified, reasoned and voted; Durand as proposed."""
    martin = registration_of(lifted_session, "Martin")
    follow_pass(martin)
    enter(lifted_session, martin, GOOD)
    do_adopt_proposals(
        users["national_admin"], deliberation, Registration.objects.filter(session=lifted_session)
    )
    do_decide(
        users["national_jury"],
        deliberation,
        martin,
        JuryStatus.NOT_CERTIFIED,
        {},
        "Dossier de Pass incomplet.",
        5,
        2,
        1,
        "",
        False,
    )
    return deliberation


def validate(content: bytes):
    signature = PdfFileReader(BytesIO(content)).embedded_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[trust_root()]))


# the minutes' content


def test_the_minutes_say_session_sitting_members_quorum_decisions_departures_and_the_president(
    users, departed, django_capture_on_commit_callbacks
):
    job = sign(users["national_admin"], departed, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.outcome
    text = pdf_text(Minutes.objects.get(deliberation=departed).file.read())
    jury = departed.jury
    assert "Procès-verbal du jury national paritaire" in text
    assert f"séance du {long_date(departed.held_on)}, {departed.place}" in text
    assert "Alice Bernard" in text and "Collège salarié (CFDT)" in text and "Représentant(e) CFDT" in text
    assert "Inès Moreau" in text and "Collège employeur" in text
    assert "Quorum atteint : 8 membres votants présents sur 8." in text
    for registration in Registration.objects.filter(session=jury.session).select_related(
        "enrolment__candidate"
    ):
        assert registration.candidate_number in text
        assert registration.enrolment.candidate.birth_name.upper() in text.upper()
    martin = JuryDecision.objects.get(
        deliberation=departed, registration__enrolment__candidate__birth_name="Martin"
    )
    assert martin.confirmed_status == JuryStatus.NOT_CERTIFIED
    assert "Dossier de Pass incomplet." in text and "5 voix pour, 2 voix contre, 1 abstention" in text
    chair = jury.members.get(role=MemberRole.CHAIR)
    assert (
        f"Présidence du jury (Ucanss, sans voix délibérative) : {chair.first_name} {chair.last_name}" in text
    )
    signature = text.split("Pour le jury national paritaire,")[-1]
    assert f"{chair.first_name} {chair.last_name}, pour la présidence du jury" in signature
    assert "président" not in text.lower().replace("présidence", "")


def test_a_candidate_number_of_14_of_the_widest_characters_fits_its_column_on_one_line():
    small = styles()["BodyText"].clone("small", fontSize=minutes_module.FONT_SIZE)
    for widths in minutes_module.COLUMNS.values():
        assert minutes_module._cell("WWWW-WWWW-WWWW", widths[0], small) == "WWWW-WWWW-WWWW"


def test_the_minutes_of_2_or_22_candidates_are_read_in_the_same_queries(
    users, lifted_session, deliberation, organisations
):
    counts = []
    for added in (0, 20):
        enrolments = [
            EnrolmentFactory(version=lifted_session.version, training_centre=organisations["crfp"])
            for _ in range(added)
        ]
        if enrolments:
            do_register(None, lifted_session, enrolments)
        everyone = Registration.objects.filter(session=lifted_session)
        do_adopt_proposals(users["national_admin"], deliberation, everyone)
        fresh = Deliberation.objects.get(pk=deliberation.pk)
        with CaptureQueriesContext(connection) as queries:
            data = minutes_data(fresh)
        assert len(data.candidates) == 2 + added
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts
    assert draw_minutes(data).startswith(b"%PDF")


# the signature


def test_the_signature_is_intact_and_valid_against_the_trust_root_and_the_hash_is_the_files(
    users, proclaimed
):
    minutes = proclaimed.minutes
    content = minutes.file.read()
    assert minutes.sha256 == hashlib.sha256(content).hexdigest()
    status = validate(content)
    assert status.intact and status.valid and status.trusted
    assert status.signer_reported_dt is not None or status.signing_cert is not None


def test_the_minutes_are_signed_even_from_a_thread_running_an_event_loop():
    """An asynchronous server or a browser driver runs a loop in the thread: the signature still runs."""
    pdf = document("Essai", [paragraph("Procès-verbal d'essai", styles()["BodyText"])])

    async def inside_a_loop() -> bytes:
        return sign_pdf(pdf, reason="Essai", location="Paris")

    status = validate(asyncio.run(inside_a_loop()))
    assert status.intact and status.valid


def test_one_altered_byte_breaks_the_signature(users, proclaimed):
    content = bytearray(proclaimed.minutes.file.read())
    middle = content.index(b"stream") + 200  # inside the first page's drawing, covered by the signature
    content[middle] ^= 0x01
    try:
        status = validate(bytes(content))
    except Exception:
        return
    assert not (status.intact and status.valid)


def test_signing_is_audited_and_the_job_reports_the_hash(users, proclaimed):
    minutes = proclaimed.minutes
    event = AuditEvent.objects.get(action=AuditAction.MINUTES_SIGNED)
    assert (event.actor, event.after["sha256"]) == (users["national_admin"], minutes.sha256)
    assert AuditEvent.objects.filter(action=AuditAction.MINUTES_SIGNING_REQUESTED).count() == 1


# who signs, when


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"national_admin", "anonymous"}))
def test_only_the_chair_and_the_national_administrator_sign(users, decided, persona):
    with pytest.raises(NotAllowed):
        do_sign_minutes(users[persona], decided)
    assert not Minutes.objects.exists()


def test_signing_needs_every_candidate_decided(users, lifted_session, deliberation):
    with pytest.raises(DomainError, match="n'a pas statué sur 2 candidats"):
        do_sign_minutes(users["national_admin"], deliberation)


def test_signing_needs_the_quorum(users, decided):
    employers = decided.jury.members.filter(college="employers")
    do_record_attendance(users["national_admin"], decided, employers)
    with pytest.raises(DomainError, match="Quorum non atteint : collège salarié absent"):
        do_sign_minutes(users["national_admin"], decided)


def test_signed_minutes_are_not_signed_again(users, proclaimed):
    with pytest.raises(DomainError, match="déjà signé"):
        do_sign_minutes(users["national_admin"], proclaimed)
    assert Minutes.objects.count() == 1


def test_a_second_request_while_one_is_waiting_is_refused(users, decided):
    do_sign_minutes(users["national_admin"], decided)  # enqueued on commit, never run here
    with pytest.raises(DomainError, match="déjà en cours"):
        do_sign_minutes(users["national_admin"], decided)


def test_a_decision_changed_while_the_minutes_were_drawn_fails_the_job_and_signs_nothing(
    users, decided, monkeypatch, django_capture_on_commit_callbacks
):
    drawn = minutes_module.draw_minutes
    martin = registration_of(decided.jury.session, "Martin")

    def draw_then_change(data, progress=None):
        pdf = drawn(data, progress)
        JuryDecision.objects.filter(deliberation=decided, registration=martin).update(
            confirmed_status=JuryStatus.DEFERRED,
            override_reason="Vote repris.",
            votes_for=5,
            votes_against=0,
            abstentions=3,
        )
        return pdf

    monkeypatch.setattr(minutes_module, "draw_minutes", draw_then_change)
    job = sign(users["national_admin"], decided, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and "ont changé" in job.outcome
    assert not Minutes.objects.exists() and decided.jury.session.proclaimed_at is None


def test_without_the_certifiers_key_the_job_fails_saying_so_and_nothing_is_proclaimed(
    users, decided, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SIGNING_KEY_PATH = tmp_path / "absent.pem"
    job = sign(users["national_admin"], decided, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and "clé de signature du certificateur" in job.outcome
    assert not Minutes.objects.exists() and decided.jury.session.proclaimed_at is None


def test_a_signer_who_lost_the_right_before_the_job_ran_signs_nothing(
    users, decided, django_capture_on_commit_callbacks
):
    admin = users["national_admin"]
    with django_capture_on_commit_callbacks(execute=False) as pending:
        job = do_sign_minutes(admin, decided)
    Membership.objects.filter(user=admin).delete()  # no longer national administrator,
    decided.jury.members.filter(user=admin).update(user=None)  # nor the chair
    for callback in pending:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.outcome == NOT_ALLOWED
    assert not Minutes.objects.exists()


# the page


def url_of(deliberation) -> str:
    return reverse("juries:minutes", args=[deliberation.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_minutes_page_and_file_are_for_the_national_admin_the_cpnefp_and_the_jury(
    persona, client_for, proclaimed
):
    client = client_for(persona)
    page = client.get(url_of(proclaimed))
    download = client.get(reverse("juries:minutes_download", args=[proclaimed.pk]))
    if persona in READERS:
        assert page.status_code == 200 and proclaimed.minutes.sha256 in page.content.decode()
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        assert download.content == proclaimed.minutes.file.read()
    else:
        expected = 302 if persona == "anonymous" else 403
        assert (page.status_code, download.status_code) == (expected, expected)


def test_a_jury_member_not_seated_on_this_jury_does_not_read_its_minutes(users, client_for, proclaimed):
    proclaimed.jury.members.filter(user=users["national_jury"]).update(user=None)
    assert client_for("national_jury").get(url_of(proclaimed)).status_code == 404


def test_the_chair_signs_from_the_page_and_follows_the_job_to_the_download_link(
    client_for, decided, django_capture_on_commit_callbacks
):
    client = client_for("national_admin")
    form = html.unescape(client.get(url_of(decided)).content.decode())
    assert "Signer le procès-verbal et proclamer les résultats" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of(decided), {"release_at": "", "confirm": "on"})
    assert response.status_code == 302
    page = html.unescape(client.get(url_of(decided)).content.decode())
    assert "Empreinte SHA-256" in page and reverse("juries:minutes_download", args=[decided.pk]) in page
    assert "résultats proclamés le" in page


def test_signing_without_ticking_the_confirmation_is_refused_in_french_and_nothing_is_signed(
    client_for, decided, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("national_admin").post(url_of(decided), {"release_at": ""})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        "Cochez la case de confirmation : le procès-verbal n'est signé qu'une fois confirmé complet." in page
    )
    session = decided.jury.session
    session.refresh_from_db()
    assert not Minutes.objects.exists() and not session.proclaimed


def test_while_the_job_runs_the_page_is_followed_by_the_progress_script_without_inline_code(
    users, client_for, decided
):
    do_sign_minutes(users["national_admin"], decided)  # its job waits: the commit never comes in this test
    page = html.unescape(client_for("national_admin").get(url_of(decided)).content.decode())
    assert "Signature en cours" in page and 'data-job-waiting="3"' in page
    main = page.split("<main", 1)[-1]
    assert '<script src="/static/js/import-progress.js" defer></script>' in main
    assert "<script>" not in main


def test_the_page_says_why_the_minutes_cannot_be_signed_yet(client_for, lifted_session, deliberation):
    page = html.unescape(client_for("national_admin").get(url_of(deliberation)).content.decode())
    assert "n'a pas statué sur 2 candidats" in page and "Signer le procès-verbal" not in page


def test_a_member_reads_the_page_without_the_sign_form(client_for, decided):
    page = html.unescape(client_for("national_jury").get(url_of(decided)).content.decode())
    assert "Non signé" in page and "<form" not in page.split("<main", 1)[-1]


def test_a_member_posting_the_sign_form_is_refused_and_nothing_is_signed(client_for, decided):
    response = client_for("national_jury").post(url_of(decided), {"release_at": "", "confirm": "on"})
    assert response.status_code == 403 and not Minutes.objects.exists()
