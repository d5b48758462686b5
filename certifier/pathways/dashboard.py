"""Home-page tasks on enrolments: what each role follows, and the candidates still without an assessor."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.people.permissions import organisation_ids

from .listing import WITHOUT_ASSESSOR, without_assessor
from .models import Enrolment, TrainingSession

# Who follows which enrolments, in the words of the role's dashboard.
FOLLOWED = {
    Role.EMPLOYER_HR: ("salarié en parcours de certification", "salariés en parcours de certification"),
    Role.TUTOR: ("candidat en tutorat", "candidats en tutorat"),
    Role.MANAGER: ("collaborateur candidat", "collaborateurs candidats"),
    Role.ASSESSOR: ("candidat confié", "candidats confiés"),
}


@register
def enrolment_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    enrolments = Enrolment.objects.visible_to(user)
    listing = reverse("pathways:enrolment_list")
    tasks = []
    for role in (Role.NATIONAL_ADMIN, Role.CRFP_STAFF):
        if role in user_roles:
            tasks += _running_tasks(role, enrolments, listing)
    for role, (singular, plural_form) in FOLLOWED.items():
        if role in user_roles:
            count = _followed(user, role, enrolments).count()
            tasks.append(Task(role, plural(count, singular, plural_form), listing, count))
    if Role.CANDIDATE in user_roles:
        for enrolment in enrolments.filter(candidate__user=user).select_related("version__certification"):
            url = reverse("pathways:enrolment_detail", args=[enrolment.pk])
            label = f"Votre inscription au {enrolment.version.certification.title}"
            tasks.append(Task(Role.CANDIDATE, label, url))
    return tasks


def _running_tasks(role: Role, enrolments: Any, listing: str) -> list[Task]:
    counts = {"total": enrolments.count(), "waiting": without_assessor(enrolments).count()}
    upcoming = TrainingSession.objects.filter(end_date__gte=timezone.localdate()).count()
    return [
        Task(role, plural(counts["total"], "inscription", "inscriptions"), listing, counts["total"]),
        Task(
            role,
            plural(counts["waiting"], "candidat sans évaluateur", "candidats sans évaluateur"),
            f"{listing}?suivi={WITHOUT_ASSESSOR}",
            counts["waiting"],
            waiting=counts["waiting"] > 0,
        ),
        Task(
            role,
            plural(
                upcoming,
                "session de formation en cours ou à venir",
                "sessions de formation en cours ou à venir",
            ),
            reverse("pathways:session_list"),
            upcoming,
        ),
        Task(role, "Inscrire un candidat", reverse("pathways:enrolment_create")),
    ]


def _followed(user: Any, role: Role, enrolments: Any) -> Any:
    if role == Role.TUTOR:
        return enrolments.filter(tutor=user)
    if role == Role.MANAGER:
        return enrolments.filter(manager=user)
    if role == Role.ASSESSOR:
        return enrolments.filter(assessor_assignments__assessor=user).distinct()
    return enrolments.filter(candidate__employer_id__in=organisation_ids(user, Role.EMPLOYER_HR))
