"""The VAE jury's shared test state (D65, D66), built through the services: three holders of the VAE jury
role, a session appointed by the CPNEFP, a valid composition, dossiers submitted by their candidates.
Test modules bind these fixtures by assignment (`jurors = jury_fixtures.jurors`)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certifier.people.enums import Role
from certifier.referential.models import Block
from certifier.vae.applications import (
    do_add_period,
    do_create_application,
    do_decide_admissibility,
    do_file_application,
)
from certifier.vae.dossier import do_name_accompanier, do_submit_dossier, do_write_entry
from certifier.vae.jury import do_add_member, do_appoint_session
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

HELD_ON = date.today() + timedelta(days=30)


@pytest.fixture
def jurors(organisations):
    """Three holders of the VAE jury role at the CPNEFP."""
    people = {}
    for key, first_name, last_name in [
        ("anne", "Anne", "Petit"),
        ("bruno", "Bruno", "Morel"),
        ("chloe", "Chloé", "Faure"),
    ]:
        people[key] = MembershipFactory(
            user__email=f"{key}@test.example",
            user__first_name=first_name,
            user__last_name=last_name,
            organisation=organisations["cpnefp"],
            role=Role.VAE_JURY,
        ).user
    return people


def slot(hour: int, minute: int = 0, day: date = HELD_ON) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def submitted(users, organisations, vae_version, vae_candidate):
    """`submitted(prior_certification=…, obtained_on=…, accompanier=…, other=True)`: an application whose
    dossier is submitted, of Martin Léa (the `candidate` persona) or of another candidate with an account."""

    def make(prior_certification="", obtained_on=None, accompanier="", other=False):
        if other:
            account = UserFactory(first_name="Paul", last_name="Durand")
            candidate = CandidateFactory(
                birth_name="Durand", first_name="Paul", employer=organisations["other_employer"], user=account
            )
        else:
            account, candidate = users["candidate"], vae_candidate
        application = do_create_application(
            account,
            candidate=candidate,
            version=vae_version,
            training_centre=organisations["crfp"],
            prior_certification=prior_certification,
            prior_certification_date=obtained_on,
        )
        today = timezone.localdate()
        do_add_period(
            account,
            application,
            employer_name="CAF de la Gironde",
            job="Technicienne conseil",
            start=today - timedelta(days=4 * 365),
            end=today,
            rate=Decimal("100"),
        )
        do_file_application(account, application)
        do_decide_admissibility(users["national_admin"], application, admissible=True, reason="Recevable.")
        if accompanier:
            do_name_accompanier(account, application, accompanier)
        for block in Block.objects.filter(version=vae_version).prefetch_related("competences"):
            do_write_entry(account, application, block.competences.all()[0], "Mon expérience de ce bloc.")
        return do_submit_dossier(account, application)

    return make


@pytest.fixture
def session(users, vae_version):
    return do_appoint_session(users["cpnefp"], version=vae_version, held_on=HELD_ON, place="Ucanss, Paris")


def seat(users, session, email, *, sex="F", qualified=True, president=False):
    return do_add_member(
        users["cpnefp"],
        session,
        email=email,
        capacity="Professionnelle du métier",
        qualified=qualified,
        sex=sex,
        president=president,
    )


@pytest.fixture
def composed(users, session, jurors):
    """A valid jury: Anne Petit presides, qualified; Bruno Morel sits."""
    seat(users, session, "anne@test.example", president=True)
    seat(users, session, "bruno@test.example", sex="M", qualified=False)
    return session
