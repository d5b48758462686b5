"""Readable change history from django-simple-history records: who, when, before → after."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from django.db.models import QuerySet

KIND_LABELS = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    kind: str
    object_label: str
    object_repr: str
    reason: str
    changes: list[FieldChange]


Describe = Callable[[Any], str]


def history_entries(sources: list[tuple[QuerySet[Any], Describe]], limit: int = 300) -> list[HistoryEntry]:
    """The latest changes recorded in the given historical querysets, newest first.

    Each queryset is read once; diffs are computed between consecutive records of the same object;
    `describe` names the object from its historical record without further queries.
    """
    entries: list[HistoryEntry] = []
    for history, describe in sources:
        records = history.select_related("history_user").order_by("id", "history_date", "history_id")
        for _, group in groupby(records, key=lambda record: record.id):
            previous = None
            for record in group:
                entries.append(_entry(record, previous, describe(record)))
                previous = record
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _entry(record: Any, previous: Any, object_repr: str) -> HistoryEntry:
    model = record.instance_type
    changes: list[FieldChange] = []
    if previous is not None and record.history_type == "~":
        delta = record.diff_against(previous)
        changes = [
            FieldChange(str(model._meta.get_field(change.field).verbose_name), change.old, change.new)
            for change in delta.changes
        ]
    user = record.history_user
    return HistoryEntry(
        at=record.history_date,
        who=str(user) if user else "Système (import ou chargement)",
        kind=KIND_LABELS[record.history_type],
        object_label=str(model._meta.verbose_name),
        object_repr=object_repr,
        reason=record.history_change_reason or "",
        changes=changes,
    )
