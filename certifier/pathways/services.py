"""The only writers of candidates, enrolments, training paths, attendance and funding requests.

Every change is attributable: simple-history keeps before/after per object and the audit log
records who did what, in the same transaction.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes, readable, save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.models import Membership, Organisation, User
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Block, Certification, CertificationVersion, Option
from certifier.referential.services import LoadSummary, upsert

from .enums import FundingCategory, PathKind
from .models import (
    AssessorAssignment,
    Attendance,
    Candidate,
    Enrolment,
    FundingLine,
    FundingRate,
    FundingRequest,
    Module,
    TrainingPath,
    TrainingSession,
)
from .permissions import can_edit_enrolment, can_enrol_at, can_handle_funding
from .rules import (
    CENT,
    PathFunding,
    closed_route_error,
    delivering_centre,
    funding_lines,
    insee_code_error,
    prerequisite_error,
    requires_pre_recruitment,
)

TRAINING_PATHS_DATA = Path(__file__).parent / "data" / "training_paths.yaml"
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
    """The rules an enrolment must meet, by field (D3–D5). On an update, the access route and the
    start date are checked only when they change: registry validity applies to new entries."""
    errors: dict[str, str] = {}
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
        errors["start_date"] = refusal
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


# Enrolments ----------------------------------------------------------------------------------


class Contacts:
    """Tutors and managers by e-mail, fetched once; an unknown address becomes an invited account
    (no usable password) and every contact holds its role in the candidate's employer."""

    def __init__(self, actor: Any, emails: Iterable[str]) -> None:
        self.actor = actor
        wanted = {email.lower() for email in emails if email}
        users = User.objects.annotate(lowered=Lower("email")).filter(lowered__in=wanted)
        self.users: dict[str, User] = {user.email.lower(): user for user in users}
        self.roles = set(
            Membership.objects.filter(user__in=list(self.users.values()), role__in=[Role.TUTOR, Role.MANAGER])
            .values_list("user_id", "organisation_id", "role")
            .distinct()
        )
        self.invited: list[str] = []

    def get(self, email: str, role: Role, employer: Organisation) -> User | None:
        if not email:
            return None
        user = self.users.get(email.lower())
        if user is None:
            user = User.objects.create_user(email.lower())
            record_event(AuditAction.ACCOUNT_INVITED, user, actor=self.actor, after={"email": user.email})
            self.users[user.email] = user
            self.invited.append(user.email)
        if (user.pk, employer.pk, role) not in self.roles:
            membership = Membership.objects.create(user=user, organisation=employer, role=role)
            record_event(
                AuditAction.ROLE_GRANTED,
                membership,
                actor=self.actor,
                after={"role": role, "organisation": employer.name},
            )
            self.roles.add((user.pk, employer.pk, role))
        return user


@transaction.atomic
def do_enrol(actor: Any, data: EnrolmentData) -> tuple[Enrolment, list[str]]:
    """Enrol a new candidate; returns the enrolment and the e-mails of invited accounts."""
    errors = enrolment_errors(actor, data, open_routes(data.version.certification), _option_ids(data.version))
    errors |= duplicate_errors(
        data,
        Candidate.objects.filter(employer=data.employer, employee_number=data.employee_number).first(),
        Candidate.objects.filter(identity_key=data.identity_key()).first(),
    )
    _raise(errors)
    contacts = Contacts(actor, [data.tutor_email, data.manager_email])
    enrolment = _create(actor, data, contacts, None)
    return enrolment, contacts.invited


@transaction.atomic
def do_update_enrolment(actor: Any, enrolment: Enrolment, data: EnrolmentData) -> list[str]:
    """Change a candidate's identity, employment or enrolment; returns the invited accounts."""
    if not can_edit_enrolment(actor, enrolment):
        raise DomainError("Seul le CRFP de l'inscription ou l'administrateur national peut la modifier.")
    candidate = enrolment.candidate
    others = Candidate.objects.exclude(pk=candidate.pk)
    errors = enrolment_errors(
        actor, data, open_routes(data.version.certification), _option_ids(data.version), enrolment
    )
    errors |= duplicate_errors(
        data,
        others.filter(employer=data.employer, employee_number=data.employee_number).first(),
        others.filter(identity_key=data.identity_key()).first(),
    )
    _raise(errors)
    contacts = Contacts(actor, [data.tutor_email, data.manager_email])
    _update(actor, data, contacts, candidate, enrolment)
    return contacts.invited


