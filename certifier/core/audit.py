"""The one way services record an attributable change."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from .enums import AuditAction
from .models import AuditEvent


def record_event(
    action: AuditAction,
    obj: models.Model,
    *,
    actor: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """One INSERT and no other query: the object is named by its type and id, never by `str(obj)`,
    which may follow relations."""
    event = _event(action, obj, actor, before, after, reason)
    event.save(force_insert=True)
    return event


def record_events(
    action: AuditAction,
    changes: Iterable[tuple[models.Model, dict[str, Any] | None, dict[str, Any] | None]],
    *,
    actor: Any,
    reason: str = "",
) -> list[AuditEvent]:
    """`record_event` for many objects changed at once (object, before, after) for one reason: one INSERT."""
    return AuditEvent.objects.bulk_create(
        [_event(action, obj, actor, before, after, reason) for obj, before, after in changes]
    )


def _event(
    action: AuditAction,
    obj: models.Model,
    actor: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=f"{obj._meta.verbose_name} n° {obj.pk}",
        reason=reason[:300],
        before=before,
        after=after,
    )
