"""D59–D61: a CCP for each block the national jury validated, the CQP for each candidate it certified,
numbered without gaps per kind and year, its content frozen when issued (never re-read from the
candidate or the referential), its signed PDF and its signed Open Badges 3.0 credential; revoked only
through an amendment of the jury or a fraud decision (D56, D62), never deleted."""

from typing import Any

from django.conf import settings
from django.db import models

from certifier.juries.models import JuryDecision
from certifier.pathways.models import Candidate, Enrolment
from certifier.referential.enums import AccessRouteKind


class CertificateKind(models.TextChoices):
    CCP = "ccp", "Certificat de compétences professionnelles (CCP)"
    CQP = "cqp", "Certificat de qualification professionnelle (CQP)"


class RevocationReason(models.TextChoices):
    """The reason category the public verification page shows (D61); the detail stays internal."""

    AMENDMENT = "amendment", "Décision rectifiée par le jury"
    FRAUD = "fraud", "Fraude établie"


NATIONAL_JURY = "jury national paritaire"


def jury_name(content: dict[str, Any]) -> str:
    """The jury that delivered a certificate, as printed (« par décision du jury … du … »): the national
    joint jury, or the one its frozen content names (a VAE jury)."""
    return str(content.get("jury", NATIONAL_JURY))


class NumberSequence(models.Model):
    """D59: the last number given per kind and year. Taken under a row lock in the transaction that
    issues the certificate, so a rolled-back issue gives its number back: no gap, no duplicate."""

    kind = models.CharField("nature", max_length=3, choices=CertificateKind.choices)
    year = models.PositiveSmallIntegerField("année")
    last = models.PositiveIntegerField("dernier numéro attribué", default=0)

    class Meta:
        verbose_name = "numérotation des certificats"
        verbose_name_plural = "numérotations des certificats"
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="number_sequence_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} : {self.last}"


class VaeRoute(models.TextChoices):
    """D62: how a VAE was followed, as the CDC names it (`voieAccessVAE`)."""

    LEAVE = "CONGES_VAE", "Congé VAE"
    STANDARD = "VAE_CLASSIQUE", "VAE classique"


class Certificate(models.Model):
    """One certificate (a CCP for a block, the CQP), issued once on the decision that delivered it: the
    national jury's (`decision`) or a VAE jury's (no `decision`; the VAE app keeps the link)."""

    kind = models.CharField("nature", max_length=3, choices=CertificateKind.choices)
    year = models.PositiveSmallIntegerField("année")
    sequence = models.PositiveIntegerField("rang dans l'année")
    number = models.CharField("numéro", max_length=30, unique=True)
    # D61: at least 60 bits of randomness, so the public verification page cannot be enumerated
    verification_code = models.CharField("code de vérification", max_length=40, unique=True)
    candidate = models.ForeignKey(
        Candidate, verbose_name="titulaire", on_delete=models.PROTECT, related_name="certificates"
    )
    decision = models.ForeignKey(
        JuryDecision,
        verbose_name="décision du jury national",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # the enrolment the certificate crowns (its holder's identity is corrected there)
    enrolment = models.ForeignKey(
        Enrolment, verbose_name="inscription", on_delete=models.PROTECT, related_name="certificates"
    )
    rncp_code = models.CharField("code RNCP", max_length=20)
    block_code = models.CharField("code du bloc", max_length=30, blank=True)  # empty for the CQP
    # frozen at issue: holder, certification, blocks, jury date, president… (D60); never re-read
    content = models.JSONField("contenu figé à l'émission")
    issued_at = models.DateTimeField("émis le")
    # D55: read by its holder and the public from the release time of the decision that delivered it
    public_from = models.DateTimeField("public à partir du")
    # D62: what the declaration to the CPF says of how it was obtained, frozen at issue
    access_route = models.CharField("voie d'accès", max_length=30, choices=AccessRouteKind.choices)
    vae_route = models.CharField("modalité de la VAE", max_length=20, choices=VaeRoute.choices, blank=True)
    assessed_from = models.DateField("début des épreuves")
    assessed_to = models.DateField("fin des épreuves")
    valid_from = models.DateField("date de la décision du jury")
    option = models.CharField("option", max_length=200, blank=True)
    pdf = models.FileField("certificat signé (PDF)", upload_to="certificates/%Y/", blank=True)
    pdf_sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, blank=True)
    credential = models.JSONField("attestation Open Badges 3.0 signée", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revocation_reason = models.CharField(
        "motif de révocation", max_length=20, choices=RevocationReason.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="révoqué par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name="remplace",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = "certificat"
        verbose_name_plural = "certificats"
        ordering = ["kind", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "sequence"], name="certificate_number_once"),
            # re-running the issuing job issues nothing twice: one certificate in force per holder,
            # certification and block (or CQP)
            models.UniqueConstraint(
                fields=["candidate", "kind", "rncp_code", "block_code"],
                condition=models.Q(revoked_at__isnull=True),
                name="certificate_in_force_once",
            ),
            models.CheckConstraint(
                condition=models.Q(vae_route="") | models.Q(access_route=AccessRouteKind.VAE),
                name="certificate_vae_route_of_a_vae",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revocation_reason="")
                | (models.Q(revoked_at__isnull=False) & ~models.Q(revocation_reason="")),
                name="certificate_revocation_reasoned",
                violation_error_message="Une révocation a une date et un motif.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.number}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class StatusList(models.Model):
    """The W3C Bitstring Status List (purpose revocation) of the certificates' credentials: list
    `number` holds the certificates whose id falls in its range; its signed credential is re-signed at
    each revocation and served as is."""

    number = models.PositiveIntegerField("numéro de liste", unique=True)
    credential = models.JSONField("liste de statuts signée")
    signed_at = models.DateTimeField("signée le")

    class Meta:
        verbose_name = "liste de statuts de révocation"
        verbose_name_plural = "listes de statuts de révocation"

    def __str__(self) -> str:
        return f"Liste de statuts n° {self.number}"