@transaction.atomic
def do_import_enrolments(actor: Any, rows: Iterable[ImportedRow]) -> ImportSummary:
    """Write rows already validated by the importer, all or nothing; unchanged rows are not saved.
    New candidates are inserted in bulk (history included), with one audit event each."""
    rows = list(rows)
    contacts = Contacts(
        actor, [email for row in rows for email in (row.data.tutor_email, row.data.manager_email)]
    )
    summary = ImportSummary()
    for row in rows:
        if row.candidate is None:
            continue
        if row.enrolment is None:
            _create(actor, row.data, contacts, row.candidate)
            summary.created += 1
        elif _update(actor, row.data, contacts, row.candidate, row.enrolment):
            summary.updated += 1
        else:
            summary.unchanged += 1
    new = [row.data for row in rows if row.candidate is None]
    _create_in_bulk(actor, new, contacts)
    summary.created += len(new)
    summary.invited = contacts.invited
    return summary


def _create_in_bulk(actor: Any, rows: list[EnrolmentData], contacts: Contacts) -> None:
    if not rows:
        return
    candidates = [Candidate(**data.candidate_values()) for data in rows]
    for candidate in candidates:
        candidate.identity_key = candidate.compute_identity_key()  # bulk_create does not call save()
    bulk_create_with_history(candidates, Candidate, batch_size=BATCH_SIZE, default_user=actor)
    values = [_enrolment_values(data, contacts) for data in rows]
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


def _enrolment_values(data: EnrolmentData, contacts: Contacts) -> dict[str, Any]:
    """The values an update may change: the version is chosen once, at enrolment (D5)."""
    return {
        "option": data.option,
        "access_route": data.access_route,
        "training_centre": data.training_centre,
        "start_date": data.start_date,
        "tutor": contacts.get(data.tutor_email, Role.TUTOR, data.employer),
        "manager": contacts.get(data.manager_email, Role.MANAGER, data.employer),
    }


def _create(actor: Any, data: EnrolmentData, contacts: Contacts, candidate: Candidate | None) -> Enrolment:
    """A new enrolment, and the candidate too unless they are already known."""
    candidate_values = data.candidate_values()
    if candidate is None:
        candidate = Candidate(**candidate_values)
        save_attributed(candidate, actor)
    else:
        apply_changes(candidate, candidate_values, actor)
    values = _enrolment_values(data, contacts)
    enrolment = Enrolment(candidate=candidate, version=data.version, **values)
    save_attributed(enrolment, actor)
    after = readable(candidate_values | values | {"version": data.version})
    record_event(AuditAction.CANDIDATE_ENROLLED, enrolment, actor=actor, after=after)
    return enrolment


def _update(
    actor: Any, data: EnrolmentData, contacts: Contacts, candidate: Candidate, enrolment: Enrolment
) -> bool:
    """Apply the values that differ; True when something changed."""
    before, after = apply_changes(candidate, data.candidate_values(), actor)
    enrolment_before, enrolment_after = apply_changes(enrolment, _enrolment_values(data, contacts), actor)
    before |= enrolment_before
    if not before:
        return False
    record_event(
        AuditAction.ENROLMENT_UPDATED, enrolment, actor=actor, before=before, after=after | enrolment_after
    )
    return True


# Training paths, sessions and attendance ------------------------------------------------------


def do_load_training_paths(path: Path = TRAINING_PATHS_DATA) -> LoadSummary:
    """Load the training paths of a certification; idempotent. Pass and Prem'ss are national
    (D37, D38) and restored as published; option hours and hourly rates belong to the national
    administrator (D39, D41): the shipped examples are created when missing, never overwritten."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    reason = f"Chargement des parcours ({path.name})"
    summary = LoadSummary()
    with transaction.atomic():
        certification = Certification.objects.get(number=data["certification"])
        for position, path_data in enumerate(data["paths"], start=1):
            lookup = {"certification": certification, "kind": path_data["kind"], "option_code": ""}
            _load_path(lookup, path_data, position, reason, summary)
        for position, path_data in enumerate(data["options"], start=len(data["paths"]) + 1):
            lookup = {
                "certification": certification,
                "kind": PathKind.OPTION,
                "option_code": path_data["option_code"],
            }
            if TrainingPath.objects.filter(**lookup).exists():
                summary.unchanged += 1
            else:
                _load_path(lookup, path_data | {"is_example": True}, position, reason, summary)
        for rate in data["hourly_rates"]:
            values = {"hourly_rate": Decimal(rate["hourly_rate"]), "source": rate["source"]}
            if FundingRate.objects.filter(effective_from=rate["effective_from"]).exists():
                summary.unchanged += 1
            else:
                upsert(FundingRate, {"effective_from": rate["effective_from"]}, values, reason, summary)
    return summary


def _load_path(
    lookup: dict[str, Any], data: dict[str, Any], position: int, reason: str, summary: LoadSummary
) -> None:
    hours = {
        f"{category}_hours": Decimal(data["funded"].get(category, "0")) for category in FundingCategory.values
    }
    values = {
        "title": data["title"],
        "position": position,
        "is_example": data.get("is_example", False),
        **hours,
    }
    training_path = upsert(TrainingPath, lookup, values, reason, summary)
    for number, module in enumerate(data["modules"], start=1):
        module_values = {
            "title": module["title"],
            "week": module.get("week"),
            "duration": Decimal(module["duration"]),
            "unit": module["unit"],
        }
        upsert(Module, {"path": training_path, "position": number}, module_values, reason, summary)


@transaction.atomic
def do_create_training_session(
    actor: Any, training_path: TrainingPath, centre: Organisation, start: date, end: date
) -> TrainingSession:
    if not can_enrol_at(actor, centre.pk):
        raise DomainError(f"Vous ne pouvez pas programmer de session au {centre.name}.")
    if end < start:
        raise DomainError("La date de fin de la session doit suivre sa date de début.")
    session = TrainingSession(path=training_path, training_centre=centre, start_date=start, end_date=end)
    save_attributed(session, actor)
    record_event(
        AuditAction.TRAINING_SESSION_CREATED,
        session,
        actor=actor,
        after={
            "path": training_path.title,
            "training_centre": centre.name,
            "start_date": start,
            "end_date": end,
        },
    )
    return session


@transaction.atomic
def do_record_attendance(
    actor: Any, enrolment: Enrolment, sessions: Mapping[Module, TrainingSession | None]
) -> int:
    """Set, for each module, the session the candidate attended (None: not attended); returns the
    number of modules whose attendance changed."""
    if not can_edit_enrolment(actor, enrolment):
        raise DomainError("Seul le CRFP de l'inscription ou l'administrateur national saisit les présences.")
    existing = {
        attendance.module_id: attendance for attendance in enrolment.attendances.select_related("session")
    }
    changed = 0
    for module, session in sessions.items():
        if session is not None and session.path_id != module.path_id:
            raise DomainError(
                f"La session choisie pour « {module.title} » n'est pas une session de ce parcours."
            )
        changed += _set_attendance(actor, enrolment, module, existing.get(module.pk), session)
    return changed


def _set_attendance(
    actor: Any,
    enrolment: Enrolment,
    module: Module,
    attendance: Attendance | None,
    session: TrainingSession | None,
) -> bool:
    before = {"module": module.title, "session": str(attendance.session)} if attendance else None
    after = {"module": module.title, "session": str(session)} if session else None
    if before == after:
        return False
    if attendance is not None and session is None:
        attendance._history_user = actor  # type: ignore[attr-defined]
        attendance.delete()
        record_event(AuditAction.ATTENDANCE_REMOVED, enrolment, actor=actor, before=before)
        return True
    if attendance is None:
        attendance = Attendance(enrolment=enrolment, module=module)
    attendance.session = session  # type: ignore[assignment]
    save_attributed(attendance, actor)
    record_event(AuditAction.ATTENDANCE_RECORDED, enrolment, actor=actor, before=before, after=after)
    return True


# Funding ---------------------------------------------------------------------------------------


def applicable_rate(day: date) -> FundingRate:
    rate = FundingRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rate is None:
        raise DomainError(
            f"Aucun taux horaire de prise en charge n'est applicable au {day:%d/%m/%Y} : "
            "l'administrateur national doit le saisir."
        )
    return rate


@transaction.atomic
def do_draw_up_funding_request(actor: Any, enrolment: Enrolment, pass_already_funded: bool) -> FundingRequest:
    """D41–D43: one request for the whole path, computed from the funded maxima and the hourly rate
    applicable at the start of the path; lines grouped by the CRFP that delivers each part."""
    if not can_handle_funding(actor, enrolment):
        raise DomainError("Vous ne pouvez pas établir la demande de prise en charge de cette inscription.")
    if enrolment.access_route == AccessRouteKind.VAE:
        raise DomainError(
            "Une candidature par la VAE ne comporte pas de parcours de formation à prendre en charge."
        )
    rate = applicable_rate(enrolment.start_date).hourly_rate
    lines = funding_lines(_path_funding(enrolment), rate, pass_already_funded)
    request = FundingRequest.objects.filter(enrolment=enrolment).first()
    before = _funding_summary(request) if request else None
    if request is None:
        request = FundingRequest(enrolment=enrolment)
    request.pass_already_funded = pass_already_funded
    request.hourly_rate = rate
    request.convention_centre_id = enrolment.training_centre_id
    save_attributed(request, actor)
    request.lines.all().delete()
    FundingLine.objects.bulk_create(
        FundingLine(
            request=request,
            training_centre_id=line.centre_id,
            path_id=line.path_id,
            category=line.category,
            hours=line.hours,
            hourly_rate=line.hourly_rate,
            amount=line.amount,
        )
        for line in lines
    )
    record_event(
        AuditAction.FUNDING_REQUEST_DRAWN_UP,
        request,
        actor=actor,
        before=before,
        after=_funding_summary(request),
    )
    return request


def _path_funding(enrolment: Enrolment) -> list[PathFunding]:
    paths = list(TrainingPath.objects.for_enrolment(enrolment))
    if enrolment.option and not any(path.kind == PathKind.OPTION for path in paths):
        raise DomainError(
            f"Les durées de l'option « {enrolment.option.title} » ne sont pas définies : "
            "l'administrateur national doit les saisir."
        )
    attended: dict[int, list[int]] = {}
    for path_id, centre_id in enrolment.attendances.values_list(
        "module__path_id", "session__training_centre_id"
    ):
        attended.setdefault(path_id, []).append(centre_id)
    return [
        PathFunding(
            path.pk,
            path.kind,
            path.funded_hours(),
            delivering_centre(enrolment.training_centre_id, attended.get(path.pk, [])),
        )
        for path in paths
    ]


def _funding_summary(request: FundingRequest) -> dict[str, Any]:
    return {
        "pass_already_funded": request.pass_already_funded,
        "hourly_rate": request.hourly_rate,
        "total": (request.lines.aggregate(total=models.Sum("amount"))["total"] or Decimal(0)).quantize(CENT),
    }


# Assessors -----------------------------------------------------------------------------------


@transaction.atomic
def do_assign_assessor(
    actor: Any, enrolment: Enrolment, assessor: User, block: Block | None
) -> AssessorAssignment:
    """The enrolment's CRFP assigns an assessor, for one block or for every block."""
    if not can_edit_enrolment(actor, enrolment):
        raise DomainError(
            "Seul le CRFP de l'inscription ou l'administrateur national affecte les évaluateurs."
        )
    if not Membership.objects.filter(user=assessor, role=Role.ASSESSOR).exists():
        raise DomainError(f"{assessor} n'a pas le rôle d'évaluateur.")
    if block is not None and block.version_id != enrolment.version_id:
        raise DomainError(f"Le bloc {block.code} n'appartient pas à la certification de l'inscription.")
    if AssessorAssignment.objects.filter(enrolment=enrolment, assessor=assessor, block=block).exists():
        raise DomainError(f"{assessor} est déjà affecté à ce candidat pour {_scope(block)}.")
    assignment = AssessorAssignment(enrolment=enrolment, assessor=assessor, block=block)
    save_attributed(assignment, actor)
    record_event(
        AuditAction.ASSESSOR_ASSIGNED,
        enrolment,
        actor=actor,
        after={"assessor": str(assessor), "scope": _scope(block)},
    )
    return assignment


def _scope(block: Block | None) -> str:
    return f"le bloc {block.code}" if block else "tous les blocs"
