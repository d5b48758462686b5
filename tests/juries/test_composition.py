"""D20, D52: the CPNEFP keeps the two lists (employees' college by confederation, employers' college) and
appoints the national joint jury of a session from them, chaired by the Ucanss without a vote."""

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.models import SessionKind
from certifier.exams.rules import one_month_after
from certifier.juries.composition import (
    ListMemberData,
    do_add_list_member,
    do_appoint_jury,
    do_withdraw_list_member,
)
from certifier.juries.dashboard import national_jury_deadlines
from certifier.juries.models import College, Jury, JuryListMember, JuryMember, MemberRole
from certifier.juries.sitting import do_open_deliberation
from certifier.people.enums import Role
from tests.exams.conftest import calendar
from tests.factories import MembershipFactory
from tests.personas import PERSONAS

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
        "quorum_both_colleges": True,
        "quorum_majority": True,
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


# the lists page

LISTS_URL = reverse("juries:jury_lists")


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_lists_page(client_for, persona):
    response = client_for(persona).get(LISTS_URL)
    assert response.status_code == (302 if persona == "anonymous" else 200 if persona == "cpnefp" else 403)


def test_the_lists_page_shows_both_colleges_the_employees_by_confederation(
    client_for, users, jury_lists, marks_session
):
    do_withdraw_list_member(users["cpnefp"], jury_lists[3])
    text = page(client_for("cpnefp").get(LISTS_URL))
    assert "Collège salarié : 3 membres" in text and "Collège employeur : 4 membres" in text
    assert text.index("BERNARD Alice") < text.index("PETIT Hugo") < text.index("ROBERT Chloé")
    assert "national_jury@test.example" in text
    withdrawn = text[text.index("Personnes retirées") :]
    assert "RICHARD Louis" in withdrawn
    sessions = text[text.index("Jurys des sessions") :]
    assert str(marks_session) in sessions and "à désigner" in sessions


def test_the_lists_page_reads_in_a_bounded_number_of_queries(client_for, users, jury_lists, marks_session):
    client = client_for("cpnefp")
    client.get(LISTS_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LISTS_URL)
    for index in range(6):
        do_add_list_member(users["cpnefp"], employee(last_name=f"Nom{index}", confederation=f"C{index}"))
    with CaptureQueriesContext(connection) as many:
        page(client.get(LISTS_URL))
    assert len(many) == len(few) <= 10


def test_the_cpnefp_adds_a_person_through_the_page(client_for):
    response = client_for("cpnefp").post(
        LISTS_URL,
        {
            "last_name": "Garcia",
            "first_name": "Jeanne",
            "college": "employees",
            "confederation": "FO",
            "capacity": "Déléguée",
        },
    )
    assert response.status_code == 302
    assert JuryListMember.objects.get().confederation == "FO"
    assert AuditEvent.objects.filter(action=AuditAction.JURY_LIST_MEMBER_ADDED).count() == 1


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"college": "employees", "confederation": ""}, "Indiquez la confédération syndicale représentée."),
        ({"college": "employers", "confederation": "CGT"}, "ne représente aucune confédération"),
        ({"email": "outsider@test.example"}, "Aucun compte outsider@test.example ne détient le rôle"),
    ],
)
def test_a_bad_person_is_refused_in_french_and_nothing_is_written(client_for, users, posted, message):
    values = {
        "last_name": "Garcia",
        "first_name": "Jeanne",
        "college": "employees",
        "confederation": "FO",
        "capacity": "X",
    }
    text = page(client_for("cpnefp").post(LISTS_URL, values | posted))
    assert message in text
    assert not JuryListMember.objects.exists() and not AuditEvent.objects.exists()


def test_the_cpnefp_withdraws_a_person_through_the_page(client_for, jury_lists):
    response = client_for("cpnefp").post(reverse("juries:jury_list_withdraw", args=[jury_lists[0].pk]))
    assert response.status_code == 302
    jury_lists[0].refresh_from_db()
    assert not jury_lists[0].active


@pytest.mark.parametrize("persona", ["national_admin", "national_jury", "anonymous"])
def test_only_the_cpnefp_withdraws_through_the_page(client_for, jury_lists, persona):
    response = client_for(persona).post(reverse("juries:jury_list_withdraw", args=[jury_lists[0].pk]))
    assert response.status_code in {302, 403} and response.status_code == (
        302 if persona == "anonymous" else 403
    )
    jury_lists[0].refresh_from_db()
    assert jury_lists[0].active


def test_withdrawing_an_unknown_person_is_not_found(client_for, jury_lists):
    assert client_for("cpnefp").post(reverse("juries:jury_list_withdraw", args=[99999])).status_code == 404
    assert (
        client_for("cpnefp").get(reverse("juries:jury_list_withdraw", args=[jury_lists[0].pk])).status_code
        == 405
    )


# the national jury page


