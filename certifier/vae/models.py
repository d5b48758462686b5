"""VAE applications (D31–D36, D63–D67): the experience periods of the eligibility (livret 1), the
admissibility decided by the national administrator, the dossier (livret 2) with its attachments and the
accompanier's comments, the VAE jury's sessions with their members and candidates, the jury's outcome
through the shared confirmed-decision model (source VAE) and its signed minutes."""

from typing import Any

from django.conf import settings
from django.db import models

from certifier.core.enums import DecisionSource
from certifier.core.models import ConfirmedDecision
from certifier.pathways.enums import Sex
from certifier.pathways.models import Candidate, Enrolment
from certifier.people.enums import Role
from certifier.people.models import Organisation
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.models import CertificationVersion, Competence

from .enums import ApplicationStatus, PriorCertification, VaeOutcome


class VaeApplicationQuerySet(models.QuerySet["VaeApplication"]):
    def visible_to(self, user: Any) -> "VaeApplicationQuerySet":
        """Issue 11 §6, D64: the candidate their own applications; the CRFP that follows an application;
        its accompanier; the VAE jury the applications of its sessions; the national administrator and
        the CPNEFP every one. Employer HR never reads an application (only the outcome, `outcomes_for`)."""
        if not user.is_authenticated:
            return self.none()
        if has_role(user, Role.NATIONAL_ADMIN, Role.CPNEFP):
            return self.all()
        scope = models.Q(candidate__user=user) | models.Q(accompanier=user)
        scope |= models.Q(training_centre_id__in=organisation_ids(user, Role.CRFP_STAFF))
        if has_role(user, Role.VAE_JURY):
            scope |= models.Q(
                pk__in=VaeCandidacy.objects.filter(session__members__user=user).values("application_id")
            )
        return self.filter(scope)


class VaeApplication(models.Model):
    """D63: one VAE application of a candidate for a certification version, in one calendar year (D33)."""

    candidate = models.ForeignKey(
        Candidate, verbose_name="candidat", on_delete=models.PROTECT, related_name="vae_applications"
    )
    version = models.ForeignKey(
        CertificationVersion, verbose_name="certification visée", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("année de la demande")
    training_centre = models.ForeignKey(
        Organisation, verbose_name="CRFP qui suit la demande", on_delete=models.PROTECT, related_name="+"
    )
    # issue 11 §6: the employer reads the outcome only when it funds the application
    funder = models.ForeignKey(
        Organisation,
        verbose_name="employeur financeur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # D62: declared to the CPF as « CONGES_VAE » or « VAE_CLASSIQUE »
    vae_leave = models.BooleanField("congé VAE", default=False)
    # D35, D66
    prior_certification = models.CharField(
        "certification antérieure", max_length=20, choices=PriorCertification.choices, blank=True
    )
    prior_certification_date = models.DateField("obtenue le", null=True, blank=True)
    status = models.CharField(
        "état", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="créée par", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    filed_at = models.DateTimeField("déposée le", null=True, blank=True)
    # D63: admissibility (recevabilité), decided by the national administrator with a reason
    admissible = models.BooleanField("recevable", null=True, blank=True)
    admissibility_reason = models.TextField("motif de la décision de recevabilité", blank=True)
    admissibility_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="recevabilité décidée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    admissibility_decided_at = models.DateTimeField("recevabilité décidée le", null=True, blank=True)
    # D34, D64: the accompanier, named by the candidate or the CRFP
    accompanier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="accompagnateur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vae_accompanied",
    )
    dossier_submitted_at = models.DateTimeField("dossier déposé le", null=True, blank=True)
    # D18: the enrolment the validated blocks are written to (the candidate's in this version, or one
    # opened with the access route VAE), set when the outcome is proclaimed
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name="inscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = VaeApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de VAE"
        verbose_name_plural = "demandes de VAE"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "year"],
                name="vae_application_once_a_year",
                violation_error_message="Une seule demande de VAE par candidat et par année civile (D33).",
            ),
            models.CheckConstraint(
                condition=models.Q(admissible__isnull=True) | ~models.Q(admissibility_reason=""),
                name="vae_admissibility_reasoned",
                violation_error_message="La décision de recevabilité est motivée.",
            ),
        ]

    def __str__(self) -> str:
        return f"VAE {self.year} — {self.candidate.display_name}"


