"""Training paths (loaded from the national data), sessions held by CRFPs, and attendance."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.changes import save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.people.models import Organisation
from certifier.referential.models import Certification
from certifier.referential.services import LoadSummary, upsert

from ..enums import FundingCategory, PathKind
from ..models import Attendance, Enrolment, FundingRate, Module, TrainingPath, TrainingSession
from ..permissions import can_enrol_at, require_edit
from ..rules import date_window_error

TRAINING_PATHS_DATA = Path(__file__).parent.parent / "data" / "training_paths.yaml"
CONCURRENT_ATTENDANCE = (
    "Les présences de ce candidat viennent d'être modifiées par une autre personne : "
    "vérifiez-les sur sa fiche avant de recommencer."
)


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
        raise NotAllowed(f"Vous ne pouvez pas programmer de session au {centre.name}.")
    today = timezone.localdate()
    for label, day in (("La date de début de la session", start), ("La date de fin de la session", end)):
        if error := date_window_error(label, day, today):
            raise DomainError(error)
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
    require_edit(actor, enrolment)
    existing = _attendances(enrolment)
    changed = 0
    for module, session in sessions.items():
        if session is not None and session.path_id != module.path_id:
            raise DomainError(
                f"La session choisie pour « {module.title} » n'est pas une session de ce parcours."
            )
    try:
        with transaction.atomic():
            for module, session in sessions.items():
                changed += _set_attendance(actor, enrolment, module, existing.get(module.pk), session)
    except IntegrityError:  # the same attendance recorded by another request in the meantime
        raise DomainError(CONCURRENT_ATTENDANCE) from None
    return changed


def _attendances(enrolment: Enrolment) -> dict[int, Attendance]:
    """The enrolment's attendances by module."""
    return {
        attendance.module_id: attendance for attendance in enrolment.attendances.select_related("session")
    }


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
