"""`make_signing_certificate`: the development key and certificate signing the national jury's minutes."""

from typing import Any

from django.core.management.base import BaseCommand

from certifier.juries.signing import configured_files, make_development_certificate


class Command(BaseCommand):
    help = (
        "Crée, pour le développement, une autorité de certification et un certificat de signature au nom "
        "de l'Ucanss, avec sa clé, aux chemins des réglages SIGNING_* ; ne fait rien s'ils existent déjà. "
        "En production, la clé et le certificat du certificateur sont fournis par l'environnement."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        files = configured_files()
        if make_development_certificate(files):
            self.stdout.write(f"Certificat de signature de développement créé : {files.certificate}")
        else:
            self.stdout.write(f"Certificat de signature déjà présent : {files.certificate}")
