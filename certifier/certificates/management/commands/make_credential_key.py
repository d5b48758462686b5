"""`make_credential_key`: the development key signing the certificates' Open Badges credentials."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from certifier.certificates.credentials import make_development_key, public_key_multibase, signing_key


class Command(BaseCommand):
    help = (
        "Crée, pour le développement, la clé Ed25519 qui signe les attestations numériques (Open Badges) "
        "au chemin du réglage CREDENTIAL_KEY_PATH ; ne fait rien si elle existe déjà. En production, la "
        "clé du certificateur est fournie par l'environnement."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.CREDENTIAL_KEY_PATH)
        made = make_development_key(path)
        state = "créée" if made else "déjà présente"
        self.stdout.write(
            f"Clé de signature des attestations {state} : {path} (clé publique {public_key_multibase(signing_key())})"
        )
