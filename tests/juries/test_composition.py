"""D20, D52: the CPNEFP keeps the two lists (employees' college by confederation, employers' college) and
appoints the national joint jury of a session from them, chaired by the Ucanss without a vote."""

import pytest

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.juries.composition import (
    ListMemberData,
    do_add_list_member,
    do_appoint_jury,
    do_withdraw_list_member,
)
from certifier.juries.models import College, Jury, JuryListMember, JuryMember, MemberRole
from certifier.juries.sitting import do_open_deliberation
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def employee(last_name="Garcia", confederation="FO", **overrides) -> ListMemberData:
    values = {
        "last_name": last_name,
        "first_name": "Jeanne",
        "college": College.EMPLOYEES,
        "confederation": confederation,
        "capacity": "Représentante",
    }
    return ListMemberData(**(values | overrides))


def employer(last_name="Roux", **overrides) -> ListMemberData:
    values = {
        "last_name": last_name,
        "first_name": "Marc",
        "college": College.EMPLOYERS,
        "capacity": "Directeur",
    }
    return ListMemberData(**(values | overrides))


def seats(jury: Jury) -> list[tuple[str, str, str, str]]:
    return [
        (member.role, member.last_name, member.college, member.confederation)
        for member in jury.members.order_by("role", "college", "last_name")
    ]


# the lists


def test_the_cpnefp_adds_a_person_to_the_employees_college_and_it_is_audited(users):
    member = do_add_list_member(users["cpnefp"], employee(last_name="  Garcia ", capacity=" Déléguée  FO "))
    assert (member.last_name, member.college, member.confederation, member.capacity, member.active) == (
        "Garcia",
        College.EMPLOYEES,
        "FO",
        "Déléguée FO",
        True,
    )
    event = AuditEvent.objects.get(action=AuditAction.JURY_LIST_MEMBER_ADDED)
    assert (event.actor, event.object_id, event.before) == (users["cpnefp"], str(member.pk), None)
    assert event.after["confederation"] == "FO"


def test_a_list_member_is_linked_to_a_national_jury_account_by_its_email(users):
    member = do_add_list_member(users["cpnefp"], employee(email=" National_Jury@test.example "))
    assert (member.user, member.email) == (users["national_jury"], "national_jury@test.example")


@pytest.mark.parametrize("persona", ["local_jury", "outsider", "cpnefp"])
def test_an_email_without_a_national_jury_account_at_the_cpnefp_is_refused(users, persona):
    email = "nobody@test.example" if persona == "cpnefp" else f"{persona}@test.example"
    if persona == "cpnefp":
        email = "cpnefp@test.example"  # the CPNEFP's own account holds no jury role
    with pytest.raises(DomainError, match="Jury national paritaire"):
        do_add_list_member(users["cpnefp"], employee(email=email))
    assert not JuryListMember.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (employee(confederation=""), "confédération syndicale représentée"),
        (employer(confederation="CGT"), "ne représente aucune confédération"),
        (employee(last_name=" "), "Indiquez le nom"),
        (employee(capacity=""), "Indiquez la qualité"),
        (employee(college="other"), "collège salarié ou le collège employeur"),
        (employee(last_name="x" * 151), "151 caractères ; 150 au plus"),
    ],
)
def test_an_incomplete_list_member_is_refused(users, data, message):
    with pytest.raises(DomainError, match=message):
        do_add_list_member(users["cpnefp"], data)
    assert not JuryListMember.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_same_person_twice_on_a_list_is_refused_in_french(users):
    do_add_list_member(users["cpnefp"], employee())
    with pytest.raises(DomainError, match="Jeanne Garcia figure déjà sur cette liste"):
        do_add_list_member(users["cpnefp"], employee())
    assert JuryListMember.objects.count() == 1


