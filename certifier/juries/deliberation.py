"""The national jury's deliberation (D53, D56): what it sees for each candidate (the engine's proposal and
its explanation, the local jury's opinion or the assessors' block decisions, the capitalised blocks, its
own decision and, in an amendment, the decision in force), and its decisions: the proposals adopted for a
list of candidates at once, or one candidate decided, a departure reasoned and voted. Every decision is
audited (who, when, before → after)."""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certifier.assessments.enums import CONFIRMED_STATUSES, BlockStatus
from certifier.assessments.models import BlockDecision
from certifier.core.audit import record_event, record_events
from certifier.core.enums import AuditAction, DecisionSource
from certifier.core.models import DomainError, NotAllowed
from certifier.decisions.registry import compiled
from certifier.exams.evaluations import Exam
from certifier.exams.models import ExamSession, Mark, MarkStatus, Registration
from certifier.exams.outcome import BlockShown, CandidateOutcome, Status, blocks_status, session_outcome
from certifier.people.enums import Role
from certifier.people.permissions import has_role
from certifier.referential.enums import Scheme
from certifier.referential.models import Block

from .models import Conflict, Deliberation, Jury, JuryDecision, JuryStatus, LocalOpinion, Minutes
from .permissions import may_deliberate
from .sitting import quorum, voters

TEXT_MAX = 5000
# D56: a favourable decision may be withdrawn within four months of it, except for fraud
WITHDRAWAL_MONTHS = 4

PROPOSED = {
    Status.CERTIFIED: JuryStatus.CERTIFIED,
    Status.NOT_CERTIFIED: JuryStatus.NOT_CERTIFIED,
    Status.PENDING: JuryStatus.DEFERRED,
}
BLOCK_LABELS = {status.value: status.label for status in BlockStatus}
# D18: where a capitalised block was validated, as the explanation says it
NATIONAL_JURY_ORIGIN = "validé par le jury national"
VAE_ORIGIN = "validé par la VAE"


# the reader ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """One candidate as the jury sees it in a deliberation."""

    registration: Registration
    outcome: CandidateOutcome  # marks, total, average, eliminatory marks, Pass; block statuses
    status: JuryStatus  # the engine's proposal
    blocks: dict[str, str]  # the proposal per block code (blocks scheme): validated / not validated
    capitalised: dict[str, str]  # D18: code → where it was validated (national jury earlier, or VAE)
    explanation: str
    record: dict[str, Any]  # what the engine decided on
    opinion: LocalOpinion | None  # the local jury's (2013 scheme)
    decision: JuryDecision | None  # recorded in this deliberation
    in_force: JuryDecision | None  # amendments: the decision the amendment corrects

    @property
    def decided(self) -> bool:
        return self.decision is not None

    @property
    def departs(self) -> bool:
        """The decision recorded departs from the proposal it was taken on (its status or a block)."""
        return self.decision is not None and recorded_departure(self.decision)

    @property
    def changes(self) -> bool:
        """In an amendment, the decision recorded changes the decision in force (its status or a block)."""
        return (
            self.decision is not None
            and self.in_force is not None
            and changes(self.in_force, self.decision.confirmed_status, self.decision.blocks)
        )

    @property
    def outdated(self) -> bool:
        """The engine's proposal changed since the decision was recorded (a mark, a block decision)."""
        decision = self.decision
        return decision is not None and (decision.proposed_status, decision.proposed_blocks) != (
            self.status,
            self.blocks,
        )

    @property
    def block_rows(self) -> list[tuple[BlockShown, str, str | None, str]]:
        """Per block: the assessors' decision, the proposal, the jury's decision (code of the status), and
        where the block was capitalised ("" if it was not)."""
        decided = self.decision.blocks if self.decision else {}
        return [
            (
                shown,
                self.blocks.get(shown.block.code, ""),
                decided.get(shown.block.code),
                self.capitalised.get(shown.block.code, ""),
            )
            for shown in self.outcome.blocks
        ]


