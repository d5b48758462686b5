from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "certifier.demo"
    verbose_name = "Données de démonstration"
