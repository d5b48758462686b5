"""Who reads and who gives the local jury's opinions (D25, D51)."""

from typing import Any

from certifier.exams.models import Registration
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids

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