@dataclass(frozen=True)
class Board:
    """Every candidate of a deliberation, with what the rows share."""

    deliberation: Deliberation
    scheme: str
    evaluations: tuple[Exam, ...]
    blocks: tuple[Block, ...]
    total_of: int
    stamp: dict[str, Any]  # the rule set's id, version and hash
    rows: list[Proposal] = field(default_factory=list)

    @property
    def by_registration(self) -> dict[int, Proposal]:
        return {row.registration.pk: row for row in self.rows}


def departs(proposal: Proposal, status: str, blocks: dict[str, str]) -> bool:
    return status != proposal.status or blocks != proposal.blocks


def changes(in_force: JuryDecision, status: str, blocks: dict[str, str]) -> bool:
    """D56: an amendment's decision differs from the decision in force it corrects."""
    return (status, blocks) != (in_force.confirmed_status, in_force.blocks)


def recorded_departure(decision: JuryDecision) -> bool:
    return (decision.proposed_status, decision.proposed_blocks) != (
        decision.confirmed_status,
        decision.blocks,
    )


@dataclass(frozen=True)
class Entry:
    """A candidate of a deliberation as its filters need it, without the engine."""

    registration_id: int
    decided: bool
    departs: bool


# the order of the session's outcome (`session_outcome`)
ORDER = ("enrolment__candidate__birth_name", "enrolment__candidate__first_name", "candidate_number")


def roster(deliberation: Deliberation) -> list[Entry]:
    """Every registration of the deliberation's session in the outcome's order, with whether the jury
    decided on it and departed from the proposal, in two queries: a page filters and paginates on this,
    then reads the proposals of its rows only."""
    departures = {
        registration_id: (proposed, proposed_blocks) != (confirmed, blocks)
        for registration_id, proposed, confirmed, proposed_blocks, blocks in JuryDecision.objects.filter(
            deliberation=deliberation
        ).values_list("registration_id", "proposed_status", "confirmed_status", "proposed_blocks", "blocks")
    }
    return [
        Entry(pk, pk in departures, departures.get(pk, False))
        for pk in Registration.objects.filter(session=deliberation.jury.session_id)
        .order_by(*ORDER)
        .values_list("pk", flat=True)
    ]


def rule_stamp(session: ExamSession) -> dict[str, Any]:
    if not session.version.rule_set:
        return {"id": "", "version": 0, "hash": ""}
    return compiled(session.version.rule_set).stamp


def proposals(deliberation: Deliberation, registrations: QuerySet[Registration] | None = None) -> Board:
    """The board of `deliberation` for `registrations` of its session (all of them by default), in a
    constant number of queries, in the order of the session's outcome (name, first name, number)."""
    session = deliberation.jury.session
    if registrations is None:
        registrations = Registration.objects.filter(session=session)
    else:
        registrations = registrations.filter(session=session)
    outcome = session_outcome(session, registrations)
    ids = registrations.values("pk")
    decided = {
        decision.registration_id: decision
        for decision in JuryDecision.objects.filter(deliberation=deliberation, registration__in=ids)
    }
    in_force = decisions_in_force(registrations) if deliberation.is_amendment else {}
    stamp = rule_stamp(session)
    rows: list[Proposal] = []
    if outcome.scheme == Scheme.BLOCKS:
        capitalised = _capitalised(session, registrations)
        decider = compiled(session.version.rule_set).decider if session.version.rule_set else None
        for candidate in outcome.candidates:
            registration = candidate.registration
            kept = capitalised.get(registration.enrolment.candidate_id, {})
            rows.append(
                _blocks_proposal(
                    candidate, decider, kept, decided.get(registration.pk), in_force.get(registration.pk)
                )
            )
    else:
        marks = _marks(session, registrations, outcome.evaluations)
        opinions = {
            opinion.registration_id: opinion for opinion in LocalOpinion.objects.filter(registration__in=ids)
        }
        for candidate in outcome.candidates:
            pk = candidate.registration.pk
            rows.append(
                _marks_proposal(
                    candidate, marks.get(pk, {}), opinions.get(pk), decided.get(pk), in_force.get(pk)
                )
            )
    return Board(
        deliberation, outcome.scheme, outcome.evaluations, outcome.blocks, outcome.total_of, stamp, rows
    )


