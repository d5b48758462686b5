"""Exam-session pages: thin, the services decide."""

from collections import Counter

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, role_required

from .forms import RegisterForm, SessionForm
from .models import ExamSession, Registration
from .permissions import (
    EXAM_ROLES,
    can_create_session,
    can_register,
    can_see_copy_codes,
    registrable,
    visible_registrations,
)
from .rules import SessionState, registration_open
from .services import SessionData, do_create_session, do_register

STATE_TONES = {
    SessionState.OPEN: "ok",
    SessionState.CLOSED: "warn",
    SessionState.EXAMS: "info",
    SessionState.MARKING: "info",
    SessionState.JURY: "neutral",
}


@role_required(*EXAM_ROLES)
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = list(ExamSession.objects.visible_to(request.user).select_related("version__certification"))
    counts = Counter(
        Registration.objects.visible_to(request.user)
        .filter(session__in=sessions)
        .values_list("session_id", flat=True)
    )
    today = timezone.localdate()
    rows = [
        (session, session.state(today), STATE_TONES[session.state(today)], counts[session.pk])
        for session in sessions
    ]
    return render(
        request,
        "exams/session_list.html",
        {"rows": rows, "can_create": can_create_session(request.user)},
    )


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
        ExamSession.objects.visible_to(request.user).select_related(
            "version__certification", "catch_up_of__version__certification"
        ),
        pk=pk,
    )
    registrations = visible_registrations(request.user, session).select_related(
        "enrolment__candidate", "enrolment__training_centre"
    )
    today = timezone.localdate()
    state = session.state(today)
    return render(
        request,
        "exams/session_detail.html",
        {
            "session": session,
            "state": state,
            "tone": STATE_TONES[state],
            "registrations": registrations,
            "show_copy_codes": can_see_copy_codes(request.user),
            "can_register": can_register(request.user) and registration_open(session.dates, today),
        },
    )


@role_required(Role.CRFP_STAFF)
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_visible_or_404(
        ExamSession.objects.visible_to(request.user).select_related("version__certification"), pk=pk
    )
    form = RegisterForm(request.POST or None, candidates=registrable(request.user, session))
    if request.method == "POST" and form.is_valid():
        try:
            done = do_register(request.user, session, form.cleaned_data["enrolments"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            count = len(done)
            messages.success(
                request,
                f"{count} candidat inscrit à la session."
                if count < 2
                else f"{count} candidats inscrits à la session.",
            )
            return redirect("exams:session_detail", pk=session.pk)
    is_open = registration_open(session.dates, timezone.localdate())
    return render(request, "exams/session_register.html", {"session": session, "form": form, "open": is_open})


def local_jury_dates(*args, **kwargs):  # type: ignore[no-untyped-def]  # PLACEHOLDER
    raise Http404("Pas encore disponible.")
