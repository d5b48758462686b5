"""The only writers of evidence. Each service checks who acts and what the rules allow, writes,
and records the audit event in the same transaction; criterion results also keep their history."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from certifier.core.audit import record_event, record_events
from certifier.core.changes import apply_changes, save_attributed
from certifier.core.enums import AuditAction, DecisionSource
from certifier.core.models import DomainError, NotAllowed
from certifier.pathways.models import Enrolment
from certifier.referential.enums import AssessmentMethodKind
from certifier.referential.models import AssessmentMethod, Block, Competence, Criterion

from .enums import CONFIRMED_STATUSES, Signatory
from .models import Attestation, BlockDecision, CriterionResult, Observation
from .permissions import can_assess, missing_signature, signatories
from .proposals import propose
from .rules import (
    Observed,
    evidence_date_refusal,
    implausible_values,
    observation_shortfalls,
    override_refusal,
    requirements_of,
)

ASSESSOR_ONLY = "Seul un évaluateur affecté au candidat pour ce bloc peut l'évaluer."
SIGNATORIES_ONLY = "Seuls le tuteur et le manager du candidat écrivent dans son carnet de suivi."


class EvidenceRefused(DomainError):
    """Evidence refused field by field: `shortfalls` pairs what each reason is about (a form field,
    a situation kind or a requirement) with its French message."""

    def __init__(self, shortfalls: list[tuple[str, str]]) -> None:
        super().__init__(" ".join(message for _, message in shortfalls))
        self.shortfalls = shortfalls


class ObservationRefused(EvidenceRefused):
    """An observation that does not meet its method, or whose figures are not plausible."""


class OverrideWithoutReason(DomainError):
    """A decision that departs from the engine's proposal without a reason."""


@dataclass(frozen=True)
class AttestationData:
    competence: Competence
    observed_on: date
    situation: str
    comment: str


@dataclass(frozen=True)
class ObservationData:
    """`situations` holds, per situation kind of the method, the minutes or the count observed."""

    observed_on: date
    situations: Mapping[str, int]
    observation_minutes: int | None
    questioning_minutes: int | None
    questioning_throughout: bool
    competences_covered: Sequence[Competence]
    notes: str


@dataclass(frozen=True)
class CriterionScore:
    """A criterion's score from the grid: None while it is not assessed."""

    validated: bool | None
    comment: str


@transaction.atomic
def do_record_attestation(actor: Any, enrolment: Enrolment, data: AttestationData) -> Attestation:
    """The tutor (or the manager) records an attestation and signs it in that capacity."""
    capacity = ensure_signatory(actor, enrolment)[0]
    if data.competence.block.version_id != enrolment.version_id:
        raise DomainError("Cette compétence ne fait pas partie de la certification préparée par le candidat.")
    refusal = evidence_date_refusal(
        "Date de la situation", data.observed_on, enrolment.start_date, timezone.localdate()
    )
    if refusal:
        raise EvidenceRefused([("observed_on", refusal)])
    _lock(enrolment)
    twin = Attestation.objects.filter(
        enrolment=enrolment,
        competence=data.competence,
        observed_on=data.observed_on,
        situation=data.situation,
        withdrawn_at__isnull=True,
    )
    if twin.exists():
        raise DomainError(
            "Cette attestation figure déjà dans le carnet : même compétence, même date, même situation."
        )
    attestation = Attestation(
        enrolment=enrolment,
        competence=data.competence,
        observed_on=data.observed_on,
        situation=data.situation,
        comment=data.comment,
        created_by=actor,
        **{f"{capacity}_signed_by": actor, f"{capacity}_signed_at": timezone.now()},
    )
    save_attributed(attestation, actor, "Attestation saisie et signée")
    after = {
        "competence": str(data.competence),
        "observed_on": data.observed_on,
        "situation": data.situation,
        "comment": data.comment,
        "signed_as": capacity.value,
    }
    record_event(AuditAction.ATTESTATION_RECORDED, attestation, actor=actor, after=after)
    return attestation


@transaction.atomic
def do_sign_attestation(actor: Any, attestation: Attestation) -> Signatory:
    """The other signatory co-signs; only then does the attestation count (D10). The attestation
    is locked, so that of two signatures at once the second finds the first and is refused."""
    attestation = Attestation.objects.select_for_update().select_related("enrolment").get(pk=attestation.pk)
    ensure_signatory(actor, attestation.enrolment)
    capacity = missing_signature(actor, attestation)
    if capacity is None:
        if attestation.is_withdrawn:
            raise DomainError("Cette attestation a été retirée : elle ne se signe plus.")
        raise DomainError("Cette attestation porte déjà la signature attendue de vous : rien n'est à signer.")
    action = f"Attestation signée par le {capacity.label}"
    signature = {f"{capacity}_signed_by": actor, f"{capacity}_signed_at": timezone.now()}
    before, after = apply_changes(attestation, signature, actor, action)
    record_event(
        AuditAction.ATTESTATION_SIGNED, attestation, actor=actor, before=before, after=after, reason=action
    )
    return capacity


