"""The registry import as a job: from the web (an upload run by the worker) or from `import_rncp`."""

from collections.abc import Collection
from pathlib import Path
from typing import Any

from django.core.files import File
from django_tasks import task

from certifier.core import jobs
from certifier.core.enums import JobKind
from certifier.core.models import Job
from certifier.core.text import count

from . import registry


def start_registry_import(actor: Any, upload: File[Any]) -> Job:
    return jobs.start(JobKind.REGISTRY_IMPORT, actor, upload)


@jobs.runs(JobKind.REGISTRY_IMPORT)
@task()
def import_registry_file(job_id: int) -> None:
    jobs.run(job_id, lambda job, progress: import_registry(Path(job.file.path), [], progress, job.started_by))


def import_registry(
    path: Path, numbers: Collection[str], progress: jobs.Progress, actor: Any = None
) -> jobs.Outcome:
    try:
        summary = registry.do_import_registry(path, numbers, progress=progress, actor=actor)
    except registry.RegistryError as error:
        return jobs.Outcome(f"{error} Rien n'a été importé.", failed=True)
    return jobs.Outcome(describe(summary))


def describe(summary: registry.ImportSummary) -> str:
    return (
        f"{count(summary.read, 'fiche lue', 'fiches lues')}, {count(summary.created, 'créée', 'créées')}, "
        f"{count(summary.updated, 'modifiée', 'modifiées')}, {count(summary.unchanged, 'inchangée', 'inchangées')}."
    )
