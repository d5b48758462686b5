"""Two people entering the same mark at once (issue 8, reliability): one wins, the other is told in
French with what they typed still on their page, nothing is lost and no request answers a 500."""

import html
import threading

import pytest
from django.db import connection
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import Mark
from certifier.people.enums import Role
from tests.exams.conftest import registration_of
from tests.factories import MembershipFactory

# Real concurrency needs a database whose writers wait for each other: PostgreSQL. The suite's
# in-memory SQLite shares one cache between threads and answers "table is locked" at once.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory test database cannot wait"),
]


def in_parallel(posts):
    """Each of `posts` run by its own thread, the threads released together; their responses in order."""
    barrier = threading.Barrier(len(posts))
    responses = [None] * len(posts)

    def run(index, post):
        try:
            barrier.wait()
            responses[index] = post()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, post)) for index, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.fixture
def two_staff(client_for, organisations):
    """The CRFP staff persona and a colleague of the same CRFP, each signed in."""
    colleague = MembershipFactory(organisation=organisations["crfp"], role=Role.CRFP_STAFF).user
    other = client_for("anonymous")
    other.force_login(colleague)
    return [client_for("crfp_staff"), other]


def post_mark(client, url, registration, text, version, shown):
    """A grid's row as posted: the anonymous written exam names its rows by copy code (D48)."""
    key = registration.copy_code if url.endswith("/written/") else registration.pk
    return lambda: client.post(
        url, {f"mark-{key}": text, f"version-{key}": str(version), f"shown-{key}": shown}
    )


def test_two_first_entries_of_the_same_mark_keep_one_and_tell_the_other(marks_session, two_staff):
    own = registration_of(marks_session, "Martin")
    url = reverse("exams:mark_grid", args=[marks_session.pk, "cc_common"])
    responses = in_parallel(
        [
            post_mark(client, url, own, text, 0, "")
            for client, text in zip(two_staff, ("12", "15"), strict=True)
        ]
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    mark = Mark.objects.get(registration=own, exam="cc_common")
    winner = next(index for index, response in enumerate(responses) if response.status_code == 302)
    loser = 1 - winner
    assert mark.value == (12, 15)[winner]
    page = html.unescape(responses[loser].content.decode())
    assert "par une autre personne" in page
    assert f'value="{("12", "15")[loser]}"' in page  # the refused value is still on the loser's page
    assert AuditEvent.objects.filter(action=AuditAction.MARK_ENTERED).count() == 1


def test_two_changes_of_the_same_mark_keep_one_and_tell_the_other(users, marks_session, two_staff):
    own = registration_of(marks_session, "Martin")
    do_record_marks(users["crfp_staff"], marks_session, "apt", [Entry(own.pk, "10", 0)])
    url = reverse("exams:mark_grid", args=[marks_session.pk, "apt"])
    responses = in_parallel(
        [
            post_mark(client, url, own, text, 1, "10")
            for client, text in zip(two_staff, ("11", "16"), strict=True)
        ]
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    winner = next(index for index, response in enumerate(responses) if response.status_code == 302)
    mark = Mark.objects.get(registration=own, exam="apt")
    assert (mark.value, mark.version) == ((11, 16)[winner], 2)
    page = html.unescape(responses[1 - winner].content.decode())
    assert "modifiée par une autre personne" in page
    changes = AuditEvent.objects.filter(action=AuditAction.MARK_CHANGED)
    assert [(event.before, event.after["mark"]) for event in changes] == [
        ({"mark": "10"}, str((11, 16)[winner]))
    ]


def test_many_simultaneous_first_entries_leave_one_mark_and_no_error_page(users, marks_session, client_for):
    own = registration_of(marks_session, "Martin")
    url = reverse("exams:mark_grid", args=[marks_session.pk, "written"])
    clients = [client_for("marker") for _ in range(6)]
    responses = in_parallel(
        [post_mark(client, url, own, str(8 + index), 0, "") for index, client in enumerate(clients)]
    )
    assert sorted(response.status_code for response in responses) == [200] * 5 + [302]
    assert Mark.objects.filter(registration=own, exam="written").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.MARK_ENTERED).count() == 1
