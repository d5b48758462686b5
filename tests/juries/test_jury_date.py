"""D58: the national jury meets within one month after the session's last exam; the national
administrator moves its date after the session's creation, recording the derogation's reason when the
new date lies beyond that month, until the proclamation."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.models import ExamSession
from certifier.exams.rules import one_month_after
from certifier.exams.services import do_reschedule_national_jury, do_set_local_jury_dates
from certifier.juries.dashboard import national_jury_deadlines
from certifier.people.enums import Role
from tests.exams.conftest import calendar
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

REASON = "Indisponibilité des membres du collège employeur pendant les congés d'été."


@pytest.fixture
def late(make_session):
    """A session whose last exam was 40 days ago, its national jury not proclaimed: past its deadline."""
    return make_session(year=timezone.localdate().year - 2, **calendar(-110))


def deadline(session: ExamSession):
    return one_month_after(session.dates.last_exam)


def events(session: ExamSession) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.NATIONAL_JURY_DATE_CHANGED, object_id=str(session.pk)
        ).order_by("pk")
    )


def stored(session: ExamSession) -> tuple:
    return ExamSession.objects.values_list("national_jury_date", "derogation_reason").get(pk=session.pk)


def dashboard_line(users, session: ExamSession) -> str:
    url = reverse("juries:national_jury", args=[session.pk])
    tasks = national_jury_deadlines(users["national_admin"], {Role.NATIONAL_ADMIN})
    return next(task.label for task in tasks if task.url == url)


# the service


def test_a_date_beyond_the_month_is_recorded_with_its_reason_and_audited(users, late):
    before = stored(late)
    new_date = deadline(late) + timedelta(days=20)
    assert do_reschedule_national_jury(users["national_admin"], late, new_date, f"  {REASON}  ")
    assert stored(late) == (new_date, REASON)
    [event] = events(late)
    assert event.actor == users["national_admin"]
    assert event.before == {"national_jury_date": str(before[0]), "derogation_reason": ""}
    assert event.after == {"national_jury_date": str(new_date), "derogation_reason": REASON}


def test_a_date_beyond_the_month_without_a_reason_is_refused_and_nothing_changes(users, late):
    before = stored(late)
    with pytest.raises(DomainError, match="indiquez le motif de la dérogation"):
        do_reschedule_national_jury(users["national_admin"], late, deadline(late) + timedelta(days=1), " ")
    assert stored(late) == before
    assert events(late) == []


def test_a_date_back_within_the_month_drops_the_derogation(users, make_session):
    dates = calendar(-110)
    dates["national_jury_date"] = one_month_after(dates["oral_end"]) + timedelta(days=5)
    excused = make_session(derogation_reason=REASON, **dates)
    within = one_month_after(dates["oral_end"])
    assert do_reschedule_national_jury(users["national_admin"], excused, within, REASON)
    assert stored(excused) == (within, "")
    [event] = events(excused)
    assert event.before["derogation_reason"] == REASON and event.after["derogation_reason"] == ""


def test_the_jury_meets_after_the_last_exam_and_after_the_local_juries(users, organisations, session):
    admin = users["national_admin"]
    with pytest.raises(DomainError, match="après la dernière épreuve"):
        do_reschedule_national_jury(admin, session, session.oral_end, "")
    centre = organisations["crfp"]
    local_day = session.oral_end + timedelta(days=5)
    do_set_local_jury_dates(admin, session, {centre: local_day})
    with pytest.raises(DomainError, match=f"Le jury local de {centre.name} se réunit le"):
        do_reschedule_national_jury(admin, session, local_day, "")
    assert events(session) == []


def test_an_unchanged_date_and_reason_write_no_audit_row(users, session):
    assert not do_reschedule_national_jury(users["national_admin"], session, session.national_jury_date, "")
    assert events(session) == []


@pytest.mark.parametrize("persona", ["cpnefp", "national_jury", "crfp_staff", "candidate", "outsider"])
def test_only_the_national_administrator_moves_the_jury(users, late, persona):
    before = stored(late)
    with pytest.raises(NotAllowed):
        do_reschedule_national_jury(users[persona], late, deadline(late) + timedelta(days=20), REASON)
    assert stored(late) == before


def test_a_proclaimed_session_keeps_its_jury_date(users, proclaimed):
    session = proclaimed.jury.session
    before = stored(session)
    with pytest.raises(DomainError, match="proclamés"):
        do_reschedule_national_jury(
            users["national_admin"], session, session.national_jury_date + timedelta(days=3), REASON
        )
    assert stored(session) == before
    assert events(session) == []


# the national jury page and the dashboard


def jury_url(session: ExamSession) -> str:
    return reverse("juries:national_jury", args=[session.pk])


def post_date(client, session: ExamSession, day, reason: str = ""):
    return client.post(
        jury_url(session), {"date-national_jury_date": day.isoformat(), "date-derogation_reason": reason}
    )


def test_the_national_admin_records_the_derogation_from_the_page_and_the_dashboard_says_so(
    users, client_for, late
):
    assert "dérogation à enregistrer" in dashboard_line(users, late)
    client = client_for("national_admin")
    text = html.unescape(client.get(jury_url(late)).content.decode())
    assert f"Délai d'un mois après la dernière épreuve</dt><dd>{deadline(late):%d/%m/%Y}" in text
    assert 'name="date-derogation_reason"' in text
    new_date = deadline(late) + timedelta(days=20)
    response = post_date(client, late, new_date, REASON)
    assert response.status_code == 302
    assert stored(late) == (new_date, REASON)
    line = dashboard_line(users, late)
    assert f"dérogation enregistrée, jury national le {new_date:%d/%m/%Y}" in line
    text = html.unescape(client.get(jury_url(late)).content.decode())
    assert "La date du jury national est enregistrée avec le motif de la dérogation." in text
    assert f"Motif de dérogation</dt><dd>{REASON}" in text


def test_the_page_names_the_missing_reason_and_changes_nothing(client_for, late):
    before = stored(late)
    response = post_date(client_for("national_admin"), late, deadline(late) + timedelta(days=1))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "Motif de dérogation : Le jury national se réunit plus d'un mois après la dernière épreuve" in text
    assert stored(late) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_moves_the_national_jury_from_its_page(client_for, national_jury, persona):
    session = national_jury.session
    before = stored(session)
    response = post_date(client_for(persona), session, deadline(session) + timedelta(days=20), REASON)
    # the national jury member (seated) and the CPNEFP read the page but do not move the date
    expected = {"anonymous": 302, "national_admin": 302}.get(persona, 403)
    assert response.status_code == expected
    if persona == "national_admin":
        assert stored(session)[1] == REASON
    else:
        assert stored(session) == before
        assert (
            'name="date-national_jury_date"'
            not in client_for(persona).get(jury_url(session)).content.decode()
        )


def test_no_date_form_once_proclaimed(client_for, proclaimed):
    session = proclaimed.jury.session
    client = client_for("national_admin")
    assert 'name="date-national_jury_date"' not in client.get(jury_url(session)).content.decode()
    before = stored(session)
    response = post_date(client, session, session.national_jury_date + timedelta(days=3), REASON)
    assert response.status_code == 403
    assert stored(session) == before


def test_a_sitting_opened_and_not_signed_moves_with_the_jury_date(client_for, deliberation):
    session = deliberation.jury.session
    new_date = deadline(session)
    assert new_date != deliberation.held_on
    response = post_date(client_for("national_admin"), session, new_date)
    assert response.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.held_on == new_date
    moved = AuditEvent.objects.get(
        action=AuditAction.NATIONAL_JURY_DATE_CHANGED,
        object_id=str(deliberation.pk),
        object_type="juries.Deliberation",
    )
    assert moved.after == {"held_on": new_date.isoformat()}
