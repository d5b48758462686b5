"""Fixtures of the pathways tests: the training paths, one enrolment in the personas' scope and
one outside it, and the values of a valid new enrolment."""

from datetime import date

import pytest

from certifier.pathways.services import EnrolmentData, do_load_training_paths


@pytest.fixture
def paths(referential):
    do_load_training_paths()


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
