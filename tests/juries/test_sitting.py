"""D52: the sitting of the national jury: its deliberation opened by the chair or the national
administrator, its attendance recorded, the quorum shown, and who votes on each candidate."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.juries.models import College, Deliberation, JuryMember, MemberRole
from certifier.juries.sitting import do_open_deliberation, do_record_attendance, quorum
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


def url_of(session) -> str:
    return reverse("juries:sitting", args=[session.pk])


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def of_college(jury, college) -> list[JuryMember]:
    return list(jury.members.filter(college=college))


# the quorum


def test_with_every_member_present_the_quorum_is_reached(deliberation):
    reached = quorum(deliberation.jury, deliberation.present.all())
    assert reached.reached and (reached.voting_present, reached.voting_appointed) == (8, 8)
    assert reached.label == "Quorum atteint : 8 membres votants présents sur 8."


def test_a_college_absent_breaks_the_quorum(national_jury):
    employers = of_college(national_jury, College.EMPLOYERS)
    reached = quorum(national_jury, employers)
    assert not reached.reached
    assert reached.label == (
        "Quorum non atteint : collège salarié absent ; "
        "4 membres votants présents sur 8, la majorité absolue n'y est pas."
    )


def test_half_of_the_voting_members_is_not_an_absolute_majority_and_the_chair_does_not_count(national_jury):
    chair = national_jury.members.get(role=MemberRole.CHAIR)
    half = of_college(national_jury, College.EMPLOYEES)[:2] + of_college(national_jury, College.EMPLOYERS)[:2]
    assert not quorum(national_jury, [chair, *half]).reached
    alone = quorum(national_jury, [chair, *half[:1]])
    assert "1 membre votant présent sur 8, la majorité absolue n'y est pas" in alone.label
    assert "0 membre votant présent sur 8" in quorum(national_jury, [chair]).label
    one_more = half + of_college(national_jury, College.EMPLOYERS)[2:3]
    assert quorum(national_jury, one_more).reached


def test_a_jury_configured_without_the_colleges_rule_needs_only_the_majority(national_jury):
    national_jury.quorum_both_colleges = False
    national_jury.save()
    employers = of_college(national_jury, College.EMPLOYERS)
    assert not quorum(national_jury, employers).reached  # 4 of 8
    extra = of_college(national_jury, College.EMPLOYEES)[:1]
    assert quorum(national_jury, employers + extra).reached


# opening the sitting and recording attendance


def test_the_national_admin_opens_the_sitting_and_it_is_audited(users, national_jury):
    day = national_jury.session.national_jury_date
    opened = do_open_deliberation(users["national_admin"], national_jury, day, " Ucanss, salle 3 ")
    assert (opened.held_on, opened.place, opened.opened_by, opened.is_amendment) == (
        day,
        "Ucanss, salle 3",
        users["national_admin"],
        False,
    )
    event = AuditEvent.objects.get(action=AuditAction.DELIBERATION_OPENED)
    assert event.after == {"held_on": day.isoformat(), "place": "Ucanss, salle 3"}


@pytest.mark.parametrize("persona", ["cpnefp", "national_jury", "crfp_staff", "outsider"])
def test_only_the_chair_or_the_national_admin_opens_the_sitting(users, national_jury, persona):
    with pytest.raises(NotAllowed):
        do_open_deliberation(users[persona], national_jury, national_jury.session.national_jury_date, "Paris")
    assert not Deliberation.objects.exists()


def test_the_sitting_opens_once(users, deliberation):
    with pytest.raises(DomainError, match="déjà ouvert sa délibération"):
        do_open_deliberation(users["national_admin"], deliberation.jury, deliberation.held_on, "Paris")
    assert Deliberation.objects.count() == 1


def test_attendance_is_recorded_audited_and_answers_the_quorum(users, national_jury):
    admin = users["national_admin"]
    opened = do_open_deliberation(admin, national_jury, national_jury.session.national_jury_date, "Paris")
    employers = of_college(national_jury, College.EMPLOYERS)
    reached = do_record_attendance(admin, opened, employers)
    assert not reached.reached and set(opened.present.all()) == set(employers)
    event = AuditEvent.objects.get(action=AuditAction.JURY_ATTENDANCE_RECORDED)
    assert (event.before, event.after) == ({"present": []}, {"present": sorted(m.pk for m in employers)})
    do_record_attendance(admin, opened, employers)  # unchanged: nothing written
    assert AuditEvent.objects.filter(action=AuditAction.JURY_ATTENDANCE_RECORDED).count() == 1


def test_a_stranger_to_the_jury_is_never_present(users, deliberation, make_national_jury, session):
    other = make_national_jury(session)
    with pytest.raises(DomainError, match="Seuls les membres désignés de ce jury"):
        do_record_attendance(users["national_admin"], deliberation, other.members.all())
    assert deliberation.present.count() == 9


@pytest.mark.parametrize("persona", ["cpnefp", "national_jury", "outsider"])
def test_only_the_chair_or_the_national_admin_keeps_attendance(users, deliberation, persona):
    with pytest.raises(NotAllowed):
        do_record_attendance(users[persona], deliberation, [])
    assert deliberation.present.count() == 9


def test_no_sitting_opens_on_a_proclaimed_session(users, national_jury):
    session = national_jury.session
    type(session).objects.filter(pk=session.pk).update(proclaimed_at=timezone.now())
    national_jury.session.refresh_from_db()
    with pytest.raises(DomainError, match="proclamés"):
        do_open_deliberation(users["national_admin"], national_jury, session.national_jury_date, "Paris")


# the page


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_sitting_page(client_for, national_jury, persona):
    response = client_for(persona).get(url_of(national_jury.session))
    assert response.status_code == (
        302 if persona == "anonymous" else 200 if persona == "national_admin" else 403
    )


def test_a_session_without_a_jury_has_no_sitting(client_for, marks_session):
    assert client_for("national_admin").get(url_of(marks_session)).status_code == 404


def test_the_opening_form_defaults_to_the_sessions_jury_date_and_the_jurys_place(client_for, national_jury):
    text = page(client_for("national_admin").get(url_of(national_jury.session)))
    assert f'value="{national_jury.session.national_jury_date:%Y-%m-%d}"' in text
    assert 'value="Ucanss, Paris"' in text


def test_the_national_admin_opens_the_sitting_then_ticks_attendance_and_reads_the_quorum(
    client_for, national_jury
):
    client = client_for("national_admin")
    url = url_of(national_jury.session)
    day = national_jury.session.national_jury_date
    assert (
        client.post(url, {"action": "ouvrir", "held_on": f"{day:%d/%m/%Y}", "place": "Paris"}).status_code
        == 302
    )
    opened = Deliberation.objects.get()
    employers = of_college(national_jury, College.EMPLOYERS)
    response = client.post(url, {"action": "presences", "present": [m.pk for m in employers]}, follow=True)
    text = page(response)
    assert "Quorum non atteint : collège salarié absent" in text
    assert set(opened.present.all()) == set(employers)
    assert reverse("juries:deliberation", args=[opened.pk]) in text


def test_a_bad_date_is_refused_in_french_and_nothing_opens(client_for, national_jury):
    text = page(
        client_for("national_admin").post(
            url_of(national_jury.session), {"action": "ouvrir", "held_on": "31/02/2026", "place": "Paris"}
        )
    )
    assert "Saisissez une date valide (JJ/MM/AAAA)." in text
    assert not Deliberation.objects.exists()


def test_a_member_of_another_jury_posted_as_present_is_refused(
    client_for, deliberation, make_national_jury, session
):
    other = make_national_jury(session)
    text = page(
        client_for("national_admin").post(
            url_of(deliberation.jury.session),
            {"action": "presences", "present": [other.members.first().pk]},
        )
    )
    assert "Erreur" in text
    assert deliberation.present.count() == 9


def test_once_the_minutes_are_signed_attendance_is_frozen_on_the_page(client_for, users, deliberation):
    from certifier.juries.models import Minutes

    Minutes.objects.create(
        deliberation=deliberation,
        file="minutes/x.pdf",
        sha256="0" * 64,
        signed_by=users["national_admin"],
        signed_at=timezone.now(),
    )
    client = client_for("national_admin")
    url = url_of(deliberation.jury.session)
    text = page(client.get(url))
    assert "la feuille de présence ne change plus" in text and 'name="present"' not in text
    response = client.post(url, {"action": "presences", "present": []}, follow=True)
    assert "la feuille de présence ne change plus" in page(response)
    assert deliberation.present.count() == 9
    with pytest.raises(DomainError, match="ne change plus"):
        do_record_attendance(users["national_admin"], deliberation, [])


def test_the_sitting_page_reads_in_a_bounded_number_of_queries(client_for, deliberation):
    client, url = client_for("national_admin"), url_of(deliberation.jury.session)
    with CaptureQueriesContext(connection) as queries:
        page(client.get(url))
    assert len(queries) <= 12
