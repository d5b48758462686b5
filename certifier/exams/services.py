"""Creating exam sessions (national administrator) and registering candidates into them (CRFP)."""

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from certifier.core.audit import record_event, record_events
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.pathways.models import Enrolment
from certifier.people.enums import Role
from certifier.people.models import Organisation
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.models import CertificationVersion

from . import numbers
from .models import ExamSession, LocalJuryDate, Registration, SessionKind
from .rules import Calendar, calendar_errors, derogation_needed, local_jury_date_error, registration_open

DRAW_ATTEMPTS = 5


@dataclass(frozen=True)
class SessionData:
    version: CertificationVersion
    kind: str
    year: int
    registration_deadline: date
    written_exam_date: date
    oral_start: date
    oral_end: date
    national_jury_date: date
    catch_up_of: ExamSession | None = None
    derogation_reason: str = ""

    @property
    def dates(self) -> Calendar:
        return Calendar(
            registration_deadline=self.registration_deadline,
            written_exam_date=self.written_exam_date,
            oral_start=self.oral_start,
            oral_end=self.oral_end,
            national_jury_date=self.national_jury_date,
        )


def can_create_session(actor: Any) -> bool:
    """The national administrator, or the system (a command run without a user)."""
    return actor is None or has_role(actor, Role.NATIONAL_ADMIN)


def registering_centre_ids(actor: Any) -> set[int] | None:
    """The CRFPs whose enrolments the actor registers; None for the system (every CRFP)."""
    return None if actor is None else organisation_ids(actor, Role.CRFP_STAFF)


def session_refusal(data: SessionData) -> str | None:
    """Why the session cannot be created as given, in French; None when it can."""
    errors = calendar_errors(data.dates, data.derogation_reason)
    if errors:
        return " ".join(errors.values())
    if data.kind == SessionKind.CATCH_UP:
        if data.catch_up_of is None:
            return "Une session de rattrapage indique la session qu'elle rattrape."
        if data.catch_up_of.version_id != data.version.pk:
            return "La session rattrapée doit porter sur la même version de la certification."
        if data.catch_up_of.kind == SessionKind.CATCH_UP:
            return "Une session de rattrapage ne peut rattraper une autre session de rattrapage."
        if data.written_exam_date <= data.catch_up_of.national_jury_date:
            return "Le rattrapage a lieu après le jury national de la session rattrapée."
    elif data.catch_up_of is not None:
        return "Seule une session de rattrapage rattrape une autre session."
    return None


@transaction.atomic
def do_create_session(actor: Any, data: SessionData) -> ExamSession:
    """D45, D58: the national administrator sets a session's calendar."""
    if not can_create_session(actor):
        raise NotAllowed("Seul l'administrateur national crée les sessions d'examen.")
    if refusal := session_refusal(data):
        raise DomainError(refusal)
    values = {field.name: getattr(data, field.name) for field in fields(data)}
    session = ExamSession(**values)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:  # the same session created by another request in the meantime
        raise DomainError(_duplicate(data)) from None
    after = {key: str(value) for key, value in values.items() if value not in (None, "")}
    record_event(AuditAction.EXAM_SESSION_CREATED, session, actor=actor, after=after)
    return session


def _duplicate(data: SessionData) -> str:
    if data.kind == SessionKind.CATCH_UP:
        return "Cette session a déjà sa session de rattrapage."
    return "Cette session existe déjà pour cette certification."


@transaction.atomic
def do_register(actor: Any, session: ExamSession, enrolments: Iterable[Enrolment]) -> list[Registration]:
    """D46–D48: a CRFP registers its enrolled candidates, all or none, each with a candidate number
    and a copy code."""
    chosen = {enrolment.pk: enrolment for enrolment in enrolments}
    centres = registering_centre_ids(actor)
    if centres is not None and (
        not centres or any(e.training_centre_id not in centres for e in chosen.values())
    ):
        raise NotAllowed("Un CRFP inscrit aux examens ses propres candidats seulement.")
    session.refuse_when_proclaimed()
    if not chosen:
        raise DomainError("Choisissez au moins un candidat à inscrire.")
    # the deadline binds the CRFPs; the system (a command loading a past session) is not bound by it
    if centres is not None and not registration_open(session.dates, timezone.localdate()):
        raise DomainError(
            f"Les inscriptions à cette session sont closes depuis le {session.registration_deadline:%d/%m/%Y}."
        )
    candidates = Enrolment.objects.filter(pk__in=chosen).select_related("candidate")
    refusals = _refusals(session, list(candidates))
    if refusals:
        raise DomainError("Aucun candidat n'a été inscrit : " + " ; ".join(refusals) + ".")
    registrations = _create_with_fresh_numbers(actor, session, list(chosen))
    record_events(
        AuditAction.EXAM_REGISTERED,
        [
            (
                registration,
                None,
                {"session": str(session.pk), "candidate_number": registration.candidate_number},
            )
            for registration in registrations
        ],
        actor=actor,
    )
    return registrations


