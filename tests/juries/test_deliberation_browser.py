"""In Debian's chromium: the deliberation page and a candidate's decision page pass axe-core and fit a
390 px screen, the decision form in error included; a jury member adopts the proposal of a ticked
candidate, then records a departure reasoned and voted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.exams.models import ExamSession, Registration
from certifier.juries.models import JuryDecision, JuryStatus
from tests.exams.conftest import registration_of
from tests.exams.test_outcome import GOOD, enter, follow_pass, pass_session  # noqa: F401
from tests.juries.test_deliberation import blocks_deliberation, earlier_bc01  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture
def candidates(marks_session, follow_pass):  # noqa: F811
    """Martin certifiable, Durand not (an eliminatory written mark), anonymity lifted."""
    ExamSession.objects.filter(pk=marks_session.pk).update(anonymity_lifted_at=timezone.now())
    martin = registration_of(marks_session, "Martin")
    follow_pass(martin)
    enter(marks_session, martin, GOOD)
    durand = registration_of(marks_session, "Durand")
    enter(marks_session, durand, GOOD | {"written": "5"})
    return martin, durand


def test_a_jury_member_adopts_a_proposal_then_departs_from_another_with_a_vote(
    narrow_page, assert_accessible, assert_fits, deliberation, candidates
):
    martin, durand = candidates
    page = narrow_page
    sign_in(page, "national_jury@test.example")
    page.goto(reverse("juries:deliberation", args=[deliberation.pk]))
    page.get_by_text("Quorum atteint").wait_for()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_label("Choisir MARTIN Léa").check()
    page.get_by_role("button", name="Adopter la proposition pour les candidats cochés").click()
    page.get_by_text("Proposition adoptée pour 1 candidat.").wait_for()
    assert JuryDecision.objects.get(registration=martin).confirmed_status == JuryStatus.CERTIFIED
    assert_accessible(page)

    page.get_by_role("link", name="Statuer — DURAND Paul").click()
    page.get_by_role("heading", level=1, name="DURAND Paul").wait_for()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_label("Certifié", exact=True).check()
    page.get_by_label("Motif de la décision différente de la proposition").fill(
        "Erreur de report de la note écrite."
    )
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    assert not JuryDecision.objects.filter(registration=durand).exists()
    page.get_by_label("Voix pour").fill("6")
    page.get_by_label("Voix contre").fill("1")
    page.get_by_label("Abstentions").fill("1")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text(
        f"La décision sur {durand.enrolment.candidate.display_name} (candidat n° {durand.candidate_number}) est enregistrée."
    ).wait_for()
    decision = JuryDecision.objects.get(registration=durand)
    assert (decision.confirmed_status, decision.votes_for) == (JuryStatus.CERTIFIED, 6)


def test_a_blocks_candidates_decision_page_passes_axe_and_fits_a_phone(
    narrow_page,
    assert_accessible,
    assert_fits,
    blocks_deliberation,  # noqa: F811
    earlier_bc01,  # noqa: F811
):
    registration = Registration.objects.get(session=blocks_deliberation.jury.session)
    sign_in(narrow_page, "national_admin@test.example")
    narrow_page.goto(reverse("juries:decide", args=[blocks_deliberation.pk, registration.pk]))
    narrow_page.get_by_text("Décision par bloc").wait_for()
    assert_accessible(narrow_page)
    assert_fits(narrow_page)
    narrow_page.goto(reverse("juries:deliberation", args=[blocks_deliberation.pk]))
    narrow_page.get_by_text("(capitalisé)").wait_for()
    assert_accessible(narrow_page)
    assert_fits(narrow_page)
