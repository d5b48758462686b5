import factory
from factory.django import DjangoModelFactory

from certifier.people.enums import Branch, OrganisationKind
from certifier.people.models import Membership, Organisation, User
from certifier.people.rules import siret_error


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
