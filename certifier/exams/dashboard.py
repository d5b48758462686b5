"""Home-page tasks on exam sessions: the national administrator's sessions, a CRFP's registered candidates."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role

from .models import ExamSession, Registration


@register
def exam_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    listing = reverse("exams:session_list")
    tasks = []
    if Role.NATIONAL_ADMIN in user_roles:
        count = ExamSession.objects.count()
        tasks.append(
            Task(Role.NATIONAL_ADMIN, plural(count, "session d'examen", "sessions d'examen"), listing, count)
        )
    if Role.CRFP_STAFF in user_roles:
        count = (
            Registration.objects.visible_to(user)
            .filter(session__national_jury_date__gte=timezone.localdate())
            .count()
        )
        tasks.append(
            Task(
                Role.CRFP_STAFF,
                plural(count, "candidat inscrit aux examens", "candidats inscrits aux examens"),
                listing,
                count,
            )
        )
    return tasks
