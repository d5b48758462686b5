"""D62: the declaration of each CQP delivered to the Caisse des Dépôts (CPF): one passage per
certificate with its state, the fluxes written (XML valid against the CDC schema) and the CDC's
processing receipts loaded back."""

from django.conf import settings
from django.db import models

from .certificates import Certificate


class PassageState(models.TextChoices):
    TO_SEND = "to_send", "À déclarer"
    SENT = "sent", "Envoyé"
    ACCEPTED = "accepted", "Accepté"
    REJECTED = "rejected", "Rejeté"


class CpfFlux(models.Model):
    """One XML file of passages (at most the CDC's limit per file), validated before it is kept."""

    file = models.FileField("flux XML", upload_to="cpf/%Y/")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    passages = models.PositiveIntegerField("passages déclarés")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="produit par", on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField("produit le")

    class Meta:
        verbose_name = "flux de déclaration au CPF"
        verbose_name_plural = "flux de déclaration au CPF"
        ordering = ["-written_at", "-pk"]

    def __str__(self) -> str:
        return f"Flux CPF du {self.written_at:%d/%m/%Y %H:%M}"


class CpfPassage(models.Model):
    """The declaration of one CQP: `id_technique` is stable so the CDC's receipt matches back."""

    certificate = models.OneToOneField(
        Certificate, verbose_name="certificat", on_delete=models.PROTECT, related_name="cpf_passage"
    )
    id_technique = models.CharField("identifiant technique", max_length=255, unique=True)
    state = models.CharField(
        "état", max_length=10, choices=PassageState.choices, default=PassageState.TO_SEND
    )
    flux = models.ForeignKey(
        CpfFlux,
        verbose_name="dernier flux",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passage_rows",
    )
    message = models.TextField("message de la Caisse des Dépôts", blank=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "passage déclaré au CPF"
        verbose_name_plural = "passages déclarés au CPF"

    def __str__(self) -> str:
        return f"{self.id_technique} ({self.get_state_display()})"


class CpfReceipt(models.Model):
    """A CDC processing receipt (accusé de traitement) loaded by the national administrator."""

    file = models.FileField("accusé de traitement", upload_to="cpf/receipts/%Y/")
    file_name = models.CharField("nom du fichier", max_length=255)
    accepted = models.PositiveIntegerField("passages acceptés")
    rejected = models.PositiveIntegerField("passages rejetés")
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="chargé par", on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField("chargé le")

    class Meta:
        verbose_name = "accusé de traitement de la Caisse des Dépôts"
        verbose_name_plural = "accusés de traitement de la Caisse des Dépôts"
        ordering = ["-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"Accusé de traitement {self.file_name}"
