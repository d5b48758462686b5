"""The one way services change a row: only the fields that differ, saved once, attributed."""

from typing import Any

from django.db import models


def apply_changes(
    obj: models.Model, values: dict[str, Any], actor: Any = None, reason: str = ""
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the values that differ from `obj` (related objects compared by id, without a query) and
    save once; returns the changed fields before and after, both empty when nothing changed."""
    changed = [name for name, value in values.items() if _current(obj, name) != _comparable(value)]
    if not changed:
        return {}, {}
    before = readable({name: getattr(obj, name) for name in changed})
    for name in changed:
        setattr(obj, name, values[name])
    save_attributed(obj, actor, reason)
    return before, readable({name: values[name] for name in changed})


def save_attributed(obj: models.Model, actor: Any = None, reason: str = "") -> None:
    """Save with the author and the reason recorded in the object's history."""
    if actor is not None and actor.is_authenticated:
        obj._history_user = actor  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save()


def _current(obj: models.Model, name: str) -> Any:
    if obj._meta.get_field(name).is_relation:
        return getattr(obj, f"{name}_id")
    return getattr(obj, name)


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def readable(values: dict[str, Any]) -> dict[str, Any]:
    """Audit values: related objects by their name."""
    return {name: str(value) if isinstance(value, models.Model) else value for name, value in values.items()}
