"""A sitting of the national jury (D52): its deliberation opened, its attendance recorded, its quorum
and who may vote on each candidate."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.core.text import count
from certifier.exams.models import ExamSession, Registration
from certifier.exams.services import do_reschedule_national_jury

from .models import College, Deliberation, Jury, JuryMember
from .permissions import may_run_sitting


@dataclass(frozen=True)
class Quorum:
    """D52 (configurable per jury): both colleges present, and an absolute majority of the voting
    members present."""

    reached: bool
    voting_present: int
    voting_appointed: int
    colleges_present: frozenset[str]
    reasons: tuple[str, ...]  # why it is not reached, in French

    @property
    def label(self) -> str:
        if self.reached:
            present = count(self.voting_present, "membre votant présent", "membres votants présents")
            return f"Quorum atteint : {present} sur {self.voting_appointed}."
        return "Quorum non atteint : " + " ; ".join(self.reasons) + "."


def quorum(jury: Jury, present: Iterable[JuryMember]) -> Quorum:
    """The quorum of `jury` with `present` members (its members, the chair included or not)."""
    voting = [member for member in jury.members.all() if member.votes]
    here = [member for member in present if member.votes]
    colleges = frozenset(member.college for member in here)
    reasons = []
    if jury.quorum_both_colleges:
        reasons += [f"{college.label.lower()} absent" for college in College if college not in colleges]
    if jury.quorum_majority and not 2 * len(here) > len(voting):
        reasons.append(
            f"{count(len(here), 'membre votant présent', 'membres votants présents')} sur {len(voting)}, "
            "la majorité absolue n'y est pas"
        )
    return Quorum(not reasons, len(here), len(voting), colleges, tuple(reasons))


def voters(deliberation: Deliberation, registration: Registration) -> list[JuryMember]:
    """D52: the members present at the sitting entitled to vote on this candidate: not the chair, and
    not those who declared a conflict of interest with them."""
    conflicted = set(registration.jury_conflicts.values_list("member_id", flat=True))
    return [member for member in deliberation.present.all() if member.votes and member.pk not in conflicted]


@transaction.atomic
def do_open_deliberation(actor: Any, jury: Jury, held_on: date, place: str) -> Deliberation:
    """D53: the national jury opens its deliberation on the session (once: a correction after
    proclamation is an amendment)."""
    if not may_run_sitting(actor, jury):
        raise NotAllowed(
            "Seuls le président du jury national et l'administrateur national ouvrent la séance."
        )
    jury.session.refuse_when_proclaimed()
    place = place.strip()
    if not place:
        raise DomainError("Indiquez le lieu de la séance.")
    try:
        with transaction.atomic():
            deliberation = Deliberation.objects.create(
                jury=jury, held_on=held_on, place=place, opened_by=actor
            )
    except IntegrityError as error:
        raise DomainError("Le jury de cette session a déjà ouvert sa délibération.") from error
    record_event(
        AuditAction.DELIBERATION_OPENED,
        deliberation,
        actor=actor,
        after={"held_on": held_on.isoformat(), "place": place},
    )
    return deliberation


@transaction.atomic
def do_reschedule_sitting(actor: Any, session: ExamSession, held_on: date, derogation_reason: str) -> bool:
    """D58: the national jury's date moved (exams' `do_reschedule_national_jury`: rules, derogation,
    audit); a sitting already opened and not yet signed moves with it, so its minutes bear the date the
    jury decides on. Returns whether anything changed."""
    moved = session.national_jury_date != held_on
    changed = do_reschedule_national_jury(actor, session, held_on, derogation_reason)
    opened = (
        Deliberation.objects.select_for_update(of=("self",))  # not the minutes' outer join
        .filter(jury__session=session, amends__isnull=True, minutes__isnull=True)
        .exclude(held_on=held_on)
        .first()
        if moved
        else None
    )
    if opened is not None:
        before = {"held_on": opened.held_on.isoformat()}
        opened.held_on = held_on
        opened.save(update_fields=["held_on"])
        record_event(
            AuditAction.NATIONAL_JURY_DATE_CHANGED,
            opened,
            actor=actor,
            before=before,
            after={"held_on": held_on.isoformat()},
        )
    return changed or opened is not None


@transaction.atomic
def do_record_attendance(actor: Any, deliberation: Deliberation, present: Iterable[JuryMember]) -> Quorum:
    """D52, D54: who is present at the sitting (members of this jury only); the quorum that follows.
    Frozen once the deliberation's minutes are signed."""
    jury = deliberation.jury
    if not may_run_sitting(actor, jury):
        raise NotAllowed(
            "Seuls le président du jury national et l'administrateur national tiennent la feuille de présence."
        )
    deliberation = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
    if hasattr(deliberation, "minutes"):
        raise DomainError(
            "Le procès-verbal de cette séance est signé : la feuille de présence ne change plus."
        )
    members = {member.pk: member for member in jury.members.all()}
    wanted = {member.pk for member in present}
    strangers = wanted - members.keys()
    if strangers:
        raise DomainError("Seuls les membres désignés de ce jury peuvent être déclarés présents.")
    before = sorted(deliberation.present.values_list("pk", flat=True))
    if before != sorted(wanted):
        deliberation.present.set(wanted)
        record_event(
            AuditAction.JURY_ATTENDANCE_RECORDED,
            deliberation,
            actor=actor,
            before={"present": before},
            after={"present": sorted(wanted)},
        )
    return quorum(jury, [members[pk] for pk in wanted])
