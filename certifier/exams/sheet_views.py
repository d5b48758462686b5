"""Excel marking sheets (D50): download, upload with a preview, confirmation. Thin: `sheets` decides."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from certifier.core.downloads import attachment
from certifier.core.excel import XLSX_CONTENT_TYPE
from certifier.core.models import DomainError
from certifier.core.text import count
from certifier.people.enums import Role
from certifier.people.permissions import role_required

from . import sheets
from .evaluations import Exam
from .forms import SheetForm
from .models import ExamSession
from .permissions import get_exam_or_404, get_session_or_404

# D29, D50: the roles that enter marks; each view then checks the evaluation's own role and rows.
MARKING_ROLES = (Role.CRFP_STAFF, Role.LOCAL_JURY, Role.MARKER)


def _scope(request: HttpRequest, pk: int, exam: str) -> tuple[ExamSession, Exam]:
    session = get_session_or_404(request.user, pk)
    found = get_exam_or_404(session, exam)
    sheets.check_access(request.user, session, found)
    return session, found


@role_required(*MARKING_ROLES)
def download(request: HttpRequest, pk: int, exam: str) -> HttpResponse:
    session, found = _scope(request, pk, exam)
    content = sheets.build_sheet(request.user, session, found)
    return attachment(content, sheets.filename(session, found), XLSX_CONTENT_TYPE)


def _upload_page(
    request: HttpRequest,
    session: ExamSession,
    found: Exam,
    form: SheetForm,
    refusal: DomainError | None = None,
) -> HttpResponse:
    return render(
        request,
        "exams/sheet_upload.html",
        {
            "session": session,
            "evaluation": found,
            "form": form,
            "refusal": refusal,
            "faults": getattr(refusal, "faults", ()),
        },
    )


@role_required(*MARKING_ROLES)
def upload(request: HttpRequest, pk: int, exam: str) -> HttpResponse:
    """GET: the form; POST: the sheet checked whole, then a preview (nothing written yet)."""
    session, found = _scope(request, pk, exam)
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _upload_page(request, session, found, form)
    try:
        reading = sheets.read_sheet(request.user, session, found, form.cleaned_data["file"].read())
    except DomainError as refusal:
        return _upload_page(request, session, found, SheetForm(), refusal)
    return render(
        request,
        "exams/sheet_preview.html",
        {
            "session": session,
            "evaluation": found,
            "reading": reading,
            "key_header": sheets.key_headers(found)[0],
            "writes": count(
                len(reading.plan.new) + len(reading.plan.changed), "note à enregistrer", "notes à enregistrer"
            ),
            "token": sheets.sign_lines(request.user, session, found, reading.lines),
        },
    )


@role_required(*MARKING_ROLES)
def confirm(request: HttpRequest, pk: int, exam: str) -> HttpResponse:
    """Records a previewed sheet all or nothing; every line is checked again."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session, found = _scope(request, pk, exam)
    try:
        lines = sheets.unsign_lines(request.user, session, found, request.POST.get("lines", ""))
        if sheets.already_recorded(request.user, session, found, lines):
            messages.info(request, "Les notes de cette feuille sont déjà enregistrées : rien n'a changé.")
            return redirect("exams:mark_grid", pk=session.pk, exam=found.name)
        plan = sheets.do_record_sheet(request.user, session, found, lines)
    except DomainError as refusal:
        return _upload_page(request, session, found, SheetForm(), refusal)
    written = len(plan.new) + len(plan.changed)
    messages.success(request, count(written, "note enregistrée", "notes enregistrées") + ".")
    return redirect("exams:mark_grid", pk=session.pk, exam=found.name)
