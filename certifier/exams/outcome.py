"""The live outcome of a session (issue 8, item 7): what the juries will see.

Marks scheme: for every registration, the engine's proposal on the marks entered so far (weighted
total, average, eliminatory marks, Pass followed); "pending" while anything is missing, never shown as
a failure. Blocks scheme: the assessors' confirmed block decisions. Computed for all the session's
registrations at once, in a constant number of queries.
"""

import enum
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from certifier.assessments.enums import BlockStatus
from certifier.assessments.models import BlockDecision
from certifier.decisions.engine import FAIL, PASS, PENDING, State
from certifier.decisions.numbers import french
from certifier.decisions.registry import compiled
from certifier.decisions.schemes import BlockScheme, MarkScheme
from certifier.pathways.enums import PathKind
from certifier.pathways.models import Attendance, Module
from certifier.pathways.rules import pass_followed
from certifier.people.enums import Role
from certifier.people.permissions import has_role
from certifier.referential.enums import Scheme
from certifier.referential.models import Block

from .evaluations import Exam, evaluations
from .marks import cell_text
from .models import ExamSession, Mark, MarkStatus, Registration
from .permissions import visible_registrations


class Status(enum.StrEnum):
    CERTIFIED = "certified"
    NOT_CERTIFIED = "not_certified"
    PENDING = "pending"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def tone(self) -> str:
        return STATUS_TONES[self]


STATUS_LABELS = {
    Status.CERTIFIED: "Certifiable",
    Status.NOT_CERTIFIED: "Non certifiable",
    Status.PENDING: "En attente",
}
STATUS_TONES = {Status.CERTIFIED: "ok", Status.NOT_CERTIFIED: "err", Status.PENDING: "warn"}
ENGINE_STATUS = {
    "certified": Status.CERTIFIED,
    "not_certified": Status.NOT_CERTIFIED,
    "incomplete": Status.PENDING,
}
STATE_STATUS = {PASS: Status.CERTIFIED, FAIL: Status.NOT_CERTIFIED, PENDING: Status.PENDING}
# D49: why a mark is not (yet) known, as the pending line says it
WAITING: dict[str | None, str] = {
    None: "non saisie",
    MarkStatus.ABSENT_EXCUSED: "absent justifié",
    MarkStatus.FRAUD: "suspicion de fraude, décision du jury national",
}


@dataclass(frozen=True)
class MarkShown:
    evaluation: Exam
    text: str  # "12,5", "ABS", "ABJ", "FRA"; empty while not entered; "anonyme" until anonymity is lifted
    eliminatory: bool


@dataclass(frozen=True)
class BlockShown:
    block: Block
    status: BlockStatus | None  # None: no confirmed decision yet

    @property
    def label(self) -> str:
        return self.status.label if self.status else "Sans décision"


@dataclass(frozen=True)
class CandidateOutcome:
    registration: Registration
    status: Status
    pass_followed: bool | None  # None: the blocks scheme does not ask for it
    marks: tuple[MarkShown, ...] = ()
    total: str = ""  # out of the weighted maximum, French decimal
    average: str = ""  # out of 20, French decimal
    eliminatory: tuple[str, ...] = ()  # labels of the eliminatory marks
    waiting_for: tuple[str, ...] = ()  # what a pending outcome waits for
    explanation: str = ""  # the engine's sentence: why certifiable or not (marks scheme)
    blocks: tuple[BlockShown, ...] = ()


@dataclass(frozen=True)
class SessionOutcome:
    scheme: str
    evaluations: tuple[Exam, ...]
    blocks: tuple[Block, ...]
    candidates: list[CandidateOutcome]
    total_of: int  # the weighted maximum (200 for the 2013 scheme)

    @property
    def counts(self) -> dict[Status, int]:
        counted = Counter(candidate.status for candidate in self.candidates)
        return {status: counted[status] for status in Status}


def outcome_registrations(user: Any, session: ExamSession) -> QuerySet[Registration]:
    """Issue 8, item 8: the national administrator and the national jury (who judge) read every
    registration; a CRFP and its local jury, their own candidates'."""
    if has_role(user, Role.NATIONAL_ADMIN, Role.NATIONAL_JURY):
        return Registration.objects.filter(session=session)
    return visible_registrations(user, session)


def session_outcome(session: ExamSession, registrations: QuerySet[Registration]) -> SessionOutcome:
    """The outcome of each of `registrations` (of `session`), in their order."""
    rows = list(
        registrations.select_related("enrolment__candidate", "enrolment__training_centre").order_by(
            "enrolment__candidate__birth_name", "enrolment__candidate__first_name", "candidate_number"
        )
    )
    if session.version.scheme == Scheme.BLOCKS:
        return _blocks_outcome(session, registrations, rows)
    return _marks_outcome(session, registrations, rows)


