"""Personas shared by the whole suite: one signed-in client per role of domain.md §1."""

from datetime import date

import pytest
from django.test import Client

from certifier.pathways.models import AssessorAssignment
from certifier.pathways.services import EnrolmentData
from certifier.people.enums import OrganisationKind, Role
from certifier.referential.models import Certification, CertificationVersion
from certifier.referential.services import do_load_referential
from tests.factories import (
    CandidateFactory,
    EmployerFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture
def organisations(db):
    return {
        "ucanss": OrganisationFactory(kind=OrganisationKind.CERTIFIER, name="Ucanss", siret="78462143500048"),
        "cpnefp": OrganisationFactory(kind=OrganisationKind.CPNEFP, name="CPNEFP"),
        "crfp": OrganisationFactory(name="CRFP de Bordeaux"),
        "other_crfp": OrganisationFactory(name="CRFP de Lyon"),
        "employer": EmployerFactory(name="CAF de la Gironde"),
        "other_employer": EmployerFactory(name="CPAM du Rhône", branch="CPAM"),
    }


PERSONA_SCOPES = {
    "national_admin": (Role.NATIONAL_ADMIN, "ucanss"),
    "cpnefp": (Role.CPNEFP, "cpnefp"),
    "crfp_staff": (Role.CRFP_STAFF, "crfp"),
    "employer_hr": (Role.EMPLOYER_HR, "employer"),
    "tutor": (Role.TUTOR, "employer"),
    "manager": (Role.MANAGER, "employer"),
    "assessor": (Role.ASSESSOR, "crfp"),
    "local_jury": (Role.LOCAL_JURY, "crfp"),
    "marker": (Role.MARKER, "ucanss"),
    "national_jury": (Role.NATIONAL_JURY, "cpnefp"),
    "vae_jury": (Role.VAE_JURY, "cpnefp"),
    "candidate": (Role.CANDIDATE, "employer"),
}


@pytest.fixture
def users(organisations):
    people = {}
    for persona, (role, organisation) in PERSONA_SCOPES.items():
        people[persona] = MembershipFactory(
            user__email=f"{persona}@test.example", organisation=organisations[organisation], role=role
        ).user
    people["outsider"] = UserFactory(email="outsider@test.example")
    return people


@pytest.fixture
def client_for(users):
    """`client_for("tutor")` is a client signed in as the tutor persona; "anonymous" is not signed in."""

    def make(persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(users[persona])
        return client

    return make


@pytest.fixture
def referential(db):
    do_load_referential()
    return Certification.objects.get(number="RNCP35729")


@pytest.fixture
def version(referential):
    return CertificationVersion.objects.get(certification=referential, code="rncp")


@pytest.fixture
def enrolments(users, organisations, referential):
    """`own`: at the personas' CRFP and employer, with their tutor, manager, assessor (every block)
    and candidate; `foreign`: at the other CRFP and employer, linked to nobody."""
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
def own(enrolments):
    return enrolments["own"]


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