class ExperiencePeriod(models.Model):
    """D63: one period of experience declared in the eligibility (livret 1), at a working-time rate."""

    application = models.ForeignKey(
        VaeApplication, verbose_name="demande", on_delete=models.CASCADE, related_name="periods"
    )
    employer_name = models.CharField("employeur", max_length=200)
    job = models.CharField("emploi occupé", max_length=200)
    start = models.DateField("du")
    end = models.DateField("au")
    # percent of full time, e.g. 80.00; exact (Decimal), never a float
    rate = models.DecimalField("quotité de travail (%)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "période d'expérience"
        verbose_name_plural = "périodes d'expérience"
        ordering = ["application", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="experience_period_ends_after_start",
                violation_error_message="Une période se termine après son début.",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0, rate__lte=100),
                name="experience_period_rate_percent",
                violation_error_message="La quotité de travail est comprise entre 0 et 100 %.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} — {self.employer_name}"


class DossierEntry(models.Model):
    """D64: what the candidate writes in the dossier (livret 2) about one competence."""

    application = models.ForeignKey(
        VaeApplication, verbose_name="demande", on_delete=models.CASCADE, related_name="entries"
    )
    competence = models.ForeignKey(
        Competence, verbose_name="compétence", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("description de l'expérience")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="rédigé par", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "rubrique du dossier"
        verbose_name_plural = "rubriques du dossier"
        constraints = [
            models.UniqueConstraint(fields=["application", "competence"], name="dossier_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.application} — {self.competence}"


class Attachment(models.Model):
    """D64: a supporting document of the dossier (PDF or image, checked by its content), kept in the
    default storage, which the web server never serves: read only through the application's view."""

    application = models.ForeignKey(
        VaeApplication, verbose_name="demande", on_delete=models.CASCADE, related_name="attachments"
    )
    competence = models.ForeignKey(
        Competence,
        verbose_name="compétence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField("fichier", upload_to="vae/%Y/")
    name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déposé par", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class DossierComment(models.Model):
    """D34, D64: a comment of the accompanier (or the candidate's answer) on the dossier."""

    application = models.ForeignKey(
        VaeApplication, verbose_name="demande", on_delete=models.CASCADE, related_name="comments"
    )
    competence = models.ForeignKey(
        Competence,
        verbose_name="compétence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("commentaire")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField("écrit le", auto_now_add=True)

    class Meta:
        verbose_name = "commentaire sur le dossier"
        verbose_name_plural = "commentaires sur le dossier"
        ordering = ["application", "written_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} — {self.written_at:%d/%m/%Y}"


class VaeJurySession(models.Model):
    """D65: a sitting of the VAE jury appointed by the CPNEFP, with its members and its candidates."""

    version = models.ForeignKey(
        CertificationVersion, verbose_name="certification", on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField("date de la séance")
    place = models.CharField("lieu", max_length=200)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="désigné par", on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField("désigné le", auto_now_add=True)

    class Meta:
        verbose_name = "session du jury VAE"
        verbose_name_plural = "sessions du jury VAE"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Jury VAE du {self.held_on:%d/%m/%Y} — {self.place}"


class VaeJuryMember(models.Model):
    """D65: a member of a VAE jury session: qualified for the certification or not, their sex for the
    balance between women and men, the president with a casting vote. Copied at appointment so the
    minutes keep them."""

    session = models.ForeignKey(
        VaeJurySession, verbose_name="session", on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vae_jury_seats",
    )
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    capacity = models.CharField("qualité", max_length=200)
    qualified = models.BooleanField("qualifié pour la certification", default=False)
    president = models.BooleanField("président (voix prépondérante)", default=False)

    class Meta:
        verbose_name = "membre du jury VAE"
        verbose_name_plural = "membres du jury VAE"
        ordering = ["session", "-president", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(president=True),
                name="vae_jury_one_president",
                violation_error_message="Ce jury VAE a déjà son président.",
            ),
            models.UniqueConstraint(
                fields=["session", "last_name", "first_name"],
                name="vae_jury_member_once",
                violation_error_message="Cette personne est déjà membre de ce jury VAE.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.capacity}"


class VaeCandidacy(models.Model):
    """D65, D66: an application before a VAE jury session: its interview slot, or the dossier alone for
    the holders of D66 unless the jury asks for an interview (recorded: who, when, why)."""

    session = models.ForeignKey(
        VaeJurySession, verbose_name="session", on_delete=models.PROTECT, related_name="candidacies"
    )
    application = models.OneToOneField(
        VaeApplication, verbose_name="demande", on_delete=models.PROTECT, related_name="candidacy"
    )
    dossier_only = models.BooleanField("décision sur dossier seul (D66)", default=False)
    interview_at = models.DateTimeField("entretien le", null=True, blank=True)
    interview_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="entretien demandé par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interview_requested_at = models.DateTimeField("entretien demandé le", null=True, blank=True)
    interview_request_reason = models.TextField("motif de la demande d'entretien", blank=True)

    class Meta:
        verbose_name = "candidature devant le jury VAE"
        verbose_name_plural = "candidatures devant le jury VAE"
        ordering = ["session", "interview_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} — {self.session}"


class VaeDecision(ConfirmedDecision):
    """D67: the VAE jury's outcome for one candidacy, through the shared confirmed-decision model (source
    VAE): the engine proposes the outcome from the blocks the jury validates and those already held; the
    jury's outcome is always argued, with its vote (the president's casting vote breaks a tie)."""

    candidacy = models.OneToOneField(
        VaeCandidacy, verbose_name="candidature", on_delete=models.PROTECT, related_name="decision"
    )
    proposed_status = models.CharField("proposition du moteur", max_length=20, choices=VaeOutcome.choices)
    confirmed_status = models.CharField("décision du jury VAE", max_length=20, choices=VaeOutcome.choices)
    blocks = models.JSONField("blocs décidés", default=dict)
    argument = models.TextField("motivation")
    votes_for = models.PositiveSmallIntegerField("voix pour")
    votes_against = models.PositiveSmallIntegerField("voix contre")
    abstentions = models.PositiveSmallIntegerField("abstentions")
    casting_vote = models.BooleanField("voix prépondérante du président", default=False)

    class Meta:
        verbose_name = "décision du jury VAE"
        verbose_name_plural = "décisions du jury VAE"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source=DecisionSource.VAE),
                name="vae_decision_source_vae",
            ),
            models.CheckConstraint(
                condition=~models.Q(argument=""),
                name="vae_decision_argued",
                violation_error_message="La décision du jury VAE est toujours motivée (D67).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidacy.application} : {self.get_confirmed_status_display()}"


class VaeMinutes(models.Model):
    """D67, D54: the signed minutes of a VAE jury session; signing proclaims its outcomes."""

    session = models.OneToOneField(
        VaeJurySession, verbose_name="session", on_delete=models.PROTECT, related_name="minutes"
    )
    file = models.FileField("procès-verbal signé", upload_to="vae-minutes/%Y/")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="signé par", on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField("signé le")

    class Meta:
        verbose_name = "procès-verbal du jury VAE"
        verbose_name_plural = "procès-verbaux du jury VAE"

    def __str__(self) -> str:
        return f"Procès-verbal — {self.session}"
