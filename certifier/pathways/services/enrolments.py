"""Enrolling candidates, one from the form or many from an import; changing an enrolment.

Every change is attributable: simple-history keeps before/after per object and the audit log
records who did what, in the same transaction.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes, readable, save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.people.enums import Role
from certifier.people.models import Organisation
from certifier.people.services import AppointmentRefused, Appointments
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Certification, CertificationVersion, Option

from ..models import Candidate, Enrolment
from ..permissions import can_change_candidate, can_enrol_at, require_edit
from ..rules import (
    birth_date_error,
    closed_route_error,
    date_window_error,
    employee_number_error,
    insee_code_error,
    name_error,
    prerequisite_error,
    requires_pre_recruitment,
)

BATCH_SIZE = 500

CANDIDATE_FIELDS = (
    "birth_name",
    "usage_name",
    "first_name",
    "other_first_names",
    "sex",
    "birth_date",
    "birth_insee_code",
    "email",
    "employer",
    "employee_number",
    "post",
    "pre_recruitment_date",
)
NAMES = {
    "birth_name": "Le nom de naissance",
    "usage_name": "Le nom d'usage",
    "first_name": "Le prénom",
    "other_first_names": "Les autres prénoms",
}
# Never name the other CRFP nor the candidate: the actor may not know who they are.
FOREIGN_CANDIDATE = (
    "Ce matricule désigne, chez cet employeur, un candidat dont le parcours est suivi par un autre CRFP : "
    "vous ne pouvez ni modifier son identité ni l'inscrire. Adressez-vous à l'administrateur national."
)
SHARED_CANDIDATE = (
    "Ce candidat suit aussi un parcours dans un autre CRFP : seul l'administrateur national peut "
    "modifier son identité ou son emploi."
)
CONCURRENT_IMPORT = (
    "Une autre saisie vient d'inscrire ou de modifier l'un de ces candidats pendant l'import : "
    "relancez l'import, qui en tiendra compte."
)


@dataclass(frozen=True)
class EnrolmentData:
    """One candidate's identity, employment and enrolment, parsed from a form or an import row."""

    birth_name: str
    usage_name: str
    first_name: str
    other_first_names: str
    sex: str
    birth_date: date
    birth_insee_code: str
    email: str
    employer: Organisation
    employee_number: str
    post: str
    pre_recruitment_date: date | None
    version: CertificationVersion
    option: Option | None
    access_route: str
    training_centre: Organisation
    tutor_email: str
    manager_email: str
    start_date: date

    def candidate_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CANDIDATE_FIELDS}

    def identity_key(self) -> str:
        return Candidate(**self.candidate_values()).compute_identity_key()


@dataclass
class ImportedRow:
    """A validated import row and what it matches in the database (None when new)."""

    data: EnrolmentData
    candidate: Candidate | None
    enrolment: Enrolment | None


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invited: list[str] = field(default_factory=list)


