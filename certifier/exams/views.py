"""Exam-session pages: thin, the services decide."""

from collections import Counter
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from certifier.core.models import DomainError
from certifier.core.text import count
from certifier.people.enums import EXAM_ROLES, Role
from certifier.people.models import TrainingCentre
from certifier.people.permissions import get_visible_or_404, has_role, organisation_ids, role_required

from .evaluations import evaluations
from .forms import LocalJuryDatesForm, RegisterForm, SessionForm
from .models import ExamSession, Registration
from .permissions import (
    can_create_session,
    can_follow_candidates,
    can_open_grid,
    can_register,
    can_see_copy_codes,
    get_session_or_404,
    registrable,
    visible_registrations,
)
from .rules import SessionState, registration_open
from .services import SessionData, do_create_session, do_register, do_set_local_jury_dates

PAGE_SIZE = 100
STATE_TONES = {
    SessionState.OPEN: "ok",
    SessionState.CLOSED: "warn",
    SessionState.EXAMS: "info",
    SessionState.MARKING: "info",
    SessionState.READY: "ok",
    SessionState.JURY: "neutral",
}


@role_required(*EXAM_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = list(
        ExamSession.objects.visible_to(request.user).with_progress().select_related("version__certification")
    )
    counts = Counter(
        Registration.objects.visible_to(request.user)
        .filter(session__in=sessions)
        .values_list("session_id", flat=True)
    )
    today = timezone.localdate()
    follows = can_follow_candidates(request.user)
    rows = []
    for session in sessions:
        state = current_state(session, today)
        # a marker is told how many copies there are, never who wrote them
        shown = counts[session.pk] if follows else session.registered  # type: ignore[attr-defined]
        rows.append((session, state, STATE_TONES[state], shown))
    return render(
        request,
        "exams/session_list.html",
        {"rows": rows, "follows_candidates": follows, "can_create": can_create_session(request.user)},
    )


def current_state(session: ExamSession, today: date) -> SessionState:
    """The state from the dates and from the marks entered (`with_progress` annotations)."""
    expected = session.registered * len(evaluations(session.version))  # type: ignore[attr-defined]
    return session.state(today, marks_complete=0 < expected == session.marked)  # type: ignore[attr-defined]


@role_required(Role.NATIONAL_ADMIN)
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = do_create_session(request.user, SessionData(**form.cleaned_data))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La session d'examen a été créée.")
            return redirect("exams:session_detail", pk=session.pk)
    return render(request, "exams/session_form.html", {"form": form})


@role_required(*EXAM_ROLES)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_visible_or_404(
        ExamSession.objects.visible_to(request.user)
        .with_progress()
        .select_related("version__certification", "catch_up_of__version__certification"),
        pk=pk,
    )
    user = request.user
    registrations = visible_registrations(user, session).select_related(
        "enrolment__candidate", "enrolment__training_centre"
    )
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    state = current_state(session, today)
    jury_dates = session.local_jury_dates.select_related("training_centre").order_by("date")
    if not has_role(user, Role.NATIONAL_ADMIN):
        jury_dates = jury_dates.filter(training_centre_id__in=organisation_ids(user))
    return render(
        request,
        "exams/session_detail.html",
        {
            "session": session,
            "state": state,
            "tone": STATE_TONES[state],
            "page": page,
            "jury_dates": jury_dates,
            "grids": [item for item in evaluations(session.version) if can_open_grid(user, session, item)],
            "is_admin": has_role(user, Role.NATIONAL_ADMIN),
            "follows_candidates": can_follow_candidates(user),
            "show_copy_codes": can_see_copy_codes(user),
            "can_register": can_register(user) and registration_open(session.dates, today),
            "can_generate_documents": has_role(user, Role.NATIONAL_ADMIN, Role.CRFP_STAFF),
        },
    )


@role_required(Role.CRFP_STAFF)
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    candidates = registrable(request.user, session)
    form = RegisterForm(request.POST or None, candidates=candidates)
    everyone = request.method == "POST" and "tous" in request.POST
    if request.method == "POST" and (everyone or form.is_valid()):
        try:
            done = do_register(
                request.user, session, candidates if everyone else form.cleaned_data["enrolments"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{count(len(done), 'candidat inscrit', 'candidats inscrits')} à la session."
            )
            return redirect("exams:session_detail", pk=session.pk)
    is_open = registration_open(session.dates, timezone.localdate())
    return render(
        request,
        "exams/session_register.html",
        {"session": session, "form": form, "open": is_open, "remaining": candidates.count()},
    )


@role_required(Role.NATIONAL_ADMIN)
def local_jury_dates(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    centres = list(TrainingCentre.objects.order_by("name"))
    current = {row.training_centre_id: row for row in session.local_jury_dates.all()}
    form = LocalJuryDatesForm(request.POST or None, session=session, centres=centres, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = do_set_local_jury_dates(request.user, session, form.dates())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{count(changed, 'date modifiée', 'dates modifiées')}.")
            return redirect("exams:session_detail", pk=session.pk)
    return render(request, "exams/local_jury_dates.html", {"session": session, "form": form})