def _marks(
    session: ExamSession, registrations: QuerySet[Registration], shown: Sequence[Exam]
) -> dict[int, dict[str, str | None]]:
    """The marks the engine decided on, as the record keeps them (a decimal in text; an unjustified
    absence counts as 0, D49; a mark not known is None), in one query."""
    hidden = {exam.name for exam in shown if exam.anonymous} if session.anonymity_lifted_at is None else set()
    marks: dict[int, dict[str, str | None]] = defaultdict(dict)
    for registration_id, exam, status, value in (
        Mark.objects.filter(registration__in=registrations.values("pk"))
        .exclude(exam__in=hidden)
        .values_list("registration_id", "exam", "status", "value")
    ):
        if status == MarkStatus.ABSENT:
            value = Decimal(0)
        marks[registration_id][exam] = (
            str(value) if status in (MarkStatus.MARKED, MarkStatus.ABSENT) else None
        )
    return marks


def _marks_proposal(
    candidate: CandidateOutcome,
    marks: dict[str, str | None],
    opinion: LocalOpinion | None,
    decision: JuryDecision | None,
    in_force: JuryDecision | None,
) -> Proposal:
    record = {
        "candidate": candidate.registration.candidate_number,
        "pass_followed": candidate.pass_followed,
        "marks": {shown.evaluation.name: marks.get(shown.evaluation.name) for shown in candidate.marks},
    }
    if candidate.status == Status.PENDING:
        explanation = "En attente : " + " ; ".join(candidate.waiting_for) + "."
    else:
        explanation = candidate.explanation
    return Proposal(
        registration=candidate.registration,
        outcome=candidate,
        status=PROPOSED[candidate.status],
        blocks={},
        capitalised={},
        explanation=explanation,
        record=record,
        opinion=opinion,
        decision=decision,
        in_force=in_force,
    )


def _blocks_proposal(
    candidate: CandidateOutcome,
    decider: Any,
    capitalised: dict[str, str],
    decision: JuryDecision | None,
    in_force: JuryDecision | None,
) -> Proposal:
    # D18: a block validated by the jury in an earlier session stays validated
    shown = tuple(
        BlockShown(item.block, BlockStatus.VALIDATED) if item.block.code in capitalised else item
        for item in candidate.blocks
    )
    status = blocks_status(decider, shown) if capitalised else candidate.status
    blocks = {item.block.code: item.status.value for item in shown if item.status is not None}
    kept = {item.block.code: capitalised[item.block.code] for item in shown if item.block.code in capitalised}
    parts = [
        f"bloc {item.block.code} : "
        + (
            f"capitalisé ({capitalised[item.block.code]})"
            if item.block.code in capitalised
            else item.label.lower()
        )
        for item in shown
    ]
    explanation = f"{status.label} — " + ", ".join(parts) + "." if parts else status.label
    record = {
        "blocks": {item.block.code: item.status.value if item.status else None for item in candidate.blocks},
        "capitalised": list(kept),
    }
    return Proposal(
        registration=candidate.registration,
        outcome=candidate,
        status=PROPOSED[status],
        blocks=blocks,
        capitalised=kept,
        explanation=explanation,
        record=record,
        opinion=None,
        decision=decision,
        in_force=in_force,
    )


