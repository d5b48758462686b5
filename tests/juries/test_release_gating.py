"""D55: one release time gates every read path to a session's results for candidates and employers:
the candidate's results page, the lookup by number and date of birth, the employer's results page,
the marks on the enrolment page and the results e-mails. Each is read just before the release time
(nothing of the results) and just after it (what D25 allows)."""

import html
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certifier.exams.models import ExamSession
from certifier.juries.notifications import send_results_notices
from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import signing_files, signing_settings  # noqa: F401
from tests.juries.results import COMMENT, decide, proclaim

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def my_results(client_for, session) -> str:
    return _page(client_for("candidate").get(reverse("juries:my_results")))


def results_lookup(client_for, session) -> str:
    own = registration_of(session, "Martin")
    return _page(
        Client().post(
            reverse("juries:results_lookup"),
            {"number": own.candidate_number, "birth_date": own.enrolment.candidate.birth_date.isoformat()},
        )
    )


def employer_results(client_for, session) -> str:
    return _page(client_for("employer_hr").get(reverse("juries:employer_results", args=[session.pk])))


def enrolment_page(client_for, session) -> str:
    own = registration_of(session, "Martin")
    return _page(client_for("employer_hr").get(reverse("pathways:enrolment_detail", args=[own.enrolment_id])))


def emails(client_for, session) -> str:
    send_results_notices.call(session.pk)
    return "\n".join(message.subject + message.body for message in mail.outbox)


# each path, and what it shows once released (D25: the employer never reads the jury's comments)
PATHS: dict[str, tuple[Callable[..., str], str]] = {
    "candidate's results page": (my_results, COMMENT),
    "lookup by number and date of birth": (results_lookup, COMMENT),
    "employer's results page": (employer_results, "14,5 sur 20"),
    "enrolment page, read by the employer": (enrolment_page, "14,5 sur 20"),
    "results e-mails": (emails, "sont publiés"),
}


@pytest.fixture
def decided(users, deliberation):
    decide(users, deliberation)
    return deliberation


@pytest.mark.parametrize("path", PATHS)
def test_nothing_of_the_results_is_read_before_the_release_time(
    users, client_for, decided, django_capture_on_commit_callbacks, path
):
    read, shown = PATHS[path]
    session = proclaim(
        users, decided, django_capture_on_commit_callbacks, timezone.now() + timedelta(minutes=5)
    )
    text = read(client_for, session)
    assert shown not in text
    assert "14,5" not in text and COMMENT not in text


@pytest.mark.parametrize("path", PATHS)
def test_the_results_are_read_from_the_release_time(
    users, client_for, decided, django_capture_on_commit_callbacks, path
):
    read, shown = PATHS[path]
    session = proclaim(
        users, decided, django_capture_on_commit_callbacks, timezone.now() + timedelta(minutes=5)
    )
    # the release time comes
    ExamSession.objects.filter(pk=session.pk).update(released_at=timezone.now())
    assert shown in read(client_for, session)
