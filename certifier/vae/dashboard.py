"""Home-page tasks of the VAE applications: the national administrator's admissibility decisions (D63), the
CRFP's applications in preparation, the candidate's own application, the outcomes an employer funds; the CPNEFP's dossiers to bring
before a VAE jury, and each VAE jury member's sessions still to decide or sign (D65, D67)."""

from typing import Any

from django.urls import reverse

from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.people.permissions import organisation_ids

from .enums import ApplicationStatus
from .models import VaeApplication, VaeDecision, VaeJurySession


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
    if Role.EMPLOYER_HR in user_roles:
        outcomes = VaeDecision.objects.filter(
            candidacy__application__funder_id__in=organisation_ids(user, Role.EMPLOYER_HR),
            candidacy__session__minutes__isnull=False,
        ).count()
        label = plural(outcomes, "résultat de VAE financée", "résultats de VAE financées")
        tasks.append(Task(Role.EMPLOYER_HR, label, reverse("vae:employer_outcomes"), outcomes))
    return tasks


@register
def jury_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    url = reverse("vae:jury_sessions")
    tasks = []
    if Role.CPNEFP in user_roles:
        waiting = VaeApplication.objects.filter(
            status=ApplicationStatus.DOSSIER_SUBMITTED, candidacy__isnull=True
        ).count()
        label = plural(waiting, "dossier de VAE déposé", "dossiers de VAE déposés")
        tasks.append(
            Task(Role.CPNEFP, f"{label} à inscrire devant un jury VAE", url, waiting, waiting=bool(waiting))
        )
    if Role.VAE_JURY in user_roles:
        open_sessions = VaeJurySession.objects.filter(members__user=user, minutes__isnull=True).count()
        label = plural(open_sessions, "session du jury VAE", "sessions du jury VAE")
        tasks.append(Task(Role.VAE_JURY, f"{label} à tenir", url, open_sessions, waiting=bool(open_sessions)))
    return tasks
