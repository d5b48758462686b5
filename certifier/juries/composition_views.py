"""The CPNEFP's lists, the local and national juries of a session, the sitting, the conflicts of interest
(D20, D51, D52): thin views, the services decide."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from certifier.core.models import DomainError
from certifier.exams.forms import NationalJuryDateForm
from certifier.exams.models import ExamSession, Registration
from certifier.exams.permissions import get_session_or_404
from certifier.exams.rules import one_month_after
from certifier.people.enums import Role
from certifier.people.models import Organisation
from certifier.people.permissions import get_visible_or_404, has_role, role_required

from .composition import (
    SEATS_PER_CONFEDERATION,
    appointing_centre_ids,
    do_add_list_member,
    do_appoint_jury,
    do_appoint_local_member,
    do_declare_conflict,
    do_remove_local_member,
    do_withdraw_list_member,
    get_jury_session_or_404,
    jury_of,
    may_keep_lists,
)
from .forms import (
    AppointmentForm,
    AttendanceForm,
    ConflictForm,
    ListMemberForm,
    LocalMemberForm,
    OpenDeliberationForm,
)
from .models import (
    College,
    Conflict,
    Jury,
    JuryListMember,
    JuryMember,
    LocalJuryMember,
    MemberRole,
)
from .permissions import may_deliberate, may_run_sitting, seat_of
from .sitting import do_open_deliberation, do_record_attendance, do_reschedule_sitting, quorum
from .views import posted_id

# the prefix of the national jury date's form, beside the appointment's on the same page
DATE_PREFIX = "date"


def _members(jury: Jury) -> list[JuryMember]:
    return list(jury.members.order_by("role", "college", "confederation", "last_name", "first_name"))


def quorum_rule(jury: Jury | None) -> str:
    """D52's quorum rule of the jury (the default when none is appointed yet), in French."""
    both = jury.quorum_both_colleges if jury else True
    majority = jury.quorum_majority if jury else True
    parts = []
    if both:
        parts.append("les deux collèges sont représentés")
    if majority:
        parts.append("la majorité absolue des membres votants est présente")
    if not parts:
        return "Ce jury délibère sans condition de quorum."
    return "Le jury délibère valablement lorsque " + " et ".join(parts) + " ; le président ne vote pas."


# the CPNEFP's lists


@role_required(Role.CPNEFP)
def jury_lists(request: HttpRequest) -> HttpResponse:
    form = ListMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = do_add_list_member(request.user, form.data_object())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{member.first_name} {member.last_name} est ajouté(e) à la liste.")
            return redirect("juries:jury_lists")
    members = list(JuryListMember.objects.order_by("college", "confederation", "last_name", "first_name"))
    confederations: dict[str, list[JuryListMember]] = {}
    for member in members:
        if member.active and member.college == College.EMPLOYEES:
            confederations.setdefault(member.confederation, []).append(member)
    sessions = (
        ExamSession.objects.filter(proclaimed_at__isnull=True)
        .select_related("version__certification", "national_jury")
        .order_by("national_jury_date")
    )
    return render(
        request,
        "juries/jury_lists.html",
        {
            "form": form,
            "confederations": sorted(confederations.items()),
            "employers": [m for m in members if m.active and m.college == College.EMPLOYERS],
            "withdrawn": [m for m in members if not m.active],
            "employees_count": sum(len(group) for group in confederations.values()),
            "seats_per_confederation": SEATS_PER_CONFEDERATION,
            "sessions": sessions,
        },
    )


@role_required(Role.CPNEFP)
@require_POST
def jury_list_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_visible_or_404(JuryListMember.objects.all(), pk=pk)
    try:
        do_withdraw_list_member(request.user, member)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{member} est retiré(e) des listes ; les jurys où il ou elle a siégé le conservent."
        )
    return redirect("juries:jury_lists")


# the national jury of a session


