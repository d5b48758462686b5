"""In Debian's chromium: the import is sent by our script (progress bar, then the result in place),
and the enrolment pages pass axe-core."""

import pytest

from tests.pathways.test_import import THREE, row, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def test_a_crfp_imports_a_file_and_reads_the_result_without_leaving_the_page(
    page,
    assert_accessible,
    users,
    organisations,
    referential,
    tmp_path,
):
    siret = organisations["employer"].siret
    path = xlsx(tmp_path, [row(**({"SIRET employeur": siret} | values)) for values in THREE])

    sign_in(page, "crfp_staff@test.example")
    page.goto("/inscriptions/")
    assert_accessible(page)
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Fichier des candidats (.xlsx ou .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Importer le fichier").click()
    page.get_by_role("heading", level=1, name="Résultat de l'import").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith("/inscriptions/import/")
    assert page.get_by_text("Inscriptions créées : 3").is_visible()
    assert_accessible(page)

    page.goto("/inscriptions/")
    page.get_by_role("link", name="LEFÈVRE Éloïse").click()
    assert page.get_by_role("heading", level=1).inner_text() == "LEFÈVRE Éloïse"
    assert_accessible(page)
    page.get_by_role("link", name="Modifier l'inscription").click()
    assert_accessible(page)


def test_the_enrolment_form_passes_axe_with_its_errors_shown(page, assert_accessible, users, referential):
    sign_in(page, "crfp_staff@test.example")
    page.goto("/inscriptions/nouvelle/")
    assert_accessible(page)
    page.get_by_role("button", name="Inscrire").click()
    assert page.get_by_label("Nom de naissance").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
