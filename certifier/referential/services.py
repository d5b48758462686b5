"""The only writers of referential data. Every change is attributable: simple-history keeps
before/after per object and the audit log records who did what."""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.db import models, transaction

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes, save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError

from .models import (
    AccessRoute,
    AssessmentMethod,
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competence,
    Criterion,
    Option,
    Statistic,
)

M = TypeVar("M", bound=models.Model)

REFERENTIAL_DATA = Path(__file__).parent / "data" / "rncp35729.yaml"


@dataclass
class LoadSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)


def upsert(
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    reason: str,
    summary: LoadSummary,
    actor: Any = None,
) -> M:
    """Create or update one row; an unchanged row is not saved (no history record, no audit event)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        save_attributed(obj, actor, reason)
        record_event(AuditAction.REFERENTIAL_CREATED, obj, actor=actor, after=values, reason=reason)
        summary.created += 1
        return obj
    before, after = apply_changes(obj, values, actor, reason)
    if not after:
        summary.unchanged += 1
        return obj
    record_event(AuditAction.REFERENTIAL_UPDATED, obj, actor=actor, before=before, after=after, reason=reason)
    summary.updated += 1
    summary.changes.append(str(obj))
    return obj


def do_load_referential(path: Path = REFERENTIAL_DATA) -> LoadSummary:
    """Load (or bring up to date) a certification from its referential data file; idempotent."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    reason = f"Chargement du référentiel ({path.name})"
    summary = LoadSummary()
    with transaction.atomic():
        certification = _load_certification(data, reason, summary)
        for version_data in data["versions"]:
            _load_version(certification, version_data, reason, summary)
    return summary


def _load_certification(data: dict[str, Any], reason: str, summary: LoadSummary) -> Certification:
    facts = {
        name: data.get(name, "")
        for name in (
            "title",
            "registry_status",
            "objectives",
            "activities",
            "activity_sectors",
            "entry_prerequisites",
        )
    }
    facts |= {
        name: data.get(name, [])
        for name in ("nsf_codes", "formacodes", "rome_codes", "accessible_jobs", "predecessors")
    }
    facts |= {
        name: data.get(name) for name in ("level", "registration_end", "new_caledonia", "french_polynesia")
    }
    certification = upsert(Certification, {"number": data["number"]}, facts, reason, summary)
    for certifier in data["certifiers"]:
        upsert(
            Certifier,
            {"certification": certification, "name": certifier["name"]},
            {"siret": certifier["siret"], "status": certifier["status"]},
            reason,
            summary,
        )
    for kind, route in data["access_routes"].items():
        upsert(
            AccessRoute,
            {"certification": certification, "kind": kind},
            {"is_open": route["is_open"], "jury_composition": route.get("jury_composition", "")},
            reason,
            summary,
        )
    for row in data["statistics"]:
        values = {name: value for name, value in row.items() if name != "year"}
        upsert(
            Statistic,
            {"certification": certification, "year": row["year"]},
            _decimals(values),
            reason,
            summary,
        )
    return certification


def _decimals(values: dict[str, Any]) -> dict[str, Any]:
    return {name: Decimal(value) if isinstance(value, str) else value for name, value in values.items()}


def _load_version(
    certification: Certification, data: dict[str, Any], reason: str, summary: LoadSummary
) -> None:
    facts = {name: data.get(name) for name in ("valid_from", "valid_until")}
    facts |= {name: data.get(name, "") for name in ("label", "scheme", "rule_set", "description")}
    version = upsert(
        CertificationVersion, {"certification": certification, "code": data["code"]}, facts, reason, summary
    )
    for option in data["options"]:
        upsert(
            Option,
            {"version": version, "code": option["code"]},
            {"title": option["title"], "branch": option["branch"]},
            reason,
            summary,
        )
    for position, block_data in enumerate(data["blocks"], start=1):
        block = upsert(
            Block,
            {"version": version, "code": block_data["code"]},
            {"title": block_data["title"], "position": position},
            reason,
            summary,
        )
        for number, competence in enumerate(block_data["competences"], start=1):
            upsert(Competence, {"block": block, "number": number}, competence, reason, summary)
        for method_position, method in enumerate(block_data["methods"], start=1):
            upsert(AssessmentMethod, {"block": block, "position": method_position}, method, reason, summary)


@transaction.atomic
def do_update_criterion(actor: Any, criterion: Criterion, text: str) -> Criterion:
    text = text.strip()
    if not text:
        raise DomainError("L'énoncé du critère ne peut pas être vide.")
    before, after = apply_changes(criterion, {"text": text}, actor, "Modification d'un critère")
    if after:
        record_event(AuditAction.CRITERION_UPDATED, criterion, actor=actor, before=before, after=after)
    return criterion


@transaction.atomic
def do_add_criterion(actor: Any, competence: Competence, text: str, is_example: bool = False) -> Criterion:
    text = text.strip()
    if not text:
        raise DomainError("L'énoncé du critère ne peut pas être vide.")
    last = competence.criteria.aggregate(last=models.Max("position"))["last"] or 0
    criterion = Criterion(competence=competence, position=last + 1, text=text, is_example=is_example)
    save_attributed(criterion, actor, "Ajout d'un critère")
    record_event(
        AuditAction.CRITERION_ADDED,
        criterion,
        actor=actor,
        after={"text": text, "position": criterion.position},
    )
    return criterion
