"""Home-page tasks on exam sessions: the national administrator's sessions, a CRFP's registered
candidates, the copies a marker has to mark, the orals a local jury has to mark, a candidate's
convocations."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.referential.enums import Scheme

from .models import ExamSession, Mark, Registration


@register
def exam_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    listing = reverse("exams:session_list")
    today = timezone.localdate()
    tasks = []
    if Role.NATIONAL_ADMIN in user_roles:
        count = ExamSession.objects.count()
        tasks.append(
            Task(Role.NATIONAL_ADMIN, plural(count, "session d'examen", "sessions d'examen"), listing, count)
        )
    if Role.CRFP_STAFF in user_roles:
        count = Registration.objects.visible_to(user).filter(session__national_jury_date__gte=today).count()
        tasks.append(
            Task(
                Role.CRFP_STAFF,
                plural(count, "candidat inscrit aux examens", "candidats inscrits aux examens"),
                listing,
                count,
            )
        )
    if Role.MARKER in user_roles:
        tasks += _to_mark(
            Role.MARKER,
            "copie à noter",
            "copies à noter",
            "written",
            listing,
            today,
            Registration.objects.filter(session__markers__user=user),
        )
    if Role.LOCAL_JURY in user_roles:
        tasks += _to_mark(
            Role.LOCAL_JURY,
            "oral à noter",
            "oraux à noter",
            "oral",
            listing,
            today,
            Registration.objects.visible_to(user),
        )
    if Role.CANDIDATE in user_roles:
        registrations = Registration.objects.filter(
            enrolment__candidate__user=user, session__national_jury_date__gte=today
        ).select_related("session__version__certification")
        tasks += [
            Task(
                Role.CANDIDATE,
                f"Ma convocation — {registration.session}",
                reverse("exams:own_convocation", args=[registration.session_id]),
            )
            for registration in registrations
        ]
    return tasks


def _to_mark(
    role: Role,
    singular: str,
    plural_form: str,
    exam: str,
    url: str,
    today: date,
    scope: QuerySet[Registration],
) -> list[Task]:
    """Registrations whose mark of `exam` is not entered, in sessions whose exam was sat (marks are
    frozen only by the proclamation, which the juries' issue brings)."""
    count = (
        scope.filter(session__written_exam_date__lte=today, session__version__scheme=Scheme.MARKS)
        .exclude(Exists(Mark.objects.filter(registration=OuterRef("pk"), exam=exam)))
        .count()
    )
    return [Task(role, plural(count, singular, plural_form), url, count, waiting=count > 0)]
