"""Exam sessions and the registrations of candidates into them (D45–D48)."""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from certifier.pathways.models import Enrolment
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.models import CertificationVersion

from .rules import Calendar, SessionState, session_state


class SessionKind(models.TextChoices):
    JUNE = "june", "Juin"
    DECEMBER = "december", "Décembre"
    CATCH_UP = "catch_up", "Rattrapage"


class ExamSession(models.Model):
    """A June or December session of a certification version, or the catch-up of one (D45)."""

    version = models.ForeignKey(
        CertificationVersion,
        verbose_name="version de la certification",
        on_delete=models.PROTECT,
        related_name="exam_sessions",
    )
    kind = models.CharField("type de session", max_length=10, choices=SessionKind.choices)
    year = models.PositiveSmallIntegerField("année")
    catch_up_of = models.ForeignKey(
        "self",
        verbose_name="session rattrapée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="catch_ups",
    )
    registration_deadline = models.DateField("date limite d'inscription")
    written_exam_date = models.DateField("date de l'épreuve écrite")
    oral_start = models.DateField("début des oraux")
    oral_end = models.DateField("fin des oraux")
    national_jury_date = models.DateField("date du jury national")
    derogation_reason = models.TextField("motif de dérogation (jury au-delà d'un mois)", blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "session d'examen"
        verbose_name_plural = "sessions d'examen"
        ordering = ["-year", "-written_exam_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=SessionKind.CATCH_UP, catch_up_of__isnull=False)
                | (~Q(kind=SessionKind.CATCH_UP) & Q(catch_up_of__isnull=True)),
                name="exam_session_catch_up_of_iff_catch_up",
                violation_error_message="Une session de rattrapage, et elle seule, rattrape une autre session.",
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lt=F("written_exam_date"))
                & Q(registration_deadline__lt=F("oral_start")),
                name="exam_session_deadline_before_exams",
                violation_error_message="La date limite d'inscription doit précéder la première épreuve.",
            ),
            models.CheckConstraint(
                condition=Q(oral_start__lte=F("oral_end")),
                name="exam_session_oral_window",
                violation_error_message="La fin de la période des oraux ne peut précéder son début.",
            ),
            models.CheckConstraint(
                condition=Q(national_jury_date__gt=F("written_exam_date"))
                & Q(national_jury_date__gt=F("oral_end")),
                name="exam_session_jury_after_exams",
                violation_error_message="Le jury national se réunit après la dernière épreuve.",
            ),
            models.UniqueConstraint(
                fields=["version", "kind", "year"],
                condition=~Q(kind=SessionKind.CATCH_UP),
                name="exam_session_unique_half_year",
                violation_error_message="Cette session existe déjà pour cette certification.",
            ),
            models.UniqueConstraint(
                fields=["catch_up_of"],
                name="exam_session_one_catch_up",
                violation_error_message="Cette session a déjà sa session de rattrapage.",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == SessionKind.CATCH_UP:
            return f"Rattrapage {self.year} — {self.version}"
        return f"Session de {self.get_kind_display().lower()} {self.year} — {self.version}"

    @property
    def dates(self) -> Calendar:
        return Calendar(
            registration_deadline=self.registration_deadline,
            written_exam_date=self.written_exam_date,
            oral_start=self.oral_start,
            oral_end=self.oral_end,
            national_jury_date=self.national_jury_date,
        )

    def state(self, today: date) -> SessionState:
        return session_state(self.dates, today)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def visible_to(self, user: Any) -> "RegistrationQuerySet":
        """The national administrator sees every registration; a CRFP and its local jury, their candidates'."""
        if has_role(user, Role.NATIONAL_ADMIN):
            return self
        return self.filter(
            enrolment__training_centre_id__in=organisation_ids(user, Role.CRFP_STAFF, Role.LOCAL_JURY)
        )


class Registration(models.Model):
    """An enrolled candidate registered into a session, with their candidate number and copy code."""

    session = models.ForeignKey(
        ExamSession, verbose_name="session", on_delete=models.PROTECT, related_name="registrations"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.PROTECT, related_name="exam_registrations"
    )
    candidate_number = models.CharField("numéro de candidat", max_length=12, unique=True)
    copy_code = models.CharField("code de copie", max_length=12, unique=True)
    registered_at = models.DateTimeField("inscrit le", auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="inscrit par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription à une session d'examen"
        verbose_name_plural = "inscriptions aux sessions d'examen"
        ordering = ["session", "candidate_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"],
                name="registration_unique_per_session",
                violation_error_message="Ce candidat est déjà inscrit à cette session.",
            ),
            models.CheckConstraint(
                condition=~Q(copy_code=F("candidate_number")),
                name="registration_copy_code_not_number",
                violation_error_message="Le code de copie doit différer du numéro de candidat.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_number} — {self.session}"
