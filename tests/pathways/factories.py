from datetime import date

import factory
from factory.django import DjangoModelFactory

from certifier.pathways.models import Candidate, Enrolment
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import CertificationVersion
from tests.factories import EmployerFactory, OrganisationFactory


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    birth_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    sex = "F"
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=60)
    birth_insee_code = "33063"
    employer = factory.SubFactory(EmployerFactory)
    employee_number = factory.Sequence(lambda n: f"M{n:06d}")
    pre_recruitment_date = date(2025, 9, 1)


class EnrolmentFactory(DjangoModelFactory):
    """Needs the RNCP35729 referential (the `referential` fixture)."""

    class Meta:
        model = Enrolment

    candidate = factory.SubFactory(CandidateFactory)
    version = factory.LazyFunction(
        lambda: CertificationVersion.objects.get(certification__number="RNCP35729", code="rncp")
    )
    option = factory.LazyAttribute(lambda enrolment: enrolment.version.options.get(code="allocataire"))
    access_route = AccessRouteKind.PROFESSIONAL_CONTRACT
    training_centre = factory.SubFactory(OrganisationFactory)
    start_date = date(2026, 1, 5)
