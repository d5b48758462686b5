"""Journey of the national administrator: sign in, open the RNCP35729 sheet, edit a criterion, read the history."""

import pytest

from certifier.demo.services import DEMO_PASSWORD, do_load_demo
from certifier.referential.services import do_load_referential

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_national_admin_edits_a_criterion_and_sees_it_in_the_history(page, assert_accessible):
    do_load_referential()
    do_load_demo()

    page.goto("/")
    assert page.request.get("/static/css/certifier.css").ok
    assert_accessible(page)
    page.get_by_role("link", name="Se connecter").first.click()
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("admin@ucanss.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Claire"
    assert_accessible(page)

    page.get_by_role("link", name="Certifications", exact=True).click()
    page.get_by_role("link", name="RNCP35729", exact=True).click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "CQP Gestionnaire conseil de la Sécurité sociale"
    )
    assert page.get_by_text("Enregistrement au RNCP échu le 08/07/2026.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Modifier le critère 1 de la compétence 1 du bloc RNCP35729BC01").click()
    assert_accessible(page)
    field = page.get_by_label("Énoncé du critère")
    field.fill("")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_label("Énoncé du critère").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Énoncé du critère").fill("L'offre de service est adaptée et argumentée.")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_role("status").inner_text() == "Le critère 1 a été modifié."
    assert page.get_by_text("L'offre de service est adaptée et argumentée.").is_visible()

    page.get_by_role("link", name="Historique des modifications du référentiel").click()
    row = (
        page.get_by_role("row")
        .filter(has_text="RNCP35729BC01 compétence 1, critère 1")
        .filter(has_text="Modification")
    )
    assert "Claire Martin" in row.inner_text()
    assert "L'offre de service proposée correspond à la situation de l'usager." in row.inner_text()
    assert "L'offre de service est adaptée et argumentée." in row.inner_text()
    assert_accessible(page)
