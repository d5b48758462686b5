from datetime import date

import factory
from factory.django import DjangoModelFactory

from certifier.pathways.models import Candidate, Enrolment
from certifier.people.enums import Branch, OrganisationKind
from certifier.people.models import Membership, Organisation, User
from certifier.people.rules import siret_error
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import CertificationVersion


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.TRAINING_CENTRE
    name = factory.Sequence(lambda n: f"CRFP de test {n}")
    region = factory.Faker("region", locale="fr_FR")
    city = factory.Faker("city", locale="fr_FR")


class EmployerFactory(OrganisationFactory):
    kind = OrganisationKind.EMPLOYER
    name = factory.Sequence(lambda n: f"CAF de test {n}")
    branch = Branch.CAF
    siret = factory.Sequence(lambda n: _valid_siret(f"{123456780000 + n:013d}"))
    staff_size = 500


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@test.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-test")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "crfp_staff"


def _valid_siret(first13: str) -> str:
    """Append the Luhn check digit to 13 digits."""
    return next(first13 + str(d) for d in range(10) if siret_error(first13 + str(d)) is None)


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
