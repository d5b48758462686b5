from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .enums import AuditAction


class DomainError(Exception):
    """A business rule refused an action; the message is French and shown to the user as is."""


class NotAllowed(PermissionDenied):
    """The actor may not do this: raised by services, answered 403 by Django's one handler
    (never caught by views, so the web, commands, jobs and the API share the same check)."""


class AuditEvent(models.Model):
    """Who did what to which object, when, with the values before and after. Written by services only."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True, on_delete=models.PROTECT
    )
    # no `choices`: adding an action to the enum needs no migration; `action_label` reads the enum
    action = models.CharField("action", max_length=80, db_index=True)
    object_type = models.CharField("type d'objet", max_length=80)
    object_id = models.CharField("identifiant", max_length=64)
    object_repr = models.CharField("objet", max_length=300)
    reason = models.CharField("motif", max_length=300, blank=True)
    before = models.JSONField("avant", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("après", null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action_label} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return AuditAction(self.action).label if self.action in AuditAction.values else self.action
