"""Journey of the evidence: the tutor and the manager attest in the logbook, the assessor records a
BC01 observation (refused, then accepted), scores its criteria with the keyboard only, sees the
block validated with the engine's explanation, departs from it without a reason (refused, the focus
on the error summary) and confirms it. axe-core checks every page."""

import re

import pytest
from playwright.sync_api import expect

from certifier.assessments.models import BlockDecision
from certifier.decisions.registry import load
from certifier.pathways.models import AssessorAssignment
from certifier.people.models import Membership, User
from certifier.referential.models import Block
from certifier.referential.services import do_add_criterion, do_load_referential
from tests.factories import CandidateFactory, EmployerFactory, EnrolmentFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "journee-des-preuves"
BC01 = "RNCP35729BC01"


def person(email, first_name, organisation, role):
    user = User.objects.create_user(email, PASSWORD, first_name=first_name, last_name="Test")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def setting():
    """BC01 with one criterion per competence, a candidate with her tutor, manager and assessor."""
    do_load_referential()
    block = Block.objects.get(code=BC01, version__code="rncp")
    for competence in block.competences.all():
        do_add_criterion(None, competence, f"Critère d'exemple de la compétence {competence.number}.")
    employer = EmployerFactory(name="CAF de la Gironde")
    crfp = OrganisationFactory(name="CRFP de Bordeaux")
    enrolment = EnrolmentFactory(
        candidate=CandidateFactory(birth_name="Garcia", first_name="Léa", employer=employer),
        training_centre=crfp,
        tutor=person("tuteur@caf33.example", "Marc", employer, "tutor"),
        manager=person("manager@caf33.example", "Isabelle", employer, "manager"),
    )
    assessor = person("evaluateur@crfp.example", "Paul", crfp, "assessor")
    AssessorAssignment.objects.create(enrolment=enrolment, assessor=assessor, block=block)
    return enrolment, block


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def sign_out(page):
    page.get_by_role("button", name=re.compile("^Se déconnecter")).click()


def attest(page, enrolment, competence):
    page.goto(f"/inscriptions/{enrolment.pk}/carnet/")
    page.get_by_role("link", name="Saisir une attestation").click()
    page.get_by_label("Compétence maîtrisée").select_option(str(competence.pk))
    page.get_by_label("Date de la situation").fill("2026-03-02")
    page.get_by_label("Situation de travail").fill("Accueil d'un allocataire au sujet de ses droits.")
    page.get_by_role("button", name="Enregistrer et signer l'attestation").click()


def test_tutor_and_manager_attest_then_the_assessor_observes_scores_and_confirms_bc01(
    page, assert_accessible
):
    enrolment, block = setting()
    competences = list(block.competences.order_by("number"))

    sign_in(page, "tuteur@caf33.example")
    attest(page, enrolment, competences[3])
    item = page.locator("li.attestation")
    expect(item).to_contain_text("En attente de la signature du manager.")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, "manager@caf33.example")
    page.goto(f"/inscriptions/{enrolment.pk}/carnet/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Signer en tant que manager")).click()
    expect(page.locator("li.attestation")).to_contain_text("Signée par le tuteur et le manager.")
    attest(page, enrolment, competences[4])
    assert_accessible(page)
    expect(page.get_by_text("En attente de la signature du tuteur.", exact=True)).to_be_visible()
    sign_out(page)

    sign_in(page, "evaluateur@crfp.example")
    page.goto(f"/inscriptions/{enrolment.pk}/resultats/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Évaluer ce bloc ({BC01})").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Enregistrer l'épreuve")).click()
    assert_accessible(page)
    page.get_by_label("Date de l'épreuve").fill("2026-03-02")
    page.get_by_label("Double écoute (téléphone) : durée observée (en minutes)").fill("15")
    page.get_by_label("Nombre d'entretiens menés").fill("2")
    page.get_by_label("Nombre de courriers/courriels traités").fill("5")
    page.get_by_label("Durée du questionnement en entretien (en minutes)").fill("15")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(
        page.get_by_text("Erreur : Double écoute : 15 minutes observées, il en faut au moins 20.")
    ).to_be_visible()
    assert (
        page.get_by_label("Double écoute (téléphone) : durée observée (en minutes)").get_attribute(
            "aria-invalid"
        )
        == "true"
    )
    assert_accessible(page)
    page.get_by_label("Double écoute (téléphone) : durée observée (en minutes)").fill("20")
    page.get_by_role("button", name="Enregistrer l'épreuve").click()
    expect(page.get_by_role("heading", level=2, name="Grille d'évaluation des critères")).to_be_visible()
    assert_accessible(page)

    # Keyboard only: in each radio group the arrow keys choose, Tab goes to the comment, then to the next group.
    page.evaluate("window.sameDocument = true")
    page.get_by_role("group", name=re.compile("^Critère 1.1")).get_by_label("Non évalué").focus()
    for number in range(1, 7):
        page.keyboard.press("ArrowRight")  # Validé
        if number == 6:
            page.keyboard.press("ArrowRight")  # Non validé
        page.keyboard.press("Tab")
        if number == 1:
            page.keyboard.type("Offre de service bien argumentée.")
        page.keyboard.press("Tab")
    status = page.locator("#proposition-statut")
    expect(status).to_contain_text(f"Bloc {BC01} : Validé", timeout=10_000)
    expect(status).to_contain_text(
        f"Bloc {BC01} validé : 5 compétences acquises sur 6, il en faut au moins 5 (80 %)."
    )
    expect(page.locator("#proposition-competences")).to_contain_text("Non acquise")
    assert page.evaluate("window.sameDocument === true"), "each change is saved without reloading the page"
    assert_accessible(page)

    page.reload()
    expect(
        page.get_by_role("group", name=re.compile("^Critère 6.1")).get_by_label("Non validé")
    ).to_be_checked()
    expect(page.get_by_label("Commentaire sur le critère 1.1")).to_have_value(
        "Offre de service bien argumentée."
    )
    # A decision departing from the proposal without its reason: the error summary takes the focus.
    decision = page.get_by_role("group", name=f"Décision pour le bloc {BC01}")
    decision.get_by_label("Non validé", exact=True).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert_accessible(page)
    decision = page.get_by_role("group", name=f"Décision pour le bloc {BC01}")
    decision.get_by_label("Validé", exact=True).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(f"Décision enregistrée pour le bloc {BC01} : Validé.")).to_be_visible()
    assert_accessible(page)

    stored = BlockDecision.objects.get()
    assert (stored.proposed_status, stored.confirmed_status) == ("validated", "validated")
    assert stored.rule_set_hash == load("rncp35729").hash

    page.goto(f"/inscriptions/{enrolment.pk}/resultats/")
    expect(page.get_by_text("Offre de service bien argumentée.")).to_be_visible()
    assert_accessible(page)
