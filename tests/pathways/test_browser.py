"""In Debian's chromium: the import hands the file to a job whose page gives the outcome, the
enrolment pages pass axe-core, and a form in error puts the focus on its error summary."""

import re

import pytest

from tests.pathways.test_import import THREE, row, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def test_a_crfp_imports_a_file_and_reads_the_outcome_on_the_job_page(
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
    page.get_by_label("Fichier des candidats (.xlsx ou .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Importer le fichier").click()
    page.get_by_role("heading", level=1, name="Import de candidats").wait_for()
    page.get_by_text("Inscriptions créées : 3").wait_for()
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
    summary = page.get_by_role("alert")
    assert summary.evaluate("element => element === document.activeElement")
    assert summary.get_by_role("heading").inner_text().startswith("Le formulaire comporte")
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("^Nom de naissance")).click()
    assert page.get_by_label("Nom de naissance").evaluate("field => field === document.activeElement")
