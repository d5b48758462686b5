from typing import Any

from django.core.management.base import BaseCommand

from certifier.demo.services import do_load_demo


class Command(BaseCommand):
    help = "Charge les données de démonstration : organisations, un compte par rôle, critères d'exemple, candidats, sessions d'examen et demandes de VAE."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = do_load_demo()
        self.stdout.write(
            f"Démonstration : {summary.organisations.created} organisations créées, "
            f"{summary.accounts_created} comptes créés, {summary.criteria_created} critères d'exemple créés, "
            f"{summary.candidates_created} candidats créés, {summary.sessions_created} sessions d'examen créées, "
            f"{summary.applications_created} demandes de VAE créées."
        )
