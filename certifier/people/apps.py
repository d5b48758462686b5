from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules


class PeopleConfig(AppConfig):
    default = True
    name = "certifier.people"
    verbose_name = "Personnes et organisations"

    def ready(self) -> None:
        autodiscover_modules("dashboard")  # each app's tasks on the home page


class CertifierAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "certifier.people.admin_site.CertifierAdminSite"
