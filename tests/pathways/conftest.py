"""Fixtures of the pathways tests: the training paths, one enrolment in the personas' scope and
one outside it, and the values of a valid new enrolment."""

from datetime import date

import pytest

from certifier.pathways.models import AssessorAssignment
from certifier.pathways.services import EnrolmentData, do_load_training_paths
from certifier.referential.models import CertificationVersion
from tests.pathways.factories import CandidateFactory, EnrolmentFactory


@pytest.fixture
def paths(referential):
    do_load_training_paths()


@pytest.fixture
def version(referential):
    return CertificationVersion.objects.get(certification=referential, code="rncp")


@pytest.fixture
def enrolments(users, organisations, referential):
    """`own`: at the personas' CRFP and employer, with their tutor, manager, assessor and candidate;
    `foreign`: at the other CRFP and employer, linked to nobody."""
    own = EnrolmentFactory(
        candidate=CandidateFactory(
            birth_name="Martin",
            first_name="Léa",
            birth_date=date(1994, 3, 12),
            employer=organisations["employer"],
            user=users["candidate"],
        ),
        training_centre=organisations["crfp"],
        tutor=users["tutor"],
        manager=users["manager"],
    )
    AssessorAssignment.objects.create(enrolment=own, assessor=users["assessor"])
    foreign = EnrolmentFactory(
        candidate=CandidateFactory(
            birth_name="Durand", first_name="Paul", employer=organisations["other_employer"]
        ),
        training_centre=organisations["other_crfp"],
    )
    return {"own": own, "foreign": foreign}


@pytest.fixture
def make_data(organisations, version):
    """`make_data(first_name="Zoé")`: the values of a valid new enrolment, with overrides."""

    def make(**overrides) -> EnrolmentData:
        values = {
            "birth_name": "Lefèvre",
            "usage_name": "",
            "first_name": "Éloïse",
            "other_first_names": "Marie",
            "sex": "F",
            "birth_date": date(1998, 4, 2),
            "birth_insee_code": "33063",
            "email": "eloise.lefevre@test.example",
            "employer": organisations["employer"],
            "employee_number": "A1001",
            "post": "Technicienne conseil",
            "pre_recruitment_date": date(2025, 9, 1),
            "version": version,
            "option": version.options.get(code="allocataire"),
            "access_route": "professional_contract",
            "training_centre": organisations["crfp"],
            "tutor_email": "",
            "manager_email": "",
            "start_date": date(2026, 1, 5),
        }
        return EnrolmentData(**(values | overrides))

    return make
