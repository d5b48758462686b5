"""The web upload of the registry export, for national administrators: the file is stored and
imported by the worker; the job's page follows it (see `certifier.people.job_views`)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from certifier.core import jobs
from certifier.core.enums import JobKind
from certifier.core.models import Job
from certifier.people.enums import Role
from certifier.people.permissions import role_required

from .forms import RegistryUploadForm
from .jobs import start_registry_import

RECENT = 10


@role_required(Role.NATIONAL_ADMIN)
def registry_upload(request: HttpRequest) -> HttpResponse:
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    busy = jobs.busy(JobKind.REGISTRY_IMPORT)
    if request.method == "POST" and form.is_valid():
        if busy:
            form.add_error(None, jobs.BUSY[JobKind.REGISTRY_IMPORT])
        else:
            job = start_registry_import(request.user, form.cleaned_data["file"])
            return redirect("people:job_detail", pk=job.pk)
    recent = Job.objects.filter(kind=JobKind.REGISTRY_IMPORT).select_related("started_by")[:RECENT]
    return render(request, "referential/registry_upload.html", {"form": form, "busy": busy, "recent": recent})
