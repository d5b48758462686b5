from typing import Any

from django.core.management.base import BaseCommand

from certifier.referential.services import do_load_referential


class Command(BaseCommand):
    help = "Charge ou met à jour le référentiel du CQP RNCP35729 (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = do_load_referential()
        self.stdout.write(
            f"Référentiel RNCP35729 : {summary.created} éléments créés, {summary.updated} modifiés, "
            f"{summary.unchanged} inchangés."
        )
