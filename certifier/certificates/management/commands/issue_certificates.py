"""`issue_certificates <session>`: the certificates of a proclaimed session issued again, in this process."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certifier.certificates.issuance import issue_session, request_name
from certifier.core import jobs
from certifier.core.enums import JobKind, JobStatus
from certifier.exams.models import ExamSession


class Command(BaseCommand):
    help = (
        "Émet les certificats (CCP, CQP) des décisions en vigueur d'une session proclamée qui ne l'ont pas "
        "encore été (après l'échec du traitement lancé à la signature du procès-verbal) ; ce qui est déjà "
        "émis ne l'est pas une seconde fois."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("session", type=int, help="identifiant de la session d'examen")

    def handle(self, *args: Any, **options: Any) -> None:
        session = ExamSession.objects.filter(pk=options["session"]).first()
        if session is None:
            raise CommandError(f"Aucune session d'examen n'a l'identifiant {options['session']}.")
        job = jobs.run_now(
            JobKind.CERTIFICATES,
            None,
            request_name(session),
            lambda job, progress: issue_session(session.pk, None, progress),
        )
        if job.status != JobStatus.DONE:
            raise CommandError(job.outcome)
        self.stdout.write(job.outcome)
        for line in job.details:
            self.stdout.write(f"  {line}")
