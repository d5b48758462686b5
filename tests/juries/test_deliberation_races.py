"""Two members of the national jury recording a decision on the same candidate at the same moment
(D53, reliability): one decision is kept, the other member is answered in French, and nothing answers
a server error."""

import threading

import pytest
from django.db import connection

from certifier.core.models import DomainError
from certifier.juries.deliberation import do_adopt_proposals, do_decide
from certifier.juries.models import JuryDecision, JuryStatus
from tests.exams.conftest import registration_of

# Real concurrency needs a database whose writers wait for each other: PostgreSQL.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory test database cannot wait"),
]


def in_parallel(calls):
    """Each of `calls` run by its own thread, released together; each result or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test reads what each thread met
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def decide(user, deliberation, registration, comment):
    return lambda: do_decide(
        user, deliberation, registration, JuryStatus.DEFERRED, {}, "", None, None, None, comment, False
    )


def test_two_members_deciding_the_same_candidate_at_once_leave_one_decision(
    users, deliberation, marks_session
):
    martin = registration_of(marks_session, "Martin")
    results = in_parallel(
        [
            decide(users["national_jury"], deliberation, martin, "Premier avis."),
            decide(users["national_admin"], deliberation, martin, "Second avis."),
        ]
    )
    assert all(isinstance(result, JuryDecision | DomainError) for result in results), results
    assert JuryDecision.objects.filter(registration=martin).count() == 1


def test_adopting_in_bulk_while_a_member_decides_one_candidate_leaves_one_decision_each(
    users, deliberation, marks_session
):
    martin = registration_of(marks_session, "Martin")
    durand = registration_of(marks_session, "Durand")
    results = in_parallel(
        [
            lambda: do_adopt_proposals(users["national_admin"], deliberation, [martin, durand]),
            decide(users["national_jury"], deliberation, martin, "Décidé à part."),
        ]
    )
    assert not [
        result for result in results if isinstance(result, Exception) and not isinstance(result, DomainError)
    ]
    assert sorted(JuryDecision.objects.values_list("registration_id", flat=True)) == sorted(
        [martin.pk, durand.pk]
    )
