from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .enums import AuditAction, DecisionSource, JobKind, JobStatus


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


# A running job refreshes its heartbeat at least this often (progress is reported every few hundred
# rows, and the one write transaction of an import lasts seconds): older, its worker has died.
STALLED_AFTER = timedelta(minutes=5)


class Job(models.Model):
    """Long work run by the worker (`manage.py db_worker`): its progress, outcome and errors, as shown
    to the user who started it. Written only through `certifier.core.jobs`."""

    kind = models.CharField("traitement", max_length=40, choices=JobKind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lancé par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("état", max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    done = models.PositiveIntegerField("lignes vérifiées", default=0)
    total = models.PositiveIntegerField("lignes à vérifier", null=True, blank=True)
    outcome = models.CharField("résultat", max_length=500, blank=True)
    details = models.JSONField("détail", default=list, blank=True)
    errors = models.JSONField("erreurs", default=list, blank=True)
    file = models.FileField("fichier", upload_to="jobs/%Y/%m/", blank=True)
    file_name = models.CharField("nom du fichier", max_length=255, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    heartbeat = models.DateTimeField("dernier signe de vie", null=True, blank=True)

    class Meta:
        verbose_name = "traitement"
        verbose_name_plural = "traitements"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind=JobKind.REGISTRY_IMPORT, status=JobStatus.RUNNING),
                name="one_running_registry_import",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk}"

    @property
    def interrupted(self) -> bool:
        """Said to be running, but its worker has given no sign of life for a while: it died."""
        return (
            self.status == JobStatus.RUNNING
            and self.heartbeat is not None
            and self.heartbeat < timezone.now() - STALLED_AFTER
        )

    @property
    def may_restart(self) -> bool:
        return bool(self.file) and (self.status == JobStatus.FAILED or self.interrupted)


class ConfirmedDecision(models.Model):
    """The shape of every decision a person confirms after the decision engine proposed it: the
    proposal, the confirmed value, the reason for a departure, the record the engine decided on, the
    rule set's id, version and hash, who confirmed it, when, and in which capacity (`source`).
    Append-only: a newer decision supersedes the last one. Subclasses give the statuses their choices."""

    source = models.CharField("origine", max_length=20, choices=DecisionSource.choices)
    proposed_status = models.CharField("proposition du moteur", max_length=20)
    confirmed_status = models.CharField("décision confirmée", max_length=20)
    override_reason = models.TextField("motif de la décision différente", blank=True)
    explanation = models.TextField("explication du moteur")
    record = models.JSONField("données soumises au moteur")
    rule_set_id = models.CharField("jeu de règles", max_length=50)
    rule_set_version = models.PositiveIntegerField("version du jeu de règles")
    rule_set_hash = models.CharField("empreinte du jeu de règles", max_length=80)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="décidée par", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_override(self) -> bool:
        return self.proposed_status != self.confirmed_status
