"""Who may read and write evidence (issue 4 §7), on an enrolment the user already sees through
`Enrolment.objects.visible_to(user)`.

D25: the employer sees the block decisions of its candidates; the logbook, the observations, the
criterion results and their comments belong to the candidate and to those who assess them.
"""

from typing import Any

from django.db.models import Q

from certifier.pathways.models import AssessorAssignment, Enrolment
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.models import Block

from .enums import Signatory
from .models import Attestation


def _is_candidate(user: Any, enrolment: Enrolment) -> bool:
    return enrolment.candidate.user_id is not None and enrolment.candidate.user_id == user.pk


def _runs_enrolment(user: Any, enrolment: Enrolment) -> bool:
    """The national administrator and the staff of the enrolment's CRFP."""
    return has_role(user, Role.NATIONAL_ADMIN) or enrolment.training_centre_id in organisation_ids(
        user, Role.CRFP_STAFF
    )


def _is_assigned(user: Any, enrolment: Enrolment) -> bool:
    return (
        has_role(user, Role.ASSESSOR)
        and AssessorAssignment.objects.filter(enrolment=enrolment, assessor_id=user.pk).exists()
    )


def signatories(user: Any, enrolment: Enrolment) -> list[Signatory]:
    """The capacities in which the user signs this enrolment's logbook."""
    capacities = []
    if has_role(user, Role.TUTOR) and enrolment.tutor_id == user.pk:
        capacities.append(Signatory.TUTOR)
    if has_role(user, Role.MANAGER) and enrolment.manager_id == user.pk:
        capacities.append(Signatory.MANAGER)
    return capacities


def can_attest(user: Any, enrolment: Enrolment) -> bool:
    return bool(signatories(user, enrolment))


def missing_signature(user: Any, attestation: Attestation) -> Signatory | None:
    """The signature this user may still add: only the enrolment's tutor signs as tutor and only its
    manager as manager, and one person never signs twice."""
    if attestation.is_withdrawn or user.pk in (
        attestation.tutor_signed_by_id,
        attestation.manager_signed_by_id,
    ):
        return None
    for capacity in signatories(user, attestation.enrolment):
        if getattr(attestation, f"{capacity}_signed_at") is None:
            return capacity
    return None


def can_withdraw(user: Any, attestation: Attestation) -> bool:
    return not attestation.is_withdrawn and can_attest(user, attestation.enrolment)


def can_read_logbook(user: Any, enrolment: Enrolment) -> bool:
    return (
        can_attest(user, enrolment)
        or _is_candidate(user, enrolment)
        or _runs_enrolment(user, enrolment)
        or _is_assigned(user, enrolment)
    )


def can_read_evidence(user: Any, enrolment: Enrolment) -> bool:
    """Observations, criterion results and their comments (D25: the candidate's property)."""
    return _is_candidate(user, enrolment) or _runs_enrolment(user, enrolment) or _is_assigned(user, enrolment)


def reads_unreleased_decisions(user: Any, enrolment: Enrolment) -> bool:
    """The assessors, the CRFP and the national administrator read a national jury's block decisions
    at once; the candidate and the employer from the session's release time (D55)."""
    return _runs_enrolment(user, enrolment) or _is_assigned(user, enrolment)


def can_assess(user: Any, enrolment: Enrolment, block: Block) -> bool:
    """An assessor assigned to the enrolment for this block, or for every block."""
    return (
        has_role(user, Role.ASSESSOR)
        and AssessorAssignment.objects.filter(enrolment=enrolment, assessor_id=user.pk)
        .filter(Q(block__isnull=True) | Q(block=block))
        .exists()
    )
