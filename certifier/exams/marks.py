"""Entering marks (D27, D49, D50): the one way marks change, online or from a marking sheet.

A writer sends entries for one evaluation of one session, each with the version of the mark it saw.
Everything is checked first (the cell's text, who may mark that copy, locked marks, marks changed by
someone else since); any fault refuses the whole lot with every fault named. Then marks are written
at once, each change recorded in the audit log with its before and after.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certifier.core.audit import record_events
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.core.text import count
from certifier.people.enums import Role
from certifier.people.permissions import has_role

from .evaluations import Exam, evaluation
from .models import ExamSession, Mark, MarkStatus, Registration
from .permissions import markable

# What a cell holds besides a number: the codes the grid and the marking sheet accept (D49).
STATUS_CODES = {
    "ABS": MarkStatus.ABSENT,
    "ABJ": MarkStatus.ABSENT_EXCUSED,
    "FRA": MarkStatus.FRAUD,
}
CODE_OF_STATUS = {status: code for code, status in STATUS_CODES.items()}
LEGEND = (
    "Une note de 0 à 20, avec deux décimales au plus (par exemple 12,5), ou l'un des codes : "
    "ABS absent non justifié (compte 0), ABJ absent justifié (pas de note, décision en attente), "
    "FRA suspicion de fraude (tranchée par le jury national)."
)
NUMBER = re.compile(r"[0-9]{1,2}([.,][0-9]{1,2})?")
MAX = Decimal(20)


class MarksRefused(DomainError):
    """Entries refused whole; `faults` maps each entry's key (the registration id) to its French message."""

    def __init__(self, faults: dict[int, str]) -> None:
        super().__init__(
            f"Aucune note n'a été enregistrée : {count(len(faults), 'saisie à corriger', 'saisies à corriger')}."
        )
        self.faults = faults


@dataclass(frozen=True)
class Cell:
    status: str
    value: Decimal | None

    @property
    def text(self) -> str:
        return cell_text(self.status, self.value)


def cell_text(status: str, value: Decimal | None) -> str:
    """A mark as the grid and the sheet show it: "12,5", "ABS"…"""
    if status != MarkStatus.MARKED:
        return CODE_OF_STATUS[MarkStatus(status)]
    assert value is not None
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


def parse_cell(text: str) -> Cell | None:
    """A cell's text as a mark; None when empty; ValueError with a French message when unreadable."""
    typed = text.strip()
    text = typed.upper()
    if not text:
        return None
    if text in STATUS_CODES:
        return Cell(STATUS_CODES[text], None)
    if not NUMBER.fullmatch(text):
        raise ValueError(
            f"« {typed} » n'est ni une note de 0 à 20 (deux décimales au plus) ni ABS, ABJ ou FRA"
        )
    value = Decimal(text.replace(",", "."))
    if value > MAX:
        raise ValueError(f"{text} dépasse 20")
    return Cell(MarkStatus.MARKED, value)


@dataclass(frozen=True)
class Entry:
    """What a writer typed for one registration, and the version of its mark they saw (0: none)."""

    registration_id: int
    text: str
    seen_version: int


@dataclass(frozen=True)
class Change:
    registration: Registration
    mark: Mark | None  # None: a new mark
    cell: Cell

    @property
    def before(self) -> str:
        return cell_text(self.mark.status, self.mark.value) if self.mark else ""


@dataclass(frozen=True)
class Plan:
    """What entries would change: new marks, changed marks, and how many stay as they are."""

    evaluation: Exam
    new: list[Change]
    changed: list[Change]
    unchanged: int


def responsible_evaluation(session: ExamSession, exam: str) -> Exam:
    found = evaluation(session.version, exam)
    if found is None:
        raise DomainError("Cette épreuve n'existe pas dans cette session.")
    return found


def plan_marks(actor: Any, session: ExamSession, exam: str, entries: Sequence[Entry]) -> Plan:
    """Checks every entry without writing anything; raises MarksRefused naming every fault."""
    found = responsible_evaluation(session, exam)
    session.refuse_when_proclaimed()
    if not entries:
        raise DomainError("Aucune note à enregistrer.")
    if found.sat_on and timezone.localdate() < (day := getattr(session, found.sat_on)):
        raise DomainError(
            f"L'{found.label} a lieu le {day:%d/%m/%Y} : ses notes se saisissent à partir de ce jour."
        )
    allowed = {
        registration.pk: registration
        for registration in markable(actor, session, found).filter(
            pk__in=[entry.registration_id for entry in entries]
        )
    }
    if len(allowed) < len({entry.registration_id for entry in entries}):
        raise NotAllowed("Vous ne pouvez saisir que les notes des copies qui vous sont confiées.")
    marks = {
        mark.registration_id: mark for mark in Mark.objects.filter(registration_id__in=allowed, exam=exam)
    }
    return _plan(found, entries, allowed, marks)


def _plan(
    found: Exam, entries: Sequence[Entry], allowed: dict[int, Registration], marks: dict[int, Mark]
) -> Plan:
    faults: dict[int, str] = {}
    new: list[Change] = []
    changed: list[Change] = []
    unchanged = 0
    for entry in entries:
        mark = marks.get(entry.registration_id)
        try:
            cell = parse_cell(entry.text)
        except ValueError as error:
            faults[entry.registration_id] = str(error)
            continue
        if mark is not None and entry.seen_version != mark.version:
            faults[entry.registration_id] = (
                "cette note a été modifiée par une autre personne depuis que vous l'avez affichée "
                f"(elle vaut maintenant {cell_text(mark.status, mark.value)}) : rechargez avant de la changer"
            )
        elif mark is None and entry.seen_version:
            faults[entry.registration_id] = (
                "cette note a été supprimée depuis que vous l'avez affichée : rechargez"
            )
        elif cell is None:
            if mark is not None:
                faults[entry.registration_id] = (
                    "une note saisie ne peut être effacée : indiquez une note ou un code"
                )
        elif mark is not None and mark.status == cell.status and mark.value == cell.value:
            unchanged += 1
        elif mark is not None and mark.locked_at is not None:
            faults[entry.registration_id] = "cette note est verrouillée"
        elif mark is None:
            new.append(Change(allowed[entry.registration_id], None, cell))
        else:
            changed.append(Change(allowed[entry.registration_id], mark, cell))
    if faults:
        raise MarksRefused(faults)
    return Plan(found, new, changed, unchanged)


