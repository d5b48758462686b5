"""The VAE fixtures, built through the services: Martin Léa (the `candidate` persona) applies for RNCP35729 at
the personas' CRFP, funded by her employer, with five years of full-time experience."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certifier.vae.applications import (
    do_add_period,
    do_create_application,
    do_decide_admissibility,
    do_file_application,
)


@pytest.fixture
def vae_version(version):
    """RNCP35729's blocks scheme, open to VAE."""
    return version


@pytest.fixture
def vae_candidate(enrolments):
    """Martin Léa, the `candidate` persona's Candidate, at organisations["employer"]."""
    return enrolments["own"].candidate


@pytest.fixture
def draft_application(users, organisations, vae_version, vae_candidate):
    """Created by the candidate for herself: three years full time at her employer, then two years before
    at another one (five years in full-time equivalent, in the eight years before today)."""
    actor = users["candidate"]
    application = do_create_application(
        actor,
        candidate=vae_candidate,
        version=vae_version,
        training_centre=organisations["crfp"],
        funder=organisations["employer"],
    )
    today = timezone.localdate()
    do_add_period(
        actor,
        application,
        employer_name="CAF de la Gironde",
        job="Technicienne conseil",
        start=today - timedelta(days=3 * 365 - 1),
        end=today,
        rate=Decimal("100"),
    )
    do_add_period(
        actor,
        application,
        employer_name="CPAM de la Gironde",
        job="Conseillère offre de services",
        start=today - timedelta(days=5 * 365 - 1),
        end=today - timedelta(days=3 * 365),
        rate=Decimal("100"),
    )
    return application


@pytest.fixture
def filed_application(users, draft_application):
    return do_file_application(users["candidate"], draft_application)


@pytest.fixture
def admissible_application(users, filed_application):
    return do_decide_admissibility(
        users["national_admin"],
        filed_application,
        admissible=True,
        reason="Expérience de cinq ans en équivalent temps plein sur des emplois visés par le CQP.",
    )