def _capitalised(session: ExamSession, registrations: QuerySet[Registration]) -> dict[int, dict[str, str]]:
    """D18: per candidate, the codes of the blocks validated by the national jury in the decision in force
    of an earlier proclaimed session, or by a VAE jury's proclaimed outcome (its block decisions, source
    VAE, shown from the signature of its minutes), each with where it was validated, in two queries."""
    latest: dict[int, tuple[Any, int, int, dict[str, str]]] = {}
    for registration_id, candidate_id, blocks, signed_at, pk in (
        JuryDecision.objects.filter(
            registration__enrolment__candidate_id__in=registrations.values("enrolment__candidate_id"),
            registration__session__proclaimed_at__isnull=False,
            registration__session__written_exam_date__lt=session.written_exam_date,
            deliberation__minutes__isnull=False,
        )
        .exclude(registration__session=session)
        .values_list(
            "registration_id",
            "registration__enrolment__candidate_id",
            "blocks",
            "deliberation__minutes__signed_at",
            "pk",
        )
    ):
        known = latest.get(registration_id)
        if known is None or (signed_at, pk) > (known[0], known[2]):
            latest[registration_id] = (signed_at, candidate_id, pk, blocks)
    kept: dict[int, dict[str, str]] = defaultdict(dict)
    for _, candidate_id, _, blocks in latest.values():
        for code, status in blocks.items():
            if status == BlockStatus.VALIDATED:
                kept[candidate_id][code] = NATIONAL_JURY_ORIGIN
    for candidate_id, code in (
        BlockDecision.objects.shown(timezone.now())
        .filter(
            source=DecisionSource.VAE,
            confirmed_status=BlockStatus.VALIDATED,
            enrolment__candidate_id__in=registrations.values("enrolment__candidate_id"),
        )
        .values_list("enrolment__candidate_id", "block__code")
    ):
        kept[candidate_id].setdefault(code, VAE_ORIGIN)
    return kept


def decisions_in_force(
    registrations: QuerySet[Registration] | Iterable[Registration], *, only: Sequence[str] = ()
) -> dict[int, JuryDecision]:
    """D55, D56: for each registration, the decision of the latest deliberation whose minutes are signed
    (an amendment supersedes the original), by registration id, in one query; a registration without
    a proclaimed decision is absent. With `only`, the decisions carry those fields only, without their
    deliberation and minutes (a lean read for the results portal)."""
    # a list of registrations is filtered on its ids, without a subquery (cheaper to plan)
    wanted: dict[str, Any] = (
        {"registration__in": registrations.values("pk")}
        if isinstance(registrations, QuerySet)
        else {"registration_id__in": [registration.pk for registration in registrations]}
    )
    in_force: dict[int, JuryDecision] = {}
    decisions = JuryDecision.objects.filter(**wanted, deliberation__minutes__isnull=False)
    decisions = (
        decisions.only("registration_id", *only)
        if only
        else decisions.select_related("deliberation__minutes")
    )
    for decision in decisions.order_by("registration_id", "deliberation__minutes__signed_at", "pk"):
        in_force[decision.registration_id] = decision
    return in_force


# the services -------------------------------------------------------------------------------------


def snapshot(decision: JuryDecision) -> dict[str, Any]:
    return {
        "proposed_status": decision.proposed_status,
        "confirmed_status": decision.confirmed_status,
        "proposed_blocks": decision.proposed_blocks,
        "blocks": decision.blocks,
        "override_reason": decision.override_reason,
        "votes": [decision.votes_for, decision.votes_against, decision.abstentions],
        "comment": decision.comment,
        "fraud": decision.fraud,
        "amends": decision.amends_id,
    }


ABSENT = (
    "Seuls les membres présents à la séance statuent : demandez au président de vous inscrire sur la "
    "feuille de présence."
)
IN_CONFLICT = (
    "Vous avez déclaré un conflit d'intérêts avec ce candidat : vous ne statuez pas sur sa décision (D52)."
)


def _keeps_the_record(actor: Any) -> bool:
    """The national administrator keeps the record of the sitting, present on its sheet or not."""
    return has_role(actor, Role.NATIONAL_ADMIN)


