"""The only writers of people and organisations."""

from typing import Any

from django.db import transaction

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes
from certifier.core.enums import AuditAction

from .models import Organisation


@transaction.atomic
def do_update_organisation(actor: Any, organisation: Organisation, values: dict[str, Any]) -> Organisation:
    """Apply validated form values; record before → after of the fields that changed."""
    before, after = apply_changes(organisation, values, actor)
    if after:
        record_event(AuditAction.ORGANISATION_UPDATED, organisation, actor=actor, before=before, after=after)
    return organisation
