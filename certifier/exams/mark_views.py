"""The online marks grid (D27, D49, D50): one evaluation of one session, a row per copy the user marks.

Each row carries the mark as shown and its version: only rows whose text changed are sent to the
service, which refuses a stale save (someone else changed the mark since the grid was shown). A refused
grid comes back with what was typed and each faulty row named; the marks are then those of now, so the
user sees what changed under them before saving again.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, Upper
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from certifier.core.models import DomainError, NotAllowed
from certifier.core.text import count
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, has_role, role_required

from .evaluations import Exam
from .marks import (
    LEGEND,
    Entry,
    MarksRefused,
    cell_text,
    do_lock_marks,
    do_record_marks,
    do_unlock_marks,
    history,
)
from .models import ExamSession, Mark, MarkStatus, Registration
from .permissions import get_exam_or_404, get_session_or_404, markable

# Who reaches a grid: whoever D50 makes responsible for one of the evaluations, and the national
# administrator, who reads every grid.
MARK_ROLES = (Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.LOCAL_JURY, Role.MARKER)
# Each row posts three fields; Django refuses more than 1,000 fields in one request.
PAGE_SIZE = 250
ID = re.compile(r"[0-9]{1,18}")
NOT_FOUND = "Cette page n'existe pas ou ne vous est pas accessible."


@dataclass
class Row:
    registration: Registration
    # names the row's fields: the copy code for the anonymous written exam (D48: no registration id,
    # whose order would hint at the CRFP or the name), the registration's id otherwise
    key: str
    label: str  # the copy code for the anonymous written exam, the candidate's name otherwise
    mark: Mark | None
    text: str  # what the input holds: the mark as shown, or what the user typed
    shown: str  # the mark when the grid was built
    version: int  # the mark's version when the grid was built, 0 when there was none
    fault: str = ""


def _ensure_reader(user: object, found: Exam) -> bool:
    """Whether the user enters this evaluation's marks (True) or only reads them (False); 403 otherwise."""
    if has_role(user, found.responsible):
        return True
    if has_role(user, Role.NATIONAL_ADMIN):
        return False
    raise NotAllowed(f"Cette épreuve est notée par le rôle « {found.responsible.label} ».")


def _registrations(user: object, session: ExamSession, found: Exam, editable: bool) -> QuerySet[Registration]:
    """The grid's registrations in its order: by copy code for the anonymous written exam (whose rows
    never load a candidate), by name otherwise."""
    registrations = (
        markable(user, session, found) if editable else Registration.objects.filter(session=session)
    )
    marks = Prefetch(
        "marks",
        queryset=Mark.objects.filter(exam=found.name).select_related("entered_by"),
        to_attr="grid_marks",
    )
    registrations = registrations.prefetch_related(marks)
    if found.anonymous:
        return registrations.order_by("copy_code")
    surname = Coalesce(
        NullIf(F("enrolment__candidate__usage_name"), Value("")), "enrolment__candidate__birth_name"
    )
    return registrations.select_related("enrolment__candidate").order_by(
        Upper(surname), Upper("enrolment__candidate__first_name"), "candidate_number"
    )


def _rows(registrations: Iterable[Registration], found: Exam) -> list[Row]:
    rows = []
    for registration in registrations:
        mark = next(iter(registration.grid_marks), None)  # type: ignore[attr-defined]
        text = cell_text(mark.status, mark.value) if mark else ""
        label = (
            f"copie {registration.copy_code}"
            if found.anonymous
            else registration.enrolment.candidate.display_name
        )
        key = registration.copy_code if found.anonymous else str(registration.pk)
        rows.append(Row(registration, key, label, mark, text, text, mark.version if mark else 0))
    return rows


def _version(text: str | None) -> int:
    try:
        return max(int(text or 0), 0)
    except ValueError:
        return 0  # a stale mark is then refused by the service rather than overwritten


def _typed(post: QueryDict, user: object, session: ExamSession, found: Exam) -> dict[int, Entry]:
    """The rows whose text differs from the mark shown, by registration id: the only ones sent to
    the service. A key naming no row the user marks is refused, as a foreign registration would be."""
    typed = {}
    for name in post:
        key = name.removeprefix("mark-")
        if key == name:
            continue
        text = post.get(name) or ""
        if text.strip() != (post.get(f"shown-{key}") or "").strip():
            typed[key] = (text, _version(post.get(f"version-{key}")))
    if found.anonymous:
        ids = dict(markable(user, session, found).filter(copy_code__in=typed).values_list("copy_code", "pk"))
    else:
        ids = {key: int(key) for key in typed if ID.fullmatch(key)}
    if len(ids) < len(typed):
        raise NotAllowed("Vous ne pouvez saisir que les notes des copies qui vous sont confiées.")
    return {ids[key]: Entry(ids[key], text, version) for key, (text, version) in typed.items()}


def _refused_rows(rows: list[Row], typed: dict[int, Entry], faults: dict[int, str]) -> None:
    """The grid after a refusal: the marks of now, what the user typed kept in its row, each fault
    beside its row; a row whose mark changed under a typed value says so even if nothing else did."""
    for row in rows:
        entry = typed.get(row.registration.pk)
        if entry is None:
            continue
        row.text = entry.text
        row.fault = faults.get(row.registration.pk, "")
        if not row.fault and entry.seen_version != row.version:
            row.fault = (
                f"cette note a été saisie ou modifiée par une autre personne (elle vaut maintenant "
                f"{row.shown or 'rien'}) : vérifiez votre saisie avant d'enregistrer à nouveau"
            )


