from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from certifier.core import jobs, lists
from certifier.core.downloads import attachment
from certifier.core.enums import JobKind
from certifier.core.excel import XLSX_CONTENT_TYPE
from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, has_role, login_required, public, role_required
from certifier.referential.models import Certification

from . import listing
from .documents import funding_request_pdf, funding_request_xlsx
from .forms import (
    AssessorAssignmentForm,
    AttendanceForm,
    EnrolmentFilterForm,
    EnrolmentForm,
    FundingRequestForm,
    ImportForm,
    TrainingSessionForm,
)
from .importers import ACCESS_ROUTE_LABELS, HEADERS, template_workbook
from .jobs import start_candidate_import
from .models import Enrolment, FundingRequest, Module, TrainingPath, TrainingSession
from .permissions import (
    can_edit_enrolment,
    can_handle_funding,
    can_see_identity,
    enrolment_centre_ids,
    require_edit,
    require_funding,
)
from .services import (
    EnrolmentRefused,
    do_assign_assessor,
    do_create_training_session,
    do_draw_up_funding_request,
    do_enrol,
    do_record_attendance,
    do_update_enrolment,
)

PAGE_SIZE = 100
ENROLLING = (Role.NATIONAL_ADMIN, Role.CRFP_STAFF)
FUNDING = (Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.EMPLOYER_HR)


def _enrolments(request: HttpRequest) -> QuerySet[Enrolment]:
    return Enrolment.objects.visible_to(request.user).select_related(
        "candidate__employer",
        "candidate__user",
        "version__certification",
        "option",
        "training_centre",
        "tutor",
        "manager",
    )


def _editable_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    """404 when invisible, 403 when the user sees the enrolment but may not change it."""
    enrolment = get_visible_or_404(_enrolments(request), pk=pk)
    require_edit(request.user, enrolment)
    return enrolment


def _funded_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    enrolment = get_visible_or_404(_enrolments(request), pk=pk)
    require_funding(request.user, enrolment)
    return enrolment


@login_required
def enrolment_list(request: HttpRequest) -> HttpResponse:
    centre_ids = enrolment_centre_ids(request.user)
    filters = EnrolmentFilterForm(
        request.GET,
        centre_ids=centre_ids if has_role(request.user, Role.NATIONAL_ADMIN, Role.CRFP_STAFF) else set(),
    )
    enrolments = filters.apply(Enrolment.objects.visible_to(request.user))
    waiting_only = request.GET.get("suivi") == listing.WITHOUT_ASSESSOR
    if waiting_only:
        enrolments = listing.without_assessor(enrolments)
    sort = lists.sort_key(request.GET.get("tri"), listing.ENROLMENT_SORTS, "-entree")
    enrolments = lists.ordered(listing.with_progress(enrolments, request.user), sort, listing.ENROLMENT_SORTS)
    show_logbook = listing.shows_logbook(request.user)
    if extension := lists.export_asked(request):
        headers, rows = listing.export_table(enrolments, show_logbook)
        return lists.export("Inscriptions", headers, rows, extension)
    page = _page(enrolments, request.GET.get("page"), request.user)
    can_enrol = has_role(request.user, *ENROLLING)
    return render(
        request,
        "pathways/enrolment_list.html",
        {
            "page": page,
            "filters": filters,
            "query": lists.page_query(request),
            "sort": sort,
            "waiting_only": waiting_only,
            "show_logbook": show_logbook,
            "can_enrol": can_enrol,
            "import_form": ImportForm() if can_enrol else None,
            "columns": HEADERS,
            "access_routes": list(ACCESS_ROUTE_LABELS),
        },
    )


