from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "certifier.pathways"
    verbose_name = "Candidats et parcours"
