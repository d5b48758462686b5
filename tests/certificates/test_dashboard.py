"""The home page tells the national administrator which holders are still to declare to the CPF as
the three-month limit nears or passes, and which passages the CDC rejected (D62)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.certificates import cpf
from certifier.certificates.models import CpfPassage, PassageState
from tests.certificates.test_cpf import certify, released_deliberation

pytestmark = pytest.mark.django_db


def test_the_national_administrator_sees_holders_late_approaching_and_rejected(
    client, users, version, referential
):
    admin = users["national_admin"]
    today = timezone.localdate()
    certify(released_deliberation(version, admin, cpf.months_before(today, 3)), admin)
    certify(released_deliberation(version, admin, cpf.months_before(today, 2)), admin)
    rejected = certify(released_deliberation(version, admin, today), admin)
    cpf.write_flux(admin)
    CpfPassage.objects.filter(certificate=rejected).update(state=PassageState.REJECTED, message="Code INSEE")
    client.force_login(admin)
    page = client.get(reverse("people:home")).text
    assert "titulaire non déclaré dans les trois mois : à déclarer sans attendre" in page
    assert "titulaire à déclarer : délai de trois mois proche" in page
    assert "passage rejeté par la Caisse des Dépôts : à corriger" in page
    assert reverse("certificates:cpf") in page


@pytest.mark.parametrize("persona", ["crfp_staff", "employer_hr", "candidate", "outsider"])
def test_no_one_else_sees_the_cpf_declaration(client, users, persona):
    client.force_login(users[persona])
    assert reverse("certificates:cpf") not in client.get(reverse("people:home")).text


def test_the_candidate_is_led_to_their_certificates(client, users):
    client.force_login(users["candidate"])
    assert reverse("certificates:mine") in client.get(reverse("people:home")).text
