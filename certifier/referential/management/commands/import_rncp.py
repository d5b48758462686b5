from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certifier.referential.registry import ImportSummary, RegistryError, do_import_registry


class Command(BaseCommand):
    help = (
        "Importe l'export XML du registre de France compétences (fichier .xml ou archive .zip), "
        "en entier ou pour les fiches demandées ; tout ou rien, sans effet s'il est relancé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="export XML (v4.1 ou antérieur) ou archive ZIP le contenant"
        )
        parser.add_argument(
            "--number",
            dest="numbers",
            action="extend",
            nargs="+",
            default=[],
            metavar="NUMERO",
            help="n'importer que ces fiches (par exemple RNCP35729) ; chacune doit figurer dans le fichier",
        )

    def handle(self, *args: Any, file: Path, numbers: list[str], **options: Any) -> None:
        try:
            summary = do_import_registry(file, numbers, progress=self._progress)
        except RegistryError as error:
            raise CommandError(f"{error} Rien n'a été importé.") from error
        self.stdout.write(describe(summary))

    def _progress(self, read: int) -> None:
        self.stderr.write(f"{_thousands(read)} fiches lues…")


def describe(summary: ImportSummary) -> str:
    return (
        f"{_count(summary.read, 'fiche lue', 'fiches lues')}, {_count(summary.created, 'créée', 'créées')}, "
        f"{_count(summary.updated, 'modifiée', 'modifiées')}, {_count(summary.unchanged, 'inchangée', 'inchangées')}."
    )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{_thousands(number)} {singular if number == 1 else plural}"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")
