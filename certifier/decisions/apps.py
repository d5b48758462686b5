from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "certifier.decisions"
    verbose_name = "Moteur de décision"