def _refusals(session: ExamSession, enrolments: list[Enrolment]) -> list[str]:
    ids = [enrolment.pk for enrolment in enrolments]
    registered = set(
        Registration.objects.filter(session=session, enrolment_id__in=ids).values_list(
            "enrolment_id", flat=True
        )
    )
    caught_up: dict[int, bool | None] | None = None
    if session.catch_up_of_id is not None:
        # D46: only the candidates of the caught-up session who were not certified there (`certified`
        # is written by the juries app when the minutes are signed, None until the proclamation)
        caught_up = dict(
            Registration.objects.filter(session_id=session.catch_up_of_id, enrolment_id__in=ids).values_list(
                "enrolment_id", "certified"
            )
        )
    refusals = []
    for enrolment in sorted(enrolments, key=lambda e: e.candidate.display_name):
        name = enrolment.candidate.display_name
        if enrolment.version_id != session.version_id:
            refusals.append(f"{name} n'est pas inscrit à la version de la certification de cette session")
        elif enrolment.pk in registered:
            refusals.append(f"{name} est déjà inscrit à cette session")
        elif caught_up is not None and enrolment.pk not in caught_up:
            refusals.append(f"{name} n'était pas inscrit à la session rattrapée")
        elif caught_up is not None and caught_up[enrolment.pk]:
            refusals.append(f"{name} a été certifié à la session rattrapée")
    return refusals


def _create_with_fresh_numbers(
    actor: Any, session: ExamSession, enrolment_ids: list[int]
) -> list[Registration]:
    by = actor if actor is not None and actor.is_authenticated else None
    for _ in range(DRAW_ATTEMPTS):
        codes = _fresh_codes(2 * len(enrolment_ids))
        registrations = [
            Registration(
                session=session,
                enrolment_id=enrolment_id,
                candidate_number=codes[2 * index],
                copy_code=codes[2 * index + 1],
                registered_by=by,
            )
            for index, enrolment_id in enumerate(enrolment_ids)
        ]
        try:
            with transaction.atomic():
                return Registration.objects.bulk_create(registrations)
        except IntegrityError:
            # a number drawn by another request in the meantime (astronomically rare), or the same
            # candidates registered by another request: the guard names them, else draw again
            if Registration.objects.filter(session=session, enrolment_id__in=enrolment_ids).exists():
                raise DomainError(
                    "Un de ces candidats vient d'être inscrit à cette session : recommencez."
                ) from None
    raise DomainError("Les numéros n'ont pu être attribués : recommencez.")


def _fresh_codes(count: int) -> list[str]:
    """`count` distinct codes, none already a candidate number or a copy code."""
    codes: set[str] = set()
    while len(codes) < count:
        codes |= {numbers.draw() for _ in range(count - len(codes))}
        taken = set(
            Registration.objects.filter(candidate_number__in=codes).values_list("candidate_number", flat=True)
        )
        taken |= set(Registration.objects.filter(copy_code__in=codes).values_list("copy_code", flat=True))
        codes -= taken
    return list(codes)


@transaction.atomic
def do_set_local_jury_dates(actor: Any, session: ExamSession, dates: dict[Organisation, date | None]) -> int:
    """D45: the national administrator sets the day each CRFP's local jury sits (None: not set yet);
    returns how many dates changed, each one audited."""
    if not can_create_session(actor):
        raise NotAllowed("Seul l'administrateur national fixe le calendrier des sessions.")
    session.refuse_when_proclaimed()
    faults = [
        f"{centre.name} : {error}"
        for centre, day in dates.items()
        if day is not None and (error := local_jury_date_error(session.dates, day))
    ]
    if faults:
        raise DomainError(" ".join(faults))
    current = {
        row.training_centre_id: row
        for row in LocalJuryDate.objects.select_for_update().filter(session=session)
    }
    changes: list[tuple[LocalJuryDate, dict[str, str] | None, dict[str, str] | None]] = []
    for centre, day in dates.items():
        row = current.get(centre.pk)
        before = {"training_centre": centre.name, "date": str(row.date)} if row else None
        if row is not None and day is None:
            LocalJuryDate.objects.filter(pk=row.pk).delete()
            changes.append((row, before, None))
        elif day is not None and (row is None or row.date != day):
            row = row or LocalJuryDate(session=session, training_centre=centre)
            row.date = day
            row.save()
            changes.append((row, before, {"training_centre": centre.name, "date": str(day)}))
    record_events(AuditAction.LOCAL_JURY_DATE_SET, changes, actor=actor)
    return len(changes)


@transaction.atomic
def do_reschedule_national_jury(
    actor: Any, session: ExamSession, national_jury_date: date, derogation_reason: str
) -> bool:
    """D58: the national administrator moves the national jury of a session not yet proclaimed; a date
    more than one month after the last exam needs the derogation's reason, kept with it (and dropped
    when the date comes back within the month). Returns whether anything changed, audited before and
    after."""
    if not can_create_session(actor):
        raise NotAllowed("Seul l'administrateur national fixe le calendrier des sessions.")
    session.refuse_when_proclaimed()
    reason = derogation_reason.strip()
    dates = replace(session.dates, national_jury_date=national_jury_date)
    errors = calendar_errors(dates, reason)
    if error := errors.get("national_jury_date") or errors.get("derogation_reason"):
        raise DomainError(error)
    local = (
        LocalJuryDate.objects.filter(session=session, date__gte=national_jury_date)
        .select_related("training_centre")
        .order_by("-date", "pk")
        .first()
    )
    if local is not None:
        raise DomainError(
            f"Le jury local de {local.training_centre.name} se réunit le {local.date:%d/%m/%Y} : "
            "le jury national se réunit après les jurys locaux."
        )
    if not derogation_needed(dates):
        reason = ""
    before = {
        "national_jury_date": str(session.national_jury_date),
        "derogation_reason": session.derogation_reason,
    }
    after = {"national_jury_date": str(national_jury_date), "derogation_reason": reason}
    if before == after:
        return False
    session.national_jury_date = national_jury_date
    session.derogation_reason = reason
    session.save(update_fields=["national_jury_date", "derogation_reason"])
    record_event(AuditAction.NATIONAL_JURY_DATE_CHANGED, session, actor=actor, before=before, after=after)
    return True