def _page(enrolments: QuerySet[Enrolment], number: str | None, user: Any) -> Page[Enrolment]:
    """Page through the ids first, then load the hundred rows of the page with what they show:
    a late page does not sort thousands of fully joined rows."""
    ids: Page[Any] = Paginator(enrolments.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    rows = listing.with_progress(
        Enrolment.objects.select_related(
            "candidate__employer", "version__certification", "option", "training_centre"
        ),
        user,
    ).in_bulk(list(ids))
    return Page([rows[pk] for pk in ids], ids.number, ids.paginator)


@login_required
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_visible_or_404(_enrolments(request), pk=pk)
    attended = {
        attendance.module_id: attendance.session
        for attendance in enrolment.attendances.select_related("session__training_centre")
    }
    paths = TrainingPath.objects.for_enrolment(enrolment).prefetch_related("modules")
    return render(
        request,
        "pathways/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "candidate": enrolment.candidate,
            "paths": [
                (path, [(module, attended.get(module.pk)) for module in path.modules.all()]) for path in paths
            ],
            "pass_followed": enrolment.has_followed_pass(),
            "can_edit": can_edit_enrolment(request.user, enrolment),
            "can_fund": can_handle_funding(request.user, enrolment),
            "can_see_identity": can_see_identity(request.user, enrolment),
            "assignments": enrolment.assessor_assignments.select_related("assessor", "block"),
        },
    )


