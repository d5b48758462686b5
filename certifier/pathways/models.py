from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from certifier.people.enums import Role
from certifier.people.models import Organisation
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Certification, CertificationVersion, Option

from .enums import DurationUnit, FundingCategory, PathKind, Sex
from .rules import display_name, format_duration, identity_key, pass_followed


class Candidate(models.Model):
    """A person preparing the certification: identity and current employment (D3)."""

    birth_name = models.CharField("nom de naissance", max_length=100)
    usage_name = models.CharField("nom d'usage", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100)
    other_first_names = models.CharField("autres prénoms", max_length=200, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("date de naissance")
    birth_insee_code = models.CharField("code INSEE de naissance", max_length=5)
    email = models.EmailField("courriel", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
    )
    employer = models.ForeignKey(
        Organisation, verbose_name="employeur", on_delete=models.PROTECT, related_name="employees"
    )
    employee_number = models.CharField("matricule", max_length=50)
    post = models.CharField("poste", max_length=200, blank=True)
    pre_recruitment_date = models.DateField("date de pré-recrutement", null=True, blank=True)
    identity_key = models.CharField(
        "clé d'identité", max_length=300, db_index=True, editable=False, default=""
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "candidat"
        verbose_name_plural = "candidats"
        ordering = ["birth_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "employee_number"], name="candidate_unique_employee_number"
            ),
            # one person, one candidate: not twice under two employee numbers or employers
            models.UniqueConstraint(
                fields=["identity_key"],
                condition=~models.Q(identity_key=""),
                name="candidate_unique_identity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.employee_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.identity_key = self.compute_identity_key()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return display_name(self.birth_name, self.usage_name, self.first_name)

    def compute_identity_key(self) -> str:
        return identity_key(self.birth_name, self.first_name, self.birth_date, self.birth_insee_code)


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def visible_to(self, user: Any) -> "EnrolmentQuerySet":
        """D25 and issue 4 §7: each role sees only the enrolments it is responsible for."""
        if not user.is_authenticated:
            return self.none()
        if has_role(user, Role.NATIONAL_ADMIN):
            return self.all()
        scope = models.Q(training_centre_id__in=organisation_ids(user, Role.CRFP_STAFF))
        # an enrolment by VAE is not the employer's to follow: it reads only the outcome of a VAE it funds
        scope |= models.Q(candidate__employer_id__in=organisation_ids(user, Role.EMPLOYER_HR)) & ~models.Q(
            access_route=AccessRouteKind.VAE
        )
        if has_role(user, Role.TUTOR):
            scope |= models.Q(tutor=user)
        if has_role(user, Role.MANAGER):
            scope |= models.Q(manager=user)
        if has_role(user, Role.ASSESSOR):
            # a subquery rather than a join: no duplicate rows, hence no DISTINCT over the list
            scope |= models.Q(pk__in=AssessorAssignment.objects.filter(assessor=user).values("enrolment_id"))
        scope |= models.Q(candidate__user=user)
        return self.filter(scope)


class Enrolment(models.Model):
    """A candidate's enrolment in one version of a certification (D5): assessed under that version."""

    candidate = models.ForeignKey(
        Candidate, verbose_name="candidat", on_delete=models.PROTECT, related_name="enrolments"
    )
    version = models.ForeignKey(
        CertificationVersion,
        verbose_name="version de la certification",
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    option = models.ForeignKey(Option, verbose_name="option", null=True, blank=True, on_delete=models.PROTECT)
    access_route = models.CharField("voie d'accès", max_length=30, choices=AccessRouteKind.choices)
    training_centre = models.ForeignKey(
        Organisation, verbose_name="CRFP", on_delete=models.PROTECT, related_name="enrolments"
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tuteur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tutored_enrolments",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="manager",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_enrolments",
    )
    start_date = models.DateField("date d'entrée en parcours")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()
    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"
        ordering = ["-start_date", "candidate__birth_name"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "version"], name="enrolment_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.candidate.display_name} — {self.version}"

    def has_followed_pass(self) -> bool:
        """D28, D40: only attendance at every Pass module counts."""
        pass_modules = Module.objects.filter(
            path__certification_id=self.version.certification_id, path__kind=PathKind.PASS
        ).values_list("pk", flat=True)
        attended = self.attendances.values_list("module_id", flat=True)
        return pass_followed(pass_modules, attended)


class AssessorAssignment(models.Model):
    """An assessor assigned to assess a candidate (for one block, or every block when none is given)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="assessor_assignments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluateur",
        on_delete=models.PROTECT,
        related_name="assessor_assignments",
    )
    block = models.ForeignKey(
        "referential.Block", verbose_name="bloc", null=True, blank=True, on_delete=models.PROTECT
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "affectation d'évaluateur"
        verbose_name_plural = "affectations d'évaluateurs"
        constraints = [
            # NULL (every block) is never equal to NULL in a unique constraint: one constraint each
            models.UniqueConstraint(
                fields=["enrolment", "assessor", "block"],
                condition=models.Q(block__isnull=False),
                name="assessor_assignment_unique_block",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "assessor"],
                condition=models.Q(block__isnull=True),
                name="assessor_assignment_unique_every_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} → {self.enrolment}"


class TrainingPathQuerySet(models.QuerySet["TrainingPath"]):
    def for_enrolment(self, enrolment: Enrolment) -> "TrainingPathQuerySet":
        """Pass, Prem'ss and the modules of the enrolment's option."""
        option_code = enrolment.option.code if enrolment.option else None
        return self.filter(certification_id=enrolment.version.certification_id).filter(
            models.Q(kind__in=[PathKind.PASS, PathKind.PREMSS]) | models.Q(option_code=option_code)
        )


class TrainingPath(models.Model):
    """A part of the training path (D37–D39): Pass, Prem'ss, or the modules of one option,
    with the maximum durations the OPCO funds for it (D41)."""

    certification = models.ForeignKey(
        Certification, verbose_name="certification", on_delete=models.PROTECT, related_name="training_paths"
    )
    kind = models.CharField("nature", max_length=10, choices=PathKind.choices)
    option_code = models.CharField(
        "code de l'option", max_length=30, blank=True, help_text="Pour les modules d'option seulement."
    )
    title = models.CharField("intitulé", max_length=200)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    face_to_face_hours = models.DecimalField(
        "face-à-face pédagogique financé (h)", max_digits=6, decimal_places=2, default=Decimal(0)
    )
    tutored_hours = models.DecimalField(
        "applications tutorées financées (h)", max_digits=6, decimal_places=2, default=Decimal(0)
    )
    evaluation_hours = models.DecimalField(
        "évaluation financée (h)", max_digits=6, decimal_places=2, default=Decimal(0)
    )
    is_example = models.BooleanField(
        "durées données à titre d'exemple",
        default=False,
        help_text="À remplacer par les durées fixées par la caisse nationale concernée.",
    )

    history = HistoricalRecords()
    objects = TrainingPathQuerySet.as_manager()

    class Meta:
        verbose_name = "parcours de formation"
        verbose_name_plural = "parcours de formation"
        ordering = ["certification", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "kind", "option_code"], name="training_path_unique_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=PathKind.OPTION, option_code__gt="")
                | (~models.Q(kind=PathKind.OPTION) & models.Q(option_code="")),
                name="training_path_option_code_only_for_options",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def funded_hours(self) -> dict[str, Decimal]:
        return {
            FundingCategory.FACE_TO_FACE: self.face_to_face_hours,
            FundingCategory.TUTORED: self.tutored_hours,
            FundingCategory.EVALUATION: self.evaluation_hours,
        }


class Module(models.Model):
    """A module of a training path and its duration, in days or hours as the memo gives it."""

    path = models.ForeignKey(
        TrainingPath, verbose_name="parcours", on_delete=models.CASCADE, related_name="modules"
    )
    position = models.PositiveSmallIntegerField("ordre")
    week = models.PositiveSmallIntegerField("semaine", null=True, blank=True)
    title = models.CharField("intitulé", max_length=300)
    duration = models.DecimalField("durée", max_digits=5, decimal_places=2)
    unit = models.CharField("unité", max_length=5, choices=DurationUnit.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "module"
        verbose_name_plural = "modules"
        ordering = ["path__position", "position"]
        constraints = [models.UniqueConstraint(fields=["path", "position"], name="module_unique_position")]

    def __str__(self) -> str:
        return f"{self.path.title} — {self.title}"

    @property
    def duration_label(self) -> str:
        return format_duration(self.duration, self.unit)


class TrainingSession(models.Model):
    """A session of a training path held by a CRFP; sessions are not personal data."""

    path = models.ForeignKey(
        TrainingPath, verbose_name="parcours", on_delete=models.PROTECT, related_name="sessions"
    )
    training_centre = models.ForeignKey(
        Organisation, verbose_name="CRFP", on_delete=models.PROTECT, related_name="training_sessions"
    )
    start_date = models.DateField("début")
    end_date = models.DateField("fin")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "session de formation"
        verbose_name_plural = "sessions de formation"
        ordering = ["-start_date", "path__position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="training_session_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.path.title} du {self.start_date:%d/%m/%Y} au {self.end_date:%d/%m/%Y} — {self.training_centre.name}"


class Attendance(models.Model):
    """A candidate attended one module, at one session."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    module = models.ForeignKey(
        Module, verbose_name="module", on_delete=models.PROTECT, related_name="attendances"
    )
    session = models.ForeignKey(
        TrainingSession, verbose_name="session", on_delete=models.PROTECT, related_name="attendances"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="attendance_unique_module")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.candidate.display_name} — {self.module.title}"


class FundingRate(models.Model):
    """The hourly rate the OPCO funds (D41), from a date on; set by the national administrator."""

    effective_from = models.DateField("applicable à partir du", unique=True)
    hourly_rate = models.DecimalField("taux horaire (€)", max_digits=7, decimal_places=2)
    source = models.CharField("source", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "taux horaire de prise en charge"
        verbose_name_plural = "taux horaires de prise en charge"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.hourly_rate} €/h à partir du {self.effective_from:%d/%m/%Y}"


class FundingRequest(models.Model):
    """One request covers the whole path (D42); the convention is drawn up by the enrolment's CRFP (D43)."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="funding_request")
    pass_already_funded = models.BooleanField("Pass déjà pris en charge", default=False)
    hourly_rate = models.DecimalField("taux horaire (€)", max_digits=7, decimal_places=2)
    convention_centre = models.ForeignKey(
        Organisation,
        verbose_name="CRFP signataire de la convention",
        on_delete=models.PROTECT,
        related_name="+",
    )
    drawn_up_at = models.DateTimeField("établie le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande de prise en charge"
        verbose_name_plural = "demandes de prise en charge"

    def __str__(self) -> str:
        return f"Prise en charge — {self.enrolment}"

    def invoices(self) -> list["Invoice"]:
        """The lines grouped by the CRFP that delivers them: one invoice each (D43)."""
        invoices: dict[int, Invoice] = {}
        for line in self.lines.select_related("training_centre", "path"):
            invoice = invoices.setdefault(
                line.training_centre_id, Invoice(line.training_centre, [], Decimal(0))
            )
            invoice.lines.append(line)
            invoice.total += line.amount
        return list(invoices.values())


@dataclass
class Invoice:
    training_centre: Organisation
    lines: list["FundingLine"]
    total: Decimal


class FundingLine(models.Model):
    """One funded duration of one path, invoiced by the CRFP that delivers it (D43)."""

    request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="lines")
    training_centre = models.ForeignKey(
        Organisation, verbose_name="CRFP", on_delete=models.PROTECT, related_name="+"
    )
    path = models.ForeignKey(
        TrainingPath, verbose_name="parcours", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("nature", max_length=20, choices=FundingCategory.choices)
    hours = models.DecimalField("heures", max_digits=6, decimal_places=2)
    hourly_rate = models.DecimalField("taux horaire (€)", max_digits=7, decimal_places=2)
    amount = models.DecimalField("montant (€)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "ligne de prise en charge"
        verbose_name_plural = "lignes de prise en charge"
        ordering = ["training_centre__name", "path__position", "id"]

    def __str__(self) -> str:
        return f"{self.path.title} — {self.get_category_display()}"
