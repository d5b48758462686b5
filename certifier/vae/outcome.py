"""The VAE jury's outcome for a candidacy (D67, D36, D18): the jury validates blocks, the engine proposes
the outcome from the blocks validated now and those the candidate already holds (full validation when
the certification is delivered, partial when some block is validated now, refusal otherwise); the jury
records it (the jury decides the blocks; the outcome follows from them, D17), always argues it, and
votes it (the president's casting vote breaks a tie). Re-deciding before the minutes are signed replaces the decision; after, nothing
changes it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from certifier.assessments.enums import BlockStatus
from certifier.assessments.models import BlockDecision
from certifier.core.audit import record_event
from certifier.core.enums import AuditAction, DecisionSource
from certifier.core.models import DomainError, NotAllowed
from certifier.decisions.registry import compiled
from certifier.referential.enums import Scheme
from certifier.referential.models import Block, CertificationVersion

from .enums import ApplicationStatus, VaeOutcome
from .jury import composition_problems, link_refusals, needs_slot
from .models import VaeCandidacy, VaeDecision, VaeJuryMember, VaeJurySession, VaeMinutes

TEXT_MAX = 5000
NOT_A_MEMBER = "Seuls les membres de ce jury VAE statuent sur ses candidats."
SIGNED = "Le procès-verbal de ce jury VAE est signé : ses décisions ne changent plus."


def locked(queryset: Any) -> Any:
    """`select_for_update` of the queryset's own rows (PostgreSQL refuses FOR UPDATE across an outer join)."""
    if connection.features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def version_blocks(version: CertificationVersion) -> list[Block]:
    return list(Block.objects.filter(version=version).order_by("position", "code"))


def held_blocks(candidate_id: int, codes: set[str]) -> set[str]:
    """D18: among `codes`, the blocks the candidate holds: validated by the decision in force of any of
    their enrolments (an assessor's, the national jury's or a VAE jury's), in one query."""
    return held_by_candidate([candidate_id], codes).get(candidate_id, set())


def held_by_candidate(
    candidate_ids: list[int], codes: set[str], before: datetime | None = None
) -> dict[int, set[str]]:
    """`held_blocks` of several candidates at once, by candidate id, in one query; with `before`, as they
    were then (a signed session's page: not the blocks its own signature wrote)."""
    held: dict[int, set[str]] = {}
    decisions = BlockDecision.objects.latest_per_block().filter(
        enrolment__candidate_id__in=candidate_ids,
        confirmed_status=BlockStatus.VALIDATED,
        block__code__in=codes,
    )
    if before is not None:
        decisions = decisions.filter(decided_at__lt=before)
    for candidate_id, code in decisions.values_list("enrolment__candidate_id", "block__code"):
        held.setdefault(candidate_id, set()).add(code)
    return held


@dataclass(frozen=True)
class Proposal:
    """What the engine proposes for a candidacy, from the blocks the jury validates now."""

    status: VaeOutcome
    explanation: str
    record: dict[str, Any]
    stamp: dict[str, Any]  # the rule set's id, version and hash


def propose(candidate: str, version: CertificationVersion, validated: set[str], held: set[str]) -> Proposal:
    """The engine decides on a record without criteria whose capitalised blocks are those validated now
    and those already held: the certification delivered is a full validation; otherwise some block
    validated now (not held before) is a partial validation; none is a refusal."""
    if version.scheme != Scheme.BLOCKS or not version.rule_set:
        raise DomainError(
            "La VAE valide des blocs de compétences : cette version de la certification n'en a pas "
            "(aucun jeu de règles par blocs)."
        )
    rules = compiled(version.rule_set)
    record = {"candidate": candidate, "criteria": {}, "capitalised": sorted(validated | held)}
    output = rules.decide(record).output
    if output["status"] == "certified":
        status = VaeOutcome.FULL
    elif validated - held:
        status = VaeOutcome.PARTIAL
    else:
        status = VaeOutcome.REFUSED
    # the engine's sentence calls every capitalised block "earlier": say which the jury validates now
    parts = [
        f"bloc {block.code} : "
        + (
            "validé par le jury VAE"
            if block.code in validated
            else "déjà acquis"
            if block.code in held
            else "non validé"
        )
        for block in version_blocks(version)
    ]
    return Proposal(status, f"{status.label} — " + ", ".join(parts) + ".", record, rules.stamp)


def snapshot(decision: VaeDecision) -> dict[str, Any]:
    return {
        "proposed_status": decision.proposed_status,
        "confirmed_status": decision.confirmed_status,
        "blocks": decision.blocks,
        "argument": decision.argument,
        "votes": [decision.votes_for, decision.votes_against, decision.abstentions],
        "casting_vote": decision.casting_vote,
    }


def seat_of(actor: Any, session: VaeJurySession) -> VaeJuryMember | None:
    if actor is None or not actor.is_authenticated:
        return None
    return VaeJuryMember.objects.filter(session=session, user=actor).first()


def refuse_unless_open(actor: Any, session: VaeJurySession) -> VaeJurySession:
    """A member of the session acts; its composition is valid and its minutes unsigned. Returns the
    session locked for the rest of the transaction (decisions and the signature take turns)."""
    if seat_of(actor, session) is None:
        raise NotAllowed(NOT_A_MEMBER)
    session = locked(VaeJurySession.objects.filter(pk=session.pk)).get()
    if VaeMinutes.objects.filter(session=session).exists():
        raise DomainError(SIGNED)
    problems = composition_problems(session)
    if problems:
        raise DomainError("La composition du jury VAE ne permet pas de statuer : " + " ".join(problems))
    return session


