# ruff: noqa: F811 (the fixtures shared with test_outcome and test_minutes are imported, then requested by name)
"""In Debian's chromium: the VAE journeys of each role pass axe-core and fit a 390 px screen, after a form
error included. The candidate files her application, then describes a competence of her dossier; the
national administrator decides its admissibility; the CPNEFP appoints a VAE jury and seats a member; the
jury's president records a decision and signs the minutes (the job runs at once, on the commit of the
request); the funding employer reads the outcome."""

import pytest
from django.urls import reverse

from certifier.referential.models import Block
from certifier.vae.enums import ApplicationStatus, VaeOutcome
from certifier.vae.models import VaeDecision, VaeJuryMember, VaeJurySession, VaeMinutes
from tests.certificates.conftest import credential_key_file, credential_settings  # noqa: F401
from tests.juries.minutes_fixtures import signing_files, signing_settings  # noqa: F401

from .test_minutes import partial, signed  # noqa: F401
from .test_outcome import ARGUMENT, candidacy, codes, jurors, vae_session  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def checked(page, assert_accessible, assert_fits):
    """The page has one title, passes axe-core and fits the phone's screen."""
    assert page.get_by_role("heading", level=1).count() == 1, page.url
    assert_accessible(page)
    assert_fits(page)


def test_the_candidate_files_her_draft_application(
    narrow_page, assert_accessible, assert_fits, draft_application
):
    page = narrow_page
    sign_in(page, "candidate@test.example")
    page.goto(reverse("vae:application_detail", args=[draft_application.pk]))
    checked(page, assert_accessible, assert_fits)

    page.get_by_role("button", name="Ajouter la période").click()
    page.get_by_role("alert").wait_for()
    checked(page, assert_accessible, assert_fits)

    page.get_by_role("button", name="Déposer la demande").click()
    page.get_by_text("La demande est déposée").wait_for()
    checked(page, assert_accessible, assert_fits)
    draft_application.refresh_from_db()
    assert draft_application.status == ApplicationStatus.FILED
    assert page.get_by_role("button", name="Déposer la demande").count() == 0


def test_the_national_admin_decides_the_admissibility_always_with_a_reason(
    narrow_page, assert_accessible, assert_fits, filed_application
):
    page = narrow_page
    sign_in(page, "national_admin@test.example")
    page.goto(reverse("vae:application_detail", args=[filed_application.pk]))
    checked(page, assert_accessible, assert_fits)

    page.get_by_label("Recevable", exact=True).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_role("alert").wait_for()
    assert "Motif" in page.get_by_role("alert").inner_text()
    checked(page, assert_accessible, assert_fits)
    filed_application.refresh_from_db()
    assert filed_application.admissible is None

    page.get_by_label("Motif").fill("Cinq ans d'expérience sur des emplois visés par le CQP.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée").wait_for()
    checked(page, assert_accessible, assert_fits)
    filed_application.refresh_from_db()
    assert filed_application.admissible is True


def test_the_candidate_describes_a_competence_of_her_dossier(
    narrow_page, assert_accessible, assert_fits, admissible_application
):
    page = narrow_page
    block = Block.objects.get(version=admissible_application.version, code="RNCP35729BC01")
    competence = block.competences.order_by("number").first()
    sign_in(page, "candidate@test.example")
    page.goto(reverse("vae:dossier", args=[admissible_application.pk]))
    checked(page, assert_accessible, assert_fits)

    page.get_by_role("link", name=f"Décrire la compétence C{competence.number} du bloc {block.code}").click()
    page.get_by_role("button", name="Enregistrer la description").click()
    page.get_by_role("alert").wait_for()
    checked(page, assert_accessible, assert_fits)

    text = "J'accueille les allocataires et j'étudie leurs droits avec eux, dossier par dossier."
    page.get_by_label("Votre expérience pour cette compétence").fill(text)
    page.get_by_role("button", name="Enregistrer la description").click()
    page.get_by_text(f"La description de la compétence C{competence.number} est enregistrée.").wait_for()
    checked(page, assert_accessible, assert_fits)

    page.get_by_role("link", name="Retour au dossier").click()
    page.get_by_text(text).wait_for()
    checked(page, assert_accessible, assert_fits)
    assert admissible_application.entries.get().text == text


