from django.db import models


class ApplicationStatus(models.TextChoices):
    """The life of a VAE application (D63–D67), changed by the services only."""

    DRAFT = "draft", "En préparation"  # livret 1: experience periods being declared
    FILED = "filed", "Déposée, en attente de recevabilité"
    ADMISSIBLE = "admissible", "Recevable : dossier en rédaction"
    INADMISSIBLE = "inadmissible", "Non recevable"
    DOSSIER_SUBMITTED = "dossier_submitted", "Dossier déposé"
    DECIDED = "decided", "Décision du jury VAE rendue"


class PriorCertification(models.TextChoices):
    """D35, D66: the Sécurité sociale certifications whose holders (June 2009 – December 2013) are decided
    on the dossier alone."""

    TAM_TAM = "tam_tam", "Tam Tam"
    VADEMECAF = "vademecaf", "Vadémécaf"
    OMEGA_PLUS = "omega_plus", "Oméga+"
    SM_PRO = "sm_pro", "Sm'pro"
    STARTECH = "startech", "Startech"


class VaeOutcome(models.TextChoices):
    """D67: the VAE jury's outcome."""

    FULL = "full", "Validation totale"
    PARTIAL = "partial", "Validation partielle"
    REFUSED = "refused", "Refus de validation"
