"""The released state of the results portal's tests, built through the services: marks entered, the
national jury deciding (one decision with the jury's comments, the others adopted), the session's
results proclaimed and released."""

from datetime import datetime, timedelta

from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import ExamSession
from certifier.juries.deliberation import do_adopt_proposals, do_decide, proposals
from certifier.juries.models import Deliberation, Minutes
from tests.exams.conftest import registration_of

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


def proclaim_by_hand(users, deliberation: Deliberation, released_at: datetime | None) -> ExamSession:
    """STAND-IN for part 3's signing of the minutes (D54, D55), which is not there yet: the minutes row
    and the session's proclamation and release times, written directly."""
    signed_at = (released_at or datetime.now().astimezone()) - timedelta(days=1)
    Minutes.objects.create(
        deliberation=deliberation,
        file="minutes/stand-in.pdf",
        sha256="0" * 64,
        signed_by=users["national_admin"],
        signed_at=signed_at,
    )
    session = deliberation.jury.session
    ExamSession.objects.filter(pk=session.pk).update(proclaimed_at=signed_at, released_at=released_at)
    session.refresh_from_db()
    return session