def _marks_outcome(
    session: ExamSession, registrations: QuerySet[Registration], rows: list[Registration]
) -> SessionOutcome:
    shown = evaluations(session.version)
    if not shown:
        return SessionOutcome(session.version.scheme, (), (), [], 0)
    decider = compiled(session.version.rule_set).decider
    assert isinstance(decider, MarkScheme)
    # D48: an anonymous mark meets its candidate's name only once anonymity is lifted
    hidden = {exam.name for exam in shown if exam.anonymous} if session.anonymity_lifted_at is None else set()
    marks: dict[int, dict[str, tuple[str, Decimal | None]]] = defaultdict(dict)
    for registration_id, exam, status, value in (
        Mark.objects.filter(registration__in=registrations.values("pk"))
        .exclude(exam__in=hidden)
        .values_list("registration_id", "exam", "status", "value")
    ):
        marks[registration_id][exam] = (status, value)
    followed, recorded = _pass_followed(session, registrations)
    candidates = [
        _candidate(
            decider,
            shown,
            row,
            marks.get(row.pk, {}),
            True if row.enrolment_id in followed else (False if row.enrolment_id in recorded else None),
            hidden,
        )
        for row in rows
    ]
    total_of = sum(evaluation.weight for evaluation in shown) * 20
    return SessionOutcome(session.version.scheme, shown, (), candidates, total_of)


def _pass_followed(session: ExamSession, registrations: QuerySet[Registration]) -> tuple[set[int], set[int]]:
    """D28, D40: the enrolments among `registrations` that attended every Pass module, and those with
    any Pass attendance recorded (the others are not known yet), in two queries."""
    pass_modules = list(
        Module.objects.filter(
            path__certification_id=session.version.certification_id, path__kind=PathKind.PASS
        ).values_list("pk", flat=True)
    )
    attended: dict[int, list[int]] = defaultdict(list)
    for enrolment_id, module_id in Attendance.objects.filter(
        enrolment_id__in=registrations.values("enrolment_id"), module_id__in=pass_modules
    ).values_list("enrolment_id", "module_id"):
        attended[enrolment_id].append(module_id)
    followed = {enrolment for enrolment, modules in attended.items() if pass_followed(pass_modules, modules)}
    return followed, set(attended)


def _candidate(
    decider: MarkScheme,
    shown: Sequence[Exam],
    registration: Registration,
    entered: dict[str, tuple[str, Decimal | None]],
    followed: bool | None,
    hidden: set[str],
) -> CandidateOutcome:
    values: dict[str, Decimal | None] = {}
    waiting: list[str] = [] if followed is not None else ["Pass : présences non saisies"]
    for evaluation in shown:
        status, value = entered.get(evaluation.name, (None, None))
        if evaluation.name in hidden:
            waiting.append(f"{evaluation.label} : levée d'anonymat")
        elif status == MarkStatus.ABSENT:
            value = Decimal(0)  # D49: an unjustified absence counts as 0
        elif status != MarkStatus.MARKED:
            waiting.append(f"{evaluation.label} : {WAITING[status]}")
        values[evaluation.name] = value
    output = decider.decide(
        {"candidate": registration.candidate_number, "pass_followed": followed, "marks": values}
    ).output
    eliminated = set(output["eliminatory"])
    status = ENGINE_STATUS[output["status"]]
    return CandidateOutcome(
        registration=registration,
        status=status,
        pass_followed=followed,
        marks=tuple(
            MarkShown(
                evaluation,
                cell_text(*entered[evaluation.name])
                if evaluation.name in entered
                else ("anonyme" if evaluation.name in hidden else ""),
                evaluation.name in eliminated,
            )
            for evaluation in shown
        ),
        total=french(output.get("total", "")),
        average=french(output.get("average", "")),
        eliminatory=tuple(evaluation.label for evaluation in shown if evaluation.name in eliminated),
        # what is not known, and why: a suspected fraud or an excused absence is said whatever the status
        waiting_for=tuple(waiting),
        explanation=output["explanation"] if status != Status.PENDING else "",
    )


def _blocks_outcome(
    session: ExamSession, registrations: QuerySet[Registration], rows: list[Registration]
) -> SessionOutcome:
    blocks = tuple(Block.objects.filter(version=session.version).order_by("position", "code"))
    confirmed = {
        (enrolment_id, block_id): BlockStatus(status)
        for enrolment_id, block_id, status in BlockDecision.objects.filter(
            enrolment_id__in=registrations.values("enrolment_id"), block__version=session.version
        )
        .latest_per_block()
        .values_list("enrolment_id", "block_id", "confirmed_status")
    }
    decider = compiled(session.version.rule_set).decider if session.version.rule_set else None
    candidates = []
    for row in rows:
        shown = tuple(BlockShown(block, confirmed.get((row.enrolment_id, block.pk))) for block in blocks)
        status = blocks_status(decider, shown)
        waiting = [
            f"bloc {item.block.code} : sans décision confirmée" for item in shown if item.status is None
        ]
        candidates.append(
            CandidateOutcome(
                registration=row,
                status=status,
                pass_followed=None,
                blocks=shown,
                waiting_for=tuple(waiting) if status == Status.PENDING else (),
            )
        )
    return SessionOutcome(session.version.scheme, (), blocks, candidates, 0)


BLOCK_STATES = {BlockStatus.VALIDATED: PASS, BlockStatus.NOT_VALIDATED: FAIL, None: PENDING}


def blocks_status(decider: Any, shown: Sequence[BlockShown]) -> Status:
    """The certification rule of the rule set on the confirmed block statuses; without a rule set,
    certifiable once every block is validated."""
    by_code: dict[str, State] = {item.block.code: BLOCK_STATES[item.status] for item in shown}
    if isinstance(decider, BlockScheme):
        states = [by_code.get(block.code, PENDING) for block in decider.blocks]
        return STATE_STATUS[decider.rule.evaluate({"blocks": {"validated": states}}).state]
    if FAIL in by_code.values():
        return Status.NOT_CERTIFIED
    return Status.PENDING if PENDING in by_code.values() or not by_code else Status.CERTIFIED
