from django.db import models


class BlockStatus(models.TextChoices):
    """A block's status as the decision engine proposes it; "incomplete" is never a failure."""

    VALIDATED = "validated", "Validé"
    NOT_VALIDATED = "not_validated", "Non validé"
    INCOMPLETE = "incomplete", "En cours (preuves manquantes)"


class CompetenceStatus(models.TextChoices):
    ACQUIRED = "acquired", "Acquise"
    NOT_ACQUIRED = "not_acquired", "Non acquise"
    PENDING = "pending", "En cours (critères non tous évalués)"


class Score(models.TextChoices):
    """One criterion in the scoring grid; "not assessed" is the absence of a result."""

    NOT_ASSESSED = "", "Non évalué"
    VALIDATED = "validated", "Validé"
    NOT_VALIDATED = "not_validated", "Non validé"


class Signatory(models.TextChoices):
    TUTOR = "tutor", "tuteur"
    MANAGER = "manager", "manager"


CONFIRMED_STATUSES = [BlockStatus.VALIDATED, BlockStatus.NOT_VALIDATED]
