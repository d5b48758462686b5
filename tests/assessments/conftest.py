"""Fixtures of the evidence tests: example criteria for every competence, one enrolment in the
personas' scope (their tutor, manager, assessor and candidate) and one outside it, and helpers
that record a valid observation and score criteria through the services."""

from datetime import date

import pytest

from certifier.assessments.services import (
    AttestationData,
    CriterionScore,
    do_record_attestation,
    do_record_observation,
    do_score_criteria,
)
from certifier.referential.models import Block
from certifier.referential.services import do_add_criterion
from tests.assessments.helpers import assessed_method, observation_data

# Criteria per competence: five for BC01 competence 1 (so that 4 of 5 can be tested), two elsewhere.
CRITERIA = {("RNCP35729BC01", 1): 5}


@pytest.fixture
def blocks(version):
    """Block code → block, with criteria added to every competence."""
    found = {block.code: block for block in Block.objects.filter(version=version)}
    for block in found.values():
        for competence in block.competences.all():
            for position in range(1, CRITERIA.get((block.code, competence.number), 2) + 1):
                do_add_criterion(None, competence, f"Critère d'exemple {competence.number}.{position}")
    return found


@pytest.fixture
def enrolments(enrolments, blocks):
    """The personas' enrolments (tests/conftest.py), once every competence has criteria."""
    return enrolments


@pytest.fixture
def observe(users):
    """`observe(enrolment, block)`: the assessor records a valid observation of the block."""

    def record(enrolment, block, assessor=None):
        actor = assessor or users["assessor"]
        return do_record_observation(actor, enrolment, assessed_method(block), observation_data(block))

    return record


@pytest.fixture
def score(users):
    """`score(enrolment, block, {1: [True, True, False], 2: [True]})`: the assessor scores the first
    criteria of each competence given, in order (the others stay not assessed)."""

    def record(enrolment, block, results, comment=""):
        scores = {}
        for competence in block.competences.all():
            for criterion, validated in zip(
                competence.criteria.order_by("position"), results.get(competence.number, []), strict=False
            ):
                scores[criterion] = CriterionScore(validated, comment)
        return do_score_criteria(users["assessor"], enrolment, block, scores)

    return record


@pytest.fixture
def attest(users):
    """`attest(enrolment, block, number)`: the tutor records and signs an attestation."""

    def record(enrolment, block, number=1, actor=None):
        competence = block.competences.get(number=number)
        data = AttestationData(competence, date(2026, 2, 10), "Accueil d'un allocataire au guichet.", "")
        return do_record_attestation(actor or users["tutor"], enrolment, data)

    return record
