"""Who may change candidates, enrolments, sessions and funding requests (issue 4 §7).

Reading is scoped by `Enrolment.objects.visible_to(user)`; these predicates decide, on an
enrolment the user already sees, whether they may also change it. An actor of None is the
system (a management command run without `--user`): it has the national administrator's scope.
"""

from collections.abc import Iterable
from typing import Any

from certifier.core.models import NotAllowed
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids

from .models import Enrolment


def enrolment_centre_ids(user: Any) -> set[int] | None:
    """The CRFPs where the user enrols candidates and holds sessions; None for every CRFP."""
    if user is None or has_role(user, Role.NATIONAL_ADMIN):
        return None
    return organisation_ids(user, Role.CRFP_STAFF)


def can_enrol_at(user: Any, centre_id: int) -> bool:
    centres = enrolment_centre_ids(user)
    return centres is None or centre_id in centres


def can_edit_enrolment(user: Any, enrolment: Enrolment) -> bool:
    return can_enrol_at(user, enrolment.training_centre_id)


def can_change_candidate(user: Any, centre_ids: Iterable[int]) -> bool:
    """A candidate's identity and employment are shared by their enrolments, at the CRFPs
    `centre_ids`: only who may edit every one of them may change the candidate or enrol them again."""
    centres = enrolment_centre_ids(user)
    return centres is None or set(centre_ids) <= centres


def can_handle_funding(user: Any, enrolment: Enrolment) -> bool:
    """D41–D43: the enrolment's CRFP, the candidate's employer and the national administrator."""
    return can_edit_enrolment(user, enrolment) or enrolment.candidate.employer_id in organisation_ids(
        user, Role.EMPLOYER_HR
    )


def can_see_identity(user: Any, enrolment: Enrolment) -> bool:
    """Birth date and place, sex and e-mail: not for tutors, managers and assessors."""
    own = (
        user is not None
        and enrolment.candidate.user_id is not None
        and enrolment.candidate.user_id == user.pk
    )
    return own or can_handle_funding(user, enrolment)


def require_edit(user: Any, enrolment: Enrolment) -> None:
    """403 unless the user may change the enrolment, its attendance and its assessors: the one
    check of the services, and of the views that show their forms."""
    if not can_edit_enrolment(user, enrolment):
        raise NotAllowed("Seul le CRFP de l'inscription ou l'administrateur national peut la modifier.")


def require_funding(user: Any, enrolment: Enrolment) -> None:
    if not can_handle_funding(user, enrolment):
        raise NotAllowed(
            "La prise en charge relève du CRFP de l'inscription, de l'employeur et de l'administrateur national."
        )


def assessor_organisations(enrolment: Enrolment) -> list[int]:
    """Where an enrolment's assessors come from: its CRFP, or the candidate's employer."""
    return [enrolment.training_centre_id, enrolment.candidate.employer_id]
