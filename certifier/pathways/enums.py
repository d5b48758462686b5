from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Masculin"
    FEMALE = "F", "Féminin"