@role_required(*ENROLLING)
def assessor_assign(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _editable_enrolment(request, pk)
    form = AssessorAssignmentForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            do_assign_assessor(
                request.user, enrolment, form.cleaned_data["assessor"], form.cleaned_data["block"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "L'évaluateur a été affecté au candidat.")
            return redirect("pathways:enrolment_detail", pk=enrolment.pk)
    return render(request, "pathways/assessor_form.html", {"form": form, "enrolment": enrolment})


@role_required(*ENROLLING)
def enrolment_create(request: HttpRequest) -> HttpResponse:
    form = EnrolmentForm(request.POST or None, centre_ids=enrolment_centre_ids(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            enrolment, invited = do_enrol(request.user, form.enrolment_data())
        except EnrolmentRefused as refusal:
            _add_errors(form, refusal)
        else:
            messages.success(request, f"Inscription de {enrolment.candidate.display_name} enregistrée.")
            _invited_message(request, invited)
            return redirect("pathways:enrolment_detail", pk=enrolment.pk)
    return render(request, "pathways/enrolment_form.html", {"form": form, "enrolment": None})


@role_required(*ENROLLING)
def enrolment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _editable_enrolment(request, pk)
    form = EnrolmentForm(
        request.POST or None,
        initial=EnrolmentForm.initial_for(enrolment),
        centre_ids=enrolment_centre_ids(request.user),
        enrolment=enrolment,
    )
    if request.method == "POST" and form.is_valid():
        try:
            invited = do_update_enrolment(request.user, enrolment, form.enrolment_data())
        except EnrolmentRefused as refusal:
            _add_errors(form, refusal)
        else:
            messages.success(request, "L'inscription a été mise à jour.")
            _invited_message(request, invited)
            return redirect("pathways:enrolment_detail", pk=enrolment.pk)
    return render(request, "pathways/enrolment_form.html", {"form": form, "enrolment": enrolment})


def _add_errors(form: EnrolmentForm, refusal: EnrolmentRefused) -> None:
    for name, message in refusal.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _invited_message(request: HttpRequest, invited: list[str]) -> None:
    if invited:
        messages.info(
            request,
            "Invitation à choisir un mot de passe envoyée par courriel à : " + ", ".join(invited) + ".",
        )


@role_required(*ENROLLING)
def enrolment_import(request: HttpRequest) -> HttpResponse:
    """Store the file and hand it to the worker; the job page shows the progress and the outcome."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # one import waiting or running per user: nobody fills the worker's queue for everyone else
        if jobs.busy(JobKind.CANDIDATE_IMPORT, started_by=request.user):
            form.add_error("file", jobs.BUSY[JobKind.CANDIDATE_IMPORT])
        else:
            job = start_candidate_import(request.user, form.cleaned_data["file"])
            return redirect("people:job_detail", pk=job.pk)
    return render(
        request,
        "pathways/enrolment_import.html",
        {
            "import_form": form,
            "columns": HEADERS,
            "access_routes": list(ACCESS_ROUTE_LABELS),
        },
    )


@role_required(*ENROLLING)
def enrolment_template(request: HttpRequest) -> HttpResponse:
    return attachment(template_workbook(), "modele-import-candidats.xlsx", XLSX_CONTENT_TYPE)


@role_required(*ENROLLING)
def attendance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _editable_enrolment(request, pk)
    modules = list(
        Module.objects.filter(path__in=TrainingPath.objects.for_enrolment(enrolment)).select_related("path")
    )
    attended = dict(enrolment.attendances.values_list("module_id", "session_id"))
    form = AttendanceForm(request.POST or None, enrolment=enrolment, modules=modules, attended=attended)
    if request.method == "POST" and form.is_valid():
        try:
            changed = do_record_attendance(request.user, enrolment, form.sessions_by_module())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Présences enregistrées ({changed} module{'s' if changed > 1 else ''} modifié{'s' if changed > 1 else ''}).",
            )
            return redirect("pathways:enrolment_detail", pk=enrolment.pk)
    return render(request, "pathways/attendance_form.html", {"form": form, "enrolment": enrolment})


@role_required(*FUNDING)
def funding_request(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _funded_enrolment(request, pk)
    existing = FundingRequest.objects.filter(enrolment=enrolment).select_related("convention_centre").first()
    form = FundingRequestForm(
        request.POST if request.method == "POST" else None,  # an unticked box posts nothing
        initial={"pass_already_funded": existing.pass_already_funded if existing else False},
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_draw_up_funding_request(request.user, enrolment, form.cleaned_data["pass_already_funded"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La demande de prise en charge a été établie.")
            return redirect("pathways:funding_request", pk=enrolment.pk)
    invoices = existing.invoices() if existing else []
    return render(
        request,
        "pathways/funding_request.html",
        {
            "enrolment": enrolment,
            "funding": existing,
            "invoices": invoices,
            "total": sum((invoice.total for invoice in invoices), start=Decimal(0)),
            "form": form,
        },
    )


@role_required(*FUNDING)
def funding_request_document(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    enrolment = _funded_enrolment(request, pk)
    funding = get_visible_or_404(
        FundingRequest.objects.select_related("convention_centre"), enrolment=enrolment
    )
    funding.enrolment = enrolment
    filename = f"prise-en-charge-{enrolment.candidate.employee_number}.{extension}"
    if extension == "pdf":
        return attachment(funding_request_pdf(funding), filename, "application/pdf")
    return attachment(funding_request_xlsx(funding), filename, XLSX_CONTENT_TYPE)


@role_required(*ENROLLING)
def session_list(request: HttpRequest) -> HttpResponse:
    sort = lists.sort_key(request.GET.get("tri"), listing.SESSION_SORTS, "-debut")
    sessions = lists.ordered(
        TrainingSession.objects.select_related("path", "training_centre"), sort, listing.SESSION_SORTS
    )
    today = timezone.localdate()
    if extension := lists.export_asked(request):
        return lists.export(
            "Sessions", listing.SESSION_HEADERS, listing.session_rows(sessions, today), extension
        )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    states = [(session, listing.session_state(session, today)) for session in page]
    return render(
        request,
        "pathways/session_list.html",
        {"page": page, "rows": states, "sort": sort, "query": lists.page_query(request)},
    )


@role_required(*ENROLLING)
def session_create(request: HttpRequest) -> HttpResponse:
    form = TrainingSessionForm(request.POST or None, centre_ids=enrolment_centre_ids(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_create_training_session(
                request.user, data["path"], data["training_centre"], data["start_date"], data["end_date"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La session de formation a été programmée.")
            return redirect("pathways:session_list")
    return render(request, "pathways/session_form.html", {"form": form})


@public
def training_paths(request: HttpRequest) -> HttpResponse:
    certifications = (
        Certification.objects.filter(training_paths__isnull=False)
        .distinct()
        .prefetch_related(
            Prefetch("training_paths", queryset=TrainingPath.objects.prefetch_related("modules"))
        )
    )
    return render(request, "pathways/training_paths.html", {"certifications": certifications})
