"""D57: five failed lookups in a row lock a candidate number for 15 minutes, twenty lock an IP address;
a success resets the number's count; the answer never says whether a number exists: the same message
and the same status for a wrong number, a wrong date of birth, results not yet released, or a lock."""

import html
import re
from datetime import date, timedelta

import pytest
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certifier.exams import numbers
from certifier.exams.models import ExamSession
from certifier.juries.models import LookupKind, ResultsLookupCounter
from certifier.juries.portal import LOOKUP_FAILED, lookup
from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import signing_files, signing_settings  # noqa: F401
from tests.juries.results import decide, proclaim

pytestmark = pytest.mark.django_db

HERE = "192.0.2.10"
ELSEWHERE = "198.51.100.7"
WRONG_DAY = date(1900, 1, 1)


@pytest.fixture
def released(users, deliberation, django_capture_on_commit_callbacks):
    decide(users, deliberation)
    return proclaim(users, deliberation, django_capture_on_commit_callbacks)


@pytest.fixture
def own(released):
    return registration_of(released, "Martin")


def birth_date_of(registration) -> date:
    return registration.enrolment.candidate.birth_date


def another_number(*taken: str) -> str:
    while (number := numbers.draw()) in taken:
        pass
    return number


def test_the_sixth_try_with_the_right_birth_date_is_refused_while_the_number_is_locked(own):
    now = timezone.now()
    for _ in range(5):
        assert lookup(own.candidate_number, WRONG_DAY, HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), ELSEWHERE, now + timedelta(minutes=14)) is None
    assert (
        lookup(own.candidate_number, birth_date_of(own), HERE, now + timedelta(minutes=15, seconds=1)) == own
    )


def test_four_failures_do_not_lock_and_a_success_resets_the_count(own):
    now = timezone.now()
    for _ in range(4):
        assert lookup(own.candidate_number, WRONG_DAY, HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now) == own
    for _ in range(4):
        assert lookup(own.candidate_number, WRONG_DAY, HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now) == own


def test_an_address_is_locked_after_twenty_failures_on_any_numbers(own):
    now = timezone.now()
    for _ in range(20):
        assert lookup(another_number(own.candidate_number), WRONG_DAY, HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), ELSEWHERE, now) == own
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now + timedelta(minutes=16)) == own


def test_a_success_does_not_reset_the_addresses_count(own):
    now = timezone.now()
    for _ in range(19):
        lookup(another_number(own.candidate_number), WRONG_DAY, HERE, now)
        lookup(own.candidate_number, birth_date_of(own), HERE, now)
    assert lookup(another_number(own.candidate_number), WRONG_DAY, HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now) is None


def test_a_lookup_before_the_release_time_fails_and_counts(
    users, deliberation, django_capture_on_commit_callbacks
):
    now = timezone.now()
    decide(users, deliberation)
    session = proclaim(users, deliberation, django_capture_on_commit_callbacks, now + timedelta(minutes=10))
    own = registration_of(session, "Martin")
    for _ in range(5):
        assert lookup(own.candidate_number, birth_date_of(own), HERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, now + timedelta(minutes=11)) is None
    assert (
        lookup(own.candidate_number, birth_date_of(own), HERE, now + timedelta(minutes=15, seconds=1)) == own
    )


@override_settings(
    RESULTS_LOOKUP_NUMBER_FAILURES=2, RESULTS_LOOKUP_ADDRESS_FAILURES=3, RESULTS_LOOKUP_LOCK_MINUTES=1
)
def test_the_limits_come_from_the_settings(own):
    now = timezone.now()
    lookup(own.candidate_number, WRONG_DAY, HERE, now)
    lookup(own.candidate_number, WRONG_DAY, HERE, now)
    assert lookup(own.candidate_number, birth_date_of(own), ELSEWHERE, now) is None
    assert lookup(own.candidate_number, birth_date_of(own), ELSEWHERE, now + timedelta(seconds=61)) == own


def test_the_counters_keep_neither_the_number_nor_the_address(own):
    lookup(own.candidate_number, WRONG_DAY, HERE, timezone.now())
    keys = list(ResultsLookupCounter.objects.values_list("kind", "key"))
    assert {kind for kind, _ in keys} == {LookupKind.NUMBER, LookupKind.ADDRESS}
    for _, key in keys:
        assert len(key) == 64
        assert numbers.normalise(own.candidate_number) not in key.upper() and HERE not in key


# the page: one answer for every failure


def answer(client, number: str, birth_date: date, address: str = HERE):
    response = client.post(
        reverse("juries:results_lookup"),
        {"number": number, "birth_date": birth_date.isoformat()},
        REMOTE_ADDR=address,
    )
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    body = re.sub(r'value="[^"]*"', "", body)  # the values typed back into the form
    return response.status_code, body


def test_every_failure_gets_the_same_answer(client, users, deliberation, django_capture_on_commit_callbacks):
    decide(users, deliberation)
    session = proclaim(
        users, deliberation, django_capture_on_commit_callbacks, timezone.now() + timedelta(hours=1)
    )
    unreleased = registration_of(session, "Martin")
    durand = registration_of(session, "Durand")
    answers = {
        "unknown number": answer(
            client,
            another_number(unreleased.candidate_number, durand.candidate_number),
            birth_date_of(unreleased),
        ),
        "wrong birth date": answer(client, durand.candidate_number, WRONG_DAY, ELSEWHERE),
        "not yet released": answer(
            client, unreleased.candidate_number, birth_date_of(unreleased), "203.0.113.1"
        ),
    }
    for _ in range(5):
        answer(client, durand.candidate_number, WRONG_DAY, "203.0.113.2")
    # the release time comes
    ExamSession.objects.filter(pk=session.pk).update(released_at=F("proclaimed_at"))
    answers["locked"] = answer(client, durand.candidate_number, birth_date_of(durand), "203.0.113.3")
    assert {status for status, _ in answers.values()} == {200}
    assert len({body for _, body in answers.values()}) == 1
    assert html.escape(LOOKUP_FAILED, quote=False) in answers["locked"][1].replace("&#x27;", "'")


def test_an_empty_lookup_is_told_what_is_missing_and_counts_nothing(client):
    page = html.unescape(client.post(reverse("juries:results_lookup"), {}).content.decode())
    assert "Numéro de candidat : Ce champ est obligatoire" in page
    assert "Date de naissance : Ce champ est obligatoire" in page
    assert not ResultsLookupCounter.objects.exists()


def lock_out_from_behind_the_proxy(client, own, forwarded_for: str):
    """Twenty failures through the reverse proxy (the connection's address is the proxy's), the client
    putting a different made-up address of its own before the one the proxy saw each time."""
    for forged in range(20):
        client.post(
            reverse("juries:results_lookup"),
            {"number": another_number(own.candidate_number), "birth_date": WRONG_DAY.isoformat()},
            REMOTE_ADDR=HERE,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{forged}, {forwarded_for}",
        )


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_reverse_proxy_the_client_is_locked_out_not_everyone_and_made_up_addresses_do_not_help(
    client, own
):
    lock_out_from_behind_the_proxy(client, own, ELSEWHERE)
    assert lookup(own.candidate_number, birth_date_of(own), ELSEWHERE, timezone.now()) is None
    assert lookup(own.candidate_number, birth_date_of(own), HERE, timezone.now()) == own
