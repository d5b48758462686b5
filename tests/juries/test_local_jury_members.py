"""D51: each CRFP appoints, per session, the members of its local jury with their capacity, optionally
linked to an account holding the local jury's role at that CRFP; a CRFP sees and changes only its own;
the national administrator reads every CRFP's."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.juries.composition import LocalMemberData, do_appoint_local_member, do_remove_local_member
from certifier.juries.models import LocalJuryMember
from certifier.people.enums import Role
from tests.factories import MembershipFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


def url_of(session) -> str:
    return reverse("juries:local_jury", args=[session.pk])


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def data(centre, last_name="Lemoine", **overrides) -> LocalMemberData:
    values = {
        "training_centre": centre,
        "last_name": last_name,
        "first_name": "Claire",
        "capacity": "Formatrice",
    }
    return LocalMemberData(**(values | overrides))


@pytest.fixture
def other_staff(organisations):
    return MembershipFactory(organisation=organisations["other_crfp"], role=Role.CRFP_STAFF).user


# the service


def test_a_crfp_appoints_a_member_of_its_local_jury_and_it_is_audited(users, organisations, marks_session):
    member = do_appoint_local_member(
        users["crfp_staff"], marks_session, data(organisations["crfp"], capacity=" Manager  de proximité ")
    )
    assert (member.training_centre, member.capacity, member.appointed_by, member.user) == (
        organisations["crfp"],
        "Manager de proximité",
        users["crfp_staff"],
        None,
    )
    event = AuditEvent.objects.get(action=AuditAction.LOCAL_JURY_MEMBER_APPOINTED)
    assert event.actor == users["crfp_staff"] and event.after["last_name"] == "Lemoine"


def test_a_member_is_linked_to_a_local_jury_account_of_that_crfp(users, organisations, marks_session):
    member = do_appoint_local_member(
        users["crfp_staff"], marks_session, data(organisations["crfp"], email="Local_Jury@test.example")
    )
    assert member.user == users["local_jury"]


def test_an_account_of_another_crfps_local_jury_is_refused(users, organisations, marks_session):
    stranger = MembershipFactory(organisation=organisations["other_crfp"], role=Role.LOCAL_JURY).user
    with pytest.raises(DomainError, match="Jury local"):
        do_appoint_local_member(
            users["crfp_staff"], marks_session, data(organisations["crfp"], email=stranger.email)
        )
    assert not LocalJuryMember.objects.exists()


def test_a_crfp_appoints_nobody_for_another_crfp(users, organisations, marks_session):
    with pytest.raises(NotAllowed):
        do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["other_crfp"]))
    assert not LocalJuryMember.objects.exists()


@pytest.mark.parametrize("persona", ["national_admin", "local_jury", "cpnefp", "outsider"])
def test_only_the_crfp_appoints_its_local_jury(users, organisations, marks_session, persona):
    with pytest.raises(NotAllowed):
        do_appoint_local_member(users[persona], marks_session, data(organisations["crfp"]))


def test_the_same_person_twice_is_refused_in_french(users, organisations, marks_session):
    do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"]))
    with pytest.raises(DomainError, match="Claire Lemoine est déjà membre de ce jury local"):
        do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"]))
    assert LocalJuryMember.objects.count() == 1


def test_a_member_without_a_capacity_is_refused(users, organisations, marks_session):
    with pytest.raises(DomainError, match="Indiquez la qualité"):
        do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"], capacity=" "))


def test_the_crfp_removes_its_member_audited_and_no_other_crfp_does(
    users, organisations, marks_session, other_staff
):
    member = do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"]))
    with pytest.raises(NotAllowed):
        do_remove_local_member(other_staff, member)
    do_remove_local_member(users["crfp_staff"], member)
    assert not LocalJuryMember.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.LOCAL_JURY_MEMBER_REMOVED)
    assert event.before["last_name"] == "Lemoine" and event.after is None


def test_the_local_jury_does_not_change_once_proclaimed(users, organisations, marks_session):
    member = do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"]))
    type(marks_session).objects.filter(pk=marks_session.pk).update(proclaimed_at=timezone.now())
    marks_session.refresh_from_db()
    with pytest.raises(DomainError, match="proclamés"):
        do_appoint_local_member(
            users["crfp_staff"], marks_session, data(organisations["crfp"], last_name="Autre")
        )
    member.refresh_from_db()
    with pytest.raises(DomainError, match="proclamés"):
        do_remove_local_member(users["crfp_staff"], member)
    assert LocalJuryMember.objects.count() == 1


# the page


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_local_jury_page(client_for, marks_session, persona):
    response = client_for(persona).get(url_of(marks_session))
    readers = {"national_admin", "crfp_staff"}
    assert response.status_code == (302 if persona == "anonymous" else 200 if persona in readers else 403)


def test_a_crfp_sees_only_its_own_members_and_the_admin_sees_all(
    client_for, users, organisations, marks_session, other_staff
):
    do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"]))
    do_appoint_local_member(
        other_staff, marks_session, data(organisations["other_crfp"], last_name="Lyonnais")
    )
    own = page(client_for("crfp_staff").get(url_of(marks_session)))
    assert "LEMOINE Claire" in own and "LYONNAIS" not in own and "Désigner un membre" in own
    every = page(client_for("national_admin").get(url_of(marks_session)))
    assert "LEMOINE Claire" in every and "LYONNAIS Claire" in every and "CRFP de Lyon" in every
    assert "Désigner un membre" not in every and 'name="retirer"' not in every


def test_the_crfp_appoints_and_removes_through_the_page(client_for, organisations, marks_session):
    client = client_for("crfp_staff")
    url = url_of(marks_session)
    response = client.post(
        url,
        {
            "training_centre": organisations["crfp"].pk,
            "last_name": "Lemoine",
            "first_name": "Claire",
            "capacity": "Formatrice",
            "email": "local_jury@test.example",
        },
    )
    assert response.status_code == 302
    member = LocalJuryMember.objects.get()
    assert member.user is not None
    assert client.post(url, {"retirer": member.pk}).status_code == 302
    assert not LocalJuryMember.objects.exists()


def test_a_crfp_neither_appoints_for_nor_removes_from_another_crfp_through_the_page(
    client_for, organisations, marks_session, other_staff
):
    client = client_for("crfp_staff")
    url = url_of(marks_session)
    text = page(
        client.post(
            url,
            {
                "training_centre": organisations["other_crfp"].pk,
                "last_name": "X",
                "first_name": "Y",
                "capacity": "Z",
            },
        )
    )
    assert "Sélectionnez un choix valide" in text and not LocalJuryMember.objects.exists()
    theirs = do_appoint_local_member(other_staff, marks_session, data(organisations["other_crfp"]))
    assert client.post(url, {"retirer": theirs.pk}).status_code == 404
    assert client.post(url, {"retirer": "abc"}).status_code == 404
    assert LocalJuryMember.objects.count() == 1


def test_the_national_admin_posts_nothing(client_for, marks_session):
    response = client_for("national_admin").post(url_of(marks_session), {"last_name": "X"})
    assert response.status_code == 302 and not LocalJuryMember.objects.exists()


def test_an_unknown_account_is_refused_in_french_on_the_page(client_for, organisations, marks_session):
    text = page(
        client_for("crfp_staff").post(
            url_of(marks_session),
            {
                "training_centre": organisations["crfp"].pk,
                "last_name": "Lemoine",
                "first_name": "Claire",
                "capacity": "Formatrice",
                "email": "personne@test.example",
            },
        )
    )
    assert "Aucun compte personne@test.example ne détient le rôle « Jury local » au CRFP de Bordeaux." in text
    assert not LocalJuryMember.objects.exists()


def test_the_local_jury_page_reads_in_a_bounded_number_of_queries(
    client_for, users, organisations, marks_session
):
    client, url = client_for("national_admin"), url_of(marks_session)
    do_appoint_local_member(users["crfp_staff"], marks_session, data(organisations["crfp"]))
    with CaptureQueriesContext(connection) as few:
        page(client.get(url))
    for index in range(5):
        do_appoint_local_member(
            users["crfp_staff"],
            marks_session,
            data(organisations["crfp"], last_name=f"N{index}", email="local_jury@test.example"),
        )
    with CaptureQueriesContext(connection) as many:
        page(client.get(url))
    assert len(many) == len(few)