@transaction.atomic
def do_withdraw_attestation(actor: Any, attestation: Attestation, reason: str) -> Attestation:
    """Withdrawn, never deleted: the attestation stays in the logbook, struck, with its reason."""
    attestation = Attestation.objects.select_for_update().select_related("enrolment").get(pk=attestation.pk)
    reason = reason.strip()
    ensure_signatory(actor, attestation.enrolment)
    if attestation.is_withdrawn:
        raise DomainError("Cette attestation a déjà été retirée.")
    if not reason:
        raise DomainError("Indiquez le motif du retrait.")
    withdrawal = {"withdrawn_by": actor, "withdrawn_at": timezone.now(), "withdrawal_reason": reason}
    before, after = apply_changes(attestation, withdrawal, actor, "Attestation retirée")
    record_event(AuditAction.ATTESTATION_WITHDRAWN, attestation, actor=actor, before=before, after=after)
    return attestation


def ensure_signatory(actor: Any, enrolment: Enrolment) -> list[Signatory]:
    """The capacities in which the actor writes in the enrolment's logbook; NotAllowed without one."""
    capacities = signatories(actor, enrolment)
    if not capacities:
        raise NotAllowed(SIGNATORIES_ONLY)
    return capacities


def ensure_assessor(actor: Any, enrolment: Enrolment, block: Block) -> None:
    if not can_assess(actor, enrolment, block):
        raise NotAllowed(ASSESSOR_ONLY)


def _lock(enrolment: Enrolment) -> None:
    """Serialises the writes of one enrolment's evidence: a concurrent writer waits for this
    transaction, then reads what it wrote (one row per criterion, no duplicate decision)."""
    locked = Enrolment.objects.select_for_update(of=("self",)).filter(pk=enrolment.pk).order_by()
    list(locked.values_list("pk", flat=True))


def awaiting_observation(enrolment: Enrolment, block: Block) -> list[AssessmentMethod]:
    """The methods of the block that still lack a valid observation for this enrolment."""
    observed = Observation.objects.filter(enrolment=enrolment, method__block=block).values("method_id")
    return list(block.methods.exclude(kind=AssessmentMethodKind.LOGBOOK).exclude(pk__in=observed))


@transaction.atomic
def do_record_observation(
    actor: Any, enrolment: Enrolment, method: AssessmentMethod, data: ObservationData
) -> Observation:
    """Records the observed situations only when they meet the method (D11–D13)."""
    ensure_assessor(actor, enrolment, method.block)
    if method.kind == AssessmentMethodKind.LOGBOOK:
        raise DomainError("Le carnet de suivi est rempli par le tuteur et le manager, pas par l'évaluateur.")
    requirements = requirements_of(method)
    observed = Observed(
        situations=data.situations,
        observation_minutes=data.observation_minutes,
        questioning_minutes=data.questioning_minutes,
        questioning_throughout=data.questioning_throughout,
        covered=frozenset(competence.pk for competence in data.competences_covered),
        block_competences=frozenset(method.block.competences.values_list("pk", flat=True)),
    )
    refusal = evidence_date_refusal(
        "Date de l'épreuve", data.observed_on, enrolment.start_date, timezone.localdate()
    )
    shortfalls = [("observed_on", refusal)] if refusal else []
    shortfalls += implausible_values(requirements, observed) or observation_shortfalls(requirements, observed)
    if shortfalls:
        raise ObservationRefused(shortfalls)
    _lock(enrolment)
    if Observation.objects.filter(enrolment=enrolment, method=method, observed_on=data.observed_on).exists():
        raise DomainError("Une épreuve de cette modalité est déjà enregistrée à cette date pour ce candidat.")
    situations = [
        {"kind": requirement.kind, "minutes" if requirement.minutes is not None else "count": value}
        for requirement in requirements.situation_kinds()
        if (value := data.situations.get(requirement.kind, 0))
    ]
    observation = Observation(
        enrolment=enrolment,
        method=method,
        observed_on=data.observed_on,
        situations=situations,
        observation_minutes=data.observation_minutes,
        questioning_minutes=data.questioning_minutes,
        questioning_throughout=data.questioning_throughout,
        notes=data.notes,
        recorded_by=actor,
    )
    save_attributed(observation, actor, "Épreuve observée enregistrée")
    observation.competences_covered.set(data.competences_covered)
    after = {
        "observed_on": data.observed_on,
        "situations": situations,
        "observation_minutes": data.observation_minutes,
        "questioning_minutes": data.questioning_minutes,
        "questioning_throughout": data.questioning_throughout,
        "competences_covered": [competence.number for competence in data.competences_covered],
    }
    record_event(AuditAction.OBSERVATION_RECORDED, observation, actor=actor, after=after)
    return observation


