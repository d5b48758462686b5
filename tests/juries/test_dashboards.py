"""The juries' dashboards lead to their work: the national jury member to the juries they sit on and
to their open deliberations (D52, D53), the local jury to its sessions' opinions (D51)."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get(reverse("people:home"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_national_jury_member_is_led_to_the_jury_they_sit_on(client_for, national_jury):
    page = home(client_for("national_jury"))
    session = national_jury.session
    assert f'href="{reverse("juries:national_jury", args=[session.pk])}"' in page
    assert f"Jury national du {session.national_jury_date:%d/%m/%Y} : {session}" in page
    assert "Délibération en cours" not in page


def test_a_national_jury_member_is_led_to_the_open_deliberation_to_decide(client_for, deliberation):
    page = home(client_for("national_jury"))
    assert f'href="{reverse("juries:deliberation", args=[deliberation.pk])}"' in page
    assert f"Délibération en cours : {deliberation.jury.session}" in page
    assert (
        client_for("national_jury").get(reverse("juries:deliberation", args=[deliberation.pk])).status_code
        == 200
    )


def test_a_national_jury_member_is_not_led_to_another_jury(
    client_for, make_national_jury, make_session, jury_lists
):
    other = make_national_jury(make_session(), members=jury_lists[2:6])
    page = home(client_for("national_jury"))
    assert reverse("juries:national_jury", args=[other.session.pk]) not in page


def test_a_proclaimed_session_leaves_the_national_jury_members_dashboard(client_for, national_jury):
    session = national_jury.session
    type(session).objects.filter(pk=session.pk).update(proclaimed_at=timezone.now())
    page = home(client_for("national_jury"))
    assert reverse("juries:national_jury", args=[session.pk]) not in page


def test_the_local_jury_is_led_to_its_sessions_opinions(client_for, marks_session):
    page = home(client_for("local_jury"))
    url = reverse("juries:local_opinions", args=[marks_session.pk])
    assert f'href="{url}"' in page and f"Avis du jury local : {marks_session}" in page
    assert client_for("local_jury").get(url).status_code == 200


def test_the_local_jury_is_not_led_to_a_session_without_its_candidates(client_for, make_session):
    other = make_session()
    page = home(client_for("local_jury"))
    assert reverse("juries:local_opinions", args=[other.pk]) not in page
