"""D55: signing the original deliberation's minutes proclaims the session's results, released to
candidates and employers at one release time (never before the proclamation); the results e-mails are
scheduled for it; for the blocks scheme the jury's block decisions join the table capitalisation reads
(D18)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certifier.assessments.models import BlockDecision
from certifier.core.enums import AuditAction, DecisionSource, JobStatus
from certifier.core.models import AuditEvent, DomainError, Job
from certifier.exams.models import Registration
from certifier.exams.services import do_register
from certifier.juries import minutes as minutes_module
from certifier.juries.deliberation import do_decide
from certifier.juries.minutes import do_sign_minutes
from certifier.juries.models import JuryStatus, Minutes
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from tests.exams.test_documents import pdf_text

from .minutes_fixtures import sign

pytestmark = pytest.mark.django_db

BC01, BC02 = "RNCP35729BC01", "RNCP35729BC02"


def test_signing_proclaims_and_releases_at_the_chosen_time_audited(
    users, decided, django_capture_on_commit_callbacks
):
    release = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    job = sign(users["national_admin"], decided, django_capture_on_commit_callbacks, release)
    assert job.status == JobStatus.DONE, job.outcome
    session = decided.jury.session
    minutes = Minutes.objects.get(deliberation=decided)
    assert session.proclaimed_at == minutes.signed_at and session.released_at == release
    assert not session.results_released(timezone.now())
    assert session.results_released(release)
    event = AuditEvent.objects.get(action=AuditAction.RESULTS_PROCLAIMED)
    assert event.before == {"proclaimed_at": None, "released_at": None}
    assert event.after == {
        "proclaimed_at": session.proclaimed_at.isoformat(),
        "released_at": release.isoformat(),
    }
    assert "Résultats publiés le" in " ".join(job.details)


def test_without_a_release_time_the_results_are_released_at_the_proclamation(users, proclaimed):
    session = proclaimed.jury.session
    assert session.released_at == session.proclaimed_at
    assert session.results_released(timezone.now())


def test_a_release_time_before_the_proclamation_is_refused_and_nothing_starts(users, decided):
    with pytest.raises(DomainError, match="ne peut précéder leur proclamation"):
        do_sign_minutes(users["national_admin"], decided, timezone.now() - timedelta(hours=1))
    assert not Job.objects.exists()
    decided.jury.session.refresh_from_db()
    assert decided.jury.session.proclaimed_at is None


def test_a_job_run_after_the_chosen_release_time_releases_at_the_proclamation_not_before(
    users, decided, django_capture_on_commit_callbacks
):
    release = timezone.now().replace(second=0, microsecond=0)
    job = sign(users["national_admin"], decided, django_capture_on_commit_callbacks, release)
    assert job.status == JobStatus.DONE
    session = decided.jury.session
    assert session.released_at == session.proclaimed_at >= release


def test_the_results_e_mails_are_scheduled_once_the_proclamation_commits(
    users, decided, django_capture_on_commit_callbacks, monkeypatch
):
    scheduled = []
    monkeypatch.setattr(minutes_module, "schedule_results_notices", scheduled.append)
    release = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    sign(users["national_admin"], decided, django_capture_on_commit_callbacks, release)
    assert [(session.pk, session.released_at) for session in scheduled] == [
        (decided.jury.session_id, release)
    ]


# the blocks scheme (D18)


@pytest.fixture
def blocks_decided(users, make_national_jury, session, own):
    """A blocks-scheme session, `own` deferred with BC01 validated and BC02 not, reasoned and voted."""
    do_register(None, session, [own])
    jury = make_national_jury(session)
    admin = users["national_admin"]
    opened = do_open_deliberation(admin, jury, session.national_jury_date, jury.place)
    do_record_attendance(admin, opened, jury.members.all())
    do_decide(
        admin,
        opened,
        Registration.objects.get(session=session),
        JuryStatus.DEFERRED,
        {BC01: "validated", BC02: "not_validated"},
        "Épreuve du bloc 1 validée en séance.",
        6,
        1,
        1,
        "",
        False,
    )
    return opened


def test_signing_writes_the_jurys_block_decisions_where_capitalisation_reads_them(
    users, blocks_decided, own, django_capture_on_commit_callbacks
):
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.outcome
    written = {
        decision.block.code: decision
        for decision in BlockDecision.objects.filter(enrolment=own).latest_per_block().select_related("block")
    }
    assert {code: d.confirmed_status for code, d in written.items()} == {
        BC01: "validated",
        BC02: "not_validated",
    }
    assert all(d.source == DecisionSource.JURY for d in written.values())
    assert written[BC01].override_reason == "Épreuve du bloc 1 validée en séance."
    assert written[BC01].history.count() == 1  # kept in the decisions' history as well
    events = AuditEvent.objects.filter(
        action=AuditAction.BLOCK_DECISION_CONFIRMED, actor=users["national_admin"]
    )
    assert events.count() == 2


def test_the_minutes_of_the_blocks_scheme_print_the_blocks_decided(
    users, blocks_decided, django_capture_on_commit_callbacks
):
    sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks)
    text = pdf_text(Minutes.objects.get(deliberation=blocks_decided).file.read())
    assert f"blocs validés : {BC01} ; non validés : {BC02}" in text
    assert (
        "Épreuve du bloc 1 validée en séance." in text and "6 voix pour, 1 voix contre, 1 abstention" in text
    )