def _blocks_refusal(blocks: dict[str, bool], codes: list[str]) -> str | None:
    unknown = sorted(set(blocks) - set(codes))
    if unknown:
        return f"Bloc inconnu de cette certification : {', '.join(unknown)}."
    missing = [code for code in codes if code not in blocks]
    if missing:
        return f"Dites pour chaque bloc s'il est validé : {', '.join(missing)}."
    return None


def _votes_refusal(votes: tuple[int, int, int], members: int, casting_vote: bool | None) -> str | None:
    votes_for, votes_against, _ = votes
    if any(vote < 0 for vote in votes):
        return "Un nombre de voix (pour, contre, abstentions) est positif ou nul."
    if sum(votes) == 0:
        return "Saisissez le vote du jury : voix pour, contre et abstentions."
    if sum(votes) > members:
        return (
            f"Le vote compte {sum(votes)} voix (pour, contre et abstentions) ; le jury compte "
            f"{members} membres."
        )
    if votes_for != votes_against:
        if casting_vote is not None:
            return "La voix prépondérante du président ne départage qu'une égalité des voix."
        if votes_for < votes_against:
            return (
                f"La décision n'a pas la majorité ({votes_for} pour, {votes_against} contre) : "
                "elle n'est pas adoptée."
            )
        return None
    if casting_vote is None:
        return (
            f"Égalité des voix ({votes_for} pour, {votes_against} contre) : la voix prépondérante du "
            "président départage."
        )
    if not casting_vote:
        return "Le président a voté contre : à égalité des voix, la décision n'est pas adoptée."
    return None


@transaction.atomic
def do_decide(
    actor: Any,
    candidacy: VaeCandidacy,
    *,
    blocks: dict[str, bool],
    argument: str,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    casting_vote: bool | None = None,
) -> VaeDecision:
    """D67: a member of the candidacy's session records the jury's outcome. `blocks` says for every block
    of the version whether the jury validates it (a block already held may be left validated); the
    engine proposes the outcome from them, and the jury's outcome is that proposal: it decides the
    blocks, the outcome follows (D17), so it never departs from it. Always argued; voted by the members
    (a tie needs the president's casting vote: True for, False against), adopted only if the vote
    carries."""
    session = refuse_unless_open(actor, candidacy.session)
    candidacy = VaeCandidacy.objects.select_related("application__version").get(pk=candidacy.pk)
    application = candidacy.application
    if application.status != ApplicationStatus.DOSSIER_SUBMITTED:
        raise DomainError(
            f"La demande est « {application.get_status_display()} » : le jury statue sur un dossier déposé."
        )
    if needs_slot(candidacy) and (candidacy.interview_at is None or candidacy.interview_at > timezone.now()):
        raise DomainError(
            "L'entretien avec le candidat n'a pas encore eu lieu : le jury statue après l'entretien "
            "(ou sur dossier seul, D66)."
        )
    argument = (argument or "").strip()
    if not argument:
        raise DomainError("La décision du jury VAE est toujours motivée : saisissez la motivation.")
    if len(argument) > TEXT_MAX:
        raise DomainError(f"La motivation compte {len(argument)} caractères ; {TEXT_MAX} au plus.")
    codes = [block.code for block in version_blocks(application.version)]
    if refusal := _blocks_refusal(blocks, codes):
        raise DomainError(refusal)
    if refusals := link_refusals(session, application):
        raise DomainError(" ".join(refusals))
    votes = (votes_for, votes_against, abstentions)
    if refusal := _votes_refusal(votes, session.members.count(), casting_vote):
        raise DomainError(refusal)
    if casting_vote is not None and not session.members.filter(user=actor, president=True).exists():
        raise DomainError(
            "La voix prépondérante est celle du président : c'est lui qui enregistre une décision prise à "
            "égalité des voix."
        )
    validated = {code for code, chosen in blocks.items() if chosen}
    held = held_blocks(application.candidate_id, set(codes))
    proposal = propose(str(application.pk), application.version, validated, held)

    decision = VaeDecision.objects.filter(candidacy=candidacy).first()
    before = snapshot(decision) if decision else None
    if decision is None:
        decision = VaeDecision(source=DecisionSource.VAE, candidacy=candidacy)
    decision.proposed_status = proposal.status
    decision.confirmed_status = proposal.status
    decision.blocks = {
        code: BlockStatus.VALIDATED.value if code in validated else BlockStatus.NOT_VALIDATED.value
        for code in codes
    }
    decision.argument = argument
    decision.votes_for, decision.votes_against, decision.abstentions = votes
    decision.casting_vote = bool(casting_vote)
    if before == snapshot(decision):
        return decision
    decision.explanation = proposal.explanation
    decision.record = proposal.record
    decision.rule_set_id = proposal.stamp["id"]
    decision.rule_set_version = proposal.stamp["version"]
    decision.rule_set_hash = proposal.stamp["hash"]
    decision.decided_by = actor
    if before is not None:
        decision.decided_at = timezone.now()
    decision.save()
    record_event(
        AuditAction.VAE_DECISION_RECORDED,
        decision,
        actor=actor,
        before=before,
        after=snapshot(decision),
    )
    return decision
