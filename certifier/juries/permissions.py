"""Who acts for the juries: the local jury's opinions (D25, D51), the national jury's sitting (D52, D53)."""

from typing import Any

from certifier.exams.models import Registration
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids

from .models import Jury, JuryMember

# the roles let through the local opinions page: the local jury gives, its CRFP and the national
# administrator read
OPINION_READERS = (Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.LOCAL_JURY)


def reads_local_opinions(user: Any) -> bool:
    return has_role(user, *OPINION_READERS)


def jury_centre_ids(user: Any) -> set[int]:
    """The CRFPs whose local jury the user sits on."""
    return organisation_ids(user, Role.LOCAL_JURY)


def can_give_opinion(user: Any, registration: Registration) -> bool:
    """D51: only the local jury of the registration's CRFP."""
    return registration.enrolment.training_centre_id in jury_centre_ids(user)


def seat_of(user: Any, jury: Jury) -> JuryMember | None:
    """The user's seat on this national jury, if they hold one (D52)."""
    if user is None or not user.is_authenticated:
        return None
    return jury.members.filter(user=user).first()


def may_run_sitting(user: Any, jury: Jury) -> bool:
    """D20, D52: the chair of the jury (Ucanss) and the national administrator open the sitting, keep its
    attendance and sign its minutes."""
    if has_role(user, Role.NATIONAL_ADMIN):
        return True
    seat = seat_of(user, jury)
    return seat is not None and not seat.votes


def may_deliberate(user: Any, jury: Jury) -> bool:
    """D53: the national administrator (who keeps the record of the sitting) and the members of this jury
    holding the national jury's role record its decisions."""
    if has_role(user, Role.NATIONAL_ADMIN):
        return True
    return has_role(user, Role.NATIONAL_JURY) and seat_of(user, jury) is not None
