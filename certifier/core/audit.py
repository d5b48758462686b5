"""The one way services record an attributable change."""

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
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=f"{obj._meta.verbose_name} n° {obj.pk}",
        reason=reason[:300],
        before=before,
        after=after,
    )
