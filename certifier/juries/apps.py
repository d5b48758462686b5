from django.apps import AppConfig


class JuriesConfig(AppConfig):
    name = "certifier.juries"
    verbose_name = "Jurys"