@transaction.atomic
def do_record_marks(actor: Any, session: ExamSession, exam: str, entries: Sequence[Entry]) -> Plan:
    """D49, D50: records the entries all or nothing, each change attributable (before → after)."""
    found = responsible_evaluation(session, exam)
    ids = [entry.registration_id for entry in entries]
    # the marks read under a row lock: two writers of the same mark are served one after the other,
    # and the second is told the mark changed under them
    list(Mark.objects.select_for_update().filter(registration_id__in=ids, exam=exam).values_list("pk"))
    plan = plan_marks(actor, session, exam, entries)
    by = actor if actor is not None and actor.is_authenticated else None
    created = [
        Mark(
            registration=change.registration,
            exam=found.name,
            status=change.cell.status,
            value=change.cell.value,
            entered_by=by,
        )
        for change in plan.new
    ]
    try:
        with transaction.atomic():
            Mark.objects.bulk_create(created)
    except IntegrityError:  # the same mark created by someone else in the meantime
        raise DomainError(
            "Une de ces notes vient d'être saisie par une autre personne : rechargez la page."
        ) from None
    now = timezone.now()
    befores = [change.before for change in plan.changed]
    for change in plan.changed:
        assert change.mark is not None
        change.mark.status, change.mark.value = change.cell.status, change.cell.value
        change.mark.version += 1
        change.mark.entered_by, change.mark.entered_at = by, now
    Mark.objects.bulk_update(
        [change.mark for change in plan.changed if change.mark],
        ["status", "value", "version", "entered_by", "entered_at"],
    )
    record_events(
        AuditAction.MARK_ENTERED,
        [(mark, None, _audited(mark)) for mark in created],
        actor=actor,
    )
    record_events(
        AuditAction.MARK_CHANGED,
        [
            (change.mark, {"mark": before}, _audited(change.mark))
            for change, before in zip(plan.changed, befores, strict=True)
            if change.mark
        ],
        actor=actor,
    )
    return plan


def _audited(mark: Mark) -> dict[str, str]:
    return {"exam": mark.exam, "mark": cell_text(mark.status, mark.value)}


@transaction.atomic
def do_lock_marks(actor: Any, session: ExamSession, exam: str) -> int:
    """Locks every entered mark of the evaluation that the actor marks; returns how many were locked."""
    found = responsible_evaluation(session, exam)
    if actor is not None and not markable(actor, session, found).exists():
        raise NotAllowed("Seul qui saisit ces notes les verrouille.")
    session.refuse_when_proclaimed()
    marks = list(
        Mark.objects.select_for_update()
        .filter(registration__in=markable(actor, session, found), exam=exam, locked_at__isnull=True)
        .order_by("pk")
    )
    if not marks:
        raise DomainError("Aucune note à verrouiller : toutes les notes saisies le sont déjà.")
    now = timezone.now()
    by = actor if actor is not None and actor.is_authenticated else None
    for mark in marks:
        mark.locked_at, mark.locked_by = now, by
    Mark.objects.bulk_update(marks, ["locked_at", "locked_by"])
    record_events(AuditAction.MARK_LOCKED, [(mark, None, _audited(mark)) for mark in marks], actor=actor)
    return len(marks)


@transaction.atomic
def do_unlock_marks(actor: Any, session: ExamSession, exam: str, reason: str) -> int:
    """The national administrator unlocks an evaluation's locked marks, to correct one before the jury;
    never the anonymous exam's once anonymity is lifted. Returns how many were unlocked."""
    found = responsible_evaluation(session, exam)
    if not has_role(actor, Role.NATIONAL_ADMIN):
        raise NotAllowed("Seul l'administrateur national déverrouille des notes.")
    session.refuse_when_proclaimed()
    if not reason.strip():
        raise DomainError("Indiquez le motif du déverrouillage.")
    if (
        found.anonymous
        and ExamSession.objects.filter(pk=session.pk, anonymity_lifted_at__isnull=False).exists()
    ):
        raise DomainError(
            "L'anonymat est levé : les notes de l'épreuve écrite ne peuvent plus être déverrouillées."
        )
    marks = list(
        Mark.objects.select_for_update()
        .filter(registration__session=session, exam=exam, locked_at__isnull=False)
        .order_by("pk")
    )
    if not marks:
        raise DomainError("Aucune note de cette épreuve n'est verrouillée.")
    for mark in marks:
        mark.locked_at, mark.locked_by = None, None
    Mark.objects.bulk_update(marks, ["locked_at", "locked_by"])
    record_events(
        AuditAction.MARK_UNLOCKED,
        [(mark, None, _audited(mark)) for mark in marks],
        actor=actor,
        reason=reason,
    )
    return len(marks)


def history(mark: Mark) -> QuerySet[AuditEvent]:
    """Every change of one mark, newest first (who, when, before → after)."""
    return (
        AuditEvent.objects.filter(object_type=Mark._meta.label, object_id=str(mark.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )
