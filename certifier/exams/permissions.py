"""Who deals with exam sessions: the roles let through the session pages, and who registers."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from certifier.pathways.models import Enrolment
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, has_role, organisation_ids

from .evaluations import SHOWN_TO_EMPLOYER, Exam, evaluation, evaluations
from .models import ExamMarker, ExamSession, Registration


def get_session_or_404(user: Any, pk: int) -> ExamSession:
    """An exam session the user may see (`ExamSession.visible_to`), with its version; 404 otherwise."""
    return get_visible_or_404(
        ExamSession.objects.visible_to(user).select_related("version__certification"), pk=pk
    )


def get_exam_or_404(session: ExamSession, name: str) -> Exam:
    """An épreuve of the session's version; 404 for any other name."""
    found = evaluation(session.version, name)
    if found is None:
        raise Http404("Cette épreuve n'existe pas dans cette session.")
    return found


def can_create_session(user: Any) -> bool:
    return has_role(user, Role.NATIONAL_ADMIN)


def can_register(user: Any) -> bool:
    return has_role(user, Role.CRFP_STAFF)


def can_follow_candidates(user: Any) -> bool:
    """Those who see candidates' identities in a session; a written-exam marker never does (D48), even
    one who was given another role against `people.models.exclusive_role_refusal`."""
    return not has_role(user, Role.MARKER) and has_role(
        user, Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.LOCAL_JURY, Role.NATIONAL_JURY
    )


def can_open_grid(user: Any, session: ExamSession, evaluation: Exam) -> bool:
    """The national administrator reads every grid; the others, the grids of the marks they enter."""
    return has_role(user, Role.NATIONAL_ADMIN) or markable(user, session, evaluation).exists()


def can_see_copy_codes(user: Any) -> bool:
    """D48: only the national administrator sees the copy code ↔ candidate link."""
    return has_role(user, Role.NATIONAL_ADMIN)


def registrable(user: Any, session: ExamSession) -> QuerySet[Enrolment]:
    """The user's CRFP enrolments in the session's version not yet registered in it; for a catch-up,
    only those registered in the caught-up session and not certified there (D46)."""
    enrolments = Enrolment.objects.filter(
        version_id=session.version_id, training_centre_id__in=organisation_ids(user, Role.CRFP_STAFF)
    ).exclude(exam_registrations__session=session)
    if session.catch_up_of_id is not None:
        caught_up = Registration.objects.filter(session_id=session.catch_up_of_id).filter(
            Q(certified__isnull=True) | Q(certified=False)
        )
        enrolments = enrolments.filter(pk__in=caught_up.values("enrolment_id"))
    return enrolments.select_related("candidate", "training_centre").order_by(
        "candidate__birth_name", "candidate__first_name"
    )


def visible_registrations(user: Any, session: ExamSession) -> QuerySet[Registration]:
    return Registration.objects.visible_to(user).filter(session=session)


def marks_session(user: Any, session: ExamSession) -> bool:
    """A written-exam marker works on the sessions they were appointed to, and only those."""
    return ExamMarker.objects.filter(session=session, user=user).exists()


def markable(actor: Any, session: ExamSession, evaluation: Exam) -> QuerySet[Registration]:
    """D29, D50: the registrations whose mark of `evaluation` the actor enters; every one for the
    system (a command run without a user)."""
    registrations = Registration.objects.filter(session=session)
    if actor is None:
        return registrations
    if evaluation.responsible == Role.MARKER:
        return (
            registrations
            if has_role(actor, Role.MARKER) and marks_session(actor, session)
            else registrations.none()
        )
    return registrations.filter(
        enrolment__training_centre_id__in=organisation_ids(actor, evaluation.responsible)
    )


def readable_exams(user: Any, enrolment: Enrolment) -> list[Exam]:
    """The marks of an enrolment a user may read (D25): every one for the national administrator and for
    the enrolment's CRFP and local jury; the option's continuous assessments only for the candidate's
    employer; none for anyone else (the candidate reads theirs on the results portal, after release)."""
    exams = evaluations(enrolment.version)
    if has_role(user, Role.NATIONAL_ADMIN) or enrolment.training_centre_id in organisation_ids(
        user, Role.CRFP_STAFF, Role.LOCAL_JURY
    ):
        return list(exams)
    if enrolment.candidate.employer_id in organisation_ids(user, Role.EMPLOYER_HR):
        return [exam for exam in exams if exam.name in SHOWN_TO_EMPLOYER]
    return []
