"""D55, D57: candidates and employers are told by e-mail that a session's results are out, at the
release time and not before. The mail holds no result: it says where to read them (the portal), so
that every read path stays behind the one release time."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent
from certifier.exams.models import ExamSession, Registration
from certifier.people.enums import Role
from certifier.people.models import Membership

SUBJECT = "Résultats du CQP Gestionnaire conseil : {session}"


def _sent(session: ExamSession) -> bool:
    return AuditEvent.objects.filter(
        action=AuditAction.RESULTS_NOTICES_SENT,
        object_type=session._meta.label,
        object_id=str(session.pk),
    ).exists()


def schedule_results_notices(session: ExamSession) -> None:
    """Enqueue the results e-mails of `session` to run at its release time (call it with
    `transaction.on_commit` once the release time is set). A backend that cannot defer a task (the
    tests' immediate one) runs it now, and the task, finding the results not yet released, sends
    nothing."""
    if session.released_at is None:
        return
    backend = send_results_notices.get_backend()
    deferred = backend.supports_defer and session.released_at > timezone.now()
    notices = send_results_notices.using(run_after=session.released_at) if deferred else send_results_notices
    notices.enqueue(session.pk)


@task()
def send_results_notices(session_id: int) -> int:
    """One e-mail to each candidate of the session with an account, and to each employer HR of the
    employers concerned; none before the release time, and none again once sent (a task run twice).
    Returns how many were sent."""
    session = ExamSession.objects.filter(pk=session_id).select_related("version__certification").first()
    if session is None or not session.results_released(timezone.now()) or _sent(session):
        return 0
    site = settings.SITE_URL.rstrip("/")
    registrations = Registration.objects.filter(session=session)
    candidates = sorted(
        set(
            registrations.filter(
                enrolment__candidate__user__isnull=False, enrolment__candidate__user__is_active=True
            )
            .exclude(enrolment__candidate__user__email="")
            .values_list("enrolment__candidate__user__email", flat=True)
        )
    )
    employers = sorted(
        set(
            Membership.objects.filter(
                role=Role.EMPLOYER_HR,
                organisation_id__in=registrations.values("enrolment__candidate__employer_id"),
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    context: dict[str, Any] = {
        "session": session,
        "my_results": site + reverse("juries:my_results"),
        "lookup": site + reverse("juries:results_lookup"),
        "employer_results": site + reverse("juries:employer_results", args=[session.pk]),
    }
    subject = SUBJECT.format(session=session)
    messages = [
        EmailMessage(subject, render_to_string("juries/email/results_candidate.txt", context), None, [to])
        for to in candidates
    ] + [
        EmailMessage(subject, render_to_string("juries/email/results_employer.txt", context), None, [to])
        for to in employers
    ]
    sent = get_connection().send_messages(messages) or 0
    record_event(
        AuditAction.RESULTS_NOTICES_SENT,
        session,
        actor=None,
        after={"candidates": len(candidates), "employers": len(employers)},
    )
    return sent
