"""Home-page tasks on evidence: attestations waiting for a signature, blocks waiting for a decision,
and the candidate's own progress."""

from collections import Counter
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from certifier.pathways.models import AssessorAssignment, Enrolment
from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.referential.models import Block

from .enums import BlockStatus
from .models import Attestation, BlockDecision

# Beyond this many candidates, the dashboard gives the total and the enrolment list gives the rest.
CANDIDATE_LINES = 6


@register
def evidence_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    tasks = []
    if Role.TUTOR in user_roles:
        tasks += _to_sign(user, Role.TUTOR, "tutor")
    if Role.MANAGER in user_roles:
        tasks += _to_sign(user, Role.MANAGER, "manager")
    if Role.ASSESSOR in user_roles:
        tasks += _to_assess(user)
    if Role.CANDIDATE in user_roles:
        tasks += _progress(user)
    return tasks


def _to_sign(user: Any, role: Role, capacity: str) -> list[Task]:
    """Attestations of the role's candidates that still wait for this role's signature (D10)."""
    waiting = Counter(
        dict(
            Attestation.objects.filter(
                **{f"enrolment__{capacity}": user, f"{capacity}_signed_at__isnull": True},
                withdrawn_at__isnull=True,
            )
            .values_list("enrolment_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
    )
    total = sum(waiting.values())
    tasks = [
        Task(
            role,
            plural(total, "attestation à contresigner", "attestations à contresigner"),
            reverse("pathways:enrolment_list"),
            total,
            waiting=total > 0,
        )
    ]
    for enrolment in _enrolments([pk for pk, _ in waiting.most_common(CANDIDATE_LINES)]):
        count = waiting[enrolment.pk]
        label = f"Carnet de suivi de {enrolment.candidate.display_name} : {count} {plural(count, 'attestation', 'attestations')} à contresigner"
        tasks.append(Task(role, label, reverse("assessments:logbook", args=[enrolment.pk]), detail=True))
    return tasks


def _to_assess(user: Any) -> list[Task]:
    """Blocks assigned to the assessor (one block, or every block of the version) not yet decided."""
    assignments = list(
        AssessorAssignment.objects.filter(assessor=user).values_list(
            "enrolment_id", "enrolment__version_id", "block_id"
        )
    )
    enrolment_ids = {enrolment_id for enrolment_id, _, _ in assignments}
    blocks_of_version: dict[int, set[int]] = {}
    for pk, version_id in Block.objects.filter(
        version_id__in={version_id for _, version_id, _ in assignments}
    ).values_list("pk", "version_id"):
        blocks_of_version.setdefault(version_id, set()).add(pk)
    assigned: dict[int, set[int]] = {}
    for enrolment_id, version_id, block_id in assignments:
        blocks = {block_id} if block_id else blocks_of_version.get(version_id, set())
        assigned.setdefault(enrolment_id, set()).update(blocks)
    decided = set(
        BlockDecision.objects.filter(enrolment_id__in=enrolment_ids).values_list("enrolment_id", "block_id")
    )
    waiting = Counter(
        {
            enrolment_id: len({block for block in blocks if (enrolment_id, block) not in decided})
            for enrolment_id, blocks in assigned.items()
        }
    )
    waiting = +waiting  # drops the candidates with nothing left to assess
    total = sum(waiting.values())
    tasks = [
        Task(
            Role.ASSESSOR,
            plural(total, "bloc à évaluer", "blocs à évaluer"),
            reverse("pathways:enrolment_list"),
            total,
            waiting=total > 0,
        )
    ]
    for enrolment in _enrolments([pk for pk, _ in waiting.most_common(CANDIDATE_LINES)]):
        count = waiting[enrolment.pk]
        label = f"{enrolment.candidate.display_name} : {count} {plural(count, 'bloc', 'blocs')} à évaluer"
        url = reverse("assessments:results", args=[enrolment.pk])
        tasks.append(Task(Role.ASSESSOR, label, url, detail=True))
    return tasks


def _progress(user: Any) -> list[Task]:
    """The candidate's blocks validated, out of the blocks of the certification prepared."""
    enrolments = list(Enrolment.objects.filter(candidate__user=user).select_related("version"))
    blocks = Counter(
        dict(
            Block.objects.filter(version__in={enrolment.version_id for enrolment in enrolments})
            .values_list("version_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
    )
    validated = Counter(
        dict(
            BlockDecision.objects.latest_per_block(timezone.now())  # D55: as released to the candidate
            .filter(enrolment__in=enrolments, confirmed_status=BlockStatus.VALIDATED)
            .values_list("enrolment_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
    )
    return [
        Task(
            Role.CANDIDATE,
            f"{plural(validated[enrolment.pk], 'bloc validé', 'blocs validés')} sur {blocks[enrolment.version_id]}",
            reverse("assessments:results", args=[enrolment.pk]),
            validated[enrolment.pk],
        )
        for enrolment in enrolments
    ]


def _enrolments(pks: list[int]) -> list[Enrolment]:
    by_pk = Enrolment.objects.select_related("candidate").in_bulk(pks)
    return [by_pk[pk] for pk in pks]
