"""In Debian's chromium: the minutes page (before and after the signature) and the amendment page pass
axe-core and fit a 390 px screen, in error included; the national administrator signs the minutes,
proclaiming the results, then opens an amendment."""

import pytest
from django.urls import reverse

from certifier.juries.models import Deliberation, Minutes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def test_the_national_admin_signs_the_minutes_then_opens_an_amendment(
    narrow_page, assert_accessible, assert_fits, decided
):
    page = narrow_page
    session = decided.jury.session
    sign_in(page, "national_admin@test.example")
    page.goto(reverse("juries:minutes", args=[decided.pk]))
    assert page.get_by_role("heading", level=1).count() == 1
    assert_accessible(page)
    assert_fits(page)
    page.get_by_label("Publication des résultats aux candidats et aux employeurs").fill("2000-01-01T10:00")
    page.get_by_role("button", name="Signer le procès-verbal et proclamer les résultats").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    assert_fits(page)
    assert not Minutes.objects.exists()

    page.get_by_label("Publication des résultats aux candidats et aux employeurs").fill("")
    page.get_by_label("Je confirme que le procès-verbal est complet").check()
    page.get_by_role("button", name="Signer le procès-verbal et proclamer les résultats").click()
    page.get_by_text("Empreinte SHA-256 du fichier signé").wait_for()
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Ouvrir un rectificatif").click()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("button", name="Ouvrir le rectificatif").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_label("Motif du rectificatif").fill("Erreur matérielle sur une note d'oral.")
    page.get_by_role("button", name="Ouvrir le rectificatif").click()
    page.get_by_text("Le rectificatif est ouvert").wait_for()
    assert Deliberation.objects.get(amends=decided).jury.session == session


def test_a_jury_member_reads_the_signed_minutes_page(narrow_page, assert_accessible, assert_fits, proclaimed):
    sign_in(narrow_page, "national_jury@test.example")
    narrow_page.goto(reverse("juries:minutes", args=[proclaimed.pk]))
    narrow_page.get_by_role("link", name="Télécharger le procès-verbal signé (PDF)").wait_for()
    assert_accessible(narrow_page)
    assert_fits(narrow_page)
