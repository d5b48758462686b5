from datetime import date
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from .enums import AccessRouteKind, AssessmentMethodKind, Scheme
from .rules import enrolment_refusal


class CertificationQuerySet(models.QuerySet["Certification"]):
    def visible_to(self, user: Any) -> "CertificationQuerySet":
        """Registry sheets are public data."""
        return self.all()


class Certification(models.Model):
    """A registry sheet (fiche RNCP) and the facts France compétences publishes about it."""

    number = models.CharField("numéro de fiche", max_length=20, unique=True)
    registry_id = models.CharField("identifiant de fiche", max_length=20, blank=True)
    title = models.CharField("intitulé", max_length=500)
    abbreviation = models.CharField("abrégé", max_length=200, blank=True)
    registry_status = models.CharField("état de la fiche", max_length=50, blank=True)
    registration_type = models.CharField("type d'enregistrement", max_length=200, blank=True)
    level = models.PositiveSmallIntegerField("niveau (cadre européen)", null=True, blank=True)
    nsf_codes = models.JSONField("codes NSF", default=list, blank=True)
    formacodes = models.JSONField("Formacodes", default=list, blank=True)
    rome_codes = models.JSONField("codes ROME", default=list, blank=True)
    decision_date = models.DateField("date de décision", null=True, blank=True)
    registration_end = models.DateField("date d'échéance de l'enregistrement", null=True, blank=True)
    objectives = models.TextField("objectifs et contexte", blank=True)
    activities = models.TextField("activités visées", blank=True)
    skills = models.TextField("compétences attestées", blank=True)
    activity_sectors = models.TextField("secteurs d'activité", blank=True)
    accessible_jobs = models.JSONField("types d'emplois accessibles", default=list, blank=True)
    entry_prerequisites = models.TextField("prérequis à l'entrée en formation", blank=True)
    predecessors = models.JSONField("certifications antérieures", default=list, blank=True)
    successors = models.JSONField("nouvelles certifications", default=list, blank=True)
    new_caledonia = models.BooleanField("inscrite au cadre de la Nouvelle-Calédonie", null=True, blank=True)
    french_polynesia = models.BooleanField(
        "inscrite au cadre de la Polynésie française", null=True, blank=True
    )
    description_url = models.URLField("lien vers le descriptif", max_length=500, blank=True)

    history = HistoricalRecords()
    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = "certification"
        verbose_name_plural = "certifications"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def is_registered_on(self, day: date) -> bool:
        return self.registration_end is None or day <= self.registration_end


