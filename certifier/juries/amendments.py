"""Corrections after proclamation (D56): never an edit, a new deliberation of the same jury recorded as an
amendment (rectificatif) of the original, with its reason. Its decisions go through
`deliberation.do_decide` (which applies the four-month rule); its own signed minutes put them in force
(`minutes.do_sign_minutes`), the original and its minutes staying readable."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.exams.models import ExamSession
from certifier.people.enums import Role
from certifier.people.permissions import has_role

from .models import Deliberation, Minutes

REASON_MAX = 5000


def original_of(session: ExamSession) -> Deliberation | None:
    """The session's original deliberation, when its jury has opened one."""
    return (
        Deliberation.objects.filter(jury__session=session, amends__isnull=True).select_related("jury").first()
    )


def open_amendment(session: ExamSession) -> Deliberation | None:
    """The amendment of the session not signed yet, if there is one: one at a time."""
    return (
        Deliberation.objects.filter(jury__session=session, amends__isnull=False, minutes__isnull=True)
        .order_by("pk")
        .first()
    )


def amendment_refusal(session: ExamSession) -> str | None:
    """Why no amendment of `session` can be opened now, in French; None when one can."""
    if not session.proclaimed:
        return (
            "Les résultats de cette session ne sont pas proclamés : le jury corrige ses décisions dans "
            "sa délibération, avant de signer le procès-verbal."
        )
    original = original_of(session)
    if original is None or not Minutes.objects.filter(deliberation=original).exists():
        return "Cette session n'a pas de procès-verbal signé à rectifier."
    if open_amendment(session) is not None:
        return "Un rectificatif de cette session est déjà ouvert : le jury le termine et signe son procès-verbal d'abord."
    return None


def reason_refusal(reason: str) -> str | None:
    if not reason:
        return "Énoncez le motif du rectificatif : il figure au procès-verbal."
    if len(reason) > REASON_MAX:
        return f"Le motif compte {len(reason)} caractères ; {REASON_MAX} au plus."
    return None


@transaction.atomic
def do_open_amendment(actor: Any, session: ExamSession, reason: str) -> Deliberation:
    """D56: the national administrator opens an amendment of the session's proclaimed deliberation: a
    new sitting of the same jury, today, at the jury's place, referencing the original."""
    if actor is None or not has_role(actor, Role.NATIONAL_ADMIN):
        raise NotAllowed("Seul l'administrateur national ouvre un rectificatif.")
    reason = (reason or "").strip()
    # the session locked: two administrators opening at once, the second is told one is open
    locked = ExamSession.objects.select_for_update().get(pk=session.pk)
    if refusal := amendment_refusal(locked) or reason_refusal(reason):
        raise DomainError(refusal)
    original = original_of(locked)
    assert original is not None  # amendment_refusal checked it
    try:
        with transaction.atomic():
            amendment = Deliberation.objects.create(
                jury=original.jury,
                amends=original,
                reason=reason,
                held_on=timezone.localdate(),
                place=original.jury.place,
                opened_by=actor,
            )
    except IntegrityError as error:  # a constraint of the deliberations, in a race
        raise DomainError("Le rectificatif n'a pas pu être ouvert : rechargez la page.") from error
    record_event(
        AuditAction.AMENDMENT_OPENED,
        amendment,
        actor=actor,
        after={"amends": original.pk, "reason": reason, "held_on": amendment.held_on.isoformat()},
    )
    return amendment