def may_decide(actor: Any, deliberation: Deliberation) -> bool:
    """D52, D53: who records the decisions of this sitting: the national administrator, and the members
    of its jury present at the sitting."""
    if actor is None or not may_deliberate(actor, deliberation.jury):
        return False
    return _keeps_the_record(actor) or deliberation.present.filter(user=actor).exists()


def conflicts_of(actor: Any, jury: Jury) -> set[int]:
    """D52: the registrations the actor's seat on `jury` declared a conflict of interest with, in one
    query (none for who holds no seat)."""
    if actor is None or not actor.is_authenticated:
        return set()
    return set(
        Conflict.objects.filter(member__jury=jury, member__user=actor).values_list(
            "registration_id", flat=True
        )
    )


def _refuse_unless_open(actor: Any, deliberation: Deliberation) -> Deliberation:
    """Who acts (a member present at the sitting, or the national administrator), the minutes not
    signed, the session not proclaimed (original), the quorum; returns the deliberation locked for the
    rest of the transaction (decisions, the attendance and the signature take turns)."""
    jury = deliberation.jury
    if actor is None or not may_deliberate(actor, jury):
        raise NotAllowed("Seuls les membres du jury national et l'administrateur national statuent.")
    locked = (
        Deliberation.objects.select_for_update()
        .select_related("jury__session__version")
        .get(pk=deliberation.pk)
    )
    if not _keeps_the_record(actor) and not locked.present.filter(user=actor).exists():
        raise NotAllowed(ABSENT)
    if Minutes.objects.filter(deliberation=locked).exists():
        raise DomainError(
            "Le procès-verbal de cette délibération est signé : ses décisions ne changent plus."
        )
    if not locked.is_amendment:
        locked.jury.session.refuse_when_proclaimed()
    reached = quorum(locked.jury, locked.present.all())
    if not reached.reached:
        raise DomainError(f"Le jury ne peut pas statuer. {reached.label}")
    return locked


@transaction.atomic
def do_adopt_proposals(actor: Any, deliberation: Deliberation, registrations: Iterable[Registration]) -> int:
    """D53: the jury adopts the engine's proposal for a list of candidates at once: one decision each,
    stamped with the rule set and the record decided on; those already decided are left as they are, and
    so are those the acting member declared a conflict of interest with (D52: the other members decide
    them). Returns how many decisions were recorded."""
    deliberation = _refuse_unless_open(actor, deliberation)
    if deliberation.is_amendment:
        raise DomainError("Un rectificatif statue candidat par candidat, avec son motif.")
    session = deliberation.jury.session
    wanted = {registration.pk for registration in registrations}
    chosen = Registration.objects.filter(pk__in=wanted)
    if chosen.exclude(session=session).exists() or chosen.count() != len(wanted):
        raise DomainError("Certains candidats choisis ne sont pas inscrits à cette session.")
    board = proposals(deliberation, chosen)
    conflicted = conflicts_of(actor, deliberation.jury)
    new = [
        JuryDecision(
            source=DecisionSource.JURY,
            deliberation=deliberation,
            registration=row.registration,
            proposed_status=row.status,
            confirmed_status=row.status,
            proposed_blocks=row.blocks,
            blocks=row.blocks,
            explanation=row.explanation,
            record=row.record,
            rule_set_id=board.stamp["id"],
            rule_set_version=board.stamp["version"],
            rule_set_hash=board.stamp["hash"],
            decided_by=actor,
        )
        for row in board.rows
        if row.decision is None and row.registration.pk not in conflicted
    ]
    if not new:
        return 0
    try:
        with transaction.atomic():
            created = JuryDecision.objects.bulk_create(new)
    except IntegrityError as error:
        raise DomainError(
            "Un autre membre du jury vient de statuer sur certains de ces candidats : rechargez la page."
        ) from error
    record_events(
        AuditAction.JURY_PROPOSAL_ADOPTED,
        [(decision, None, snapshot(decision)) for decision in created],
        actor=actor,
    )
    return len(created)


