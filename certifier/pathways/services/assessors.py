"""Assessors assigned to candidates by the enrolment's CRFP."""

from typing import Any

from django.db import IntegrityError, transaction

from certifier.core.audit import record_event
from certifier.core.changes import save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.models import Membership, User
from certifier.referential.models import Block

from ..models import AssessorAssignment, Enrolment
from ..permissions import assessor_organisations, require_edit


@transaction.atomic
def do_assign_assessor(
    actor: Any, enrolment: Enrolment, assessor: User, block: Block | None
) -> AssessorAssignment:
    """The enrolment's CRFP assigns an assessor, for one block or for every block."""
    require_edit(actor, enrolment)
    if not Membership.objects.filter(
        user=assessor, role=Role.ASSESSOR, organisation_id__in=assessor_organisations(enrolment)
    ).exists():
        raise DomainError(
            f"{assessor} n'est pas évaluateur au CRFP de l'inscription ni chez l'employeur du candidat."
        )
    if block is not None and block.version_id != enrolment.version_id:
        raise DomainError(f"Le bloc {block.code} n'appartient pas à la certification de l'inscription.")
    already = f"{assessor} est déjà affecté à ce candidat pour {_scope(block)}."
    if _already_assigned(enrolment, assessor, block):
        raise DomainError(already)
    assignment = AssessorAssignment(enrolment=enrolment, assessor=assessor, block=block)
    try:
        with transaction.atomic():
            save_attributed(assignment, actor)
    except IntegrityError:  # the same assignment made by another request in the meantime
        raise DomainError(already) from None
    record_event(
        AuditAction.ASSESSOR_ASSIGNED,
        enrolment,
        actor=actor,
        after={"assessor": str(assessor), "scope": _scope(block)},
    )
    return assignment


def _already_assigned(enrolment: Enrolment, assessor: User, block: Block | None) -> bool:
    return AssessorAssignment.objects.filter(enrolment=enrolment, assessor=assessor, block=block).exists()


def _scope(block: Block | None) -> str:
    return f"le bloc {block.code}" if block else "tous les blocs"
