"""Home-page task of the local jury: the candidates of its CRFP awaiting its opinion (D51)."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from certifier.exams.models import Registration
from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.referential.enums import Scheme

from .permissions import jury_centre_ids


@register
def jury_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    if Role.LOCAL_JURY not in user_roles:
        return []
    waiting = Registration.objects.filter(
        enrolment__training_centre_id__in=jury_centre_ids(user),
        session__version__scheme=Scheme.MARKS,
        session__oral_start__lte=timezone.localdate(),
        local_opinion__isnull=True,
    )
    count = waiting.count()
    return [
        Task(
            Role.LOCAL_JURY,
            plural(count, "avis du jury local à donner", "avis du jury local à donner"),
            reverse("exams:session_list"),
            count,
            waiting=count > 0,
        )
    ]
