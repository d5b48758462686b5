"""The documents of an exam session: produced by a background job for the national administrator
(every CRFP, copy codes included) or a CRFP (its candidates); a candidate's own convocation."""

import re
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from certifier.core.downloads import attachment
from certifier.core.enums import JobStatus
from certifier.core.models import DomainError, Job
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, has_role, role_required

from .documents import convocation_pdf, count_in, session_title
from .jobs import latest_file, result_name, scope_for, session_jobs, start_documents
from .models import ExamSession, Registration
from .permissions import get_session_or_404

REFRESH_SECONDS = 3
PDF = "application/pdf"


def _file_name(session: ExamSession) -> str:
    return f"documents-{session_title(session)}.pdf"


@role_required(Role.NATIONAL_ADMIN, Role.CRFP_STAFF)
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    if request.method == "POST":
        try:
            start_documents(request.user, session)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "La production des documents est lancée.")
        return redirect("exams:documents", pk=session.pk)
    scope = scope_for(request.user)
    own_jobs = session_jobs(request.user, session).filter(started_by_id=request.user.pk)
    last = own_jobs.first()
    waiting = (
        last is not None and last.status in (JobStatus.PENDING, JobStatus.RUNNING) and not last.interrupted
    )
    others: list[Job] = []
    if has_role(request.user, Role.NATIONAL_ADMIN):
        others = list(
            session_jobs(request.user, session)
            .filter(status=JobStatus.DONE)
            .exclude(started_by_id=request.user.pk)[:20]
        )
    context = {
        "session": session,
        "copy_codes": scope.copy_codes,
        "candidates": count_in(session, scope),
        "last": last,
        "waiting": waiting,
        "refresh": REFRESH_SECONDS if waiting else None,
        "latest": latest_file(request.user, session),
        "others": others,
    }
    return render(request, "exams/documents.html", context)


JOB_ID = re.compile(r"[0-9]{1,18}")


@role_required(Role.NATIONAL_ADMIN, Role.CRFP_STAFF)
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The user's latest file, or (`?traitement=`) one of the jobs they may follow."""
    session = get_session_or_404(request.user, pk)
    wanted = request.GET.get("traitement", "")
    if wanted:
        if not JOB_ID.fullmatch(wanted):  # "²" is a digit to str.isdigit, and ids have 18 digits at most
            raise Http404("Ce fichier n'existe pas ou ne vous est pas accessible.")
        job = session_jobs(request.user, session).filter(pk=int(wanted), status=JobStatus.DONE).first()
    else:
        job = latest_file(request.user, session)
    if job is None or not default_storage.exists(result_name(job)):
        raise Http404("Ce fichier n'existe pas ou ne vous est pas accessible.")
    with default_storage.open(result_name(job), "rb") as stored:
        content = stored.read()
    return attachment(content, _file_name(session), PDF)


def _own_registrations(user: Any) -> QuerySet[Registration]:
    return Registration.objects.filter(enrolment__candidate__user=user).select_related(
        "session__version__certification", "enrolment__candidate", "enrolment__training_centre"
    )


@role_required(Role.CANDIDATE)
def own_convocation(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidate's own convocation, drawn on the fly; 404 when they are not registered in the session."""
    registration = get_visible_or_404(_own_registrations(request.user), session_id=pk)
    return attachment(convocation_pdf(registration), f"convocation-{registration.candidate_number}.pdf", PDF)
