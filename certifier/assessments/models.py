"""Evidence of competence: logbook attestations (D10), observed situations (D11–D13), criterion
results and the block decisions the assessor confirms (D14–D18). Nothing here is ever deleted."""

from datetime import datetime

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from certifier.core.models import ConfirmedDecision
from certifier.pathways.models import Enrolment
from certifier.referential.models import AssessmentMethod, Block, Competence, Criterion

from .enums import CONFIRMED_STATUSES, BlockStatus
from .rules import SITUATION_NAMES, attestation_counts, attestation_status, duration


def _user(verbose_name: str, null: bool = False) -> "models.ForeignKey[object, object]":
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=null,
        on_delete=models.PROTECT,
        related_name="+",
    )


def _both_or_neither(by: str, at: str) -> models.Q:
    return models.Q(**{f"{by}__isnull": True, f"{at}__isnull": True}) | models.Q(
        **{f"{by}__isnull": False, f"{at}__isnull": False}
    )


class Attestation(models.Model):
    """A competence mastered in real work, attested in the logbook; it counts once the tutor and the
    manager have both signed it (D10). Append-only: withdrawn with a reason, never deleted."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.PROTECT, related_name="attestations"
    )
    competence = models.ForeignKey(
        Competence, verbose_name="compétence", on_delete=models.PROTECT, related_name="attestations"
    )
    observed_on = models.DateField("date de la situation")
    situation = models.TextField("situation de travail")
    comment = models.TextField("commentaire", blank=True)
    created_by = _user("saisie par")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)
    tutor_signed_by = _user("signée par le tuteur", null=True)
    tutor_signed_at = models.DateTimeField("signée par le tuteur le", null=True, blank=True)
    manager_signed_by = _user("signée par le manager", null=True)
    manager_signed_at = models.DateTimeField("signée par le manager le", null=True, blank=True)
    withdrawn_by = _user("retirée par", null=True)
    withdrawn_at = models.DateTimeField("retirée le", null=True, blank=True)
    withdrawal_reason = models.TextField("motif du retrait", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "attestation"
        verbose_name_plural = "attestations"
        ordering = ["enrolment", "competence__block__position", "competence__number", "observed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_both_or_neither("tutor_signed_by", "tutor_signed_at"),
                name="attestation_tutor_signature_complete",
            ),
            models.CheckConstraint(
                condition=_both_or_neither("manager_signed_by", "manager_signed_at"),
                name="attestation_manager_signature_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(tutor_signed_by=models.F("manager_signed_by")),
                name="attestation_signed_by_two_people",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                | models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False, withdrawal_reason__gt=""),
                name="attestation_withdrawal_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Attestation {self.competence} — {self.observed_on:%d/%m/%Y}"

    @property
    def counts(self) -> bool:
        return attestation_counts(
            self.tutor_signed_at is not None, self.manager_signed_at is not None, self.is_withdrawn
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def status(self) -> str:
        return attestation_status(
            self.tutor_signed_at is not None, self.manager_signed_at is not None, self.is_withdrawn
        )


class Observation(models.Model):
    """The situations an assessor observed for one assessment method of a block (D11–D13). Only an
    observation that meets its method is recorded; it is never changed afterwards."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.PROTECT, related_name="observations"
    )
    method = models.ForeignKey(
        AssessmentMethod, verbose_name="modalité", on_delete=models.PROTECT, related_name="observations"
    )
    observed_on = models.DateField("date de l'épreuve")
    situations = models.JSONField(
        "situations observées",
        default=list,
        blank=True,
        help_text="Une entrée par situation : {kind, minutes} ou {kind, count}.",
    )
    observation_minutes = models.PositiveSmallIntegerField("durée d'observation (min)", null=True, blank=True)
    questioning_minutes = models.PositiveSmallIntegerField(
        "durée du questionnement (min)", null=True, blank=True
    )
    questioning_throughout = models.BooleanField("questionnement tout au long de l'épreuve", default=False)
    competences_covered = models.ManyToManyField(
        Competence, verbose_name="compétences abordées", blank=True, related_name="+"
    )
    notes = models.TextField("observations de l'évaluateur", blank=True)
    recorded_by = _user("enregistrée par")
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "épreuve observée"
        verbose_name_plural = "épreuves observées"
        ordering = ["enrolment", "method__block__position", "observed_on", "id"]

    def __str__(self) -> str:
        return f"{self.method} — {self.observed_on:%d/%m/%Y}"

    def situation_lines(self) -> list[tuple[str, str]]:
        """Each situation observed, named, with its duration or count: (« Double écoute », « 20 minutes »)."""
        return [
            (
                SITUATION_NAMES.get(item["kind"], item["kind"]),
                duration(item["minutes"]) if "minutes" in item else str(item["count"]),
            )
            for item in self.situations
        ]


