"""In Debian's chromium: the juries' composition pages (the CPNEFP's lists, the national jury, the
sitting, the conflicts of interest, the local jury) pass axe-core and fit a 390 px screen, in error
included; the CPNEFP appoints a jury by ticking its members, the national administrator opens the
sitting and ticks attendance."""

import pytest
from django.urls import reverse

from certifier.juries.models import Deliberation, Jury

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


PAGES = {
    "cpnefp": ["juries:jury_lists", "juries:national_jury"],
    "national_admin": [
        "exams:session_detail",
        "juries:national_jury",
        "juries:sitting",
        "juries:conflicts",
        "juries:local_jury",
    ],
    "national_jury": ["juries:national_jury", "juries:conflicts"],
    "crfp_staff": ["juries:local_jury"],
}


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_each_roles_composition_pages_pass_axe_and_fit_a_phone(
    narrow_page, assert_accessible, assert_fits, users, deliberation, persona
):
    session = deliberation.jury.session
    sign_in(narrow_page, f"{persona}@test.example")
    for name in PAGES[persona]:
        narrow_page.goto(reverse(name, args=[] if name == "juries:jury_lists" else [session.pk]))
        assert narrow_page.get_by_role("heading", level=1).count() == 1, narrow_page.url
        assert_accessible(narrow_page)
        assert_fits(narrow_page)


def test_the_cpnefp_appoints_a_jury_by_ticking_its_members_and_errors_are_accessible(
    narrow_page, assert_accessible, assert_fits, users, jury_lists, marks_session
):
    page = narrow_page
    sign_in(page, "cpnefp@test.example")
    page.goto(reverse("juries:jury_lists"))
    page.get_by_role("button", name="Ajouter à la liste").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    assert_fits(page)

    page.goto(reverse("juries:national_jury", args=[marks_session.pk]))
    page.get_by_label("Lieu de réunion").fill("Ucanss, Paris")
    page.get_by_label("Présidence du jury (Ucanss, sans voix délibérative)").select_option(
        str(users["national_admin"].pk)
    )
    for member in jury_lists[:4]:
        page.get_by_label(f"{member.last_name.upper()} {member.first_name}", exact=False).check()
    page.get_by_label("MOREAU Inès", exact=False).check()
    page.get_by_role("button", name="Désigner le jury").click()
    page.get_by_text("4 membres salariés pour 1 membres employeurs").first.wait_for()
    assert_accessible(page)
    assert_fits(page)
    for member in jury_lists[5:]:
        page.get_by_label(f"{member.last_name.upper()} {member.first_name}", exact=False).check()
    page.get_by_role("button", name="Désigner le jury").click()
    page.get_by_text("La composition du jury national est enregistrée.").wait_for()
    assert Jury.objects.get().members.count() == 9
    assert_accessible(page)


def test_the_national_admin_opens_the_sitting_and_ticks_attendance(
    page, assert_accessible, users, national_jury
):
    session = national_jury.session
    sign_in(page, "national_admin@test.example")
    page.goto(reverse("exams:session_detail", args=[session.pk]))
    page.get_by_role("link", name="Séance du jury national").click()
    assert_accessible(page)
    page.get_by_role("button", name="Ouvrir la séance").click()
    page.get_by_text("La séance est ouverte").wait_for()
    page.get_by_label("BERNARD Alice", exact=False).check()
    page.get_by_label("MOREAU Inès", exact=False).check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.get_by_text("Quorum non atteint").first.wait_for()
    assert_accessible(page)
    assert Deliberation.objects.get().present.count() == 2
