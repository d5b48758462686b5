"""Exam sessions and the registrations of candidates into them (D45–D48)."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from certifier.core.models import DomainError
from certifier.pathways.models import Enrolment
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.models import CertificationVersion

from .rules import Calendar, SessionState, session_state


class SessionKind(models.TextChoices):
    JUNE = "june", "Juin"
    DECEMBER = "december", "Décembre"
    CATCH_UP = "catch_up", "Rattrapage"


class ExamSessionQuerySet(models.QuerySet["ExamSession"]):
    def visible_to(self, user: Any) -> "ExamSessionQuerySet":
        """Every session for those who organise or judge them; a written-exam marker, the sessions
        they were appointed to (D48)."""
        if has_role(user, Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.LOCAL_JURY, Role.NATIONAL_JURY):
            return self
        return self.filter(markers__user=user) if has_role(user, Role.MARKER) else self.none()

    def with_progress(self) -> "ExamSessionQuerySet":
        """Each session with how many candidates are registered and how many marks are entered."""
        registered = (
            Registration.objects.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        marked = (
            Mark.objects.filter(registration__session=OuterRef("pk"))
            .order_by()
            .values("registration__session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            registered=Coalesce(Subquery(registered), 0), marked=Coalesce(Subquery(marked), 0)
        )


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
    # D48: the levée d'anonymat of the written exam, a logged act of the national administrator
    anonymity_lifted_at = models.DateTimeField("anonymat levé le", null=True, blank=True)
    anonymity_lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="anonymat levé par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # D55: signing the national jury's minutes proclaims the results (marks and decisions frozen from
    # then on, D50); they are read by candidates and employers from one release time, on every path
    proclaimed_at = models.DateTimeField("résultats proclamés le", null=True, blank=True)
    released_at = models.DateTimeField("résultats publiés le", null=True, blank=True)

    objects = ExamSessionQuerySet.as_manager()

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
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | Q(proclaimed_at__isnull=False, released_at__gte=F("proclaimed_at")),
                name="exam_session_released_after_proclamation",
                violation_error_message="Les résultats sont publiés après leur proclamation.",
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

    def state(self, today: date, marks_complete: bool = False) -> SessionState:
        return session_state(self.dates, today, marks_complete)

    @property
    def proclaimed(self) -> bool:
        """D55: the results are proclaimed; no mark or decision of the session changes any more."""
        return self.proclaimed_at is not None

    def refuse_when_proclaimed(self) -> None:
        """D50, D55: every service writing a mark or a decision of the session calls this first. Read from
        the database, never from a stale copy; inside the writer's transaction the session's row stays
        locked against the proclamation (which locks it too) until the write commits."""
        rows = ExamSession.objects.filter(pk=self.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update(no_key=True)
        self.proclaimed_at = rows.values_list("proclaimed_at", flat=True).get()
        if self.proclaimed:
            raise DomainError(
                "Les résultats de cette session sont proclamés : notes et décisions ne changent plus, "
                "sauf par un rectificatif du jury national."
            )

    def results_released(self, now: datetime) -> bool:
        """D55: the one release time that gates every read path to the results."""
        return self.released_at is not None and self.released_at <= now


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
    # D46: written by the juries app when minutes are signed (proclamation, amendment); None until then.
    # A catch-up session accepts only the candidates of the caught-up session who were not certified.
    certified = models.BooleanField("certifié par le jury national", null=True, blank=True, editable=False)

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


class LocalJuryDate(models.Model):
    """D45: the day a CRFP's local jury sits for a session, set by the national administrator."""

    session = models.ForeignKey(
        ExamSession, verbose_name="session", on_delete=models.CASCADE, related_name="local_jury_dates"
    )
    training_centre = models.ForeignKey(
        "people.Organisation", verbose_name="CRFP", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("date du jury local")

    class Meta:
        verbose_name = "date de jury local"
        verbose_name_plural = "dates des jurys locaux"
        ordering = ["session", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "training_centre"],
                name="local_jury_date_unique_centre",
                violation_error_message="Ce CRFP a déjà sa date de jury local pour cette session.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}"


class ExamMarker(models.Model):
    """A written-exam marker (D48) appointed for one session: they see its copies by copy code only."""

    session = models.ForeignKey(
        ExamSession, verbose_name="session", on_delete=models.CASCADE, related_name="markers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="correcteur",
        on_delete=models.PROTECT,
        related_name="marker_sessions",
    )
    appointed_at = models.DateTimeField("désigné le", auto_now_add=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="désigné par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "correcteur de l'épreuve écrite"
        verbose_name_plural = "correcteurs de l'épreuve écrite"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                name="exam_marker_unique",
                violation_error_message="Cette personne corrige déjà cette session.",
            )
        ]

    def __str__(self) -> str:
        return f"correcteur n° {self.pk}"


class MarkStatus(models.TextChoices):
    """D49: a mark, or why there is none."""

    MARKED = "marked", "Noté"
    ABSENT = "absent", "Absent non justifié"
    ABSENT_EXCUSED = "absent_excused", "Absent justifié"
    FRAUD = "fraud", "Suspicion de fraude"


class MarkQuerySet(models.QuerySet["Mark"]):
    def of_session(self, session: ExamSession) -> "MarkQuerySet":
        return self.filter(registration__session=session)


class Mark(models.Model):
    """One evaluation's mark of one registration (D27, D49); changed only through exams.marks, which
    records every change (who, when, before → after) in the audit log."""

    registration = models.ForeignKey(
        Registration, verbose_name="inscription", on_delete=models.PROTECT, related_name="marks"
    )
    exam = models.CharField("épreuve", max_length=30)  # a mark name of the version's rule set
    status = models.CharField("statut", max_length=20, choices=MarkStatus.choices, default=MarkStatus.MARKED)
    value = models.DecimalField("note sur 20", max_digits=4, decimal_places=2, null=True, blank=True)
    # raised at every change: a grid or a marking sheet made before a change is refused as stale
    version = models.PositiveIntegerField("version", default=1)
    entered_at = models.DateTimeField("saisie le", auto_now=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisie par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked_at = models.DateTimeField("verrouillée le", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="verrouillée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MarkQuerySet.as_manager()

    class Meta:
        verbose_name = "note"
        verbose_name_plural = "notes"
        ordering = ["registration", "exam"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "exam"],
                name="mark_unique_per_exam",
                violation_error_message="Cette note existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(status=MarkStatus.MARKED, value__gte=0, value__lte=20)
                | (~Q(status=MarkStatus.MARKED) & Q(value__isnull=True)),
                name="mark_value_iff_marked",
                violation_error_message="Une note est comprise entre 0 et 20 ; un absent ou une fraude n'a pas de note.",
            ),
        ]

    def __str__(self) -> str:
        return f"note n° {self.pk}"
