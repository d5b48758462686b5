from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certifier.certificates import cpf
from certifier.core.models import DomainError
from certifier.core.text import count


class Command(BaseCommand):
    help = (
        "Charge un accusé de traitement de la Caisse des Dépôts (XML : PassagesOK, PassagesKO) : les "
        "passages acceptés et rejetés, avec le message de la Caisse. Tout ou rien : rien n'est enregistré "
        "si un identifiant technique est inconnu ou si le fichier est invalide."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="accusé de traitement (XML)")
        parser.add_argument(
            "--user",
            help="adresse électronique de l'administrateur national au nom duquel le charger "
            "(il figure au journal)",
        )

    def handle(self, *args: Any, file: Path, user: str | None, **options: Any) -> None:
        try:
            actor = cpf.declaring_administrator(user)
        except DomainError as refused:
            raise CommandError(str(refused)) from None
        try:
            stored = file.open("rb")
        except OSError as error:
            raise CommandError(f"Impossible de lire le fichier {file} : {error.strerror}.") from None
        with stored:
            try:
                receipt = cpf.load_receipt(actor, File(stored, name=file.name))
            except cpf.ReceiptRefused as refused:
                raise CommandError("\n".join([str(refused), *refused.errors])) from None
            except DomainError as refused:
                raise CommandError(str(refused)) from None
        self.stdout.write(
            f"Accusé de traitement chargé : {count(receipt.accepted, 'passage accepté', 'passages acceptés')}, "
            f"{count(receipt.rejected, 'passage rejeté', 'passages rejetés')}."
        )
        if receipt.rejected:
            self.stdout.write(
                "Corrigez l'identité des titulaires rejetés (page de déclaration au CPF) : ils partiront "
                "dans le prochain flux."
            )
