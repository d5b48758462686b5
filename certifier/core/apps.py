from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "certifier.core"
    verbose_name = "Socle"
