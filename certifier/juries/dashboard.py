"""Home-page tasks of the juries: the local jury's candidates awaiting its opinion and its sessions (D51),
the national jury member's juries and open deliberations (D52, D53), the national administrator's
sessions approaching their national jury's deadline (D58), the CPNEFP's lists and juries to appoint
(D52)."""

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from certifier.exams.models import ExamSession, Registration
from certifier.exams.rules import one_month_after
from certifier.people.dashboard import Task, plural, register
from certifier.people.enums import Role
from certifier.referential.enums import Scheme

from .models import Deliberation
from .permissions import jury_centre_ids
from .portal import employer_sessions

# how many sessions a jury's dashboard links to, the nearest jury first
SESSION_LINES = 6


@register
def jury_tasks(user: Any, user_roles: set[str]) -> list[Task]:
    """The local jury: the opinions to give, and its sessions' opinions pages (D51)."""
    if Role.LOCAL_JURY not in user_roles:
        return []
    centres = jury_centre_ids(user)
    waiting = Registration.objects.filter(
        enrolment__training_centre_id__in=centres,
        session__version__scheme=Scheme.MARKS,
        session__oral_start__lte=timezone.localdate(),
        local_opinion__isnull=True,
    )
    count = waiting.count()
    sessions = (
        ExamSession.objects.filter(
            version__scheme=Scheme.MARKS,
            proclaimed_at__isnull=True,
            pk__in=Registration.objects.filter(enrolment__training_centre_id__in=centres).values(
                "session_id"
            ),
        )
        .select_related("version__certification")
        .order_by("national_jury_date", "pk")[:SESSION_LINES]
    )
    return [
        Task(
            Role.LOCAL_JURY,
            plural(count, "avis du jury local à donner", "avis du jury local à donner"),
            reverse("exams:session_list"),
            count,
            waiting=count > 0,
        )
    ] + [
        Task(
            Role.LOCAL_JURY,
            f"Avis du jury local : {session}",
            reverse("juries:local_opinions", args=[session.pk]),
        )
        for session in sessions
    ]


@register
def national_jury_seats(user: Any, user_roles: set[str]) -> list[Task]:
    """The national jury member: each deliberation open on a jury they sit on (its minutes not signed yet),
    and the page of each jury they sit on for a session not proclaimed (D52, D53)."""
    if Role.NATIONAL_JURY not in user_roles:
        return []
    deliberations = (
        Deliberation.objects.filter(jury__members__user=user, minutes__isnull=True)
        .select_related("jury__session__version__certification")
        .order_by("held_on", "pk")[:SESSION_LINES]
    )
    tasks = [
        Task(
            Role.NATIONAL_JURY,
            f"{'Rectificatif' if deliberation.is_amendment else 'Délibération'} en cours : "
            f"{deliberation.jury.session}",
            reverse("juries:deliberation", args=[deliberation.pk]),
            waiting=True,
        )
        for deliberation in deliberations
    ]
    sessions = (
        ExamSession.objects.filter(national_jury__members__user=user, proclaimed_at__isnull=True)
        .select_related("version__certification")
        .order_by("national_jury_date", "pk")[:SESSION_LINES]
    )
    tasks += [
        Task(
            Role.NATIONAL_JURY,
            f"Jury national du {session.national_jury_date:%d/%m/%Y} : {session}",
            reverse("juries:national_jury", args=[session.pk]),
        )
        for session in sessions
    ]
    return tasks


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
        ),
        Task(Role.CPNEFP, "Tenir les listes du jury national", reverse("juries:jury_lists")),
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
