"""Parallel writes of the same evidence (issue 7 §1.4): each race ends in one row per criterion,
one signature, one decision, and every request answers a page, never a 500."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from certifier.assessments.models import Attestation, BlockDecision, CriterionResult, Observation
from certifier.core.models import AuditEvent

# Real concurrency needs a database whose writers wait for each other: PostgreSQL, or the SQLite file
# of a running server (benchmarks/races_benchmark.py). The suite's in-memory SQLite shares one cache
# between threads and answers "table is locked" at once instead of waiting, whatever the code does.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory test database cannot wait"),
]

BC01 = "RNCP35729BC01"
PARALLEL = 6


def in_parallel(post, count=PARALLEL):
    """`post()` run by `count` threads released together; their status codes."""
    barrier = threading.Barrier(count)
    statuses = []

    def run():
        try:
            barrier.wait()
            statuses.append(post())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def grid(block, validated=True):
    data = {}
    for competence in block.competences.all():
        for criterion in competence.criteria.all():
            data[f"score-{criterion.pk}"] = "validated" if validated else "not_validated"
            data[f"comment-{criterion.pk}"] = ""
    return data


def test_parallel_first_saves_of_a_grid_leave_one_result_per_criterion(own, blocks, observe, client_for):
    block = blocks[BC01]
    observe(own, block)
    url = reverse("assessments:block_assessment", args=[own.pk, block.pk])
    clients = [client_for("assessor") for _ in range(PARALLEL)]
    data = grid(block)
    statuses = in_parallel(lambda: clients.pop().post(url, data).status_code)
    criteria = sum(competence.criteria.count() for competence in block.competences.all())
    assert statuses == [302] * PARALLEL
    assert CriterionResult.objects.filter(enrolment=own).count() == criteria
    assert CriterionResult.history.filter(enrolment=own).count() == criteria
    assert AuditEvent.objects.filter(action="criterion_assessed").count() == criteria


def test_parallel_co_signatures_leave_one_signature_and_answer_a_message(own, blocks, attest, client_for):
    attestation = attest(own, blocks[BC01])
    url = reverse("assessments:attestation_sign", args=[attestation.pk])
    clients = [client_for("manager") for _ in range(PARALLEL)]
    statuses = in_parallel(lambda: clients.pop().post(url).status_code)
    assert statuses == [302] * PARALLEL
    attestation.refresh_from_db()
    assert attestation.counts
    assert Attestation.history.filter(id=attestation.pk).count() == 2
    assert AuditEvent.objects.filter(action="attestation_signed").count() == 1


def test_parallel_confirmations_of_a_decision_record_it_once(own, blocks, observe, score, client_for):
    block = blocks[BC01]
    observe(own, block)
    score(own, block, {number: [True] * 5 for number in range(1, 7)})
    url = reverse("assessments:block_decision", args=[own.pk, block.pk])
    clients = [client_for("assessor") for _ in range(PARALLEL)]
    answers = in_parallel(
        lambda: clients.pop().post(url, {"confirmed_status": "validated", "override_reason": ""})
    )
    assert sorted(answer.status_code for answer in answers) == [200] * (PARALLEL - 1) + [302]
    refused = [answer.content.decode() for answer in answers if answer.status_code == 200]
    assert all("Cette décision est déjà enregistrée pour ce bloc" in page for page in refused)
    assert BlockDecision.objects.filter(enrolment=own, block=block).count() == 1


def test_parallel_submissions_of_an_observation_record_it_once(own, blocks, client_for):
    method = blocks[BC01].methods.exclude(kind="logbook").get()
    url = reverse("assessments:observation_create", args=[own.pk, method.pk])
    form = {
        "observed_on": "2026-03-02",
        "double_listening": "20",
        "interview": "2",
        "letters_emails": "5",
        "questioning_minutes": "15",
    }
    clients = [client_for("assessor") for _ in range(PARALLEL)]
    statuses = in_parallel(lambda: clients.pop().post(url, form).status_code)
    assert sorted(statuses) == [200] * (PARALLEL - 1) + [302]
    assert Observation.objects.filter(enrolment=own).count() == 1


def test_parallel_submissions_of_an_attestation_record_it_once(own, blocks, client_for):
    competence = blocks[BC01].competences.get(number=1)
    url = reverse("assessments:attestation_create", args=[own.pk])
    form = {"competence": competence.pk, "observed_on": "2026-02-10", "situation": "Accueil au guichet."}
    clients = [client_for("tutor") for _ in range(PARALLEL)]
    statuses = in_parallel(lambda: clients.pop().post(url, form).status_code)
    assert sorted(statuses) == [200] * (PARALLEL - 1) + [302]
    assert Attestation.objects.filter(enrolment=own).count() == 1
