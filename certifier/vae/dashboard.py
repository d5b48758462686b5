"""Home-page tasks of the VAE applications: the national administrator's admissibility decisions (D63), the
CRFP's applications in preparation, the candidate's own application."""

from typing import Any

from django.urls import reverse

from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.people.permissions import organisation_ids

from .enums import ApplicationStatus
from .models import VaeApplication


@register
def application_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    url = reverse("vae:application_list")
    tasks = []
    if Role.NATIONAL_ADMIN in user_roles:
        filed = VaeApplication.objects.filter(status=ApplicationStatus.FILED).count()
        label = plural(filed, "demande de VAE", "demandes de VAE")
        tasks.append(
            Task(
                Role.NATIONAL_ADMIN,
                f"{label} en attente de recevabilité",
                f"{url}?status={ApplicationStatus.FILED}",
                filed,
                waiting=bool(filed),
            )
        )
    if Role.CRFP_STAFF in user_roles:
        drafts = VaeApplication.objects.filter(
            status=ApplicationStatus.DRAFT, training_centre_id__in=organisation_ids(user, Role.CRFP_STAFF)
        ).count()
        label = plural(drafts, "demande de VAE en préparation", "demandes de VAE en préparation")
        tasks.append(Task(Role.CRFP_STAFF, label, f"{url}?status={ApplicationStatus.DRAFT}", drafts))
    if Role.CANDIDATE in user_roles:
        tasks.append(Task(Role.CANDIDATE, "Ma demande de VAE", url))
    return tasks