def jury_url(session) -> str:
    return reverse("juries:national_jury", args=[session.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_the_national_jury_page(client_for, national_jury, persona):
    response = client_for(persona).get(jury_url(national_jury.session))
    readers = {"cpnefp", "national_admin", "national_jury"}  # the persona sits on this jury
    expected = 302 if persona == "anonymous" else 200 if persona in readers else 403
    assert response.status_code == expected


def test_a_national_jury_member_not_seated_on_this_jury_finds_nothing(
    client_for, users, make_national_jury, jury_lists, session, marks_session
):
    not_alice = jury_lists[1:4] + jury_lists[4:7]
    make_national_jury(session, not_alice)
    assert client_for("national_jury").get(jury_url(session)).status_code == 404
    assert client_for("national_jury").get(jury_url(marks_session)).status_code == 404
    assert client_for("cpnefp").get(jury_url(session)).status_code == 200


def test_the_national_jury_page_shows_the_composition_the_chair_and_the_quorum_rule(
    client_for, users, national_jury
):
    text = page(client_for("national_jury").get(jury_url(national_jury.session)))
    assert "Composition : 8 membres votants" in text
    assert "Présidence du jury (Ucanss, sans voix délibérative) :" in text
    assert "BERNARD Alice" in text and "CFDT" in text and "Collège employeur" in text
    assert (
        "les deux collèges sont représentés et la majorité absolue des membres votants est présente" in text
    )
    assert reverse("juries:conflicts", args=[national_jury.session.pk]) in text
    assert reverse("juries:sitting", args=[national_jury.session.pk]) not in text
    assert 'name="employees"' not in text  # no appointment form but for the CPNEFP


def test_the_national_admin_finds_the_sitting_each_deliberation_and_no_amendment_before_proclamation(
    client_for, deliberation
):
    session = deliberation.jury.session
    text = page(client_for("national_admin").get(jury_url(session)))
    assert reverse("juries:sitting", args=[session.pk]) in text
    assert reverse("juries:deliberation", args=[deliberation.pk]) in text
    assert "Quorum atteint : 8 membres votants présents sur 8." in text
    assert reverse("juries:amendment_new", args=[session.pk]) not in text
    assert reverse("juries:minutes", args=[deliberation.pk]) in text


def test_the_cpnefp_reads_the_minutes_link_but_not_the_deliberation_link(client_for, deliberation):
    text = page(client_for("cpnefp").get(jury_url(deliberation.jury.session)))
    assert reverse("juries:minutes", args=[deliberation.pk]) in text
    assert f'href="{reverse("juries:deliberation", args=[deliberation.pk])}"' not in text
    assert "procès-verbal, non signé" in text


def test_once_proclaimed_the_national_admin_finds_the_amendment_link(client_for, deliberation):
    session = deliberation.jury.session
    type(session).objects.filter(pk=session.pk).update(proclaimed_at=timezone.now())
    text = page(client_for("national_admin").get(jury_url(session)))
    assert reverse("juries:amendment_new", args=[session.pk]) in text
    assert "Modifier la composition" not in page(client_for("cpnefp").get(jury_url(session)))


def test_the_cpnefp_appoints_the_jury_through_the_page(client_for, users, jury_lists, marks_session):
    text = page(client_for("cpnefp").get(jury_url(marks_session)))
    assert "Désigner le jury" in text and "pas encore désigné" in text
    response = client_for("cpnefp").post(
        jury_url(marks_session),
        {
            "place": "Ucanss, Paris",
            "chair": users["national_admin"].pk,
            "employees": [m.pk for m in jury_lists[:4]],
            "employers": [m.pk for m in jury_lists[4:]],
            "quorum_both_colleges": "on",
            "quorum_majority": "on",
        },
    )
    assert response.status_code == 302
    jury = Jury.objects.get(session=marks_session)
    assert jury.members.count() == 9 and jury.quorum_both_colleges and jury.quorum_majority
    text = page(client_for("cpnefp").get(jury_url(marks_session)))
    assert "Modifier la composition" in text and 'value="Ucanss, Paris"' in text


def test_an_unbalanced_jury_is_refused_on_the_page_in_french(client_for, users, jury_lists, marks_session):
    text = page(
        client_for("cpnefp").post(
            jury_url(marks_session),
            {
                "place": "Paris",
                "chair": users["national_admin"].pk,
                "employees": [m.pk for m in jury_lists[:4]],
                "employers": [m.pk for m in jury_lists[4:6]],
            },
        )
    )
    assert "4 membres salariés pour 2 membres employeurs" in text
    assert not Jury.objects.exists()


@pytest.mark.parametrize("persona", ["national_admin", "national_jury"])
def test_only_the_cpnefp_posts_an_appointment(client_for, users, national_jury, jury_lists, persona):
    response = client_for(persona).post(
        jury_url(national_jury.session), {"place": "Ailleurs", "chair": users["national_admin"].pk}
    )
    assert response.status_code == 403
    national_jury.refresh_from_db()
    assert national_jury.place == "Ucanss, Paris"


def test_the_national_jury_page_reads_in_a_bounded_number_of_queries(
    client_for, users, national_jury, deliberation
):
    client = client_for("cpnefp")
    url = jury_url(national_jury.session)
    with CaptureQueriesContext(connection) as queries:
        page(client.get(url))
    assert len(queries) <= 20


# D58 and D52 on the dashboards


def home(client) -> str:
    return page(client.get(reverse("people:home")))


def client_for_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_national_admin_sees_the_sessions_approaching_their_jury_deadline(users, make_session, session):
    today = timezone.localdate()
    soon = make_session(kind=SessionKind.JUNE, **calendar(-90))  # last exam 20 days ago
    late = make_session(year=today.year - 2, **calendar(-110))  # 40 days ago
    excused = make_session(year=today.year - 3, derogation_reason="Grève des transports", **calendar(-110))
    proclaimed = make_session(year=today.year - 4, **calendar(-110))
    type(proclaimed).objects.filter(pk=proclaimed.pk).update(proclaimed_at=timezone.now())
    tasks = {
        task.url: task.label
        for task in national_jury_deadlines(users["national_admin"], {Role.NATIONAL_ADMIN})
    }
    assert set(tasks) == {reverse("juries:national_jury", args=[s.pk]) for s in (soon, late, excused)}
    assert f"jury national au plus tard le {one_month_after(soon.oral_end):%d/%m/%Y}" in tasks[jury_url(soon)]
    assert "dérogation à enregistrer" in tasks[jury_url(late)]
    assert "dérogation enregistrée" in tasks[jury_url(excused)]
    assert national_jury_deadlines(users["cpnefp"], {Role.CPNEFP}) == []
    text = home(client_for_user(users["national_admin"]))
    assert "dérogation à enregistrer" in text


def test_the_cpnefp_sees_the_juries_still_to_appoint(
    users, client_for, make_national_jury, marks_session, session
):
    make_national_jury(marks_session)
    assert '<span class="count">1</span> jury national à désigner' in home(client_for("cpnefp"))
    make_national_jury(session)
    assert '<span class="count">0</span> jury national à désigner' in home(client_for("cpnefp"))


def test_the_dashboard_task_reads_in_a_bounded_number_of_queries(users, make_session):
    for year in range(3):
        make_session(year=2000 + year, **calendar(-90 - year))
    with CaptureQueriesContext(connection) as queries:
        assert len(national_jury_deadlines(users["national_admin"], {Role.NATIONAL_ADMIN})) == 3
    assert len(queries) == 1


# the « Jurys » links of a session's page

JURY_LINKS = {
    "national_admin": {"local_jury", "national_jury", "sitting", "conflicts"},
    "crfp_staff": {"local_jury"},
    "national_jury": {"national_jury", "conflicts"},  # seated on this jury
    "local_jury": set(),
}


@pytest.mark.parametrize("persona", sorted(JURY_LINKS))
def test_the_session_page_links_the_jury_pages_to_those_who_use_them(client_for, national_jury, persona):
    session = national_jury.session
    text = page(client_for(persona).get(reverse("exams:session_detail", args=[session.pk])))
    shown = {
        name
        for name in ("local_jury", "national_jury", "sitting", "conflicts")
        if reverse(f"juries:{name}", args=[session.pk]) in text
    }
    assert shown == JURY_LINKS[persona]


def test_before_its_appointment_the_session_page_links_only_the_admin_to_the_national_jury(
    client_for, marks_session
):
    url = reverse("exams:session_detail", args=[marks_session.pk])
    jury_page = reverse("juries:national_jury", args=[marks_session.pk])
    assert jury_page in page(client_for("national_admin").get(url))
    assert reverse("juries:sitting", args=[marks_session.pk]) not in page(
        client_for("national_admin").get(url)
    )
    assert jury_page not in page(client_for("national_jury").get(url))


def test_the_cpnefp_sets_another_quorum_rule_and_the_page_says_it(
    client_for, users, jury_lists, marks_session
):
    response = client_for("cpnefp").post(
        jury_url(marks_session),
        {
            "place": "Paris",
            "chair": users["national_admin"].pk,
            "employees": [m.pk for m in jury_lists[:4]],
            "employers": [m.pk for m in jury_lists[4:]],
            "quorum_majority": "on",
        },
    )
    assert response.status_code == 302
    jury = Jury.objects.get()
    assert (jury.quorum_both_colleges, jury.quorum_majority) == (False, True)
    text = page(client_for("national_admin").get(jury_url(marks_session)))
    assert "lorsque la majorité absolue des membres votants est présente ; le président ne vote pas" in text


def test_reappointing_keeps_the_quorum_rule_unless_told(users, national_jury, jury_lists):
    session = national_jury.session
    do_appoint_jury(
        users["cpnefp"], session, "Paris", users["national_admin"], jury_lists, quorum_majority=False
    )
    do_appoint_jury(users["cpnefp"], session, "Lyon", users["national_admin"], jury_lists)
    national_jury.refresh_from_db()
    assert (national_jury.quorum_both_colleges, national_jury.quorum_majority) == (True, False)
    first = AuditEvent.objects.filter(action=AuditAction.NATIONAL_JURY_CHANGED).order_by("id").first()
    assert (first.before["quorum_majority"], first.after["quorum_majority"]) == (True, False)
