"""The national administrator's pages for the written exam's markers and the levée d'anonymat (D48)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, role_required

from .forms import MarkerForm
from .markers import do_appoint_marker, do_lift_anonymity, do_remove_marker, lift_refusal, written_progress
from .models import ExamMarker, Registration
from .permissions import get_session_or_404


@role_required(Role.NATIONAL_ADMIN)
def markers(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    form = MarkerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            marker = do_appoint_marker(request.user, session, form.cleaned_data["email"])
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"{marker.user.email} est désigné correcteur de l'épreuve écrite.")
            return redirect("exams:markers", pk=session.pk)
    appointed = ExamMarker.objects.filter(session=session).select_related("user", "appointed_by")
    return render(
        request,
        "exams/markers.html",
        {"session": session, "form": form, "markers": appointed.order_by("appointed_at", "pk")},
    )


@role_required(Role.NATIONAL_ADMIN)
@require_POST
def remove_marker(request: HttpRequest, pk: int, marker_pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    marker = get_visible_or_404(
        ExamMarker.objects.filter(session=session).select_related("user"), pk=marker_pk
    )
    do_remove_marker(request.user, marker)
    messages.success(request, f"{marker.user.email} ne corrige plus l'épreuve écrite de cette session.")
    return redirect("exams:markers", pk=session.pk)


@role_required(Role.NATIONAL_ADMIN)
def lift_anonymity(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    if request.method == "POST":
        try:
            do_lift_anonymity(request.user, session)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "L'anonymat de l'épreuve écrite est levé.")
        return redirect("exams:lift_anonymity", pk=session.pk)
    progress = written_progress(session)
    lifted = session.anonymity_lifted_at is not None
    registrations = (
        Registration.objects.filter(session=session)
        .select_related("enrolment__candidate")
        .order_by("copy_code")
        if lifted
        else Registration.objects.none()
    )
    return render(
        request,
        "exams/lift_anonymity.html",
        {
            "session": session,
            "progress": progress,
            "refusal": None if lifted else lift_refusal(session, progress),
            "lifted": lifted,
            "lifted_by": session.anonymity_lifted_by if lifted else None,
            "registrations": registrations,
        },
    )
