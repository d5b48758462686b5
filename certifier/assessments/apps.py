from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "certifier.assessments"
    verbose_name = "Carnet de suivi et évaluations"
