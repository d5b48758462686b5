from django.apps import AppConfig


class ReferentialConfig(AppConfig):
    name = "certifier.referential"
    verbose_name = "Référentiel"