class EnrolmentRefused(DomainError):
    """The rules refused an enrolment; `errors` holds the French message of each field in error."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


# Guards --------------------------------------------------------------------------------------


def enrolment_errors(
    actor: Any,
    data: EnrolmentData,
    open_routes: Collection[str],
    option_ids: Collection[int],
    previous: Enrolment | None = None,
) -> dict[str, str]:
    """The rules an enrolment must meet, by field (D3–D5, plausible values). On an update, the
    access route and the start date are checked only when they change: registry validity applies
    to new entries."""
    errors = value_errors(data, previous)
    number = data.version.certification.number
    if not can_enrol_at(actor, data.training_centre.pk):
        errors["training_centre"] = (
            f"Vous ne pouvez pas inscrire de candidats au {data.training_centre.name} : "
            "seulement au CRFP dont vous relevez."
        )
    if error := insee_code_error(data.birth_insee_code):
        errors["birth_insee_code"] = error
    route_changed = previous is None or previous.access_route != data.access_route
    if route_changed and data.access_route not in open_routes:
        errors["access_route"] = closed_route_error(AccessRouteKind(data.access_route).label, number)
    start_changed = previous is None or previous.start_date != data.start_date
    if start_changed and (refusal := data.version.enrolment_refusal(data.start_date)):
        errors.setdefault("start_date", refusal)
    if data.option is None and option_ids:
        errors["option"] = (
            "L'option est obligatoire pour cette certification : choisissez celle que prépare le candidat."
        )
    elif data.option is not None and data.option.pk not in option_ids:
        errors["option"] = (
            f"L'option « {data.option.title} » n'appartient pas à la version « {data.version.label} »."
        )
    if requires_pre_recruitment(data.access_route) and (
        error := prerequisite_error(data.pre_recruitment_date, data.start_date)
    ):
        errors.setdefault("pre_recruitment_date", error)
    return errors


def value_errors(data: EnrolmentData, previous: Enrolment | None = None) -> dict[str, str]:
    """Implausible values, by field: employee number, names, dates."""
    errors: dict[str, str] = {}
    if error := employee_number_error(data.employee_number):
        errors["employee_number"] = error
    for name, label in NAMES.items():
        if error := name_error(label, getattr(data, name), several=name == "other_first_names"):
            errors[name] = error
    if error := birth_date_error(data.birth_date, data.start_date):
        errors["birth_date"] = error
    today = timezone.localdate()
    start_changed = previous is None or previous.start_date != data.start_date
    if start_changed and (error := date_window_error("La date d'entrée en parcours", data.start_date, today)):
        errors["start_date"] = error
    if data.pre_recruitment_date is not None and (
        error := date_window_error("La date de pré-recrutement", data.pre_recruitment_date, today)
    ):
        errors["pre_recruitment_date"] = error
    return errors


def duplicate_errors(
    data: EnrolmentData, same_number: Candidate | None, same_identity: Candidate | None
) -> dict[str, str]:
    """The same person must not be enrolled twice, under their employee number or their identity."""
    errors: dict[str, str] = {}
    if same_number is not None:
        errors["employee_number"] = (
            f"Un candidat portant le matricule {data.employee_number} chez {data.employer.name} est déjà inscrit."
        )
    if same_identity is not None:
        errors["birth_name"] = (
            "Cette personne est déjà inscrite (même nom de naissance, prénom, date et lieu de naissance), "
            "sous un autre matricule ou chez un autre employeur."
        )
    return errors


def open_routes(certification: Certification) -> set[str]:
    return set(certification.access_routes.filter(is_open=True).values_list("kind", flat=True))


def _duplicates_in_database(data: EnrolmentData, candidate: Candidate | None = None) -> dict[str, str]:
    others = Candidate.objects.exclude(pk=candidate.pk) if candidate else Candidate.objects.all()
    return duplicate_errors(
        data,
        others.filter(employer=data.employer, employee_number=data.employee_number).first(),
        others.filter(identity_key=data.identity_key()).first(),
    )


# Enrolments ----------------------------------------------------------------------------------


@transaction.atomic
def do_enrol(actor: Any, data: EnrolmentData) -> tuple[Enrolment, list[str]]:
    """Enrol a new candidate; returns the enrolment and the e-mails of invited accounts."""
    appointments = Appointments(actor, [data.tutor_email, data.manager_email])
    errors = enrolment_errors(actor, data, open_routes(data.version.certification), _option_ids(data.version))
    errors |= appointments.errors(data.tutor_email, data.manager_email, data.employer, data.email)
    _raise(errors | _duplicates_in_database(data))
    try:
        with transaction.atomic():
            enrolment = _create(actor, data, appointments, None)
    except IntegrityError:  # the same candidate enrolled between the check and the write
        _raise(_duplicates_in_database(data))
        raise
    except AppointmentRefused as refusal:  # the same person appointed elsewhere meanwhile
        raise EnrolmentRefused({refusal.field: str(refusal)}) from None
    return enrolment, appointments.invited


@transaction.atomic
def do_update_enrolment(actor: Any, enrolment: Enrolment, data: EnrolmentData) -> list[str]:
    """Change a candidate's identity, employment or enrolment; returns the invited accounts."""
    require_edit(actor, enrolment)
    candidate = enrolment.candidate
    appointments = Appointments(actor, [data.tutor_email, data.manager_email])
    errors = enrolment_errors(
        actor, data, open_routes(data.version.certification), _option_ids(data.version), enrolment
    )
    errors |= appointments.errors(
        data.tutor_email, data.manager_email, data.employer, data.email, candidate.user_id
    )
    if _candidate_changes(candidate, data) and not can_change_candidate(
        actor, candidate.enrolments.values_list("training_centre_id", flat=True)
    ):
        errors["candidate"] = SHARED_CANDIDATE
    _raise(errors | _duplicates_in_database(data, candidate))
    try:
        with transaction.atomic():
            _update(actor, data, appointments, candidate, enrolment)
    except IntegrityError:  # another candidate given this number or identity in the meantime
        _raise(_duplicates_in_database(data, candidate))
        raise
    except AppointmentRefused as refusal:  # the same person appointed elsewhere meanwhile
        raise EnrolmentRefused({refusal.field: str(refusal)}) from None
    return appointments.invited


@transaction.atomic
def do_import_enrolments(actor: Any, rows: Iterable[ImportedRow]) -> ImportSummary:
    """Write rows already validated by the importer, all or nothing; unchanged rows are not saved.
    New candidates are inserted in bulk (history included), with one audit event each."""
    rows = list(rows)
    _check_import_scope(actor, rows)
    appointments = Appointments(
        actor, [email for row in rows for email in (row.data.tutor_email, row.data.manager_email)]
    )
    try:
        with transaction.atomic():
            summary = _import(actor, rows, appointments)
    except IntegrityError:  # another import or form enrolled one of these people in the meantime
        raise EnrolmentRefused({"employee_number": CONCURRENT_IMPORT}) from None
    except AppointmentRefused as refusal:  # a tutor or manager appointed elsewhere meanwhile
        raise EnrolmentRefused({refusal.field: str(refusal)}) from None
    summary.invited = appointments.invited
    return summary


