from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from certifier.people.enums import Role
from certifier.people.models import Organisation
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import CertificationVersion, Option

from .enums import Sex


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

    history = HistoricalRecords()

    class Meta:
        verbose_name = "candidat"
        verbose_name_plural = "candidats"
        ordering = ["birth_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "employee_number"], name="candidate_unique_employee_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.employee_number})"

    @property
    def display_name(self) -> str:
        return f"{(self.usage_name or self.birth_name).upper()} {self.first_name}"


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def visible_to(self, user: Any) -> "EnrolmentQuerySet":
        """D25 and issue 4 §7: each role sees only the enrolments it is responsible for."""
        from certifier.people.permissions import has_role, organisation_ids

        if not user.is_authenticated:
            return self.none()
        if has_role(user, Role.NATIONAL_ADMIN):
            return self.all()
        scope = models.Q(training_centre_id__in=organisation_ids(user, Role.CRFP_STAFF))
        scope |= models.Q(candidate__employer_id__in=organisation_ids(user, Role.EMPLOYER_HR))
        if has_role(user, Role.TUTOR):
            scope |= models.Q(tutor=user)
        if has_role(user, Role.MANAGER):
            scope |= models.Q(manager=user)
        if has_role(user, Role.ASSESSOR):
            scope |= models.Q(assessor_assignments__assessor=user)
        scope |= models.Q(candidate__user=user)
        return self.filter(scope).distinct()


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
            models.UniqueConstraint(
                fields=["enrolment", "assessor", "block"], name="assessor_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} → {self.enrolment}"
