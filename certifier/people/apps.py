from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PeopleConfig(AppConfig):
    default = True
    name = "certifier.people"
    verbose_name = "Personnes et organisations"


class CertifierAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "certifier.people.admin_site.CertifierAdminSite"
