"""Issue 11 §1, §2: the VAE applications' pages — who opens them, the livret 1 kept through the page, the
filing and the admissibility decision, a bounded number of queries on the list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certifier.pathways.models import Candidate
from certifier.vae.applications import do_add_period, do_create_application
from certifier.vae.enums import ApplicationStatus
from certifier.vae.models import VaeApplication
from tests.factories import CandidateFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

DEALS_WITH_VAE = {"national_admin", "cpnefp", "crfp_staff", "vae_jury", "candidate"}
CREATES = {"national_admin", "crfp_staff", "candidate"}
SEES_DRAFT = {"national_admin", "cpnefp", "crfp_staff", "candidate"}


def expected(persona: str, allowed: set[str], refused: int) -> int:
    if persona == "anonymous":
        return 302
    return 200 if persona in allowed else refused


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_opens_to_the_roles_that_deal_with_vae(client_for, draft_application, persona):
    response = client_for(persona).get(reverse("vae:application_list"))
    assert response.status_code == expected(persona, DEALS_WITH_VAE, 403)
    if persona in SEES_DRAFT:
        assert reverse("vae:application_detail", args=[draft_application.pk]) in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_application_is_read_by_the_candidate_their_crfp_the_admin_and_the_cpnefp(
    client_for, draft_application, persona
):
    """Employer HR never reads an application, even the one it funds: 404, as for any outsider."""
    response = client_for(persona).get(reverse("vae:application_detail", args=[draft_application.pk]))
    assert response.status_code == expected(persona, SEES_DRAFT, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_new_application_page_opens_to_the_candidate_the_crfp_and_the_admin(
    client_for, vae_candidate, persona
):
    response = client_for(persona).get(reverse("vae:application_create"))
    assert response.status_code == expected(persona, CREATES, 403)


def test_the_candidate_sees_the_button_to_file_an_application(client_for, vae_candidate):
    response = client_for("candidate").get(reverse("vae:application_list"))
    assert "Déposer une demande de VAE" in response.content.decode()


def test_a_candidate_with_this_years_application_is_not_offered_another(client_for, draft_application):
    response = client_for("candidate").get(reverse("vae:application_list"))
    assert "Déposer une demande de VAE" not in response.content.decode()


def test_the_menu_offers_vae_to_the_candidate_and_not_to_employer_hr(client_for, vae_candidate):
    link = f'href="{reverse("vae:application_list")}"'
    assert link in client_for("candidate").get(reverse("people:home")).content.decode()
    assert link not in client_for("employer_hr").get(reverse("people:home")).content.decode()


def test_the_candidate_creates_their_application_from_the_page(
    client_for, organisations, vae_version, vae_candidate
):
    response = client_for("candidate").post(
        reverse("vae:application_create"),
        {
            "demande-version": vae_version.pk,
            "demande-training_centre": organisations["crfp"].pk,
            "demande-funder": organisations["employer"].pk,
            "demande-vae_leave": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    application = VaeApplication.objects.get()
    assert response["Location"] == reverse("vae:application_detail", args=[application.pk])
    assert (application.candidate, application.funder, application.vae_leave) == (
        vae_candidate,
        organisations["employer"],
        True,
    )


def test_a_second_application_the_same_year_is_refused_on_the_page(
    client_for, organisations, vae_version, draft_application
):
    response = client_for("candidate").post(
        reverse("vae:application_create"),
        {"demande-version": vae_version.pk, "demande-training_centre": organisations["crfp"].pk},
    )
    assert response.status_code == 200
    assert "une seule demande par année civile" in response.content.decode()
    assert VaeApplication.objects.count() == 1


def test_the_crfp_files_for_a_new_person_who_is_invited(client_for, organisations, vae_version, users):
    response = client_for("crfp_staff").post(
        reverse("vae:application_create"),
        {
            "candidat-birth_name": "Nguyen",
            "candidat-first_name": "Thi",
            "candidat-sex": "F",
            "candidat-birth_date": "1985-06-02",
            "candidat-birth_insee_code": "33063",
            "candidat-email": "thi.nguyen@test.example",
            "candidat-employer": organisations["employer"].pk,
            "candidat-employee_number": "V2001",
            "demande-version": vae_version.pk,
            "demande-training_centre": organisations["crfp"].pk,
        },
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(birth_name="Nguyen")
    assert candidate.user.email == "thi.nguyen@test.example"
    assert VaeApplication.objects.get().candidate == candidate


def test_the_crfp_may_not_pick_another_crfp(client_for, organisations, vae_version):
    response = client_for("crfp_staff").get(reverse("vae:application_create"))
    content = response.content.decode()
    assert organisations["crfp"].name in content
    assert organisations["other_crfp"].name not in content


def test_the_candidate_adds_changes_and_removes_a_period_through_the_page(client_for, draft_application):
    client = client_for("candidate")
    today = timezone.localdate()
    response = client.post(
        reverse("vae:period_add", args=[draft_application.pk]),
        {
            "periode-employer_name": "URSSAF Aquitaine",
            "periode-job": "Gestionnaire",
            "periode-start": (today - timedelta(days=6 * 365)).isoformat(),
            "periode-end": (today - timedelta(days=5 * 365)).isoformat(),
            "periode-rate": "50",
        },
    )
    assert response.status_code == 302
    period = draft_application.periods.get(employer_name="URSSAF Aquitaine")
    response = client.post(
        reverse("vae:period_change", args=[period.pk]),
        {
            "employer_name": "URSSAF Aquitaine",
            "job": "Gestionnaire",
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "rate": "80",
        },
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.rate == Decimal("80")
    assert client.post(reverse("vae:period_remove", args=[period.pk])).status_code == 302
    assert not draft_application.periods.filter(pk=period.pk).exists()


def test_a_period_ending_before_it_starts_is_refused_with_its_field_named(client_for, draft_application):
    response = client_for("candidate").post(
        reverse("vae:period_add", args=[draft_application.pk]),
        {
            "periode-employer_name": "CAF",
            "periode-job": "Technicienne",
            "periode-start": "2024-05-01",
            "periode-end": "2024-04-01",
            "periode-rate": "100",
        },
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in content
    assert "La fin de la période ne peut pas précéder son début." in content


def test_the_page_says_how_much_experience_the_periods_make(client_for, draft_application):
    response = client_for("candidate").get(reverse("vae:application_detail", args=[draft_application.pk]))
    assert (
        "5 ans en équivalent temps plein sur les 8 dernières années : la condition de durée est remplie"
        in (response.content.decode())
    )


def test_another_crfp_may_not_touch_a_period(client_for, draft_application, organisations):
    period = draft_application.periods.first()
    client = client_for("crfp_staff")
    draft_application.training_centre = organisations["other_crfp"]
    draft_application.save()
    assert client.post(reverse("vae:period_remove", args=[period.pk])).status_code == 404


def test_the_candidate_files_and_the_admin_decides_through_the_pages(client_for, draft_application):
    assert (
        client_for("candidate").post(reverse("vae:application_file", args=[draft_application.pk])).status_code
        == 302
    )
    draft_application.refresh_from_db()
    assert draft_application.status == ApplicationStatus.FILED
    page = client_for("national_admin").get(reverse("vae:application_detail", args=[draft_application.pk]))
    assert "Décider de la recevabilité" in page.content.decode()
    response = client_for("national_admin").post(
        reverse("vae:admissibility", args=[draft_application.pk]),
        {"admissible": "0", "reason": "Emplois hors CQP."},
    )
    assert response.status_code == 302
    draft_application.refresh_from_db()
    assert (draft_application.status, draft_application.admissibility_reason) == (
        ApplicationStatus.INADMISSIBLE,
        "Emplois hors CQP.",
    )


def test_the_admissibility_decision_is_refused_without_a_reason(client_for, filed_application):
    response = client_for("national_admin").post(
        reverse("vae:admissibility", args=[filed_application.pk]), {"admissible": "1", "reason": ""}
    )
    assert response.status_code == 400
    filed_application.refresh_from_db()
    assert filed_application.status == ApplicationStatus.FILED


@pytest.mark.parametrize("persona", ["cpnefp", "crfp_staff", "candidate"])
def test_only_the_admin_decides_admissibility(client_for, filed_application, persona):
    response = client_for(persona).post(
        reverse("vae:admissibility", args=[filed_application.pk]), {"admissible": "1", "reason": "Oui."}
    )
    assert response.status_code == 403


def test_the_candidate_is_told_of_the_admissibility_by_email(
    client_for, filed_application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for("national_admin").post(
            reverse("vae:admissibility", args=[filed_application.pk]),
            {"admissible": "1", "reason": "Cinq ans."},
        )
    assert [message.to for message in mail.outbox] == [[filed_application.candidate.user.email]]
    assert "recevable" in mail.outbox[0].subject
    assert "Motif : Cinq ans." in mail.outbox[0].body


def test_the_list_filters_by_status_for_the_admin(client_for, draft_application):
    response = client_for("national_admin").get(reverse("vae:application_list"), {"status": "filed"})
    assert "Aucune demande de VAE dans cet état." in response.content.decode()


def test_the_list_reads_a_bounded_number_of_queries(
    client_for, users, organisations, vae_version, draft_application, django_assert_max_num_queries
):
    for number in range(30):
        candidate = CandidateFactory(
            employer=organisations["employer"], birth_date=date(1980, 1, 1 + number % 28)
        )
        application = do_create_application(
            users["crfp_staff"],
            candidate=candidate,
            version=vae_version,
            training_centre=organisations["crfp"],
        )
        do_add_period(
            users["crfp_staff"],
            application,
            employer_name="CAF",
            job="Technicien",
            start=date(2020, 1, 1),
            end=date(2022, 1, 1),
            rate=Decimal(100),
        )
    client = client_for("national_admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("vae:application_list"))
    assert response.content.decode().count("/vae/") >= 31


def test_the_admins_home_page_counts_the_applications_awaiting_admissibility(client_for, filed_application):
    content = client_for("national_admin").get(reverse("people:home")).content.decode()
    assert '<span class="count">1</span> demande de VAE en attente de recevabilité' in content
    assert f"{reverse('vae:application_list')}?status=filed" in content


def test_the_crfps_home_page_counts_its_applications_in_preparation(client_for, draft_application):
    content = client_for("crfp_staff").get(reverse("people:home")).content.decode()
    assert '<span class="count">1</span> demande de VAE en préparation' in content
