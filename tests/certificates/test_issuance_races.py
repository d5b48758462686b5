"""D59 under concurrency: two issuing jobs at once (a restart while the first still runs, two sessions
proclaimed together) give distinct, consecutive numbers and never issue a certificate twice."""

import pytest
from django.db import connection, transaction

from certifier.certificates import issuance
from certifier.certificates.issuance import issue_certificates_for, next_number
from certifier.certificates.models import Certificate, NumberSequence
from certifier.core.enums import JobStatus
from certifier.exams.models import Registration
from certifier.juries.deliberation import decisions_in_force
from tests.juries.minutes_fixtures import sign
from tests.juries.test_deliberation_races import in_parallel

# Real concurrency needs a database whose writers wait for each other: PostgreSQL.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory test database cannot wait"),
]


def test_two_transactions_taking_the_years_first_numbers_at_once_get_one_and_two():
    def take():
        with transaction.atomic():
            return next_number("cqp", 2040)

    results = in_parallel([take, take])
    assert sorted(results) == [(1, "CQP-2040-000001"), (2, "CQP-2040-000002")]
    assert NumberSequence.objects.get(kind="cqp", year=2040).last == 2


def test_two_jobs_issuing_the_same_session_at_once_issue_each_certificate_once(
    users, blocks_decided, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(issuance, "start_issuing", lambda actor, session: None)
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.outcome
    session = blocks_decided.jury.session
    decisions = list(decisions_in_force(Registration.objects.filter(session=session)).values())

    results = in_parallel(
        [lambda: issue_certificates_for(decisions), lambda: issue_certificates_for(decisions)]
    )
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(len(result) for result in results) == 6
    year = Certificate.objects.first().year
    assert sorted(Certificate.objects.filter(kind="ccp").values_list("number", flat=True)) == [
        f"CCP-{year}-{rank:06d}" for rank in range(1, 6)
    ]
    assert list(Certificate.objects.filter(kind="cqp").values_list("number", flat=True)) == [
        f"CQP-{year}-000001"
    ]
    assert dict(NumberSequence.objects.values_list("kind", "last")) == {"ccp": 5, "cqp": 1}
