"""The local jury's opinions (D19, D51): given, and changed, only here; every change audited."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.exams.models import Registration
from certifier.referential.enums import Scheme

from .models import LocalOpinion
from .permissions import can_give_opinion

ARGUMENT_MAX = 5000


def opinion_refusal(registration: Registration, favourable: bool, argument: str) -> str | None:
    """Why this opinion cannot be recorded, in French; None when it can."""
    if registration.session.version.scheme != Scheme.MARKS:
        return (
            "Le jury local ne donne d'avis que pour les sessions du dispositif 2013 (notes et coefficients)."
        )
    if not favourable and not argument:
        return "Un avis de non-attribution est argumenté pour le jury national : saisissez l'argumentaire."
    if len(argument) > ARGUMENT_MAX:
        return f"L'argumentaire compte {len(argument)} caractères ; {ARGUMENT_MAX} au plus."
    return None


@transaction.atomic
def do_give_opinion(actor: Any, registration: Registration, favourable: bool, argument: str) -> LocalOpinion:
    """D51: the local jury of the registration's CRFP gives (or changes) its opinion of attribution or
    non-attribution; a non-attribution is argued (D19). Nothing is written when nothing changes."""
    if actor is None or not can_give_opinion(actor, registration):
        raise NotAllowed("Seul le jury local du CRFP du candidat donne un avis sur ce candidat.")
    registration.session.refuse_when_proclaimed()
    argument = (argument or "").strip()
    refusal = opinion_refusal(registration, favourable, argument)
    if refusal:
        raise DomainError(refusal)
    opinion = LocalOpinion.objects.select_for_update().filter(registration=registration).first()
    before = opinion.snapshot() if opinion else None
    if opinion is None:
        opinion = LocalOpinion(registration=registration)
    opinion.favourable = favourable
    opinion.argument = argument
    if before == opinion.snapshot():
        return opinion
    opinion.given_by = actor
    opinion.given_at = timezone.now()
    try:
        with transaction.atomic():
            opinion.save()
    except IntegrityError as error:
        # another member of the jury gave the first opinion at the same moment
        raise DomainError(
            "Un autre membre du jury local vient d'enregistrer un avis sur ce candidat : rechargez la page."
        ) from error
    record_event(
        AuditAction.LOCAL_OPINION_GIVEN if before is None else AuditAction.LOCAL_OPINION_CHANGED,
        opinion,
        actor=actor,
        before=before,
        after=opinion.snapshot(),
    )
    return opinion
