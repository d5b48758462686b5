from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from certifier.pathways.services import TRAINING_PATHS_DATA, do_load_training_paths


class Command(BaseCommand):
    help = "Charge (ou met à jour) les parcours de formation, les modules et le taux horaire ; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=TRAINING_PATHS_DATA, help="fichier YAML des parcours"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = do_load_training_paths(options["file"])
        self.stdout.write(
            f"Parcours de formation : {summary.created} créés, {summary.updated} mis à jour, "
            f"{summary.unchanged} inchangés."
        )