def withdrawal_deadline(signed_at: datetime) -> datetime:
    """D56: four months after the signature of the minutes that made the decision."""
    month = signed_at.month - 1 + WITHDRAWAL_MONTHS
    year, month = signed_at.year + month // 12, month % 12 + 1
    return signed_at.replace(
        year=year, month=month, day=min(signed_at.day, calendar.monthrange(year, month)[1])
    )


def withdraws(in_force: JuryDecision, status: str, blocks: dict[str, str]) -> bool:
    """A favourable decision withdrawn: certified → not, or a validated block → not validated."""
    if in_force.confirmed_status == JuryStatus.CERTIFIED and status != JuryStatus.CERTIFIED:
        return True
    return any(
        value == BlockStatus.VALIDATED and blocks.get(code) != BlockStatus.VALIDATED
        for code, value in in_force.blocks.items()
    )


@dataclass(frozen=True)
class Change:
    """What a decision needing a reason and a vote changes, in the words of its refusals."""

    decision: str  # « Une décision … »
    kept: str  # what stands when the vote is not carried


FROM_PROPOSAL = Change("Une décision différente de la proposition", "la proposition est maintenue")
FROM_IN_FORCE = Change(
    "Une décision qui change la décision en vigueur", "la décision en vigueur est maintenue"
)


def _votes_refusal(
    deliberation: Deliberation, registration: Registration, votes: tuple[int | None, ...], change: Change
) -> str | None:
    if any(vote is None for vote in votes):
        return f"{change.decision} est votée : saisissez les voix pour, contre et les abstentions."
    counted = [vote for vote in votes if vote is not None]
    if any(vote < 0 for vote in counted):
        return "Un nombre de voix est positif ou nul."
    entitled = len(voters(deliberation, registration))
    if sum(counted) != entitled:
        return (
            f"Le vote compte {sum(counted)} voix ; {entitled} membres présents ont voix délibérative sur ce "
            "candidat (le président et les membres en conflit d'intérêts ne votent pas)."
        )
    votes_for, votes_against, _ = counted
    if votes_for <= votes_against:
        return (
            f"{change.decision} n'a pas la majorité des voix exprimées "
            f"({votes_for} pour, {votes_against} contre) : {change.kept}."
        )
    return None


def _blocks_refusal(board: Board, status: str, blocks: dict[str, str]) -> str | None:
    if board.scheme != Scheme.BLOCKS:
        return (
            "Les décisions par bloc ne concernent que le dispositif par blocs de compétences."
            if blocks
            else None
        )
    codes = {block.code for block in board.blocks}
    unknown = sorted(set(blocks) - codes)
    if unknown:
        return f"Bloc inconnu de cette certification : {', '.join(unknown)}."
    if any(value not in CONFIRMED_STATUSES for value in blocks.values()):
        return "Un bloc est « Validé » ou « Non validé »."
    if status == JuryStatus.CERTIFIED and any(blocks.get(code) != BlockStatus.VALIDATED for code in codes):
        return "Le CQP n'est délivré que si chaque bloc est validé (D17)."
    return None


