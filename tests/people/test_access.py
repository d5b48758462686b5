"""Access matrix of the people views: 404 when invisible, 403 when read-only, login when anonymous."""

import pytest
from django.urls import reverse

from certifier.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ALL = ["national_admin", "cpnefp", "crfp_staff", "employer_hr", "tutor", "candidate", "outsider", "anonymous"]


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", ["home", "accessibility", "login"])
def test_public_pages_open_to_everyone(client_for, persona, name):
    response = client_for(persona).get(reverse(f"people:{name}"))
    # the login page sends signed-in users home
    assert response.status_code == (302 if name == "login" and persona != "anonymous" else 200)


def test_anonymous_user_is_sent_to_login_for_organisations(client_for):
    response = client_for("anonymous").get(reverse("people:organisation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login") + "?next=")


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        ("national_admin", "other_crfp", 200),
        ("cpnefp", "other_employer", 200),
        ("crfp_staff", "crfp", 200),
        ("crfp_staff", "other_crfp", 404),
        ("employer_hr", "employer", 200),
        ("employer_hr", "other_employer", 404),
        ("tutor", "crfp", 404),
        ("candidate", "employer", 200),
        ("outsider", "crfp", 404),
        ("anonymous", "crfp", 302),
    ],
)
def test_organisation_detail_is_scoped(client_for, organisations, persona, target, expected):
    url = reverse("people:organisation_detail", args=[organisations[target].pk])
    assert client_for(persona).get(url).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("national_admin", 200), ("crfp_staff", 403), ("employer_hr", 403), ("cpnefp", 403), ("anonymous", 302)],
)
def test_only_national_admin_edits_an_organisation(client_for, organisations, persona, expected):
    organisation = organisations["crfp"] if persona != "employer_hr" else organisations["employer"]
    url = reverse("people:organisation_edit", args=[organisation.pk])
    assert client_for(persona).get(url).status_code == expected


def test_organisation_list_shows_only_visible_organisations(client_for, organisations):
    page = client_for("crfp_staff").get(reverse("people:organisation_list")).content.decode()
    assert "CRFP de Bordeaux" in page
    assert "CRFP de Lyon" not in page
    assert "CAF de la Gironde" not in page


def test_organisation_list_query_count_does_not_grow(
    client_for, organisations, django_assert_max_num_queries
):
    from tests.factories import EmployerFactory

    EmployerFactory.create_batch(30)
    client = client_for("national_admin")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("people:organisation_list"))
    assert response.content.decode().count("<tr>") >= 36


def test_invalid_siret_is_refused_with_a_french_message_bound_to_the_field(client_for, organisations):
    employer = organisations["employer"]
    response = client_for("national_admin").post(
        reverse("people:organisation_edit", args=[employer.pk]),
        {
            "name": employer.name,
            "siret": "12345678901234",
            "branch": "CAF",
            "region": "",
            "city": "",
            "staff_size": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le SIRET est invalide (clé de contrôle incorrecte)." in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_siret-erreur"' in page
    employer.refresh_from_db()
    assert employer.siret != "12345678901234"


def test_editing_an_organisation_is_attributed(client_for, organisations, users):
    employer = organisations["employer"]
    form = {"name": "CAF de Gironde", "siret": employer.siret, "branch": "CAF", "region": employer.region}
    form |= {"city": employer.city, "staff_size": "900"}
    response = client_for("national_admin").post(
        reverse("people:organisation_edit", args=[employer.pk]), form
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="people.Organisation", object_id=str(employer.pk))
    assert event.actor == users["national_admin"]
    assert event.before == {"name": "CAF de la Gironde", "staff_size": 500}
    assert event.after == {"name": "CAF de Gironde", "staff_size": 900}
    assert employer.history.first().history_user == users["national_admin"]


def test_employer_requires_a_branch(client_for, organisations):
    employer = organisations["employer"]
    response = client_for("national_admin").post(
        reverse("people:organisation_edit", args=[employer.pk]),
        {
            "name": employer.name,
            "siret": employer.siret,
            "branch": "",
            "region": "",
            "city": "",
            "staff_size": "",
        },
    )
    assert "La branche est obligatoire pour un organisme employeur." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"), [("national_admin", 200), ("cpnefp", 302), ("crfp_staff", 302)]
)
def test_django_admin_is_for_national_administrators_only(client_for, persona, expected):
    assert client_for(persona).get("/admin/").status_code == expected


def test_home_page_says_what_the_role_can_do(client_for):
    page = client_for("tutor").get(reverse("people:home")).content.decode()
    assert "Tuteur" in page
    assert "carnet de suivi" in page
    assert "Aucun rôle" in client_for("outsider").get(reverse("people:home")).content.decode()
