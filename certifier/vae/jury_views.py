"""The VAE jury's pages (D65, D66): its sessions, their members and candidates, the interviews the jury
asks for. Thin views: the services in `jury.py` decide and check who acts."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, role_required

from .jury import (
    composition_problems,
    composition_warnings,
    do_add_member,
    do_appoint_session,
    do_remove_member,
    do_request_interview,
    do_schedule,
    do_set_interview,
    has_decision,
    is_signed,
    may_appoint,
    may_request_interview,
    needs_slot,
    sessions_visible_to,
)
from .jury_forms import InterviewRequestForm, InterviewSlotForm, MemberForm, ScheduleForm, SessionForm
from .models import VaeCandidacy, VaeJurySession

JURY_ROLES = (Role.CPNEFP, Role.NATIONAL_ADMIN, Role.VAE_JURY)


@role_required(*JURY_ROLES)
def jury_sessions(request: HttpRequest) -> HttpResponse:
    sessions = sessions_visible_to(request.user).annotate(
        member_count=Count("members", distinct=True),
        candidacy_count=Count("candidacies", distinct=True),
        decided=Count("candidacies", filter=Q(candidacies__decision__isnull=False), distinct=True),
        signed=Count("minutes"),
    )
    return render(
        request,
        "vae/jury_sessions.html",
        {"sessions": sessions, "appoints": may_appoint(request.user)},
    )


@role_required(Role.CPNEFP)
def jury_session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = do_appoint_session(request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Le jury VAE est désigné : ajoutez-en les membres.")
            return redirect("vae:jury_session", pk=session.pk)
    return render(request, "vae/jury_session_form.html", {"form": form})


def _session(request: HttpRequest, pk: int) -> VaeJurySession:
    return get_visible_or_404(sessions_visible_to(request.user).prefetch_related("members__user"), pk=pk)


def _candidacy(request: HttpRequest, pk: int) -> VaeCandidacy:
    visible = VaeCandidacy.objects.filter(session__in=sessions_visible_to(request.user).values("pk"))
    return get_visible_or_404(visible.select_related("session"), pk=pk)


def _page(request: HttpRequest, session: VaeJurySession, **bound: Any) -> HttpResponse:
    """The session's page; `bound` holds the forms posted with errors (member_form, schedule_form, and
    request_forms/slot_forms keyed by candidacy)."""
    user = request.user
    signed = is_signed(session)
    decided = has_decision(session)
    appoints = may_appoint(user)
    candidacies = list(
        session.candidacies.select_related("application__candidate", "interview_requested_by", "decision")
    )
    members = list(session.members.all())
    asks = appoints or any(member.user_id == user.pk for member in members)
    rows = []
    for candidacy in candidacies:
        undecided = not signed and not hasattr(candidacy, "decision")
        request_form = slot_form = None
        if asks and undecided and candidacy.dossier_only and candidacy.interview_requested_at is None:
            request_form = bound.get("request_forms", {}).get(candidacy.pk) or InterviewRequestForm(
                prefix=f"demande-{candidacy.pk}"
            )
        if undecided and appoints and needs_slot(candidacy):
            slot_form = bound.get("slot_forms", {}).get(candidacy.pk) or InterviewSlotForm(
                session=session, prefix=f"entretien-{candidacy.pk}"
            )
        rows.append({"candidacy": candidacy, "request_form": request_form, "slot_form": slot_form})
    composable = appoints and not signed and not decided
    return render(
        request,
        "vae/jury_session.html",
        {
            "session": session,
            "members": members,
            "problems": composition_problems(session),
            "warnings": composition_warnings(session),
            "rows": rows,
            "signed": signed,
            "decided": decided,
            "composable": composable,
            "member_form": (bound.get("member_form") or MemberForm(prefix="membre")) if composable else None,
            "schedule_form": (
                (bound.get("schedule_form") or ScheduleForm(session=session, prefix="inscription"))
                if appoints and not signed
                else None
            ),
        },
    )


@role_required(*JURY_ROLES)
def jury_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _session(request, pk))


@role_required(Role.CPNEFP)
@require_POST
def jury_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = MemberForm(request.POST, prefix="membre")
    if form.is_valid():
        try:
            member = do_add_member(request.user, session, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{member.first_name} {member.last_name} siège au jury VAE.")
            return redirect("vae:jury_session", pk=session.pk)
    return _page(request, session, member_form=form)


@role_required(Role.CPNEFP)
@require_POST
def jury_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    session = _session(request, pk)
    member = get_visible_or_404(session.members.all(), pk=member_pk)
    try:
        do_remove_member(request.user, member)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{member.first_name} {member.last_name} ne siège plus à ce jury VAE.")
    return redirect("vae:jury_session", pk=session.pk)


@role_required(Role.CPNEFP)
@require_POST
def jury_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = ScheduleForm(request.POST, session=session, prefix="inscription")
    if form.is_valid():
        try:
            candidacy = do_schedule(
                request.user, session, form.cleaned_data["application"], interview_at=form.interview_at
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            name = candidacy.application.candidate.display_name
            messages.success(
                request,
                f"{name} est inscrit(e) devant le jury VAE"
                + (" : décision sur dossier." if candidacy.dossier_only else "."),
            )
            return redirect("vae:jury_session", pk=session.pk)
    return _page(request, session, schedule_form=form)


@role_required(Role.CPNEFP, Role.VAE_JURY)
@require_POST
def jury_interview_request(request: HttpRequest, pk: int) -> HttpResponse:
    candidacy = _candidacy(request, pk)
    if not may_request_interview(request.user, candidacy):
        raise PermissionDenied("Seuls les membres de ce jury VAE et la CPNEFP demandent un entretien.")
    form = InterviewRequestForm(request.POST, prefix=f"demande-{candidacy.pk}")
    if form.is_valid():
        try:
            do_request_interview(request.user, candidacy, form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La demande d'entretien est enregistrée : la CPNEFP en fixe l'horaire.")
            return redirect("vae:jury_session", pk=candidacy.session_id)
    session = _session(request, candidacy.session_id)
    return _page(request, session, request_forms={candidacy.pk: form})


@role_required(Role.CPNEFP)
@require_POST
def jury_interview_set(request: HttpRequest, pk: int) -> HttpResponse:
    candidacy = _candidacy(request, pk)
    form = InterviewSlotForm(request.POST, session=candidacy.session, prefix=f"entretien-{candidacy.pk}")
    if form.is_valid() and form.interview_at is not None:
        try:
            do_set_interview(request.user, candidacy, form.interview_at)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"L'entretien est fixé à {form.cleaned_data['interview_time']:%H:%M}.")
            return redirect("vae:jury_session", pk=candidacy.session_id)
    session = _session(request, candidacy.session_id)
    return _page(request, session, slot_forms={candidacy.pk: form})


routes: list[URLPattern] = [
    path("vae/jurys/", jury_sessions, name="jury_sessions"),
    path("vae/jurys/nouveau/", jury_session_create, name="jury_session_create"),
    path("vae/jurys/<int:pk>/", jury_session, name="jury_session"),
    path("vae/jurys/<int:pk>/membres/", jury_member_add, name="jury_member_add"),
    path(
        "vae/jurys/<int:pk>/membres/<int:member_pk>/retrait/", jury_member_remove, name="jury_member_remove"
    ),
    path("vae/jurys/<int:pk>/candidats/", jury_schedule, name="jury_schedule"),
    path(
        "jurys/candidatures/<int:pk>/demande-entretien/",
        jury_interview_request,
        name="jury_interview_request",
    ),
    path("vae/jurys/candidatures/<int:pk>/entretien/", jury_interview_set, name="jury_interview_set"),
]
