from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certifier.certificates"
    verbose_name = "Certificats"