class CriterionResult(models.Model):
    """An assessor's score of one criterion for one enrolment: updated in place, history kept."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.PROTECT, related_name="criterion_results"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name="critère", on_delete=models.PROTECT, related_name="results"
    )
    validated = models.BooleanField("validé")
    comment = models.TextField("commentaire", blank=True)
    assessed_by = _user("évalué par")
    assessed_at = models.DateTimeField("évalué le")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "résultat de critère"
        verbose_name_plural = "résultats de critères"
        ordering = ["enrolment", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "criterion"], name="criterion_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion} : {'validé' if self.validated else 'non validé'}"


class BlockDecisionQuerySet(models.QuerySet["BlockDecision"]):
    def shown(self, now: datetime) -> "BlockDecisionQuerySet":
        """The decisions the candidate and the employer may read at `now` (D55: a jury's decision waits
        for the session's release time)."""
        return self.filter(models.Q(shown_from__isnull=True) | models.Q(shown_from__lte=now))

    def latest_per_block(self, shown_at: datetime | None = None) -> "BlockDecisionQuerySet":
        """The decision in force for each enrolment and block: the most recent one; with `shown_at`, the
        most recent the candidate and the employer may read then (an earlier one while the jury's waits)."""
        newer = BlockDecision.objects.filter(
            enrolment=models.OuterRef("enrolment"),
            block=models.OuterRef("block"),
            pk__gt=models.OuterRef("pk"),
        )
        if shown_at is None:
            return self.filter(~models.Exists(newer))
        return self.shown(shown_at).filter(~models.Exists(newer.shown(shown_at)))


class BlockDecision(ConfirmedDecision):
    """The engine proposes a block's status, the assessor (or, later, a jury) confirms it or
    overrides it with a reason. Capitalisation (D18) reads this one table, whatever the source."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.PROTECT, related_name="block_decisions"
    )
    block = models.ForeignKey(Block, verbose_name="bloc", on_delete=models.PROTECT, related_name="+")
    proposed_status = models.CharField("proposition du moteur", max_length=20, choices=BlockStatus.choices)
    confirmed_status = models.CharField("décision confirmée", max_length=20, choices=BlockStatus.choices)
    # a national jury's decision (source JURY) is read by the candidate and the employer from the
    # session's release time (D55); the assessors, the CRFP and the national administrator read it at once
    shown_from = models.DateTimeField(
        "communiquée au candidat et à l'employeur à partir du", null=True, blank=True, editable=False
    )

    history = HistoricalRecords()
    objects = BlockDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision de bloc"
        verbose_name_plural = "décisions de blocs"
        ordering = ["enrolment", "block__position", "-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_status__in=CONFIRMED_STATUSES),
                name="block_decision_confirms_a_final_status",
            ),
            models.CheckConstraint(
                condition=models.Q(proposed_status=models.F("confirmed_status"))
                | ~models.Q(override_reason=""),
                name="block_decision_override_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.block.code} : {self.get_confirmed_status_display()}"