@pytest.mark.parametrize("persona", ["national_admin", "national_jury", "crfp_staff", "outsider"])
def test_only_the_cpnefp_keeps_the_lists(users, persona):
    with pytest.raises(NotAllowed):
        do_add_list_member(users[persona], employee())
    member = do_add_list_member(users["cpnefp"], employee())
    with pytest.raises(NotAllowed):
        do_withdraw_list_member(users[persona], member)
    member.refresh_from_db()
    assert member.active


def test_a_withdrawn_member_stays_on_the_juries_they_sat_on(users, national_jury, jury_lists):
    withdrawn = do_withdraw_list_member(users["cpnefp"], jury_lists[0])
    assert not withdrawn.active
    assert national_jury.members.filter(list_member=withdrawn).exists()
    event = AuditEvent.objects.get(action=AuditAction.JURY_LIST_MEMBER_WITHDRAWN)
    assert (event.before["active"], event.after["active"]) == (True, False)
    with pytest.raises(DomainError, match="déjà été retiré"):
        do_withdraw_list_member(users["cpnefp"], withdrawn)


# the appointment


def test_the_cpnefp_appoints_the_jury_copying_each_members_name_college_and_capacity(
    users, marks_session, jury_lists
):
    jury = do_appoint_jury(
        users["cpnefp"], marks_session, " Ucanss,  Paris ", users["national_admin"], jury_lists
    )
    assert jury.place == "Ucanss, Paris" and jury.appointed_by == users["cpnefp"]
    chair = jury.members.get(role=MemberRole.CHAIR)
    assert (chair.user, chair.college, chair.list_member, chair.votes) == (
        users["national_admin"],
        "",
        None,
        False,
    )
    members = jury.members.filter(role=MemberRole.MEMBER)
    assert members.count() == 8 and all(member.votes for member in members)
    alice = members.get(list_member=jury_lists[0])
    assert (alice.last_name, alice.college, alice.confederation, alice.capacity, alice.user) == (
        "Bernard",
        College.EMPLOYEES,
        "CFDT",
        "Représentant(e) CFDT",
        users["national_jury"],
    )
    event = AuditEvent.objects.get(action=AuditAction.NATIONAL_JURY_APPOINTED)
    assert event.actor == users["cpnefp"] and event.before is None
    assert event.after == {
        "place": "Ucanss, Paris",
        "chair": users["national_admin"].pk,
        "members": sorted(member.pk for member in jury_lists),
    }


def test_the_copied_names_stay_whatever_the_lists_become(users, national_jury, jury_lists):
    JuryListMember.objects.filter(pk=jury_lists[0].pk).update(last_name="Autre")
    assert national_jury.members.get(list_member=jury_lists[0]).last_name == "Bernard"


@pytest.mark.parametrize("persona", ["national_admin", "national_jury", "crfp_staff", "outsider"])
def test_only_the_cpnefp_appoints_the_jury(users, marks_session, jury_lists, persona):
    with pytest.raises(NotAllowed):
        do_appoint_jury(users[persona], marks_session, "Paris", users["national_admin"], jury_lists)
    assert not Jury.objects.exists()


def test_more_than_three_seats_for_a_confederation_are_refused(users, marks_session, jury_lists):
    cpnefp = users["cpnefp"]
    extra = [
        do_add_list_member(cpnefp, employee(last_name=name, confederation="CFDT")) for name in ("Un", "Deux")
    ]
    employers = [do_add_list_member(cpnefp, employer(last_name=name)) for name in ("Trois", "Quatre")]
    with pytest.raises(
        DomainError, match="au plus 3 représentants par confédération syndicale : trop de membres pour CFDT"
    ):
        do_appoint_jury(
            cpnefp, marks_session, "Paris", users["national_admin"], jury_lists + extra + employers
        )
    assert not Jury.objects.exists() and not JuryMember.objects.exists()


def test_the_employers_college_has_as_many_seats_as_the_employees(users, marks_session, jury_lists):
    with pytest.raises(DomainError, match="4 membres salariés pour 3 membres employeurs"):
        do_appoint_jury(users["cpnefp"], marks_session, "Paris", users["national_admin"], jury_lists[:7])
    assert not Jury.objects.exists()


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (lambda lists: [], "Choisissez les membres du jury"),
        (lambda lists: lists[4:], "des membres du collège salarié"),
        (lambda lists: [lists[0], lists[0], lists[4], lists[5]], "ne siège qu'une fois"),
    ],
)
def test_a_jury_without_a_proper_composition_is_refused(users, marks_session, jury_lists, pick, message):
    with pytest.raises(DomainError, match=message):
        do_appoint_jury(users["cpnefp"], marks_session, "Paris", users["national_admin"], pick(jury_lists))
    assert not Jury.objects.exists()


def test_a_withdrawn_list_member_is_not_appointed(users, marks_session, jury_lists):
    do_withdraw_list_member(users["cpnefp"], jury_lists[1])
    with pytest.raises(DomainError, match="Hugo Petit ne figure"):
        do_appoint_jury(users["cpnefp"], marks_session, "Paris", users["national_admin"], jury_lists)
    assert not Jury.objects.exists()


@pytest.mark.parametrize("persona", ["cpnefp", "national_jury", "outsider"])
def test_the_chair_is_a_national_administrator_of_the_ucanss(users, marks_session, jury_lists, persona):
    with pytest.raises(DomainError, match="présidé par l'Ucanss"):
        do_appoint_jury(users["cpnefp"], marks_session, "Paris", users[persona], jury_lists)
    assert not Jury.objects.exists()


def test_a_jury_needs_a_place(users, marks_session, jury_lists):
    with pytest.raises(DomainError, match="lieu de réunion"):
        do_appoint_jury(users["cpnefp"], marks_session, "  ", users["national_admin"], jury_lists)


def test_appointing_again_before_the_deliberation_replaces_the_members(users, national_jury, jury_lists):
    second_admin = MembershipFactory(
        user__email="admin2@test.example",
        organisation=users["national_admin"].memberships.get().organisation,
        role="national_admin",
    ).user
    kept = jury_lists[:2] + jury_lists[4:6]
    jury = do_appoint_jury(users["cpnefp"], national_jury.session, "Lyon", second_admin, kept)
    assert jury.pk == national_jury.pk and jury.place == "Lyon"
    assert sorted(
        jury.members.exclude(role=MemberRole.CHAIR).values_list("list_member", flat=True)
    ) == sorted(member.pk for member in kept)
    assert jury.members.get(role=MemberRole.CHAIR).user == second_admin
    event = AuditEvent.objects.get(action=AuditAction.NATIONAL_JURY_CHANGED)
    assert event.before["place"] == "Ucanss, Paris" and event.after["place"] == "Lyon"
    assert event.after["chair"] == second_admin.pk


def test_appointing_the_same_jury_again_writes_nothing(users, national_jury, jury_lists):
    do_appoint_jury(
        users["cpnefp"], national_jury.session, "Ucanss, Paris", users["national_admin"], jury_lists
    )
    assert not AuditEvent.objects.filter(action=AuditAction.NATIONAL_JURY_CHANGED).exists()


def test_the_composition_is_frozen_once_the_deliberation_is_opened(users, national_jury, jury_lists):
    do_open_deliberation(
        users["national_admin"], national_jury, national_jury.session.national_jury_date, "Paris"
    )
    with pytest.raises(DomainError, match="délibération du jury est ouverte"):
        do_appoint_jury(
            users["cpnefp"],
            national_jury.session,
            "Lyon",
            users["national_admin"],
            jury_lists[:2] + jury_lists[4:6],
        )
    assert national_jury.members.count() == 9


def test_no_jury_is_appointed_for_a_proclaimed_session(users, marks_session, jury_lists):
    from django.utils import timezone

    type(marks_session).objects.filter(pk=marks_session.pk).update(proclaimed_at=timezone.now())
    with pytest.raises(DomainError, match="proclamés"):
        do_appoint_jury(users["cpnefp"], marks_session, "Paris", users["national_admin"], jury_lists)
    assert not Jury.objects.exists()
