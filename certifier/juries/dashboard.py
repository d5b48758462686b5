"""Home-page tasks of the juries: the local jury's candidates awaiting its opinion (D51), the national
administrator's sessions approaching their national jury's deadline (D58), the CPNEFP's juries to
appoint (D52)."""

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from certifier.exams.models import ExamSession, Registration
from certifier.exams.rules import one_month_after
from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.referential.enums import Scheme

from .permissions import jury_centre_ids
from .portal import employer_sessions


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


# D58: the national jury meets within one month after the session's last exam
DEADLINE_WARNING_DAYS = 15


def jury_deadline(session: ExamSession) -> date:
    """D21, D58: the latest date the national jury meets without a derogation."""
    return one_month_after(session.dates.last_exam)


def needs_derogation(session: ExamSession, today: date) -> bool:
    """The jury meets (or, not proclaimed, will meet) after its deadline, and no derogation is recorded."""
    deadline = jury_deadline(session)
    late = session.national_jury_date > deadline or today > deadline
    return late and not session.derogation_reason.strip()


@register
def national_jury_deadlines(user: Any, user_roles: set[str]) -> list[Task]:
    """The national administrator: the sessions not yet proclaimed whose jury deadline is within 15 days
    or passed, each saying whether it needs a recorded derogation."""
    if Role.NATIONAL_ADMIN not in user_roles:
        return []
    today = timezone.localdate()
    # a month is at least 28 days: a session whose last exam is later than this cannot be due yet
    latest = today + timedelta(days=DEADLINE_WARNING_DAYS - 28)
    sessions = ExamSession.objects.filter(
        proclaimed_at__isnull=True, written_exam_date__lte=latest, oral_end__lte=latest
    ).select_related("version__certification")
    tasks = []
    for session in sessions:
        deadline = jury_deadline(session)
        if (deadline - today).days > DEADLINE_WARNING_DAYS:
            continue
        if needs_derogation(session, today):
            state = f"délai d'un mois dépassé le {deadline:%d/%m/%Y}, dérogation à enregistrer"
        elif session.derogation_reason.strip():
            state = f"dérogation enregistrée, jury national le {session.national_jury_date:%d/%m/%Y}"
        else:
            state = f"jury national au plus tard le {deadline:%d/%m/%Y}"
        tasks.append(
            Task(
                Role.NATIONAL_ADMIN,
                f"{session} : {state}",
                reverse("juries:national_jury", args=[session.pk]),
                waiting=True,
            )
        )
    return tasks


@register
def juries_to_appoint(user: Any, user_roles: set[str]) -> list[Task]:
    """The CPNEFP: the sessions whose national jury is still to appoint."""
    if Role.CPNEFP not in user_roles:
        return []
    waiting = ExamSession.objects.filter(proclaimed_at__isnull=True, national_jury__isnull=True)
    count = waiting.count()
    return [
        Task(
            Role.CPNEFP,
            plural(count, "jury national à désigner", "jurys nationaux à désigner"),
            reverse("juries:jury_lists") + "#sessions-titre",
            count,
            waiting=count > 0,
        )
    ]


# D57: how many released sessions an employer's dashboard links to, the latest first
EMPLOYER_RESULT_LINES = 6


@register
def results_links(user: Any, user_roles: set[str]) -> list[Task]:
    """The candidate: their results page; the employer HR: the latest sessions whose results are released
    in which it has employees registered."""
    tasks = []
    if Role.CANDIDATE in user_roles:
        tasks.append(Task(Role.CANDIDATE, "Consulter mes résultats d'examen", reverse("juries:my_results")))
    if Role.EMPLOYER_HR in user_roles:
        tasks += [
            Task(
                Role.EMPLOYER_HR,
                f"Résultats de vos salariés : {session}",
                reverse("juries:employer_results", args=[session.pk]),
            )
            for session in employer_sessions(user, timezone.now())[:EMPLOYER_RESULT_LINES]
        ]
    return tasks
