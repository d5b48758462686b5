from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "certifier.people"
    verbose_name = "Personnes et organisations"
