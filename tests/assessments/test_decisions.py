"""The engine proposes, the assessor confirms or overrides with a reason; both values are kept with
the rule set's version and hash (D14–D18)."""

import pytest
from django.urls import reverse

from certifier.assessments.models import BlockDecision
from certifier.assessments.services import OverrideWithoutReason, do_decide_block
from certifier.core.enums import DecisionSource
from certifier.core.models import DomainError
from certifier.decisions.registry import load
from certifier.pathways.models import AssessorAssignment
from certifier.referential.models import Block, CertificationVersion
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

BC01, BC02 = "RNCP35729BC01", "RNCP35729BC02"
FIVE_OF_SIX = {
    1: [True] * 5,
    2: [True, True],
    3: [True, True],
    4: [True, True],
    5: [True, True],
    6: [False, False],
}


@pytest.fixture
def validated_bc01(own, blocks, observe, score):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], FIVE_OF_SIX)
    return blocks[BC01]


def test_confirming_the_proposal_stores_it_with_the_rule_set_stamp(own, users, validated_bc01):
    decision = do_decide_block(users["assessor"], own, validated_bc01, "validated", "")
    rules = load("rncp35729")
    assert (decision.proposed_status, decision.confirmed_status, decision.override_reason) == (
        "validated",
        "validated",
        "",
    )
    assert decision.source == DecisionSource.ASSESSMENT
    assert (decision.rule_set_id, decision.rule_set_version, decision.rule_set_hash) == (
        rules.id,
        rules.version,
        rules.hash,
    )
    assert (
        decision.explanation
        == "Bloc RNCP35729BC01 validé : 5 compétences acquises sur 6, il en faut au moins 5 (80 %)."
    )
    assert decision.record["criteria"][BC01]["6"] == [False, False]
    assert rules.decide(decision.record).output["blocks"][BC01]["status"] == "validated"


def test_an_override_requires_a_reason_and_keeps_both_values(own, users, validated_bc01):
    with pytest.raises(OverrideWithoutReason, match="indiquez le motif"):
        do_decide_block(users["assessor"], own, validated_bc01, "not_validated", " ")
    assert not BlockDecision.objects.exists()
    decision = do_decide_block(
        users["assessor"],
        own,
        validated_bc01,
        "not_validated",
        "Grille remplie sur une situation non conforme.",
    )
    assert (decision.proposed_status, decision.confirmed_status) == ("validated", "not_validated")
    assert decision.override_reason == "Grille remplie sur une situation non conforme."
    assert decision.rule_set_hash.startswith("sha256:")


def test_the_decision_form_explains_a_missing_reason_next_to_the_field(own, client_for, validated_bc01):
    url = reverse("assessments:block_decision", args=[own.pk, validated_bc01.pk])
    response = client_for("assessor").post(url, {"confirmed_status": "not_validated", "override_reason": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Votre décision diffère de la proposition du moteur de décision (« Validé ») : indiquez le motif."
        in page
    )
    assert 'aria-describedby="id_override_reason-aide id_override_reason-erreur"' in page
    response = client_for("assessor").post(url, {"confirmed_status": "validated"}, follow=True)
    assert "Décision enregistrée pour le bloc RNCP35729BC01 : Validé." in response.content.decode()


def test_an_incomplete_proposal_can_only_be_decided_with_a_reason(own, blocks, users, observe, score):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [True]})
    with pytest.raises(OverrideWithoutReason, match="« En cours \\(preuves manquantes\\) »"):
        do_decide_block(users["assessor"], own, blocks[BC01], "not_validated", "")


def test_no_decision_before_a_valid_observation(own, blocks, users):
    with pytest.raises(DomainError, match="observation conforme"):
        do_decide_block(users["assessor"], own, blocks[BC01], "validated", "")


def test_the_latest_decision_is_the_one_in_force_and_earlier_ones_stay(
    own, users, validated_bc01, client_for
):
    do_decide_block(users["assessor"], own, validated_bc01, "validated", "")
    do_decide_block(users["assessor"], own, validated_bc01, "not_validated", "Erreur de saisie corrigée.")
    assert BlockDecision.objects.count() == 2
    assert BlockDecision.objects.latest_per_block().get().confirmed_status == "not_validated"
    page = client_for("candidate").get(reverse("assessments:results", args=[own.pk])).content.decode()
    assert "<dt>Décision</dt><dd><strong>Non validé</strong></dd>" in page
    assert "Erreur de saisie corrigée." in page


def test_a_block_validated_in_an_earlier_enrolment_is_capitalised(
    own, users, referential, validated_bc01, client_for
):
    """D18: the candidate does not retake a block validated and confirmed for them before."""
    do_decide_block(users["assessor"], own, validated_bc01, "validated", "")
    later = CertificationVersion.objects.create(
        certification=referential,
        code="rncp-2027",
        label="Référentiel 2027",
        scheme="blocks",
        rule_set="rncp35729",
    )
    block = Block.objects.create(version=later, code=BC01, title=validated_bc01.title)
    enrolment = EnrolmentFactory(
        candidate=own.candidate, version=later, option=None, training_centre=own.training_centre
    )
    AssessorAssignment.objects.create(enrolment=enrolment, assessor=users["assessor"])
    page = (
        client_for("assessor")
        .get(reverse("assessments:block_assessment", args=[enrolment.pk, block.pk]))
        .content.decode()
    )
    assert "<strong>Bloc RNCP35729BC01 : Validé</strong>" in page
    assert "Bloc RNCP35729BC01 validé : capitalisé lors d&#x27;une session précédente." in page
    page = client_for("candidate").get(reverse("assessments:results", args=[enrolment.pk])).content.decode()
    assert "<strong>Validé</strong> : bloc capitalisé" in page


def test_pending_is_never_shown_as_failed_on_the_results_page(own, blocks, client_for):
    page = client_for("candidate").get(reverse("assessments:results", args=[own.pk])).content.decode()
    assert page.count("<strong>En cours (preuves manquantes)</strong>") == 3
    assert "Non validé" not in page


def test_the_same_decision_confirmed_twice_on_the_same_results_is_recorded_once(
    own, users, validated_bc01, client_for
):
    do_decide_block(users["assessor"], own, validated_bc01, "validated", "")
    url = reverse("assessments:block_decision", args=[own.pk, validated_bc01.pk])
    response = client_for("assessor").post(url, {"confirmed_status": "validated", "override_reason": ""})
    assert response.status_code == 200
    assert (
        "Cette décision est déjà enregistrée pour ce bloc, sur les mêmes résultats."
        in response.content.decode()
    )
    assert BlockDecision.objects.filter(enrolment=own).count() == 1
    do_decide_block(
        users["assessor"], own, validated_bc01, "not_validated", "Situation observée non conforme."
    )
    assert BlockDecision.objects.filter(enrolment=own).count() == 2
