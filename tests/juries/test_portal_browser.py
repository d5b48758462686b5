"""In Debian's chromium: the results portal's pages pass axe-core and fit a 390 px screen: the
candidate's results signed in, the lookup (empty, refused, answered) and the employer's results."""

import pytest
from django.urls import reverse

from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import signing_files, signing_settings  # noqa: F401
from tests.juries.results import COMMENT, decide, proclaim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def released(users, deliberation, django_capture_on_commit_callbacks):
    decide(users, deliberation)
    return proclaim(users, deliberation, django_capture_on_commit_callbacks)


def check(page, assert_accessible, assert_fits):
    assert page.get_by_role("heading", level=1).count() == 1, page.url
    assert_accessible(page)
    assert_fits(page)


def test_the_lookup_passes_axe_and_fits_a_phone(narrow_page, assert_accessible, assert_fits, released):
    own = registration_of(released, "Martin")
    narrow_page.goto(reverse("juries:results_lookup"))
    check(narrow_page, assert_accessible, assert_fits)
    narrow_page.get_by_label("Numéro de candidat").fill(own.candidate_number)
    narrow_page.get_by_label("Date de naissance").fill("1900-01-01")
    narrow_page.get_by_role("button", name="Consulter mes résultats").click()
    narrow_page.get_by_role("heading", name="Aucun résultat à afficher").wait_for()
    check(narrow_page, assert_accessible, assert_fits)
    narrow_page.get_by_label("Date de naissance").fill(own.enrolment.candidate.birth_date.isoformat())
    narrow_page.get_by_role("button", name="Consulter mes résultats").click()
    narrow_page.get_by_text(COMMENT).wait_for()
    check(narrow_page, assert_accessible, assert_fits)


@pytest.mark.parametrize(
    "persona, name", [("candidate", "juries:my_results"), ("employer_hr", "juries:employer_results")]
)
def test_the_results_pages_pass_axe_and_fit_a_phone(
    narrow_page, assert_accessible, assert_fits, released, persona, name
):
    sign_in(narrow_page, f"{persona}@test.example")
    narrow_page.goto(reverse(name, args=[released.pk] if name == "juries:employer_results" else []))
    narrow_page.get_by_text("14,5 sur 20").wait_for()
    check(narrow_page, assert_accessible, assert_fits)
