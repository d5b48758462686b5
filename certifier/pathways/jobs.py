"""The candidate import as a background job: the web request only stores the file and enqueues it."""

from typing import Any

from django.core.files import File
from django_tasks import task

from certifier.core import jobs
from certifier.core.enums import JobKind
from certifier.core.models import Job
from certifier.core.text import count

from .importers import import_candidates


def start_candidate_import(actor: Any, upload: File[Any]) -> Job:
    return jobs.start(JobKind.CANDIDATE_IMPORT, actor, upload)


@jobs.runs(JobKind.CANDIDATE_IMPORT)
@task()
def import_candidates_file(job_id: int) -> None:
    jobs.run(job_id, _import)


def _import(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    with job.file.open("rb") as stored:
        content = stored.read()
    report = import_candidates(job.started_by, content, progress=progress)
    if report.errors:
        return jobs.Outcome(
            f"Import refusé : {count(len(report.errors), 'erreur', 'erreurs')}. "
            "Aucune ligne n'a été enregistrée. Corrigez le fichier, puis importez-le à nouveau.",
            errors=[
                {"line": error.line, "column": error.column, "message": error.message}
                for error in report.errors
            ],
        )
    summary = report.summary
    assert summary is not None
    details = [
        f"Inscriptions créées : {summary.created}",
        f"Inscriptions mises à jour : {summary.updated}",
        f"Inscriptions inchangées : {summary.unchanged}",
    ]
    if summary.invited:
        details.append(
            "Comptes créés pour les tuteurs et managers inconnus, à activer par invitation "
            f"({len(summary.invited)}) : {', '.join(summary.invited)}"
        )
    return jobs.Outcome(f"Import terminé : {count(report.rows, 'ligne lue', 'lignes lues')}.", details)
