from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certifier.core import jobs
from certifier.core.enums import JobKind, JobStatus
from certifier.core.models import Job
from certifier.core.text import thousands
from certifier.referential.jobs import import_registry


class Command(BaseCommand):
    help = (
        "Importe l'export XML du registre de France compétences (fichier .xml ou archive .zip), "
        "en entier ou pour les fiches demandées ; tout ou rien, sans effet s'il est relancé. "
        "Un seul import du registre à la fois (commande ou page d'import)."
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
        def work(job: Job, progress: jobs.Progress) -> jobs.Outcome:
            def report(done: int, total: int | None) -> None:
                progress(done, total)
                self._progress(done, total)

            return import_registry(file, numbers, report)

        try:
            job = jobs.run_now(JobKind.REGISTRY_IMPORT, None, file.name, work)
        except KeyboardInterrupt:
            raise CommandError(
                "Import interrompu. Les fiches déjà enregistrées le restent : relancez l'import pour le terminer."
            ) from None
        if job.status == JobStatus.FAILED:
            raise CommandError(job.outcome)
        self.stdout.write(job.outcome)

    def _progress(self, done: int, total: int | None) -> None:
        if total is None:
            self.stderr.write(f"{thousands(done)} fiches lues…")
        else:
            self.stderr.write(f"{thousands(done)} fiches enregistrées sur {thousands(total)}…")