@transaction.atomic
def do_score_criteria(
    actor: Any, enrolment: Enrolment, block: Block, scores: Mapping[Criterion, CriterionScore]
) -> int:
    """Saves the scores that changed, in a few queries whatever the grid's size; returns how many.
    Scoring needs a valid observation first."""
    ensure_assessor(actor, enrolment, block)
    if any(criterion.competence.block_id != block.pk for criterion in scores):
        raise DomainError("Un critère noté n'appartient pas à ce bloc.")
    _lock(enrolment)
    if awaiting_observation(enrolment, block):
        raise DomainError(
            "Enregistrez d'abord une observation conforme du bloc : les critères se notent ensuite."
        )
    stored = {
        result.criterion_id: result
        for result in CriterionResult.objects.filter(enrolment=enrolment, criterion__in=scores)
    }
    now = timezone.now()
    created: list[CriterionResult] = []
    updated: list[CriterionResult] = []
    changes = []
    for criterion, score in scores.items():
        if score.validated is None:
            continue
        result = stored.get(criterion.pk)
        before = None if result is None else {"validated": result.validated, "comment": result.comment}
        after = {"validated": score.validated, "comment": score.comment}
        if before == after:
            continue
        values = after | {"assessed_by": actor, "assessed_at": now}
        if result is None:
            result = CriterionResult(enrolment=enrolment, criterion=criterion, **values)
            created.append(result)
        else:
            for name, value in values.items():
                setattr(result, name, value)
            updated.append(result)
        changes.append((result, before, after))
    history = {"default_user": actor, "default_change_reason": "Critère évalué", "default_date": now}
    if created:
        bulk_create_with_history(created, CriterionResult, **history)
    if updated:
        fields = ["validated", "comment", "assessed_by", "assessed_at"]
        bulk_update_with_history(updated, CriterionResult, fields, **history)
    if changes:
        record_events(AuditAction.CRITERION_ASSESSED, changes, actor=actor)
    return len(changes)


@transaction.atomic
def do_decide_block(
    actor: Any, enrolment: Enrolment, block: Block, confirmed: str, reason: str
) -> BlockDecision:
    """The assessor confirms the engine's proposal for the block, or overrides it with a reason;
    both values are kept with the rule set's id, version and hash."""
    ensure_assessor(actor, enrolment, block)
    if confirmed not in CONFIRMED_STATUSES:
        raise DomainError("Choisissez « Validé » ou « Non validé ».")
    _lock(enrolment)
    if awaiting_observation(enrolment, block):
        raise DomainError("Enregistrez d'abord une observation conforme du bloc : la décision vient ensuite.")
    proposal = propose(enrolment, [block])
    proposed = proposal.blocks[block.code]
    refusal = override_refusal(proposed.status, confirmed, reason)
    if refusal:
        raise OverrideWithoutReason(refusal)
    override_reason = reason.strip() if confirmed != proposed.status else ""
    latest = BlockDecision.objects.filter(enrolment=enrolment, block=block).order_by("-pk").first()
    if latest is not None and (
        latest.confirmed_status,
        latest.proposed_status,
        latest.override_reason,
        latest.record,
    ) == (confirmed, proposed.status, override_reason, proposal.record):
        raise DomainError("Cette décision est déjà enregistrée pour ce bloc, sur les mêmes résultats.")
    decision = BlockDecision(
        source=DecisionSource.ASSESSMENT,
        enrolment=enrolment,
        block=block,
        proposed_status=proposed.status,
        confirmed_status=confirmed,
        override_reason=override_reason,
        explanation=proposed.explanation,
        record=proposal.record,
        rule_set_id=proposal.rules["id"],
        rule_set_version=proposal.rules["version"],
        rule_set_hash=proposal.rules["hash"],
        decided_by=actor,
    )
    save_attributed(decision, actor, "Décision de bloc confirmée")
    after = {
        "proposed_status": proposed.status.value,
        "confirmed_status": confirmed,
        "override_reason": decision.override_reason,
        "rules": proposal.rules,
    }
    record_event(AuditAction.BLOCK_DECISION_CONFIRMED, decision, actor=actor, after=after)
    return decision
