"""The writes of an assessment cost a bounded number of queries, whatever the grid's size
(issue 7 §2: 59 queries for a first grid save of 15 criteria at commit 2c1ccd1, 17 now)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifier.assessments.models import BlockDecision, CriterionResult
from certifier.core.models import AuditEvent
from certifier.referential.services import do_add_criterion
from tests.assessments.test_races import grid

pytestmark = pytest.mark.django_db

BC01 = "RNCP35729BC01"
GRID_SAVE_QUERIES = 17
DECISION_QUERIES = 18


@pytest.fixture
def observed(own, blocks, observe):
    observe(own, blocks[BC01])
    return blocks[BC01]


def save_grid(client, own, block, validated=True):
    url = reverse("assessments:block_assessment", args=[own.pk, block.pk])
    data = grid(block, validated)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302
    return len(queries)


def test_a_first_grid_save_costs_the_same_few_queries_for_15_or_39_criteria(own, observed, client_for):
    client = client_for("assessor")
    client.get("/")
    small = save_grid(client, own, observed)
    assert CriterionResult.objects.filter(enrolment=own).count() == 15
    for competence in observed.competences.all():
        for position in range(4):
            do_add_criterion(None, competence, f"Critère supplémentaire {position}")
    CriterionResult.objects.all().delete()
    large = save_grid(client, own, observed)
    assert CriterionResult.objects.filter(enrolment=own).count() == 39
    assert small == large <= GRID_SAVE_QUERIES
    results = {str(pk) for pk in CriterionResult.objects.values_list("pk", flat=True)}
    audited = AuditEvent.objects.filter(action="criterion_assessed").values_list("object_id", flat=True)
    assert results <= set(audited)


def test_a_second_grid_save_updates_in_place_with_the_same_bound(
    own, observed, client_for, django_assert_max_num_queries
):
    client = client_for("assessor")
    client.get("/")
    save_grid(client, own, observed)
    url = reverse("assessments:block_assessment", args=[own.pk, observed.pk])
    data = grid(observed, validated=False)
    with django_assert_max_num_queries(GRID_SAVE_QUERIES):
        client.post(url, data)
    assert not CriterionResult.objects.filter(enrolment=own, validated=True).exists()
    assert CriterionResult.history.filter(enrolment=own).count() == 30
    assert AuditEvent.objects.filter(action="criterion_assessed").count() == 30


def test_a_decision_confirmation_costs_a_bounded_number_of_queries(
    own, observed, score, client_for, django_assert_max_num_queries
):
    score(own, observed, {number: [True] * 5 for number in range(1, 7)})
    client = client_for("assessor")
    client.get("/")
    url = reverse("assessments:block_decision", args=[own.pk, observed.pk])
    with django_assert_max_num_queries(DECISION_QUERIES):
        response = client.post(url, {"confirmed_status": "validated", "override_reason": ""})
    assert response.status_code == 302
    assert BlockDecision.objects.get(enrolment=own).confirmed_status == "validated"
