"""In Debian's chromium: the national administrator writes the CPF flux, then loads a receipt refused
(errors by line) and one accepted; the overview and the receipt page pass axe-core and fit 390 px."""

import pytest
from django.urls import reverse

from certifier.certificates.models import CpfFlux, CpfPassage, PassageState
from tests.certificates import test_cpf as flux_tests
from tests.certificates.test_cpf_receipt import MESSAGE, receipt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

admin, holders, schema, sitting = flux_tests.admin, flux_tests.holders, flux_tests.schema, flux_tests.sitting


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def test_the_national_admin_declares_the_holders_and_loads_the_receipt(
    narrow_page, assert_accessible, assert_fits, holders, tmp_path
):
    page = narrow_page
    sign_in(page, "national_admin@test.example")
    page.goto(reverse("certificates:cpf"))
    assert page.get_by_role("heading", level=1).count() == 1
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("button", name="Produire le flux de déclaration").click()
    page.get_by_role("link", name="Télécharger le flux du").wait_for()
    assert CpfFlux.objects.get().passages == 3
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Charger un accusé de traitement de la Caisse des Dépôts").click()
    refused = tmp_path / "refuse.xml"
    refused.write_bytes(receipt(ok=[holders[0].number, "CQP-0000-000000"]))
    page.get_by_label("Accusé de traitement (XML)").set_input_files(str(refused))
    page.get_by_role("button", name="Charger l'accusé de traitement").click()
    page.get_by_text("Ligne 9 : identifiant technique « CQP-0000-000000 » inconnu").wait_for()
    assert_accessible(page)
    assert_fits(page)

    accepted = tmp_path / "accuse.xml"
    accepted.write_bytes(
        receipt(ok=[holders[0].number, holders[2].number], ko=[(holders[1].number, MESSAGE)])
    )
    page.get_by_label("Accusé de traitement (XML)").set_input_files(str(accepted))
    page.get_by_role("button", name="Charger l'accusé de traitement").click()
    page.get_by_text("Accusé de traitement chargé : 2 passages acceptés, 1 rejeté.").wait_for()
    page.get_by_role("cell", name=MESSAGE).wait_for()
    assert_accessible(page)
    assert_fits(page)
    assert CpfPassage.objects.get(certificate=holders[1]).state == PassageState.REJECTED
