"""Evidence dates fall between the candidate's entry into the path and today, and an observation's
figures are plausible (issue 7 §1.11): refused with a French message naming the field."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.assessments.models import Attestation, Observation
from certifier.assessments.services import (
    AttestationData,
    EvidenceRefused,
    ObservationRefused,
    do_record_attestation,
    do_record_observation,
)
from tests.assessments.helpers import assessed_method, observation_data

pytestmark = pytest.mark.django_db

BC01, BC03 = "RNCP35729BC01", "RNCP35729BC03"


def attestation(blocks, day):
    competence = blocks[BC01].competences.get(number=1)
    return AttestationData(competence, day, "Accueil d'un allocataire au guichet.", "")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(1, 1, 1), "Date de la situation : le 01/01/0001 précède l'entrée en parcours du candidat"),
        (date(1990, 6, 1), "Date de la situation : le 01/06/1990 précède l'entrée en parcours du candidat"),
        (date(2028, 1, 3), "Date de la situation : le 03/01/2028 est postérieur à aujourd'hui."),
    ],
)
def test_an_attestation_dated_outside_the_path_is_refused(own, blocks, users, day, message):
    with pytest.raises(EvidenceRefused, match=message) as refused:
        do_record_attestation(users["tutor"], own, attestation(blocks, day))
    assert refused.value.shortfalls[0][0] == "observed_on"
    assert not Attestation.objects.exists()


def test_an_attestation_on_the_first_day_of_the_path_or_today_is_accepted(own, blocks, users):
    for day in (own.start_date, timezone.localdate()):
        do_record_attestation(users["tutor"], own, attestation(blocks, day))
    assert Attestation.objects.count() == 2


def test_the_attestation_form_shows_the_date_refusal_next_to_the_date(own, blocks, client_for):
    competence = blocks[BC01].competences.get(number=1)
    url = reverse("assessments:attestation_create", args=[own.pk])
    form = {"competence": competence.pk, "observed_on": "1990-06-01", "situation": "Accueil au guichet."}
    page = client_for("tutor").post(url, form).content.decode()
    assert "le 01/06/1990 précède l&#x27;entrée en parcours du candidat, le 05/01/2026." in page
    assert 'aria-invalid="true"' in page.split('name="observed_on"')[1].split(">")[0]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2025, 12, 31), "Date de l'épreuve : le 31/12/2025 précède l'entrée en parcours du candidat"),
        (date(2028, 3, 2), "Date de l'épreuve : le 02/03/2028 est postérieur à aujourd'hui."),
    ],
)
def test_an_observation_dated_outside_the_path_is_refused(own, blocks, users, day, message):
    block = blocks[BC01]
    with pytest.raises(ObservationRefused, match=message):
        do_record_observation(
            users["assessor"], own, assessed_method(block), observation_data(block, observed_on=day)
        )
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("code", "overrides", "field", "message"),
    [
        (
            BC01,
            {"questioning_minutes": 600},
            "questioning_minutes",
            "Durée du questionnement : 10 h n'est pas plausible pour une épreuve, au plus 1 h 30.",
        ),
        (
            BC01,
            {"situations": {"double_listening": 20, "interview": 101, "letters_emails": 5}},
            "interview",
            "Entretiens (nombre) : 101 n'est pas plausible pour une épreuve, au plus 100.",
        ),
        (
            BC01,
            {"situations": {"double_listening": 481, "interview": 2, "letters_emails": 5}},
            "double_listening",
            "Double écoute (durée observée) : 8 h 01 n'est pas plausible pour une épreuve, au plus 8 h.",
        ),
        (
            BC03,
            {"observation_minutes": 2000},
            "observation_minutes",
            "Durée de l'observation : 33 h 20 n'est pas plausible pour une épreuve, au plus 8 h.",
        ),
        (
            BC03,
            {"observation_minutes": -90},
            "observation_minutes",
            "Durée de l'observation : une durée ne peut pas être négative.",
        ),
    ],
)
def test_implausible_figures_are_refused_naming_the_field(
    own, blocks, users, code, overrides, field, message
):
    block = blocks[code]
    data = observation_data(block, **overrides)
    with pytest.raises(ObservationRefused) as refused:
        do_record_observation(users["assessor"], own, assessed_method(block), data)
    assert refused.value.shortfalls == [(field, message)]
    assert not Observation.objects.exists()


def test_the_bounds_themselves_are_accepted(own, blocks, users):
    block = blocks[BC01]
    data = observation_data(
        block,
        situations={"double_listening": 480, "interview": 100, "letters_emails": 100},
        questioning_minutes=90,
        observed_on=timezone.localdate() - timedelta(days=1),
    )
    do_record_observation(users["assessor"], own, assessed_method(block), data)
    assert Observation.objects.count() == 1


def test_the_observation_form_shows_600_minutes_of_questioning_next_to_the_field(own, blocks, client_for):
    method = assessed_method(blocks[BC01])
    url = reverse("assessments:observation_create", args=[own.pk, method.pk])
    form = {
        "observed_on": "2026-03-02",
        "double_listening": "20",
        "interview": "2",
        "letters_emails": "5",
        "questioning_minutes": "600",
    }
    page = client_for("assessor").post(url, form).content.decode()
    assert "Durée du questionnement : 10 h n&#x27;est pas plausible pour une épreuve, au plus 1 h 30." in page
    assert 'aria-invalid="true"' in page.split('name="questioning_minutes"')[1].split(">")[0]
    assert not Observation.objects.exists()
