"""The released state of the results portal's tests, built through the services: marks entered, the
national jury deciding (one decision with the jury's comments, the others adopted), its minutes signed
(the session's results proclaimed and released)."""

from datetime import datetime

from certifier.core.enums import JobStatus
from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import ExamSession
from certifier.juries.deliberation import do_adopt_proposals, do_decide, proposals
from certifier.juries.models import Deliberation
from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import sign

COMMENT = "Le jury salue la qualité de l'oral."


def decide(users, deliberation: Deliberation) -> None:
    """Martin Léa (the candidate persona, at the personas' employer) has her option and common
    continuous assessments marked; the jury follows the proposal for her with a comment, and adopts
    the proposal for Durand Paul (another employer)."""
    session = deliberation.jury.session
    own = registration_of(session, "Martin")
    do_record_marks(users["crfp_staff"], session, "cc_option", [Entry(own.pk, "14,5", 0)])
    do_record_marks(users["crfp_staff"], session, "cc_common", [Entry(own.pk, "11", 0)])
    jury = users["national_jury"]
    proposal = proposals(deliberation).by_registration[own.pk]
    do_decide(jury, deliberation, own, proposal.status, proposal.blocks, "", None, None, None, COMMENT, False)
    do_adopt_proposals(jury, deliberation, [registration_of(session, "Durand")])


def proclaim(users, deliberation: Deliberation, capture, release_at: datetime | None = None) -> ExamSession:
    """The minutes signed by the national administrator through the signing service, its job run at once
    (`capture` is pytest-django's `django_capture_on_commit_callbacks`): the results proclaimed now and
    released at `release_at` (now when None), the results e-mails scheduled on commit."""
    job = sign(users["national_admin"], deliberation, capture, release_at)
    assert job.status == JobStatus.DONE, job.errors
    session = deliberation.jury.session
    session.refresh_from_db()
    return session