def test_the_cpnefp_appoints_a_vae_jury_and_seats_its_president(
    narrow_page, assert_accessible, assert_fits, users, vae_version, jurors
):
    page = narrow_page
    sign_in(page, "cpnefp@test.example")
    page.goto(reverse("vae:jury_session_create"))
    checked(page, assert_accessible, assert_fits)

    page.get_by_role("button", name="Désigner", exact=True).click()
    page.get_by_role("alert").wait_for()
    checked(page, assert_accessible, assert_fits)
    assert not VaeJurySession.objects.exists()

    page.get_by_label("Date de la séance").fill("2031-06-12")
    page.get_by_label("Lieu").fill("Ucanss, Paris")
    page.get_by_role("button", name="Désigner", exact=True).click()
    page.get_by_text("Le jury VAE est désigné").wait_for()
    checked(page, assert_accessible, assert_fits)
    session = VaeJurySession.objects.get()
    assert session.place == "Ucanss, Paris" and session.version == vae_version

    page.get_by_role("button", name="Ajouter au jury").click()
    page.get_by_role("alert").wait_for()
    checked(page, assert_accessible, assert_fits)

    page.get_by_label("Adresse électronique du compte").fill("bruno@test.example")
    page.get_by_label("Qualité").fill("Professionnel du métier")
    page.get_by_label("Masculin").check()
    page.get_by_label("Qualifié pour la certification").check()
    page.get_by_label("Président du jury (voix prépondérante)").check()
    page.get_by_role("button", name="Ajouter au jury").click()
    page.get_by_text("Bruno Morel siège au jury VAE.").wait_for()
    checked(page, assert_accessible, assert_fits)
    member = VaeJuryMember.objects.get(session=session)
    assert member.user == jurors["bruno"] and member.president and member.qualified


def test_the_president_records_a_decision_then_signs_the_minutes(
    narrow_page, assert_accessible, assert_fits, vae_session, candidacy
):
    page = narrow_page
    validated = codes(vae_session.version)[:2]
    sign_in(page, "vae_jury@test.example")
    page.goto(reverse("vae:deliberation", args=[vae_session.pk]))
    checked(page, assert_accessible, assert_fits)

    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_role("alert").wait_for()
    checked(page, assert_accessible, assert_fits)
    assert not VaeDecision.objects.exists()

    for code in validated:
        page.get_by_label(f"Bloc {code} —").check()
    page.get_by_label("Motivation de la décision").fill(ARGUMENT)
    page.get_by_label("Voix pour").fill("3")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("La décision sur MARTIN Léa est enregistrée.").wait_for()
    checked(page, assert_accessible, assert_fits)
    assert VaeDecision.objects.get().confirmed_status == VaeOutcome.PARTIAL

    page.get_by_role("link", name="Procès-verbal").click()
    checked(page, assert_accessible, assert_fits)
    sign = page.get_by_role("button", name="Signer le procès-verbal et proclamer les décisions")
    sign.click()
    page.get_by_role("alert").wait_for()
    checked(page, assert_accessible, assert_fits)
    assert not VaeMinutes.objects.exists()

    page.get_by_label("Je confirme que le procès-verbal est complet").check()
    sign.click()
    page.get_by_text("Empreinte SHA-256 du fichier signé").wait_for()
    checked(page, assert_accessible, assert_fits)
    page.get_by_role("link", name="Télécharger le procès-verbal signé (PDF)").wait_for()
    assert page.get_by_text(VaeMinutes.objects.get(session=vae_session).sha256).count() >= 1


def test_the_funding_employer_reads_the_signed_outcome(narrow_page, assert_accessible, assert_fits, signed):
    page = narrow_page
    sign_in(page, "employer_hr@test.example")
    page.goto(reverse("vae:employer_outcomes"))
    row = page.get_by_role("row", name="MARTIN Léa")
    row.wait_for()
    assert "Validation partielle" in row.inner_text() and "RNCP35729BC01" in row.inner_text()
    assert page.get_by_text(ARGUMENT).count() == 0
    checked(page, assert_accessible, assert_fits)
