"""The one way services record an attributable change."""

from typing import Any

from django.db import models

from .models import AuditEvent


def record_event(
    actor: Any, action: str, obj: models.Model, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )
