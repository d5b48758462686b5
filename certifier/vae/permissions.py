"""Who acts on a VAE application (issue 11 §1, §2; D63): the candidate files their own, the CRFP that follows
it files on their behalf, the national administrator decides its admissibility. Reading is scoped by
`VaeApplication.objects.visible_to(user)`."""

from typing import Any

from certifier.core.models import NotAllowed
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids

from .models import VaeApplication


def is_own(user: Any, application: VaeApplication) -> bool:
    return user is not None and user.is_authenticated and application.candidate.user_id == user.pk


def follows(user: Any, training_centre_id: int) -> bool:
    """The user works at this CRFP, or is the national administrator."""
    return has_role(user, Role.NATIONAL_ADMIN) or training_centre_id in organisation_ids(
        user, Role.CRFP_STAFF
    )


def may_file_for_others(user: Any) -> bool:
    """CRFP staff and the national administrator create applications on a candidate's behalf."""
    return has_role(user, Role.NATIONAL_ADMIN, Role.CRFP_STAFF)


def may_create_application(user: Any) -> bool:
    return may_file_for_others(user) or getattr(user, "candidate", None) is not None


def may_edit_application(user: Any, application: VaeApplication) -> bool:
    """The livret 1 and the application's details: the candidate, their CRFP, the national administrator."""
    return is_own(user, application) or follows(user, application.training_centre_id)


def may_read_argument(user: Any, application: VaeApplication) -> bool:
    """D25: the VAE jury's reasons are the candidate's; the national administrator and the jury that gave
    them read them too, not the CRFP, the CPNEFP or the accompanier."""
    if is_own(user, application) or has_role(user, Role.NATIONAL_ADMIN):
        return True
    candidacy = getattr(application, "candidacy", None)
    return candidacy is not None and candidacy.session.members.filter(user=user).exists()


def may_decide_admissibility(user: Any) -> bool:
    """D63: the national administrator alone decides admissibility."""
    return has_role(user, Role.NATIONAL_ADMIN)


def require_edit(user: Any, application: VaeApplication) -> None:
    if not may_edit_application(user, application):
        raise NotAllowed(
            "Seuls le candidat, le CRFP qui suit la demande et l'administrateur national la modifient."
        )
