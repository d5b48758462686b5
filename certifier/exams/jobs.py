"""The documents of an exam session as a background job: the request only names the session; the
worker draws the PDF for the scope of the person who started it and stores it for them (and for the
national administrator, who sees every job)."""

import json
import tempfile
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django_tasks import task

from certifier.core import jobs
from certifier.core.audit import record_event
from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import DomainError, Job, NotAllowed
from certifier.core.text import count
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids

from .documents import Scope, count_in, write_session_documents
from .models import ExamSession

BUSY = (
    "Vous avez déjà une production de documents en attente ou en cours : attendez qu'elle se termine "
    "avant d'en lancer une autre."
)
NOT_ALLOWED = "Seuls l'administrateur national et les CRFP produisent les documents d'une session."
GONE = "La session d'examen n'existe plus : aucun document n'a été produit."
NO_LONGER_ALLOWED = "Votre rôle ne permet plus de produire ces documents : aucun document n'a été produit."


def scope_for(user: Any) -> Scope:
    """The national administrator: every CRFP, with the copy-code lists (D48); a CRFP: its own
    candidates, without copy codes; anyone else may not produce the documents."""
    if has_role(user, Role.NATIONAL_ADMIN):
        return Scope(centre_ids=None, copy_codes=True)
    centres = organisation_ids(user, Role.CRFP_STAFF)
    if not centres:
        raise NotAllowed(NOT_ALLOWED)
    return Scope(centre_ids=frozenset(centres), copy_codes=False)


def request_name(session: ExamSession) -> str:
    """The job's file name: the session it produces documents for."""
    return f"documents-session-{session.pk}.json"


def result_name(job: Job) -> str:
    """Where a finished job's PDF is stored (MEDIA_ROOT, files readable by the server only)."""
    return f"exam-documents/job-{job.pk}.pdf"


@transaction.atomic
def start_documents(actor: Any, session: ExamSession) -> Job:
    """Enqueue the production of the session's documents for the actor's scope."""
    scope = scope_for(actor)
    if jobs.busy(JobKind.EXAM_DOCUMENTS, started_by=actor):
        raise DomainError(BUSY)
    if not count_in(session, scope):
        raise DomainError(
            "Aucun candidat n'est inscrit à cette session : il n'y a aucun document à produire."
        )
    request = ContentFile(json.dumps({"session": session.pk}).encode(), name=request_name(session))
    job = jobs.start(JobKind.EXAM_DOCUMENTS, actor, request)
    # D48: who asked for the copy code ↔ candidate lists, and when
    after = {"job": job.pk, "copy_codes": scope.copy_codes}
    record_event(AuditAction.EXAM_DOCUMENTS_REQUESTED, session, actor=actor, after=after)
    return job


def session_jobs(user: Any, session: ExamSession) -> QuerySet[Job]:
    """The document jobs of the session the user may follow: their own; every one for the national
    administrator. Newest first."""
    found = Job.objects.filter(kind=JobKind.EXAM_DOCUMENTS, file_name=request_name(session)).select_related(
        "started_by"
    )
    return found if has_role(user, Role.NATIONAL_ADMIN) else found.filter(started_by_id=user.pk)


def latest_file(user: Any, session: ExamSession) -> Job | None:
    """The user's latest finished production whose PDF is there to download."""
    for job in session_jobs(user, session).filter(started_by_id=user.pk, status=JobStatus.DONE)[:5]:
        if default_storage.exists(result_name(job)):
            return job
    return None


@jobs.runs(JobKind.EXAM_DOCUMENTS)
@task()
def produce_session_documents(job_id: int) -> None:
    jobs.run(job_id, _produce)


def _produce(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    with job.file.open("rb") as stored:
        session_id = json.load(stored)["session"]
    session = ExamSession.objects.select_related("version__certification").filter(pk=session_id).first()
    if session is None:
        return jobs.Outcome(GONE, failed=True)
    try:
        scope = scope_for(job.started_by)
    except NotAllowed:
        return jobs.Outcome(NO_LONGER_ALLOWED, failed=True)
    with tempfile.TemporaryFile() as output:
        summary = write_session_documents(output, session, scope, progress)
        output.seek(0)
        name = result_name(job)
        default_storage.delete(name)  # a restarted job replaces what it left
        default_storage.save(name, File(output))
    details = [
        f"Convocations : {summary.convocations}",
        f"Feuilles d'émargement de l'épreuve écrite : {summary.centres} (une par CRFP)",
    ]
    if scope.copy_codes:
        details.append(f"Listes des codes de copie : {summary.centres} (une par CRFP, confidentielles)")
    return jobs.Outcome(
        f"Documents produits : un fichier PDF de {count(summary.pages, 'page', 'pages')}.", details
    )
