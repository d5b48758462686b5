"""The only writers of people and organisations."""

from typing import Any

from django.db import transaction

from certifier.core.audit import record_event

from .models import Organisation


@transaction.atomic
def do_update_organisation(actor: Any, organisation: Organisation, values: dict[str, Any]) -> Organisation:
    """Apply validated form values; record before → after of the fields that changed."""
    before = {
        name: getattr(organisation, name)
        for name, value in values.items()
        if getattr(organisation, name) != value
    }
    if not before:
        return organisation
    for name in before:
        setattr(organisation, name, values[name])
    organisation._history_user = actor  # type: ignore[attr-defined]
    organisation.save()
    record_event(
        actor, "Modification d'une organisation", organisation, before, {n: values[n] for n in before}
    )
    return organisation
