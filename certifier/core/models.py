from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DomainError(Exception):
    """A business rule refused an action; the message is French and shown to the user as is."""


class AuditEvent(models.Model):
    """Who did what to which object, when, with the values before and after. Written by services only."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField("action", max_length=80)
    object_type = models.CharField("type d'objet", max_length=80)
    object_id = models.CharField("identifiant", max_length=64)
    object_repr = models.CharField("objet", max_length=300)
    before = models.JSONField("avant", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("après", null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"
