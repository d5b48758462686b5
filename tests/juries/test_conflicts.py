"""D52: a member of the national jury declares a conflict of interest with a candidate of the session and
does not vote on them; the national administrator records one for any member; none once proclaimed."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.services import do_register
from certifier.juries.composition import do_appoint_jury, do_declare_conflict
from certifier.juries.models import Conflict, MemberRole
from certifier.juries.sitting import voters
from tests.exams.conftest import registration_of
from tests.factories import CandidateFactory, EnrolmentFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


def url_of(session) -> str:
    return reverse("juries:conflicts", args=[session.pk])


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def alice(jury):
    """The seat of the `national_jury` persona."""
    return jury.members.get(role=MemberRole.MEMBER, last_name="Bernard")


def proclaim(session) -> None:
    type(session).objects.filter(pk=session.pk).update(proclaimed_at=timezone.now())


# the service


def test_a_seated_member_declares_a_conflict_and_it_is_audited(users, national_jury, marks_session):
    own = registration_of(marks_session, "Martin")
    conflict = do_declare_conflict(users["national_jury"], alice(national_jury), own, " Collègue  direct ")
    assert (conflict.member, conflict.registration, conflict.reason, conflict.declared_by) == (
        alice(national_jury),
        own,
        "Collègue direct",
        users["national_jury"],
    )
    event = AuditEvent.objects.get(action=AuditAction.JURY_CONFLICT_DECLARED)
    assert event.actor == users["national_jury"]
    assert event.after == {
        "member": alice(national_jury).pk,
        "registration": own.pk,
        "reason": "Collègue direct",
    }


def test_a_conflicted_member_does_not_vote_on_that_candidate_only(users, deliberation, marks_session):
    own, foreign = registration_of(marks_session, "Martin"), registration_of(marks_session, "Durand")
    member = alice(deliberation.jury)
    do_declare_conflict(users["national_jury"], member, own, "")
    assert member not in voters(deliberation, own) and len(voters(deliberation, own)) == 7
    assert member in voters(deliberation, foreign) and len(voters(deliberation, foreign)) == 8
    chair = deliberation.jury.members.get(role=MemberRole.CHAIR)
    assert chair not in voters(deliberation, foreign)  # present, without a vote


def test_the_national_admin_records_a_conflict_for_any_member(users, national_jury, marks_session):
    member = national_jury.members.get(role=MemberRole.MEMBER, last_name="Moreau")
    do_declare_conflict(
        users["national_admin"], member, registration_of(marks_session, "Durand"), "Lien familial"
    )
    assert Conflict.objects.get().declared_by == users["national_admin"]


def test_a_member_declares_only_their_own_conflicts(users, national_jury, marks_session):
    other = national_jury.members.get(role=MemberRole.MEMBER, last_name="Moreau")
    with pytest.raises(NotAllowed):
        do_declare_conflict(users["national_jury"], other, registration_of(marks_session, "Martin"), "")
    assert not Conflict.objects.exists()


@pytest.mark.parametrize("persona", ["cpnefp", "crfp_staff", "local_jury", "outsider"])
def test_others_declare_no_conflict(users, national_jury, marks_session, persona):
    with pytest.raises(NotAllowed):
        do_declare_conflict(
            users[persona], alice(national_jury), registration_of(marks_session, "Martin"), ""
        )
    assert not Conflict.objects.exists()


def test_a_candidate_of_another_session_is_refused(users, national_jury, session, organisations):
    do_register(
        None, session, [EnrolmentFactory(version=session.version, training_centre=organisations["crfp"])]
    )
    with pytest.raises(DomainError, match="pas inscrit à la session de ce jury"):
        do_declare_conflict(users["national_jury"], alice(national_jury), session.registrations.get(), "")
    assert not Conflict.objects.exists()


def test_the_chair_has_no_conflict_to_declare(users, national_jury, marks_session):
    chair = national_jury.members.get(role=MemberRole.CHAIR)
    with pytest.raises(DomainError, match="président du jury ne vote pas"):
        do_declare_conflict(users["national_admin"], chair, registration_of(marks_session, "Martin"), "")


def test_the_same_conflict_twice_is_refused_in_french(users, national_jury, marks_session):
    own = registration_of(marks_session, "Martin")
    do_declare_conflict(users["national_jury"], alice(national_jury), own, "")
    with pytest.raises(DomainError, match=f"candidat {own.candidate_number} est déjà déclaré"):
        do_declare_conflict(users["national_admin"], alice(national_jury), own, "autre")
    assert Conflict.objects.count() == 1


def test_a_reason_too_long_is_refused(users, national_jury, marks_session):
    with pytest.raises(DomainError, match="301 caractères ; 300 au plus"):
        do_declare_conflict(
            users["national_jury"], alice(national_jury), registration_of(marks_session, "Martin"), "x" * 301
        )


def test_no_conflict_is_declared_once_proclaimed(users, national_jury, marks_session):
    proclaim(marks_session)
    with pytest.raises(DomainError, match="proclamés"):
        do_declare_conflict(
            users["national_admin"], alice(national_jury), registration_of(marks_session, "Martin"), ""
        )
    assert not Conflict.objects.exists()


def test_a_conflict_of_a_member_who_leaves_the_jury_leaves_with_them(
    users, national_jury, jury_lists, marks_session
):
    own, seat = registration_of(marks_session, "Martin"), alice(national_jury)
    do_declare_conflict(users["national_jury"], seat, own, "Tutrice")
    do_appoint_jury(
        users["cpnefp"], marks_session, "Paris", users["national_admin"], jury_lists[1:4] + jury_lists[4:7]
    )
    assert not Conflict.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.NATIONAL_JURY_CHANGED)
    assert event.before["conflicts_dropped"] == [
        {"member": seat.pk, "registration": own.pk, "reason": "Tutrice"}
    ]


# the page


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_conflicts_page(client_for, national_jury, persona):
    response = client_for(persona).get(url_of(national_jury.session))
    readers = {"national_admin", "national_jury"}  # the persona sits on this jury
    assert response.status_code == (302 if persona == "anonymous" else 200 if persona in readers else 403)


def test_a_national_jury_member_not_seated_finds_nothing(client_for, users, national_jury):
    national_jury.members.filter(user=users["national_jury"]).update(user=None)
    assert client_for("national_jury").get(url_of(national_jury.session)).status_code == 404


def test_a_session_without_a_jury_has_no_conflicts_page(client_for, marks_session):
    assert client_for("national_admin").get(url_of(marks_session)).status_code == 404


def test_a_member_declares_by_candidate_number_offered_only_their_own_seat(
    client_for, national_jury, marks_session
):
    client = client_for("national_jury")
    url = url_of(marks_session)
    text = page(client.get(url))
    assert "BERNARD Alice" in text and "MOREAU Inès" not in text  # their seat only
    own = registration_of(marks_session, "Martin")
    response = client.post(
        url,
        {
            "member": alice(national_jury).pk,
            "candidate_number": own.candidate_number.lower(),
            "reason": "Tutrice",
        },
        follow=True,
    )
    text = page(response)
    assert f"Le conflit d'intérêts avec le candidat {own.candidate_number} est enregistré" in text
    assert "MARTIN Léa" in text and "Tutrice" in text
    assert Conflict.objects.get().registration == own


def test_the_national_admin_declares_from_the_list_for_any_member(client_for, national_jury, marks_session):
    foreign = registration_of(marks_session, "Durand")
    member = national_jury.members.get(role=MemberRole.MEMBER, last_name="Moreau")
    response = client_for("national_admin").post(
        url_of(marks_session), {"member": member.pk, "registration": foreign.pk}
    )
    assert response.status_code == 302
    assert (Conflict.objects.get().member, Conflict.objects.get().registration) == (member, foreign)


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"candidate_number": "ZZZZ"}, "Aucun candidat de cette session ne porte ce numéro."),
        ({}, "Choisissez le candidat ou saisissez son numéro de candidat."),
    ],
)
def test_a_bad_candidate_is_refused_in_french(client_for, national_jury, marks_session, posted, message):
    text = page(
        client_for("national_jury").post(url_of(marks_session), {"member": alice(national_jury).pk} | posted)
    )
    assert message in text
    assert not Conflict.objects.exists()


def test_a_member_posting_for_another_seat_is_refused(client_for, national_jury, marks_session):
    other = national_jury.members.get(role=MemberRole.MEMBER, last_name="Moreau")
    own = registration_of(marks_session, "Martin")
    text = page(
        client_for("national_jury").post(url_of(marks_session), {"member": other.pk, "registration": own.pk})
    )
    assert "Erreur" in text
    assert not Conflict.objects.exists()


def test_once_proclaimed_the_page_takes_no_conflict(client_for, national_jury, marks_session):
    proclaim(marks_session)
    client = client_for("national_admin")
    assert "aucun conflit d'intérêts ne s'y ajoute" in page(client.get(url_of(marks_session)))
    own = registration_of(marks_session, "Martin")
    response = client.post(url_of(marks_session), {"member": alice(national_jury).pk, "registration": own.pk})
    assert response.status_code == 302 and not Conflict.objects.exists()


def test_the_conflicts_page_reads_in_a_bounded_number_of_queries(
    client_for, users, organisations, national_jury, marks_session
):
    client, url = client_for("national_admin"), url_of(marks_session)
    do_declare_conflict(
        users["national_admin"], alice(national_jury), registration_of(marks_session, "Martin"), ""
    )
    with CaptureQueriesContext(connection) as few:
        page(client.get(url))
    enrolments = [
        EnrolmentFactory(
            version=marks_session.version, candidate=CandidateFactory(), training_centre=organisations["crfp"]
        )
        for _ in range(5)
    ]
    do_register(None, marks_session, enrolments)
    for registration in marks_session.registrations.filter(enrolment__in=enrolments):
        do_declare_conflict(users["national_admin"], alice(national_jury), registration, "")
    with CaptureQueriesContext(connection) as many:
        page(client.get(url))
    assert len(many) == len(few)
