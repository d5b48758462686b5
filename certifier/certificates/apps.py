from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certifier.certificates"
    verbose_name = "Certificats"

    def ready(self) -> None:
        # the receivers of the juries' signals: issuing on proclamation, revoking on amendment
        from . import issuance, revocation  # noqa: F401
