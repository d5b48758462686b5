"""Criteria are edited by the national administrator; every change shows in the history."""

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.referential.models import Competence
from certifier.referential.services import do_add_criterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def criterion(referential):
    competence = Competence.objects.get(block__code="RNCP35729BC01", number=1)
    return do_add_criterion(None, competence, "L'offre proposée correspond à la situation.", is_example=True)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("national_admin", 200),
        ("cpnefp", 403),
        ("crfp_staff", 403),
        ("assessor", 403),
        ("candidate", 403),
        ("outsider", 403),
        ("anonymous", 302),
    ],
)
def test_only_the_national_admin_edits_criteria(client_for, criterion, persona, expected):
    assert (
        client_for(persona).get(reverse("referential:criterion_edit", args=[criterion.pk])).status_code
        == expected
    )
    add_url = reverse("referential:criterion_add", args=[criterion.competence_id])
    assert client_for(persona).get(add_url).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("national_admin", 200), ("cpnefp", 200), ("crfp_staff", 403), ("employer_hr", 403), ("anonymous", 302)],
)
def test_history_is_for_the_national_admin_and_the_cpnefp(client_for, referential, persona, expected):
    url = reverse("referential:certification_history", args=["RNCP35729"])
    assert client_for(persona).get(url).status_code == expected


@pytest.mark.parametrize("persona", ["national_admin", "crfp_staff", "candidate", "anonymous"])
def test_the_sheet_is_public(client_for, referential, persona):
    assert (
        client_for(persona).get(reverse("referential:certification_detail", args=["RNCP35729"])).status_code
        == 200
    )


def test_editing_a_criterion_is_shown_in_the_history_with_before_and_after(client_for, criterion, users):
    admin = client_for("national_admin")
    response = admin.post(
        reverse("referential:criterion_edit", args=[criterion.pk]), {"text": "Offre adaptée et argumentée."}
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.text == "Offre adaptée et argumentée."

    page = admin.get(reverse("referential:certification_history", args=["RNCP35729"])).content.decode()
    assert "RNCP35729BC01 compétence 1, critère 1" in page
    assert "L&#x27;offre proposée correspond à la situation." in page
    assert "Offre adaptée et argumentée." in page
    assert str(users["national_admin"]) in page

    event = AuditEvent.objects.get(action=AuditAction.CRITERION_UPDATED)
    assert event.actor == users["national_admin"]
    assert event.before == {"text": "L'offre proposée correspond à la situation."}
    assert event.after == {"text": "Offre adaptée et argumentée."}


def test_an_empty_criterion_is_refused_in_french(client_for, criterion):
    response = client_for("national_admin").post(
        reverse("referential:criterion_edit", args=[criterion.pk]), {"text": "   "}
    )
    page = response.content.decode()
    assert "Saisissez l&#x27;énoncé du critère." in page
    assert 'aria-invalid="true"' in page
    criterion.refresh_from_db()
    assert criterion.text == "L'offre proposée correspond à la situation."


def test_adding_a_criterion_numbers_it_after_the_others(client_for, criterion):
    url = reverse("referential:criterion_add", args=[criterion.competence_id])
    client_for("national_admin").post(url, {"text": "Les droits accessibles sont cités."})
    assert list(criterion.competence.criteria.values_list("position", "is_example")) == [
        (1, True),
        (2, False),
    ]


def test_example_criteria_are_labelled_on_the_sheet(client, criterion):
    page = client.get(reverse("referential:certification_detail", args=["RNCP35729"])).content.decode()
    assert 'L&#x27;offre proposée correspond à la situation. <span class="tag">exemple</span>' in page