class Certifier(models.Model):
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="certifiers")
    siret = models.CharField("SIRET", max_length=14, blank=True)
    name = models.CharField("nom", max_length=300)
    status = models.CharField("état", max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "certificateur"
        verbose_name_plural = "certificateurs"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "name"], name="certifier_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AccessRoute(models.Model):
    """An access route (voie d'accès) to a certification: open or not, and the jury that decides (D4)."""

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="access_routes")
    kind = models.CharField("voie d'accès", max_length=30, choices=AccessRouteKind.choices)
    is_open = models.BooleanField("ouverte")
    jury_composition = models.TextField("composition du jury", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "voie d'accès"
        verbose_name_plural = "voies d'accès"
        constraints = [models.UniqueConstraint(fields=["certification", "kind"], name="access_route_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Statistic(models.Model):
    """Yearly figures published on the registry sheet (D44). Rates are percentages."""

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="statistics")
    year = models.PositiveSmallIntegerField("année")
    certified = models.PositiveIntegerField("nombre de certifiés", null=True, blank=True)
    certified_vae = models.PositiveIntegerField("nombre de certifiés par la VAE", null=True, blank=True)
    insertion_rate_6m = models.DecimalField(
        "taux d'insertion global à 6 mois", max_digits=5, decimal_places=2, null=True, blank=True
    )
    job_insertion_rate_6m = models.DecimalField(
        "taux d'insertion dans le métier visé à 6 mois", max_digits=5, decimal_places=2, null=True, blank=True
    )
    job_insertion_rate_2y = models.DecimalField(
        "taux d'insertion dans le métier visé à 2 ans", max_digits=5, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "statistique"
        verbose_name_plural = "statistiques"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "year"], name="statistic_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.certification.number} {self.year}"


class CertificationVersion(models.Model):
    """One scheme of a certification over time (D5): candidates are assessed under the version they enrolled in."""

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="versions")
    code = models.CharField("code", max_length=30)
    label = models.CharField("libellé", max_length=200)
    scheme = models.CharField("modèle d'évaluation", max_length=10, choices=Scheme.choices)
    rule_set = models.CharField("jeu de règles de décision", max_length=50, blank=True)
    valid_from = models.DateField("applicable à partir du", null=True, blank=True)
    valid_until = models.DateField("applicable jusqu'au", null=True, blank=True)
    description = models.TextField("description", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "version de certification"
        verbose_name_plural = "versions de certification"
        ordering = ["certification", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["certification", "code"], name="version_unique_code")]

    def __str__(self) -> str:
        return f"{self.certification.number} — {self.label}"

    def enrolment_refusal(self, start: date) -> str | None:
        end = min(filter(None, [self.valid_until, self.certification.registration_end]), default=None)
        return enrolment_refusal(self.certification.number, end, self.valid_from, start)


class Option(models.Model):
    """A job option of the 2013 scheme (D26)."""

    version = models.ForeignKey(CertificationVersion, on_delete=models.CASCADE, related_name="options")
    code = models.CharField("code", max_length=30)
    title = models.CharField("intitulé", max_length=200)
    branch = models.CharField("branche", max_length=10, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "option"
        verbose_name_plural = "options"
        ordering = ["version", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="option_unique_code")]

    def __str__(self) -> str:
        return self.title


class Block(models.Model):
    """A competence block (bloc de compétences), e.g. RNCP35729BC01."""

    version = models.ForeignKey(CertificationVersion, on_delete=models.CASCADE, related_name="blocks")
    code = models.CharField("code", max_length=30)
    title = models.CharField("intitulé", max_length=500)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    competences_text = models.TextField("liste de compétences (texte du registre)", blank=True)
    assessment_text = models.TextField("modalités d'évaluation (texte du registre)", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "bloc de compétences"
        verbose_name_plural = "blocs de compétences"
        ordering = ["version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="block_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Competence(models.Model):
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="competences")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé court", max_length=300)
    text = models.TextField("énoncé")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "compétence"
        verbose_name_plural = "compétences"
        ordering = ["block", "number"]
        constraints = [models.UniqueConstraint(fields=["block", "number"], name="competence_unique_number")]

    def __str__(self) -> str:
        return f"{self.block.code} C{self.number} — {self.title}"


class Criterion(models.Model):
    """A criterion of the certifier's evaluation referential (D9): editable, versioned, history kept."""

    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField("ordre")
    text = models.TextField("énoncé")
    is_example = models.BooleanField(
        "exemple",
        default=False,
        help_text="Critère fourni à titre d'exemple avec les données de démonstration.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "critère"
        verbose_name_plural = "critères"
        ordering = ["competence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["competence", "position"], name="criterion_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.competence.block.code} C{self.competence.number}.{self.position}"


class AssessmentMethod(models.Model):
    """How a block is assessed (D10–D13), as structured data.

    `situations` lists the alternatives of situations to observe: each alternative is a list of
    requirements `{"kind": SituationKind, "minutes": int}` or `{"kind": …, "min_count": int}`;
    one alternative must be met in full.
    """

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="methods")
    kind = models.CharField("modalité", max_length=20, choices=AssessmentMethodKind.choices)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    description = models.TextField("description", blank=True)
    observation_minutes = models.PositiveSmallIntegerField("durée d'observation (min)", null=True, blank=True)
    questioning_minutes = models.PositiveSmallIntegerField(
        "durée du questionnement (min)", null=True, blank=True
    )
    questioning_throughout = models.BooleanField("questionnement tout au long de l'épreuve", default=False)
    min_competences_covered = models.PositiveSmallIntegerField(
        "nombre minimal de compétences abordées", null=True, blank=True
    )
    attested_by = models.JSONField("attesté par (tous requis)", default=list, blank=True)
    situations = models.JSONField("situations observées", default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "modalité d'évaluation"
        verbose_name_plural = "modalités d'évaluation"
        ordering = ["block", "position"]

    def __str__(self) -> str:
        return f"{self.block.code} — {self.get_kind_display()}"
