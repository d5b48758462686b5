from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Masculin"
    FEMALE = "F", "Féminin"


class PathKind(models.TextChoices):
    PASS = "pass", "Pass"
    PREMSS = "premss", "Prem'ss (socle commun interbranche)"
    OPTION = "option", "Modules d'option"


class DurationUnit(models.TextChoices):
    DAYS = "days", "jours"
    HOURS = "hours", "heures"


class FundingCategory(models.TextChoices):
    """The three durations the branch's OPCO funds, each capped nationally (D41)."""

    FACE_TO_FACE = "face_to_face", "Face-à-face pédagogique"
    TUTORED = "tutored", "Applications tutorées"
    EVALUATION = "evaluation", "Évaluation"
