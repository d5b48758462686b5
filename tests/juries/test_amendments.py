"""D56: after proclamation a correction is an amendment: a new deliberation of the same jury referencing
the original, with its reason and its own signed minutes; signing them puts its decisions in force and
tells the certificates app; the original and its minutes stay readable and unchanged."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction, JobStatus
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.juries.amendments import do_open_amendment
from certifier.juries.deliberation import decisions_in_force, do_decide
from certifier.juries.minutes import do_sign_minutes
from certifier.juries.models import Deliberation, JuryDecision, JuryStatus, Minutes
from certifier.juries.signals import decision_amended
from certifier.juries.sitting import do_record_attendance
from tests.exams.conftest import registration_of
from tests.exams.test_documents import pdf_text
from tests.personas import PERSONAS

from .minutes_fixtures import sign

pytestmark = pytest.mark.django_db

REASON = "Erreur matérielle : la note d'oral de M. Durand était mal reportée."


def amend(users, proclaimed, reason=REASON):
    amendment = do_open_amendment(users["national_admin"], proclaimed.jury.session, reason)
    do_record_attendance(users["national_admin"], amendment, proclaimed.jury.members.all())
    return amendment


def correct(users, amendment, name="Durand"):
    return do_decide(
        users["national_jury"],
        amendment,
        registration_of(amendment.jury.session, name),
        JuryStatus.NOT_CERTIFIED,
        {},
        "Note d'oral corrigée : 4 au lieu de 14.",
        6,
        0,
        2,
        "",
        False,
    )


@pytest.fixture
def received():
    """The `decision_amended` events the certificates app would receive."""
    events = []

    def listen(sender, old, new, **kwargs):
        events.append((old, new))

    decision_amended.connect(listen)
    yield events
    decision_amended.disconnect(listen)


# opening


def test_the_national_administrator_opens_an_amendment_of_the_same_jury_audited(users, proclaimed):
    amendment = do_open_amendment(users["national_admin"], proclaimed.jury.session, f"  {REASON} ")
    assert (amendment.amends, amendment.jury, amendment.reason) == (proclaimed, proclaimed.jury, REASON)
    assert amendment.held_on == timezone.localdate()
    event = AuditEvent.objects.get(action=AuditAction.AMENDMENT_OPENED)
    assert (event.actor, event.after["amends"], event.after["reason"]) == (
        users["national_admin"],
        proclaimed.pk,
        REASON,
    )


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"national_admin", "anonymous"}))
def test_only_the_national_administrator_opens_an_amendment(users, proclaimed, persona):
    with pytest.raises(NotAllowed):
        do_open_amendment(users[persona], proclaimed.jury.session, REASON)
    assert not Deliberation.objects.filter(amends__isnull=False).exists()


def test_no_amendment_before_the_proclamation(users, decided):
    with pytest.raises(DomainError, match="ne sont pas proclamés"):
        do_open_amendment(users["national_admin"], decided.jury.session, REASON)


def test_an_amendment_states_its_reason(users, proclaimed):
    with pytest.raises(DomainError, match="Énoncez le motif"):
        do_open_amendment(users["national_admin"], proclaimed.jury.session, "   ")


def test_one_amendment_at_a_time(users, proclaimed):
    amend(users, proclaimed)
    with pytest.raises(DomainError, match="déjà ouvert"):
        do_open_amendment(users["national_admin"], proclaimed.jury.session, REASON)
    assert Deliberation.objects.filter(amends=proclaimed).count() == 1


# signing


def test_signing_an_amendment_puts_its_decisions_in_force_and_tells_the_certificates_app_on_commit(
    users, proclaimed, received, django_capture_on_commit_callbacks
):
    durand = registration_of(proclaimed.jury.session, "Durand")
    original = JuryDecision.objects.get(deliberation=proclaimed, registration=durand)
    amendment = amend(users, proclaimed)
    amended = correct(users, amendment)
    assert received == []  # nothing told while the amendment is being deliberated
    job = sign(users["national_admin"], amendment, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.outcome
    assert decisions_in_force([durand])[durand.pk] == amended
    assert received == [(original, amended)]


def test_the_original_and_its_minutes_stay_readable_and_unchanged(
    users, client_for, proclaimed, django_capture_on_commit_callbacks
):
    original_minutes = Minutes.objects.get(deliberation=proclaimed)
    original_content = original_minutes.file.read()
    session = proclaimed.jury.session
    proclaimed_at, released_at = session.proclaimed_at, session.released_at
    before = list(JuryDecision.objects.filter(deliberation=proclaimed).values())
    amendment = amend(users, proclaimed)
    correct(users, amendment)
    sign(users["national_admin"], amendment, django_capture_on_commit_callbacks)
    assert list(JuryDecision.objects.filter(deliberation=proclaimed).values()) == before
    original_minutes.refresh_from_db()
    assert original_minutes.file.read() == original_content
    session.refresh_from_db()
    assert (session.proclaimed_at, session.released_at) == (proclaimed_at, released_at)
    client = client_for("national_admin")
    page = html.unescape(client.get(reverse("juries:minutes", args=[proclaimed.pk])).content.decode())
    assert original_minutes.sha256 in page and f"Rectificatif du {amendment.held_on:%d/%m/%Y}" in page
    download = client.get(reverse("juries:minutes_download", args=[proclaimed.pk]))
    assert download.content == original_content


def test_the_amendments_minutes_state_its_reason_and_the_original_they_amend(
    users, proclaimed, django_capture_on_commit_callbacks
):
    amendment = amend(users, proclaimed)
    correct(users, amendment)
    sign(users["national_admin"], amendment, django_capture_on_commit_callbacks)
    text = pdf_text(Minutes.objects.get(deliberation=amendment).file.read())
    assert "Procès-verbal rectificatif du jury national paritaire" in text
    assert f"Motif du rectificatif : {REASON}" in text
    assert f"Délibération rectifiée : Délibération du {proclaimed.held_on:%d/%m/%Y}" in text
    assert proclaimed.minutes.sha256 in text.replace(" ", "")
    assert "Note d'oral corrigée : 4 au lieu de 14." in text


def test_an_amendment_without_decision_is_not_signed(users, proclaimed):
    amendment = amend(users, proclaimed)
    with pytest.raises(DomainError, match="ne compte aucune décision"):
        do_sign_minutes(users["national_admin"], amendment)


def test_an_amendment_does_not_move_the_release_time(users, proclaimed):
    amendment = amend(users, proclaimed)
    correct(users, amendment)
    with pytest.raises(DomainError, match="ne change pas la date de publication"):
        do_sign_minutes(users["national_admin"], amendment, timezone.now() + timedelta(days=1))


def test_once_signed_a_new_amendment_may_be_opened(users, proclaimed, django_capture_on_commit_callbacks):
    amendment = amend(users, proclaimed)
    correct(users, amendment)
    sign(users["national_admin"], amendment, django_capture_on_commit_callbacks)
    assert (
        do_open_amendment(users["national_admin"], proclaimed.jury.session, "Second motif.").amends
        == proclaimed
    )


# the page


def new_url(session) -> str:
    return reverse("juries:amendment_new", args=[session.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_amendment_page_is_for_the_national_administrator(persona, client_for, proclaimed):
    response = client_for(persona).get(new_url(proclaimed.jury.session))
    expected = {"national_admin": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected


def test_the_page_opens_the_amendment_and_leads_to_the_attendance(client_for, proclaimed):
    session = proclaimed.jury.session
    response = client_for("national_admin").post(new_url(session), {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == reverse(
        "juries:sitting", args=[session.pk]
    )
    assert Deliberation.objects.get(amends=proclaimed).reason == REASON


def test_the_page_says_why_no_amendment_opens_before_the_proclamation(client_for, decided):
    page = html.unescape(client_for("national_admin").get(new_url(decided.jury.session)).content.decode())
    assert "ne sont pas proclamés" in page and "Ouvrir le rectificatif</button>" not in page


def test_a_reason_missing_is_said_on_the_page_and_nothing_opens(client_for, proclaimed):
    response = client_for("national_admin").post(new_url(proclaimed.jury.session), {"reason": ""})
    assert response.status_code == 200 and "Énoncez le motif" in html.unescape(response.content.decode())
    assert not Deliberation.objects.filter(amends__isnull=False).exists()