@role_required(*MARK_ROLES)
def grid(request: HttpRequest, pk: int, exam: str) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    found = get_exam_or_404(session, exam)
    editable = _ensure_reader(request.user, found)
    if request.method == "POST" and not editable:
        raise NotAllowed("L'administrateur national consulte les notes ; il ne les saisit pas.")
    error = ""
    typed: dict[int, Entry] = {}
    faults: dict[int, str] = {}
    if request.method == "POST":
        typed = _typed(request.POST, request.user, session, found)
        if not typed:
            messages.info(request, "Aucune note n'a changé : rien n'a été enregistré.")
            return redirect(request.get_full_path())
        try:
            plan = do_record_marks(request.user, session, found.name, list(typed.values()))
        except MarksRefused as refused:
            faults = refused.faults
            error = f"Aucune note n'a été enregistrée : {count(len(faults), 'ligne', 'lignes')} à corriger."
        except DomainError as refused:
            error = str(refused)
        else:
            written = len(plan.new) + len(plan.changed)
            messages.success(request, count(written, "note enregistrée", "notes enregistrées") + ".")
            return redirect(request.get_full_path())
    page: Page[Registration] = Paginator(
        _registrations(request.user, session, found, editable), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = _rows(page.object_list, found)
    if error:
        _refused_rows(rows, typed, faults)
    faulty = [row for row in rows if row.fault]
    return render(
        request,
        "exams/mark_grid.html",
        {
            "session": session,
            "evaluation": found,
            "editable": editable,
            "rows": rows,
            "page": page,
            "error": error,
            "faulty": faulty,
            "legend": LEGEND,
            "threshold": _threshold(found),
            "can_lock": editable and _unlocked(request.user, session, found),
            "can_unlock": not editable
            and not (found.anonymous and session.anonymity_lifted_at)
            and Mark.objects.filter(
                registration__session=session, exam=found.name, locked_at__isnull=False
            ).exists(),
            # every mark of the page locked: nothing left to type
            "typable": editable and any(row.mark is None or row.mark.locked_at is None for row in rows),
        },
    )


def _threshold(found: Exam) -> str:
    limit = found.eliminatory_max
    return (
        f"éliminatoire si ≤ {cell_text(MarkStatus.MARKED, limit)}"
        if limit is not None
        else "aucune note éliminatoire"
    )


def _unlocked(user: object, session: ExamSession, found: Exam) -> bool:
    """Whether some mark the user entered for this evaluation, on any page of the grid, is not locked."""
    return Mark.objects.filter(
        registration__in=markable(user, session, found), exam=found.name, locked_at__isnull=True
    ).exists()


@role_required(*MARK_ROLES)
@require_POST
def lock(request: HttpRequest, pk: int, exam: str) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    found = get_exam_or_404(session, exam)
    if not _ensure_reader(request.user, found):
        raise NotAllowed("L'administrateur national consulte les notes ; il ne les verrouille pas.")
    if request.POST.get("confirmation") != "oui":
        messages.error(
            request, "Cochez la case de confirmation pour verrouiller les notes : rien n'a été verrouillé."
        )
        return redirect(reverse("exams:mark_grid", args=[session.pk, found.name]))
    try:
        locked = do_lock_marks(request.user, session, found.name)
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, count(locked, "note verrouillée", "notes verrouillées") + ".")
    return redirect(reverse("exams:mark_grid", args=[session.pk, found.name]))


@role_required(Role.NATIONAL_ADMIN)
@require_POST
def unlock(request: HttpRequest, pk: int, exam: str) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    found = get_exam_or_404(session, exam)
    try:
        unlocked = do_unlock_marks(request.user, session, found.name, request.POST.get("motif", ""))
    except DomainError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, count(unlocked, "note déverrouillée", "notes déverrouillées") + ".")
    return redirect(reverse("exams:mark_grid", args=[session.pk, found.name]))


@role_required(*MARK_ROLES)
def mark_history(request: HttpRequest, mark_pk: int) -> HttpResponse:
    """Every change of one mark, for those who see its grid; a written mark names its copy only."""
    mark = get_visible_or_404(
        Mark.objects.filter(
            registration__session__in=ExamSession.objects.visible_to(request.user)
        ).select_related("registration__session__version__certification"),
        pk=mark_pk,
    )
    session = mark.registration.session
    found = get_exam_or_404(session, mark.exam)
    sees = has_role(request.user, Role.NATIONAL_ADMIN) or (
        has_role(request.user, found.responsible)
        and markable(request.user, session, found).filter(pk=mark.registration_id).exists()
    )
    if not sees:
        raise Http404(NOT_FOUND)
    candidate = None if found.anonymous else mark.registration.enrolment.candidate
    events = [
        (event, (event.before or {}).get("mark", ""), (event.after or {}).get("mark", ""))
        for event in history(mark)
    ]
    return render(
        request,
        "exams/mark_history.html",
        {
            "mark": mark,
            "session": session,
            "evaluation": found,
            "registration": mark.registration,
            "candidate": candidate,
            "current": cell_text(mark.status, mark.value),
            "events": events,
        },
    )