@transaction.atomic
def do_decide(
    actor: Any,
    deliberation: Deliberation,
    registration: Registration,
    status: str,
    blocks: dict[str, str] | None,
    reason: str,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
    comment: str,
    fraud: bool,
) -> JuryDecision:
    """D53, D56: the jury decides on one candidate. Following the proposal needs nothing more; a departure
    (status or any block) needs a reason and a vote of the members entitled to vote on the candidate, with
    more votes for than against. Re-deciding before the minutes are signed updates the decision; the
    same decision again writes nothing. In an amendment, the decision corrects the one in force: any
    change from it is reasoned and voted too, and a favourable decision is withdrawn only within four
    months of its minutes, except for fraud. A member in conflict with the candidate does not decide."""
    deliberation = _refuse_unless_open(actor, deliberation)
    session = deliberation.jury.session
    if registration.session_id != session.pk:
        raise DomainError("Ce candidat n'est pas inscrit à la session de ce jury.")
    if status not in JuryStatus.values:
        raise DomainError("Choisissez « Certifié », « Non certifié » ou « Décision reportée ».")
    blocks = dict(blocks or {})
    reason, comment = (reason or "").strip(), (comment or "").strip()
    for label, text in (("motif", reason), ("observations", comment)):
        if len(text) > TEXT_MAX:
            raise DomainError(f"Le champ « {label} » compte {len(text)} caractères ; {TEXT_MAX} au plus.")
    if registration.pk in conflicts_of(actor, deliberation.jury):
        raise NotAllowed(IN_CONFLICT)
    board = proposals(deliberation, Registration.objects.filter(pk=registration.pk))
    row = board.rows[0]
    refusal = _blocks_refusal(board, status, blocks)
    if refusal:
        raise DomainError(refusal)
    amends = None
    if deliberation.is_amendment:
        amends = decisions_in_force([registration]).get(registration.pk)
        if amends is None:
            raise DomainError("Ce candidat n'a pas de décision proclamée : il n'y a rien à rectifier.")
        if (
            withdraws(amends, status, blocks)
            and not fraud
            and timezone.now() > withdrawal_deadline(amends.deliberation.minutes.signed_at)
        ):
            raise DomainError(
                "Une décision favorable ne peut être retirée que dans les quatre mois de sa signature, "
                "sauf fraude (D56) : cochez « fraude établie » si la fraude est établie."
            )
    # D56: in an amendment, a change from the decision in force is reasoned and voted like a departure
    # from the proposal (the amendment's own reason does not state each decision's)
    change = FROM_IN_FORCE if amends is not None and changes(amends, status, blocks) else None
    if change is None and departs(row, status, blocks):
        change = FROM_PROPOSAL
    votes: tuple[int | None, ...] = (None, None, None)
    if change is not None:
        if not reason:
            raise DomainError(f"{change.decision} est motivée : saisissez le motif.")
        votes = (votes_for, votes_against, abstentions)
        refusal = _votes_refusal(deliberation, registration, votes, change)
        if refusal:
            raise DomainError(refusal)
    else:
        reason = ""
    decision = row.decision
    before = snapshot(decision) if decision else None
    if decision is None:
        decision = JuryDecision(
            source=DecisionSource.JURY, deliberation=deliberation, registration=row.registration
        )
    decision.proposed_status = row.status
    decision.confirmed_status = status
    decision.proposed_blocks = row.blocks
    decision.blocks = blocks if board.scheme == Scheme.BLOCKS else {}
    decision.override_reason = reason
    decision.votes_for, decision.votes_against, decision.abstentions = votes
    decision.comment = comment
    decision.fraud = fraud
    decision.amends = amends
    if before == snapshot(decision):
        return decision
    decision.explanation = row.explanation
    decision.record = row.record
    decision.rule_set_id = board.stamp["id"]
    decision.rule_set_version = board.stamp["version"]
    decision.rule_set_hash = board.stamp["hash"]
    decision.decided_by = actor
    if before is not None:
        decision.decided_at = timezone.now()
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as error:
        # another member recorded a decision on this candidate at the same moment
        raise DomainError(
            "Un autre membre du jury vient de statuer sur ce candidat : rechargez la page."
        ) from error
    if before is not None:
        action = AuditAction.JURY_DECISION_CHANGED
    elif amends is not None:
        action = AuditAction.JURY_DECISION_AMENDED
    else:
        action = AuditAction.JURY_DECISION_RECORDED
    record_event(action, decision, actor=actor, before=before, after=snapshot(decision), reason=reason)
    return decision
