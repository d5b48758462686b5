"""Observed situations (D11–D13), criterion scoring and the engine's live proposal (D14–D17)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifier.assessments.models import CriterionResult, Observation
from certifier.assessments.services import (
    CriterionScore,
    ObservationRefused,
    do_record_observation,
    do_score_criteria,
)
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.pathways.models import AssessorAssignment
from certifier.referential.services import do_add_criterion
from tests.assessments.helpers import assessed_method, observation_data

pytestmark = pytest.mark.django_db

BC01, BC02, BC03 = "RNCP35729BC01", "RNCP35729BC02", "RNCP35729BC03"
ALL_CRITERIA_OF_BC01 = {
    1: [True] * 5,
    2: [True, True],
    3: [True, True],
    4: [True, True],
    5: [True, True],
    6: [True, True],
}


def refusal(own, block, users, **overrides):
    with pytest.raises(ObservationRefused) as refused:
        do_record_observation(
            users["assessor"], own, assessed_method(block), observation_data(block, **overrides)
        )
    return [message for _, message in refused.value.shortfalls]


def test_the_worked_refusals_of_d11_to_d13(own, blocks, users):
    bc01, bc02, bc03 = blocks[BC01], blocks[BC02], blocks[BC03]
    situations = {"double_listening": 20, "interview": 2, "letters_emails": 5}
    assert refusal(own, bc01, users, situations=situations | {"double_listening": 15}) == [
        "Double écoute : 15 minutes observées, il en faut au moins 20."
    ]
    assert refusal(own, bc01, users, situations=situations | {"letters_emails": 4}) == [
        "Courriers/courriels : 4 traités, il en faut au moins 5."
    ]
    assert refusal(own, bc02, users, competences_covered=[bc02.competences.get(number=3)]) == [
        "Présentation : 1 compétence du bloc abordée, il en faut au moins 2."
    ]
    assert refusal(own, bc03, users, observation_minutes=80) == [
        "Observation : 1 h 20 observée, il faut au moins 1 h 30."
    ]
    assert not Observation.objects.exists()


def test_a_presentation_covering_a_competence_of_another_block_does_not_count_it(own, blocks, users):
    bc02 = blocks[BC02]
    other = blocks[BC01].competences.get(number=1)
    assert refusal(own, bc02, users, competences_covered=[bc02.competences.get(number=1), other]) == [
        "Présentation : 1 compétence du bloc abordée, il en faut au moins 2."
    ]


def test_a_valid_observation_is_recorded_with_its_situations(own, blocks, observe):
    observation = observe(own, blocks[BC01])
    assert observation.situations == [
        {"kind": "double_listening", "minutes": 20},
        {"kind": "interview", "count": 2},
        {"kind": "letters_emails", "count": 5},
    ]
    assert observation.situation_lines() == [
        ("Double écoute", "20 minutes"),
        ("Entretiens", "2"),
        ("Courriers/courriels", "5"),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.OBSERVATION_RECORDED).count() == 1


def test_the_observation_page_refuses_an_invalid_record_saying_exactly_why(own, blocks, client_for):
    method = assessed_method(blocks[BC01])
    url = reverse("assessments:observation_create", args=[own.pk, method.pk])
    form = {
        "observed_on": "2026-03-02",
        "double_listening": "15",
        "interview": "2",
        "letters_emails": "5",
        "questioning_minutes": "15",
    }
    response = client_for("assessor").post(url, form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Erreur : Double écoute : 15 minutes observées, il en faut au moins 20." in page
    field = page.split('name="double_listening"')[1].split(">")[0]
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_double_listening-erreur"' in field
    assert not Observation.objects.exists()
    response = client_for("assessor").post(url, form | {"double_listening": "20"})
    assert response.status_code == 302
    assert Observation.objects.count() == 1


def test_the_presentation_form_offers_the_competences_of_the_block_as_check_boxes(own, blocks, client_for):
    method = assessed_method(blocks[BC02])
    page = (
        client_for("assessor")
        .get(reverse("assessments:observation_create", args=[own.pk, method.pk]))
        .content.decode()
    )
    assert "<legend>Compétences du bloc abordées dans la présentation</legend>" in page
    assert page.count('type="checkbox" name="competences_covered"') == 5


def test_criteria_are_scored_only_after_a_valid_observation_of_the_block(own, blocks, score, observe):
    with pytest.raises(DomainError, match="observation conforme"):
        score(own, blocks[BC01], {1: [True]})
    observe(own, blocks[BC01])
    assert score(own, blocks[BC01], {1: [True]}) == 1


def test_only_an_assessor_assigned_to_the_block_scores_it(own, blocks, users, observe):
    AssessorAssignment.objects.filter(enrolment=own).update(block=blocks[BC02])
    with pytest.raises(NotAllowed, match="évaluateur affecté"):
        observe(own, blocks[BC01])
    observe(own, blocks[BC02])
    criterion = blocks[BC02].competences.first().criteria.first()
    with pytest.raises(NotAllowed):
        do_score_criteria(users["crfp_staff"], own, blocks[BC02], {criterion: CriterionScore(True, "")})


def test_a_competence_with_four_of_five_criteria_validated_is_acquired(
    own, blocks, observe, score, client_for
):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [True, True, True, True, False]})
    page = (
        client_for("assessor")
        .get(reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk]))
        .content.decode()
    )
    row = page.split("1. Proposer l&#x27;offre de service")[1].split("</tr>")[0]
    assert "4 sur 5" in row
    assert "Acquise" in row


def test_a_partly_scored_competence_is_pending_not_failed(own, blocks, observe, score, client_for):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [False, False]})
    page = (
        client_for("assessor")
        .get(reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk]))
        .content.decode()
    )
    row = page.split("1. Proposer l&#x27;offre de service")[1].split("</tr>")[0]
    assert "0 sur 5 (3 non évalués)" in row
    assert "En cours (critères non tous évalués)" in row
    assert "Non acquise" not in row
    assert "<strong>Bloc RNCP35729BC01 : En cours (preuves manquantes)</strong>" in page


def test_five_of_six_competences_validate_bc01_with_the_engine_explanation(
    own, blocks, observe, score, client_for
):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], ALL_CRITERIA_OF_BC01 | {6: [False, False]})
    page = (
        client_for("assessor")
        .get(reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk]))
        .content.decode()
    )
    assert "<strong>Bloc RNCP35729BC01 : Validé</strong>" in page
    assert "Bloc RNCP35729BC01 validé : 5 compétences acquises sur 6, il en faut au moins 5 (80 %)." in page


def test_four_of_six_competences_do_not_validate_bc01(own, blocks, observe, score, client_for):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], ALL_CRITERIA_OF_BC01 | {5: [False, False], 6: [False, False]})
    page = (
        client_for("assessor")
        .get(reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk]))
        .content.decode()
    )
    assert "<strong>Bloc RNCP35729BC01 : Non validé</strong>" in page
    assert "4 compétences acquises sur 6, il en faut au moins 5 (80 %)" in page


def test_a_score_is_updated_in_place_with_its_history_and_an_audit_event(own, blocks, users, observe, score):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [True]})
    score(own, blocks[BC01], {1: [False]}, comment="Argumentaire incomplet.")
    result = CriterionResult.objects.get()
    assert (result.validated, result.comment) == (False, "Argumentaire incomplet.")
    assert [(h.validated, h.comment) for h in result.history.order_by("history_id")] == [
        (True, ""),
        (False, "Argumentaire incomplet."),
    ]
    assert result.history.latest().history_user == users["assessor"]
    event = AuditEvent.objects.filter(action=AuditAction.CRITERION_ASSESSED).order_by("id").last()
    assert event.before == {"validated": True, "comment": ""}
    assert event.after == {"validated": False, "comment": "Argumentaire incomplet."}


def test_an_unchanged_score_writes_nothing(own, blocks, observe, score):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [True]})
    assert score(own, blocks[BC01], {1: [True]}) == 0
    assert CriterionResult.history.count() == 1


def test_the_grid_saves_without_javascript_and_shows_the_proposal_again(own, blocks, observe, client_for):
    observe(own, blocks[BC01])
    url = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    assessor = client_for("assessor")
    page = assessor.get(url).content.decode()
    assert page.count("checked> Non évalué") == 15  # every criterion starts « Non évalué »
    assert (
        "<legend>Compétence 1 : Proposer l&#x27;offre de service adaptée à la situation de l&#x27;usager</legend>"
        in page
    )
    criteria = [c for competence in blocks[BC01].competences.all() for c in competence.criteria.all()]
    form = {f"score-{criterion.pk}": "validated" for criterion in criteria}
    form[f"comment-{criteria[0].pk}"] = "Très bon argumentaire."
    response = assessor.post(url, form, follow=True)
    page = response.content.decode()
    assert "Grille enregistrée : 15 critères mis à jour." in page
    assert "<strong>Bloc RNCP35729BC01 : Validé</strong>" in page
    assert 'role="status" aria-live="polite"' in page
    assert "Non évalué" not in page.split("data-live-scoring")[1].split("</form>")[0]


def test_the_grid_says_how_many_criteria_changed_in_plain_french(own, blocks, observe, client_for):
    observe(own, blocks[BC01])
    url = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    criterion = blocks[BC01].competences.get(number=1).criteria.first()
    assessor = client_for("assessor")
    form = {f"score-{criterion.pk}": "validated"}
    assert (
        "Grille enregistrée : 1 critère mis à jour." in assessor.post(url, form, follow=True).content.decode()
    )
    assert "Grille enregistrée : aucun changement." in assessor.post(url, form, follow=True).content.decode()


def test_a_comment_needs_a_score(own, blocks, observe, client_for):
    observe(own, blocks[BC01])
    criterion = blocks[BC01].competences.first().criteria.first()
    url = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    response = client_for("assessor").post(url, {f"comment-{criterion.pk}": "Un commentaire"})
    assert (
        "Choisissez « Validé » ou « Non validé » avant de commenter ce critère." in response.content.decode()
    )
    assert not CriterionResult.objects.exists()


def test_the_grid_page_makes_as_many_queries_whatever_the_number_of_criteria(
    own, blocks, observe, score, client_for
):
    observe(own, blocks[BC01])
    score(own, blocks[BC01], {1: [True]})
    client = client_for("assessor")
    url = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for competence in blocks[BC01].competences.all():
        for position in range(4):
            do_add_criterion(None, competence, f"Critère supplémentaire {position}")
    score(own, blocks[BC01], {number: [True] * 9 for number in range(1, 7)})
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_an_observation_submitted_twice_is_recorded_once(own, blocks, observe):
    observe(own, blocks[BC01])
    with pytest.raises(DomainError, match="déjà enregistrée à cette date"):
        observe(own, blocks[BC01])
    assert Observation.objects.filter(enrolment=own).count() == 1


def test_a_live_save_keeps_no_message_for_the_next_page(own, blocks, observe, client_for):
    """Each change saved by the page's script shows its result in place: the messages do not pile up."""
    observe(own, blocks[BC01])
    url = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    assessor = client_for("assessor")
    criteria = [c for competence in blocks[BC01].competences.all() for c in competence.criteria.all()]
    for criterion in criteria[:3]:
        assessor.post(url, {f"score-{criterion.pk}": "validated"}, headers={"X-Live-Save": "1"})
    assert "Grille enregistrée" not in assessor.get(url).content.decode()


def test_the_decision_form_starts_on_the_engines_proposal(own, blocks, observe, score, client_for):
    observe(own, blocks[BC01])
    url = reverse("assessments:block_assessment", args=[own.pk, blocks[BC01].pk])
    assert 'value="validated" checked' not in client_for("assessor").get(url).content.decode()  # pending
    score(own, blocks[BC01], {number: [True] * 5 for number in range(1, 7)})
    form = client_for("assessor").get(url).context["decision_form"]
    assert form.initial == {"confirmed_status": "validated"}
