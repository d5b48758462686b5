from django.apps import AppConfig


class VaeConfig(AppConfig):
    name = "certifier.vae"
    verbose_name = "Validation des acquis de l'expérience"

    def ready(self) -> None:
        # the job signing the VAE jury's minutes, registered in every process (the worker's too)
        from . import minutes  # noqa: F401