@role_required(Role.CPNEFP, Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def national_jury(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_jury_session_or_404(request.user, pk)
    jury = jury_of(session)
    user = request.user
    deliberations = (
        list(jury.deliberations.select_related("minutes", "amends").order_by("opened_at", "pk"))
        if jury
        else []
    )
    appoints = may_keep_lists(user) and not session.proclaimed and not deliberations
    # D58: the national administrator moves the jury's date, with its derogation, until the proclamation
    reschedules = has_role(user, Role.NATIONAL_ADMIN) and not session.proclaimed
    dating = request.method == "POST" and DATE_PREFIX + "-national_jury_date" in request.POST
    appointing = request.method == "POST" and not dating
    form = None
    if appoints:
        initial: dict[str, Any] = {}
        if jury is not None:
            seated = list(jury.members.all())
            initial = {
                "place": jury.place,
                "chair": next((m.user_id for m in seated if m.role == MemberRole.CHAIR), None),
                "employees": [m.list_member_id for m in seated if m.college == College.EMPLOYEES],
                "employers": [m.list_member_id for m in seated if m.college == College.EMPLOYERS],
                "quorum_both_colleges": jury.quorum_both_colleges,
                "quorum_majority": jury.quorum_majority,
            }
        form = AppointmentForm(request.POST if appointing else None, initial=initial)
    date_form = (
        NationalJuryDateForm(request.POST if dating else None, session=session, prefix=DATE_PREFIX)
        if reschedules
        else None
    )
    if dating:
        if date_form is None:
            raise PermissionDenied(
                "Seul l'administrateur national reporte le jury national, avant la proclamation."
            )
        if date_form.is_valid():
            try:
                changed = do_reschedule_sitting(
                    user,
                    session,
                    date_form.cleaned_data["national_jury_date"],
                    date_form.cleaned_data["derogation_reason"],
                )
            except DomainError as error:
                date_form.add_error(None, str(error))
            else:
                if not changed:
                    message = "La date du jury national et le motif de dérogation sont inchangés."
                elif session.derogation_reason:
                    message = "La date du jury national est enregistrée avec le motif de la dérogation."
                else:
                    message = "La date du jury national est enregistrée."
                messages.success(request, message)
                return redirect("juries:national_jury", pk=session.pk)
    elif appointing:
        if form is None:
            raise PermissionDenied(
                "Seule la CPNEFP désigne le jury national, avant l'ouverture de sa délibération."
            )
        if form.is_valid():
            try:
                data = form.cleaned_data
                do_appoint_jury(
                    user,
                    session,
                    data["place"],
                    data["chair"],
                    form.members(),
                    quorum_both_colleges=data["quorum_both_colleges"],
                    quorum_majority=data["quorum_majority"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "La composition du jury national est enregistrée.")
                return redirect("juries:national_jury", pk=session.pk)
    members = _members(jury) if jury else []
    seat = seat_of(user, jury) if jury else None
    current = deliberations[-1] if deliberations else None
    present = list(current.present.all()) if current else []
    return render(
        request,
        "juries/national_jury.html",
        {
            "session": session,
            "jury": jury,
            "chair": next((m for m in members if not m.votes), None),
            "voting": [m for m in members if m.votes],
            "form": form,
            "rule": quorum_rule(jury),
            "deliberations": deliberations,
            "current_quorum": quorum(jury, present) if jury and current else None,
            "deliberates": jury is not None and may_deliberate(user, jury),
            "runs_sitting": jury is not None and may_run_sitting(user, jury),
            "declares": jury is not None and (has_role(user, Role.NATIONAL_ADMIN) or seat is not None),
            "may_amend": has_role(user, Role.NATIONAL_ADMIN) and session.proclaimed,
            "is_cpnefp": may_keep_lists(user),
            "date_form": date_form,
            "deadline": one_month_after(session.dates.last_exam),
        },
    )


def _jury_or_404(session: ExamSession) -> Jury:
    jury = jury_of(session)
    if jury is None:
        raise Http404("Le jury national de cette session n'est pas encore désigné.")
    return jury


@role_required(Role.NATIONAL_ADMIN)
def sitting(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_jury_session_or_404(request.user, pk)
    jury = _jury_or_404(session)
    if not may_run_sitting(request.user, jury):
        raise PermissionDenied("Seuls le président du jury et l'administrateur national tiennent la séance.")
    deliberations = list(jury.deliberations.select_related("minutes").order_by("opened_at", "pk"))
    current = deliberations[-1] if deliberations else None
    signed = current is not None and hasattr(current, "minutes")
    members = jury.members.order_by("role", "college", "confederation", "last_name", "first_name")
    action = request.POST.get("action") if request.method == "POST" else None
    open_form = None
    if current is None and not session.proclaimed:
        open_form = OpenDeliberationForm(
            request.POST if action == "ouvrir" else None,
            initial={"held_on": session.national_jury_date, "place": jury.place},
        )
    attendance = None
    if current is not None and not signed:
        attendance = AttendanceForm(
            request.POST if action == "presences" else None,
            members=members,
            initial={"present": [member.pk for member in current.present.all()]},
        )
    if action == "ouvrir" and open_form is not None and open_form.is_valid():
        try:
            do_open_deliberation(
                request.user, jury, open_form.cleaned_data["held_on"], open_form.cleaned_data["place"]
            )
        except DomainError as error:
            open_form.add_error(None, str(error))
        else:
            messages.success(request, "La séance est ouverte : cochez les membres présents.")
            return redirect("juries:sitting", pk=session.pk)
    elif action == "presences" and attendance is not None and current is not None and attendance.is_valid():
        try:
            reached = do_record_attendance(request.user, current, attendance.cleaned_data["present"])
        except DomainError as error:
            attendance.add_error(None, str(error))
        else:
            messages.success(request, f"La feuille de présence est enregistrée. {reached.label}")
            return redirect("juries:sitting", pk=session.pk)
    elif action and open_form is None and attendance is None:
        messages.error(
            request,
            "Le procès-verbal de cette séance est signé : la feuille de présence ne change plus."
            if signed
            else "Les résultats de cette session sont proclamés : aucune séance ne s'ouvre plus ici.",
        )
        return redirect("juries:sitting", pk=session.pk)
    present = list(current.present.all()) if current else []
    return render(
        request,
        "juries/sitting.html",
        {
            "session": session,
            "jury": jury,
            "current": current,
            "signed": signed,
            "open_form": open_form,
            "attendance": attendance,
            "present": present,
            "quorum": quorum(jury, present) if current else None,
            "rule": quorum_rule(jury),
        },
    )


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_jury_session_or_404(request.user, pk)
    jury = _jury_or_404(session)
    user = request.user
    voting = jury.members.filter(role=MemberRole.MEMBER).order_by("college", "confederation", "last_name")
    if not has_role(user, Role.NATIONAL_ADMIN):
        seat = seat_of(user, jury)
        voting = voting.filter(pk=seat.pk) if seat is not None else voting.none()
    registrations = (
        Registration.objects.filter(session=session)
        .select_related("enrolment__candidate")
        .order_by("candidate_number")
    )
    form = None
    if not session.proclaimed and voting.exists():
        form = ConflictForm(request.POST or None, members=voting, registrations=registrations)
        if request.method == "GET" and len(form.fields["member"].queryset) == 1:  # type: ignore[attr-defined]
            form.initial["member"] = form.fields["member"].queryset[0].pk  # type: ignore[attr-defined]
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                "Les résultats de cette session sont proclamés : aucun conflit d'intérêts ne s'y ajoute."
                if session.proclaimed
                else "Seuls les membres votants du jury déclarent un conflit d'intérêts.",
            )
            return redirect("juries:conflicts", pk=session.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_declare_conflict(user, data["member"], data["registration"], data["reason"])
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Le conflit d'intérêts avec le candidat {data['registration'].candidate_number} est "
                    "enregistré : ce membre ne votera pas sur ce candidat.",
                )
                return redirect("juries:conflicts", pk=session.pk)
    declared = (
        Conflict.objects.filter(member__jury=jury)
        .select_related("member", "registration__enrolment__candidate", "declared_by")
        .order_by("member__last_name", "member__first_name", "registration__candidate_number")
    )
    return render(
        request,
        "juries/conflicts.html",
        {"session": session, "jury": jury, "form": form, "declared": declared},
    )


# the local jury of a CRFP (D51)


@role_required(Role.CRFP_STAFF, Role.NATIONAL_ADMIN)
def local_jury(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    user = request.user
    own = appointing_centre_ids(user)
    centres = Organisation.objects.filter(pk__in=own).order_by("name")
    members = LocalJuryMember.objects.filter(session=session).select_related("training_centre", "user")
    if not has_role(user, Role.NATIONAL_ADMIN):
        members = members.filter(training_centre_id__in=own)
    form = None
    if own and not session.proclaimed:
        form = LocalMemberForm(
            request.POST if request.method == "POST" and "retirer" not in request.POST else None,
            centres=centres,
        )
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                "Les résultats de cette session sont proclamés : le jury local ne change plus."
                if own
                else "Seul le CRFP désigne les membres de son jury local.",
            )
            return redirect("juries:local_jury", pk=session.pk)
        if "retirer" in request.POST:
            member = get_visible_or_404(
                members.filter(training_centre_id__in=own), pk=posted_id(request.POST["retirer"])
            )
            do_remove_local_member(user, member)
            messages.success(request, f"{member.first_name} {member.last_name} ne siège plus au jury local.")
            return redirect("juries:local_jury", pk=session.pk)
        if form.is_valid():
            try:
                member = do_appoint_local_member(user, session, form.data_object())
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{member.first_name} {member.last_name} siège au jury local.")
                return redirect("juries:local_jury", pk=session.pk)
    rows = list(members.order_by("training_centre__name", "last_name", "first_name"))
    return render(
        request,
        "juries/local_jury.html",
        {
            "session": session,
            "form": form,
            "rows": rows,
            "own": own,
            "is_admin": has_role(user, Role.NATIONAL_ADMIN),
        },
    )
