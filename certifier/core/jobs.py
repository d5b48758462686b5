"""Background jobs: long work (imports) runs in the worker (`manage.py db_worker`), never in a request.

A view stores the upload with `start`; after commit, the job's task is enqueued; the worker calls it and
the task hands its work to `run`. The job goes « en cours », reports its progress as it goes (each report
committed, with a heartbeat), then ends « terminé » with its outcome, or « échoué ». A job whose worker
died (no heartbeat for `STALLED_AFTER`) is shown as failed and may be started again by its user.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import Task

from .enums import JobKind, JobStatus
from .models import STALLED_AFTER, DomainError, Job, NotAllowed

logger = logging.getLogger(__name__)

INTERRUPTED = (
    "Le traitement a été interrompu avant sa fin (arrêt du serveur ou du processus de traitement). "
    "Vous pouvez le relancer."
)
UNEXPECTED = (
    "Le traitement a échoué sur une erreur inattendue. "
    "Relancez-le ; si l'échec se répète, signalez-le à l'administrateur national."
)
BUSY = {
    JobKind.CANDIDATE_IMPORT: (
        "Un de vos imports de candidats est déjà en attente ou en cours : attendez qu'il se termine "
        "avant d'en déposer un autre."
    ),
    JobKind.REGISTRY_IMPORT: (
        "Un autre import du registre est déjà en cours : un seul à la fois. "
        "Attendez qu'il se termine, puis relancez celui-ci."
    ),
}

# The task that runs each kind of job, registered by the app that owns it (see `runs`).
TASKS: dict[str, Task[[int], None]] = {}


@dataclass
class Outcome:
    """What a finished job tells its user: a French sentence, detail lines, errors by row and column."""

    message: str
    details: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    failed: bool = False


Progress = Callable[[int, int | None], None]
Work = Callable[[Job, Progress], Outcome]


def runs(kind: JobKind) -> Callable[[Task[[int], None]], Task[[int], None]]:
    """Register the task that runs the jobs of `kind` (used by `start` and `do_restart`)."""

    def register(task: Task[[int], None]) -> Task[[int], None]:
        TASKS[kind] = task
        return task

    return register


def start(kind: JobKind, actor: Any, upload: File[Any]) -> Job:
    """Store the uploaded file and enqueue the job once the transaction commits."""
    job = Job.objects.create(kind=kind, started_by=actor, file=upload, file_name=(upload.name or "")[:255])
    _enqueue(job)
    return job


def busy(kind: JobKind, started_by: Any = None) -> bool:
    """Whether a job of `kind` (started by `started_by`, when given) is waiting or running; a dead
    worker's job does not count."""
    alive = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat__gte=timezone.now() - STALLED_AFTER
    )
    jobs = Job.objects.filter(alive, kind=kind)
    if started_by is not None:
        jobs = jobs.filter(started_by=started_by)
    return jobs.exists()


def _enqueue(job: Job) -> None:
    task = TASKS[job.kind]
    transaction.on_commit(lambda: task.enqueue(job.pk))


def run_now(kind: JobKind, actor: Any, file_name: str, work: Work) -> Job:
    """Run a job in this process (a management command): same lock, progress and outcome as the worker."""
    job = Job.objects.create(kind=kind, started_by=actor, file_name=file_name[:255])
    return run(job.pk, work)


def run(job_id: int, work: Work) -> Job:
    """Run a pending job: claim it, do the work outside any transaction (the work opens its own short
    ones), record the outcome. Never raises: an unexpected error fails the job and is logged."""
    now = timezone.now()
    _release_interrupted()
    try:
        with transaction.atomic():
            claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
                status=JobStatus.RUNNING, started_at=now, heartbeat=now
            )
    except IntegrityError:  # another job of an exclusive kind is running
        job = Job.objects.get(pk=job_id)
        _finish(job, Outcome(BUSY[JobKind(job.kind)], failed=True))
        return job
    job = Job.objects.select_related("started_by").get(pk=job_id)
    if not claimed:  # already run, or being run by another worker
        return job

    def progress(done: int, total: int | None) -> None:
        Job.objects.filter(pk=job_id).update(done=done, total=total, heartbeat=timezone.now())

    try:
        outcome = work(job, progress)
    except Exception:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        outcome = Outcome(UNEXPECTED, failed=True)
    except BaseException:  # stopped (Ctrl-C, the worker's shutdown): recorded, then the process stops
        _finish(job, Outcome(INTERRUPTED, failed=True))
        raise
    _finish(job, outcome)
    return job


def _release_interrupted() -> None:
    """Mark as failed the jobs whose worker died, so that an exclusive kind is free again."""
    Job.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=timezone.now() - STALLED_AFTER).update(
        status=JobStatus.FAILED, outcome=INTERRUPTED, finished_at=timezone.now()
    )


def _finish(job: Job, outcome: Outcome) -> None:
    job.refresh_from_db(fields=["done", "total"])
    job.status = JobStatus.FAILED if outcome.failed else JobStatus.DONE
    job.outcome = outcome.message[:500]
    job.details = outcome.details
    job.errors = outcome.errors
    job.finished_at = job.heartbeat = timezone.now()
    if job.file and not outcome.failed:  # a finished job is never run again: its file is not kept
        job.file.delete(save=False)
    job.save()


def do_restart(actor: Any, job: Job) -> None:
    """Start again a job that failed or whose worker died, from its stored file."""
    if job.started_by_id is None or actor.pk != job.started_by_id:
        raise NotAllowed("Seule la personne qui a lancé ce traitement peut le relancer.")
    if not job.may_restart:
        raise DomainError("Ce traitement n'a pas échoué : il n'y a rien à relancer.")
    restarted = (
        Job.objects.filter(pk=job.pk)
        .filter(
            Q(status=JobStatus.FAILED)
            | Q(status=JobStatus.RUNNING, heartbeat__lt=timezone.now() - STALLED_AFTER)
        )
        .update(
            status=JobStatus.PENDING,
            done=0,
            total=None,
            outcome="",
            details=[],
            errors=[],
            started_at=None,
            finished_at=None,
            heartbeat=None,
        )
    )
    if not restarted:
        raise DomainError("Ce traitement a déjà été relancé.")
    _enqueue(job)
