from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certifier.core.text import count
from certifier.pathways.importers import import_candidates
from certifier.people.models import User


class Command(BaseCommand):
    help = (
        "Importe des candidats et leurs inscriptions depuis un fichier Excel (.xlsx) ou CSV (« ; », UTF-8). "
        "Rien n'est enregistré si une ligne comporte une erreur."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="fichier à importer")
        parser.add_argument(
            "--user",
            help="adresse électronique du compte au nom duquel importer (périmètre de ses CRFP) ; "
            "sans elle, l'import a le périmètre national",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["user"])
        try:
            content = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(
                f"Impossible de lire le fichier {options['file']} : {error.strerror}."
            ) from None
        report = import_candidates(actor, content)
        if report.errors:
            lines = [
                f"Import refusé : {count(len(report.errors), 'erreur', 'erreurs')}. Aucune ligne n'a été enregistrée.",
                *(str(error) for error in report.errors),
            ]
            raise CommandError("\n".join(lines))
        summary = report.summary
        assert summary is not None
        self.stdout.write(
            f"Import terminé : {count(report.rows, 'ligne lue', 'lignes lues')} ; "
            f"inscriptions créées : {summary.created}, mises à jour : {summary.updated}, "
            f"inchangées : {summary.unchanged}."
        )
        if summary.invited:
            self.stdout.write(
                "Comptes créés pour les tuteurs et managers : " + ", ".join(summary.invited) + "."
            )

    def _actor(self, email: str | None) -> User | None:
        if email is None:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"Aucun compte n'a l'adresse {email}.")
        return user
