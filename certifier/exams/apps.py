from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "certifier.exams"
    verbose_name = "Sessions d'examen"
