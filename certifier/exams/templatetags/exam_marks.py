"""An enrolment's exam marks on its page, as far as D25 lets the reader see them: those who organise and
judge the session (the national administrator, the enrolment's CRFP and local jury) at any time; the
candidate's employer only from the session's release time (D55)."""

from typing import Any

from django import template
from django.utils import timezone

from certifier.pathways.models import Enrolment
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids

from ..evaluations import Exam
from ..marks import cell_text
from ..models import Mark, MarkStatus, Registration
from ..permissions import readable_exams

register = template.Library()


@register.inclusion_tag("exams/enrolment_marks.html", takes_context=True)
def exam_marks(context: dict[str, Any], enrolment: Enrolment) -> dict[str, Any]:
    user = context["request"].user
    exams = readable_exams(user, enrolment)
    if not exams:
        return {"sessions": []}
    registrations = list(
        Registration.objects.filter(enrolment=enrolment)
        .select_related("session")
        .order_by("session__written_exam_date")
    )
    if not _organises(user, enrolment):
        now = timezone.now()
        registrations = [r for r in registrations if r.session.results_released(now)]
    marks = {
        (mark.registration_id, mark.exam): _shown(mark)
        for mark in Mark.objects.filter(
            registration__in=registrations, exam__in=[exam.name for exam in exams]
        )
    }
    sessions = [
        (
            registration.session,
            [(exam, _text(registration, exam, marks)) for exam in exams],
        )
        for registration in registrations
    ]
    return {"sessions": sessions}


def _organises(user: Any, enrolment: Enrolment) -> bool:
    return has_role(user, Role.NATIONAL_ADMIN) or enrolment.training_centre_id in organisation_ids(
        user, Role.CRFP_STAFF, Role.LOCAL_JURY
    )


def _text(registration: Registration, exam: Exam, marks: dict[tuple[int, str], str]) -> str:
    if exam.anonymous and registration.session.anonymity_lifted_at is None:
        return "anonyme jusqu'à la levée d'anonymat"  # D48
    return marks.get((registration.pk, exam.name), "non saisie")


def _shown(mark: Mark) -> str:
    if mark.status == MarkStatus.MARKED:
        return f"{cell_text(mark.status, mark.value)} sur 20"
    return mark.get_status_display()
