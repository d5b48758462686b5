"""The page of a background job (an import): its progress, then its outcome. It is seen only by the
person who started the job, and by national administrators; anyone else gets a 404."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from certifier.core import jobs
from certifier.core.enums import JobStatus
from certifier.core.models import DomainError, Job

from .enums import Role
from .permissions import get_visible_or_404, has_role, login_required

REFRESH_SECONDS = 2


def _jobs(request: HttpRequest) -> QuerySet[Job]:
    visible = Job.objects.select_related("started_by")
    return (
        visible
        if has_role(request.user, Role.NATIONAL_ADMIN)
        else visible.filter(started_by_id=request.user.pk)
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(_jobs(request), pk=pk)
    waiting = job.status in (JobStatus.PENDING, JobStatus.RUNNING) and not job.interrupted
    context = {
        "job": job,
        "waiting": waiting,
        "refresh": REFRESH_SECONDS if waiting else None,
        "failure": jobs.INTERRUPTED if job.interrupted else "",
        "may_restart": job.may_restart and job.started_by_id == request.user.pk,
    }
    return render(request, "people/job_detail.html", context)


@login_required
@require_POST
def job_restart(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(_jobs(request), pk=pk)
    try:
        jobs.do_restart(request.user, job)
    except DomainError as error:  # already restarted, or finished meanwhile
        messages.info(request, str(error))
    return redirect("people:job_detail", pk=job.pk)
