"""National administrators read the audit log, filtered by object, author, action and date (issue 7 §1.9)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.people.services import do_update_organisation
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

LOG = reverse("people:audit_log")


@pytest.fixture
def events(users, organisations):
    do_update_organisation(users["national_admin"], organisations["employer"], {"city": "Talence"})
    do_update_organisation(users["national_admin"], organisations["other_employer"], {"city": "Villeurbanne"})
    old = do_update_organisation(None, organisations["crfp"], {"city": "Mérignac"})
    AuditEvent.objects.filter(object_id=str(old.pk)).update(at=timezone.now() - timedelta(days=40))
    return AuditEvent.objects.order_by("id")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_national_administrators_read_the_audit_log(client_for, persona, events):
    expected = {"national_admin": 200, "anonymous": 302}.get(persona, 403)
    assert client_for(persona).get(LOG).status_code == expected


def test_the_log_shows_who_when_and_before_after(client_for, events, organisations):
    page = client_for("national_admin").get(LOG).content.decode()
    assert "national_admin@test.example" in page
    assert "Modification d&#x27;une organisation" in page
    assert "Talence" in page and "Villeurbanne" in page
    assert "Système (import ou chargement)" in page


@pytest.mark.parametrize(
    ("query", "cities"),
    [
        ({"actor": "national_admin@"}, {"Talence", "Villeurbanne"}),
        ({"object_type": "people.Organisation", "object_id": "{employer}"}, {"Talence"}),
        ({"action": AuditAction.ORGANISATION_UPDATED, "since": "{today}"}, {"Talence", "Villeurbanne"}),
        ({"until": "{long_ago}"}, {"Mérignac"}),
        ({"action": AuditAction.BLOCK_DECISION_CONFIRMED}, set()),
    ],
)
def test_the_log_is_filtered(client_for, events, organisations, query, cities):
    values = {
        "employer": organisations["employer"].pk,
        "today": timezone.localdate().isoformat(),
        "long_ago": (timezone.localdate() - timedelta(days=30)).isoformat(),
    }
    response = client_for("national_admin").get(LOG, {k: v.format(**values) for k, v in query.items()})
    shown = {event.after["city"] for event, _, _ in response.context["rows"]}
    assert shown == cities


def test_a_reversed_date_range_is_refused_in_french(client_for, events):
    response = client_for("national_admin").get(LOG, {"since": "2026-05-01", "until": "2026-04-01"})
    assert "La date de fin doit suivre la date de début." in response.content.decode()
    assert list(response.context["rows"]) == []


def test_the_log_page_costs_a_bounded_number_of_queries(client_for, events, django_assert_max_num_queries):
    client = client_for("national_admin")
    client.get(LOG)
    with django_assert_max_num_queries(8):
        client.get(LOG)


def test_changes_read_in_french_with_field_names_dates_yes_no_and_choices(client_for, users, organisations):
    organisation = organisations["employer"]
    record_event(
        AuditAction.ORGANISATION_UPDATED,
        organisation,
        actor=users["national_admin"],
        before={"branch": "CAF", "staff_size": None},
        after={"branch": "CPAM", "staff_size": 120},
    )
    record_event(
        AuditAction.ATTESTATION_SIGNED,
        organisation,
        actor=users["national_admin"],
        after={"signed": True, "observed_on": "2026-03-10", "manager_signed_at": "2026-12-01T01:29:34.855Z"},
    )
    response = client_for("national_admin").get(LOG)
    shown = {
        (change.field, change.before, change.after)
        for _, _, found in response.context["rows"]
        for change in found
    }
    assert ("branche", "CAF", "CPAM") in shown
    assert ("effectif", "—", "120") in shown
    assert ("signed", "—", "oui") in shown
    assert ("observed on", "—", "10/03/2026") in shown
    assert ("manager signed at", "—", "01/12/2026 02:29") in shown
