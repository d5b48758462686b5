"""The home page is each role's dashboard: its tasks with counts and links, nothing it cannot do,
counted in a number of queries that does not grow with the data."""

from datetime import date

import pytest
from django.urls import reverse

from certifier.assessments.services import AttestationData, do_record_attestation
from certifier.pathways.models import AssessorAssignment
from certifier.referential.models import Competence
from tests.factories import CandidateFactory, EnrolmentFactory
from tests.personas import SIGNED_IN

pytestmark = pytest.mark.django_db


def dashboard(client):
    response = client.get(reverse("people:home"))
    assert response.status_code == 200
    return response.content.decode()


def attest(users, enrolment):
    competence = Competence.objects.filter(block__version=enrolment.version).first()
    data = AttestationData(competence, date(2026, 3, 2), "Accueil d'un allocataire", "")
    return do_record_attestation(users["tutor"], enrolment, data)


def follow(organisations, users, count):
    """`count` more enrolments at the personas' CRFP and employer, each followed by every persona."""
    for _ in range(count):
        enrolment = EnrolmentFactory(
            candidate=CandidateFactory(employer=organisations["employer"]),
            training_centre=organisations["crfp"],
            tutor=users["tutor"],
            manager=users["manager"],
        )
        AssessorAssignment.objects.create(enrolment=enrolment, assessor=users["assessor"])
        attest(users, enrolment)


def test_the_crfp_sees_its_enrolments_and_the_candidates_without_an_assessor(client_for, enrolments):
    EnrolmentFactory(training_centre=enrolments["own"].training_centre)  # no assessor yet
    page = dashboard(client_for("crfp_staff"))
    assert '<span class="count">2</span> inscriptions</a>' in page
    assert '<span class="count">1</span> candidat sans évaluateur</a>' in page
    assert "?suivi=sans-evaluateur" in page
    assert reverse("pathways:enrolment_create") in page


def test_the_link_from_the_dashboard_lists_only_the_candidates_without_an_assessor(client_for, enrolments):
    waiting = EnrolmentFactory(
        candidate=CandidateFactory(birth_name="Sansévaluateur"),
        training_centre=enrolments["own"].training_centre,
    )
    page = client_for("crfp_staff").get(reverse("pathways:enrolment_list"), {"suivi": "sans-evaluateur"})
    content = page.content.decode()
    assert waiting.candidate.display_name in content
    assert enrolments["own"].candidate.display_name not in content


def test_the_manager_sees_the_attestations_to_countersign_and_the_tutor_does_not(
    client_for, users, enrolments
):
    attest(users, enrolments["own"])
    manager = dashboard(client_for("manager"))
    assert '<span class="count">1</span> attestation à contresigner</a>' in manager
    assert reverse("assessments:logbook", args=[enrolments["own"].pk]) in manager
    assert "Carnet de suivi de MARTIN Léa : 1 attestation à contresigner" in manager
    assert '<span class="count">0</span> attestation à contresigner</a>' in dashboard(client_for("tutor"))


def test_the_assessor_sees_the_blocks_to_assess(client_for, enrolments):
    page = dashboard(client_for("assessor"))
    blocks = enrolments["own"].version.blocks.count()
    assert f'<span class="count">{blocks}</span> blocs à évaluer</a>' in page
    assert reverse("assessments:results", args=[enrolments["own"].pk]) in page


def test_the_candidate_sees_the_progress_of_the_certification(client_for, enrolments):
    page = dashboard(client_for("candidate"))
    blocks = enrolments["own"].version.blocks.count()
    assert f'<span class="count">0</span> bloc validé sur {blocks}</a>' in page
    assert reverse("pathways:enrolment_detail", args=[enrolments["own"].pk]) in page


def test_the_employer_counts_only_its_own_employees(client_for, enrolments):
    page = dashboard(client_for("employer_hr"))
    assert '<span class="count">1</span> salarié en parcours de certification</a>' in page


def test_the_vae_jury_is_told_how_many_of_its_sessions_remain_to_hold(client_for, enrolments):
    page = dashboard(client_for("vae_jury"))
    assert "Vous siégez au jury VAE" in page and "pas encore" not in page
    assert '<span class="count">0</span> session du jury VAE à tenir' in page
    assert reverse("vae:jury_sessions") in page


def test_a_national_jury_member_without_a_seat_is_told_their_work_and_gets_no_dead_link(
    client_for, enrolments
):
    page = dashboard(client_for("national_jury"))
    assert "Vous siégez au jury national paritaire" in page and "pas encore" not in page
    assert 'class="task' not in page


def test_the_local_jury_is_told_how_many_orals_wait_for_a_mark(client_for, enrolments):
    page = dashboard(client_for("local_jury"))
    assert "avis du jury local sur chacun" in page and "pas encore" not in page
    assert "oral à noter" in page


def test_the_cpnefp_is_led_to_the_national_jury_lists(client_for, enrolments):
    page = dashboard(client_for("cpnefp"))
    assert "pas encore" not in page
    assert f'href="{reverse("juries:jury_lists")}"' in page


def test_the_national_admin_manages_accounts_and_the_referential(client_for, enrolments):
    page = dashboard(client_for("national_admin"))
    assert '<span class="count">2</span> inscriptions</a>' in page  # every CRFP's
    assert reverse("admin:index") in page
    assert reverse("people:audit_log") in page
    assert reverse("referential:certification_list") in page
    assert reverse("referential:registry_upload") in page


@pytest.mark.parametrize("persona", sorted(SIGNED_IN))
def test_the_dashboard_takes_as_many_queries_for_many_tasks_as_for_one(
    client_for, organisations, users, enrolments, persona, django_assert_max_num_queries
):
    client = client_for(persona)
    follow(organisations, users, 1)
    dashboard(client)  # session warmed up
    with django_assert_max_num_queries(13) as few:
        dashboard(client)
    follow(organisations, users, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard(client)


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("crfp_staff", True),
        ("employer_hr", True),
        ("tutor", True),
        ("cpnefp", False),
        ("national_jury", False),
        ("candidate", False),
    ],
)
def test_the_menu_offers_the_enrolment_list_only_to_roles_that_follow_enrolments(
    client_for, persona, offered
):
    page = client_for(persona).get(reverse("people:home")).content.decode()
    assert (f'href="{reverse("pathways:enrolment_list")}"' in page) is offered


@pytest.mark.parametrize(
    ("persona", "lists", "results"),
    [
        ("cpnefp", True, False),
        ("candidate", False, True),
        ("national_admin", False, False),
        ("crfp_staff", False, False),
        ("national_jury", False, False),
    ],
)
def test_the_menu_offers_the_jury_lists_to_the_cpnefp_and_the_results_to_the_candidate(
    client_for, persona, lists, results
):
    page = client_for(persona).get(reverse("people:home")).content.decode()
    menu = page.split('<nav aria-label="Menu principal">', 1)[1].split("</nav>", 1)[0]
    assert (f'href="{reverse("juries:jury_lists")}">Listes du jury national</a>' in menu) is lists
    assert (f'href="{reverse("juries:my_results")}">Mes résultats</a>' in menu) is results