def _check_import_scope(actor: Any, rows: list[ImportedRow]) -> None:
    """The importer reports these refusals by row; a caller that skipped it is stopped here."""
    if any(not can_enrol_at(actor, row.data.training_centre.pk) for row in rows):
        raise NotAllowed("Vous ne pouvez inscrire des candidats qu'au CRFP dont vous relevez.")
    centres: dict[int, set[int]] = {}
    known = [row.candidate.pk for row in rows if row.candidate is not None]
    for candidate_id, centre_id in Enrolment.objects.filter(candidate__in=known).values_list(
        "candidate_id", "training_centre_id"
    ):
        centres.setdefault(candidate_id, set()).add(centre_id)
    if any(not can_change_candidate(actor, ids) for ids in centres.values()):
        raise NotAllowed(FOREIGN_CANDIDATE)


def _import(actor: Any, rows: list[ImportedRow], appointments: Appointments) -> ImportSummary:
    summary = ImportSummary()
    for row in rows:
        if row.candidate is None:
            continue
        if row.enrolment is None:
            _create(actor, row.data, appointments, row.candidate)
            summary.created += 1
        elif _update(actor, row.data, appointments, row.candidate, row.enrolment):
            summary.updated += 1
        else:
            summary.unchanged += 1
    new = [row.data for row in rows if row.candidate is None]
    _create_in_bulk(actor, new, appointments)
    summary.created += len(new)
    return summary


def _candidate_changes(candidate: Candidate, data: EnrolmentData) -> bool:
    return any(getattr(candidate, name) != value for name, value in data.candidate_values().items())


def _create_in_bulk(actor: Any, rows: list[EnrolmentData], appointments: Appointments) -> None:
    if not rows:
        return
    candidates = [Candidate(**data.candidate_values()) for data in rows]
    for candidate in candidates:
        candidate.identity_key = candidate.compute_identity_key()  # bulk_create does not call save()
    bulk_create_with_history(candidates, Candidate, batch_size=BATCH_SIZE, default_user=actor)
    values = [_enrolment_values(data, appointments) for data in rows]
    enrolments = [
        Enrolment(candidate=candidate, version=data.version, **enrolment_values)
        for candidate, data, enrolment_values in zip(candidates, rows, values, strict=True)
    ]
    bulk_create_with_history(enrolments, Enrolment, batch_size=BATCH_SIZE, default_user=actor)
    for enrolment, data, enrolment_values in zip(enrolments, rows, values, strict=True):
        after = readable(data.candidate_values() | enrolment_values | {"version": data.version})
        record_event(AuditAction.CANDIDATE_ENROLLED, enrolment, actor=actor, after=after)


def _option_ids(version: CertificationVersion) -> set[int]:
    return set(version.options.values_list("pk", flat=True))


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise EnrolmentRefused(errors)


def _enrolment_values(data: EnrolmentData, appointments: Appointments) -> dict[str, Any]:
    """The values an update may change: the version is chosen once, at enrolment (D5)."""
    return {
        "option": data.option,
        "access_route": data.access_route,
        "training_centre": data.training_centre,
        "start_date": data.start_date,
        "tutor": appointments.appoint(data.tutor_email, Role.TUTOR, data.employer),
        "manager": appointments.appoint(data.manager_email, Role.MANAGER, data.employer),
    }


def _create(
    actor: Any, data: EnrolmentData, appointments: Appointments, candidate: Candidate | None
) -> Enrolment:
    """A new enrolment, and the candidate too unless they are already known."""
    candidate_values = data.candidate_values()
    if candidate is None:
        candidate = Candidate(**candidate_values)
        save_attributed(candidate, actor)
    else:
        apply_changes(candidate, candidate_values, actor)
    values = _enrolment_values(data, appointments)
    enrolment = Enrolment(candidate=candidate, version=data.version, **values)
    save_attributed(enrolment, actor)
    after = readable(candidate_values | values | {"version": data.version})
    record_event(AuditAction.CANDIDATE_ENROLLED, enrolment, actor=actor, after=after)
    return enrolment


def _update(
    actor: Any, data: EnrolmentData, appointments: Appointments, candidate: Candidate, enrolment: Enrolment
) -> bool:
    """Apply the values that differ; True when something changed."""
    before, after = apply_changes(candidate, data.candidate_values(), actor)
    enrolment_before, enrolment_after = apply_changes(enrolment, _enrolment_values(data, appointments), actor)
    before |= enrolment_before
    if not before:
        return False
    record_event(
        AuditAction.ENROLMENT_UPDATED, enrolment, actor=actor, before=before, after=after | enrolment_after
    )
    return True
