"""The only writers of evidence. Each service checks who acts and what the rules allow, writes,
and records the audit event in the same transaction; criterion results also keep their history."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes, save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError
from certifier.pathways.models import Enrolment
from certifier.referential.enums import AssessmentMethodKind
from certifier.referential.models import AssessmentMethod, Block, Competence, Criterion

from .enums import CONFIRMED_STATUSES, Signatory
from .models import Attestation, BlockDecision, CriterionResult, Observation
from .permissions import can_assess, missing_signature, signatories
from .proposals import propose
from .rules import Observed, observation_shortfalls, override_refusal, requirements_of


class ObservationRefused(DomainError):
    """An observation that does not meet its method; `shortfalls` pairs what each reason is about
    (a situation kind or a requirement) with its French message."""

    def __init__(self, shortfalls: list[tuple[str, str]]) -> None:
        super().__init__(" ".join(message for _, message in shortfalls))
        self.shortfalls = shortfalls


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
    capacities = signatories(actor, enrolment)
    if not capacities:
        raise DomainError("Seuls le tuteur et le manager du candidat attestent dans son carnet de suivi.")
    if data.competence.block.version_id != enrolment.version_id:
        raise DomainError("Cette compétence ne fait pas partie de la certification préparée par le candidat.")
    if data.observed_on > timezone.localdate():
        raise DomainError("La date de la situation ne peut pas être postérieure à aujourd'hui.")
    capacity = capacities[0]
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
    """The other signatory co-signs; only then does the attestation count (D10)."""
    attestation = Attestation.objects.select_for_update().select_related("enrolment").get(pk=attestation.pk)
    capacity = missing_signature(actor, attestation)
    if capacity is None:
        raise DomainError("Vous ne pouvez pas signer cette attestation.")
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
    if attestation.is_withdrawn:
        raise DomainError("Cette attestation a déjà été retirée.")
    if not signatories(actor, attestation.enrolment):
        raise DomainError("Seuls le tuteur et le manager du candidat retirent une attestation.")
    if not reason:
        raise DomainError("Indiquez le motif du retrait.")
    withdrawal = {"withdrawn_by": actor, "withdrawn_at": timezone.now(), "withdrawal_reason": reason}
    before, after = apply_changes(attestation, withdrawal, actor, "Attestation retirée")
    record_event(AuditAction.ATTESTATION_WITHDRAWN, attestation, actor=actor, before=before, after=after)
    return attestation


def _check_assessor(actor: Any, enrolment: Enrolment, block: Block) -> None:
    if not can_assess(actor, enrolment, block):
        raise DomainError("Seul un évaluateur affecté au candidat pour ce bloc peut l'évaluer.")


def awaiting_observation(enrolment: Enrolment, block: Block) -> list[AssessmentMethod]:
    """The methods of the block that still lack a valid observation for this enrolment."""
    observed = Observation.objects.filter(enrolment=enrolment, method__block=block).values("method_id")
    return list(block.methods.exclude(kind=AssessmentMethodKind.LOGBOOK).exclude(pk__in=observed))


@transaction.atomic
def do_record_observation(
    actor: Any, enrolment: Enrolment, method: AssessmentMethod, data: ObservationData
) -> Observation:
    """Records the observed situations only when they meet the method (D11–D13)."""
    _check_assessor(actor, enrolment, method.block)
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
    shortfalls = observation_shortfalls(requirements, observed)
    if shortfalls:
        raise ObservationRefused(shortfalls)
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
    """Saves the scores that changed; returns how many. Scoring needs a valid observation first."""
    _check_assessor(actor, enrolment, block)
    if awaiting_observation(enrolment, block):
        raise DomainError(
            "Enregistrez d'abord une observation conforme du bloc : les critères se notent ensuite."
        )
    if any(criterion.competence.block_id != block.pk for criterion in scores):
        raise DomainError("Un critère noté n'appartient pas à ce bloc.")
    stored = {
        result.criterion_id: result
        for result in CriterionResult.objects.select_for_update().filter(
            enrolment=enrolment, criterion__in=scores
        )
    }
    now = timezone.now()
    changed = 0
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
            save_attributed(result, actor, "Critère évalué")
        else:
            apply_changes(result, values, actor, "Critère évalué")
        record_event(AuditAction.CRITERION_ASSESSED, result, actor=actor, before=before, after=after)
        changed += 1
    return changed


@transaction.atomic
def do_decide_block(
    actor: Any, enrolment: Enrolment, block: Block, confirmed: str, reason: str
) -> BlockDecision:
    """The assessor confirms the engine's proposal for the block, or overrides it with a reason;
    both values are kept with the rule set's id, version and hash."""
    _check_assessor(actor, enrolment, block)
    if awaiting_observation(enrolment, block):
        raise DomainError("Enregistrez d'abord une observation conforme du bloc : la décision vient ensuite.")
    if confirmed not in CONFIRMED_STATUSES:
        raise DomainError("Choisissez « Validé » ou « Non validé ».")
    proposal = propose(enrolment, [block])
    proposed = proposal.blocks[block.code]
    refusal = override_refusal(proposed.status, confirmed, reason)
    if refusal:
        raise OverrideWithoutReason(refusal)
    decision = BlockDecision(
        enrolment=enrolment,
        block=block,
        proposed_status=proposed.status,
        confirmed_status=confirmed,
        override_reason=reason.strip() if confirmed != proposed.status else "",
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
