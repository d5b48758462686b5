"""The VAE applications' pages (issue 11 §1, §2): the list, a new application, the application's hub page
with its livret 1 and the admissibility decision. Thin views: the services decide."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from certifier.core.models import DomainError
from certifier.people.enums import VAE_ROLES, Role
from certifier.people.models import Organisation
from certifier.people.permissions import (
    get_visible_or_404,
    has_role,
    login_required,
    organisation_ids,
    role_required,
)

from .application_forms import (
    AdmissibilityForm,
    ApplicationForm,
    DetailsForm,
    IdentityForm,
    PeriodForm,
    StatusFilterForm,
)
from .applications import (
    do_add_period,
    do_change_period,
    do_create_application,
    do_create_application_for,
    do_decide_admissibility,
    do_file_application,
    do_remove_period,
    do_update_application,
    eligibility_of,
)
from .enums import ApplicationStatus
from .models import ExperiencePeriod, VaeApplication, VaeApplicationQuerySet
from .permissions import (
    may_decide_admissibility,
    may_edit_application,
    may_file_for_others,
    may_read_argument,
)

PAGE_SIZE = 50


def _visible(request: HttpRequest) -> VaeApplicationQuerySet:
    return VaeApplication.objects.visible_to(request.user)


def _application(request: HttpRequest, pk: int) -> VaeApplication:
    return get_visible_or_404(
        _visible(request).select_related(
            "candidate", "version__certification", "training_centre", "funder", "accompanier"
        ),
        pk=pk,
    )


def _period(request: HttpRequest, pk: int) -> ExperiencePeriod:
    return get_visible_or_404(
        ExperiencePeriod.objects.filter(application__in=_visible(request).values("pk")).select_related(
            "application__candidate"
        ),
        pk=pk,
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """The applications the user may read: by their role, or those they accompany (D34, any account)."""
    user: Any = request.user
    if not has_role(user, *VAE_ROLES) and not user.vae_accompanied.exists():
        raise PermissionDenied("Aucune demande de VAE ne vous est accessible.")
    applications = _visible(request).select_related("candidate", "training_centre", "version__certification")
    filters = StatusFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    if status:
        applications = applications.filter(status=status)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "vae/application_list.html",
        {
            "page": page,
            "filters": filters,
            "query": f"status={status}" if status else "",
            "may_filter": has_role(request.user, Role.NATIONAL_ADMIN, Role.CPNEFP, Role.CRFP_STAFF),
            # D33: a candidate who has this year's application already is not offered another one
            "may_create": may_file_for_others(request.user)
            or (
                hasattr(request.user, "candidate")
                and not VaeApplication.objects.filter(
                    candidate=request.user.candidate, year=timezone.localdate().year
                ).exists()
            ),
        },
    )


def _centres(user: Any, for_others: bool) -> QuerySet[Organisation] | None:
    """The CRFPs offered: the staff's own when they file for someone, every CRFP otherwise."""
    if not for_others or has_role(user, Role.NATIONAL_ADMIN):
        return None
    return Organisation.objects.filter(pk__in=organisation_ids(user, Role.CRFP_STAFF))


@role_required(Role.CANDIDATE, Role.CRFP_STAFF, Role.NATIONAL_ADMIN)
def application_create(request: HttpRequest) -> HttpResponse:
    """The candidate files for themself; the CRFP and the national administrator for a person they name."""
    user = request.user
    for_others = may_file_for_others(user)
    candidate = None if for_others else getattr(user, "candidate", None)
    if not for_others and candidate is None:
        raise PermissionDenied(
            "Votre compte n'est pas encore rattaché à une fiche de candidat : adressez-vous à votre CRFP."
        )
    post = request.POST if request.method == "POST" else None
    form = ApplicationForm(post, centres=_centres(user, for_others), prefix="demande")
    identity = IdentityForm(post, prefix="candidat") if for_others else None
    if post is not None and form.is_valid() and (identity is None or identity.is_valid()):
        data = form.new_application_data()
        try:
            if identity is not None:
                application, invited = do_create_application_for(user, identity.identity(), data)
            else:
                assert candidate is not None
                application = do_create_application(
                    user,
                    candidate=candidate,
                    version=data.version,
                    training_centre=data.training_centre,
                    funder=data.funder,
                    vae_leave=data.vae_leave,
                    prior_certification=data.prior_certification,
                    prior_certification_date=data.prior_certification_date,
                )
                invited = []
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La demande de VAE est créée : déclarez les périodes d'expérience.")
            if invited:
                messages.info(
                    request, f"Invitation à choisir un mot de passe envoyée à {', '.join(invited)}."
                )
            return redirect("vae:application_detail", application.pk)
    return render(
        request,
        "vae/application_create.html",
        {"form": form, "identity": identity, "for_others": for_others},
    )


def _detail(request: HttpRequest, application: VaeApplication, **forms: Any) -> HttpResponse:
    periods = list(application.periods.all())
    editable = application.status == ApplicationStatus.DRAFT and may_edit_application(
        request.user, application
    )
    decides = application.status == ApplicationStatus.FILED and may_decide_admissibility(request.user)
    context = {
        "application": application,
        "user": request.user,
        "periods": periods,
        "eligibility": eligibility_of(application),
        "editable": editable,
        "period_form": forms.get("period_form") or (PeriodForm(prefix="periode") if editable else None),
        "admissibility_form": forms.get("admissibility_form") or (AdmissibilityForm() if decides else None),
        "today": timezone.localdate(),
        "reads_argument": application.status == ApplicationStatus.DECIDED
        and may_read_argument(request.user, application),
    }
    status = 400 if forms else 200
    return render(request, "vae/application_detail.html", context, status=status)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _application(request, pk))


@login_required
def application_update(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not may_edit_application(request.user, application):
        raise PermissionDenied(
            "Seuls le candidat, le CRFP qui suit la demande et l'administrateur national la modifient."
        )
    form = DetailsForm.for_application(application, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_application(
                request.user,
                application,
                form.application_data(application.version, application.training_centre),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La demande est modifiée.")
            return redirect("vae:application_detail", application.pk)
    return render(request, "vae/application_update.html", {"application": application, "form": form})


@login_required
@require_POST
def period_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = PeriodForm(request.POST, prefix="periode")
    if form.is_valid():
        try:
            do_add_period(request.user, application, **form.period_values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La période d'expérience est ajoutée.")
            return redirect("vae:application_detail", application.pk)
    return _detail(request, application, period_form=form)


@login_required
def period_change(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    application = period.application
    if not may_edit_application(request.user, application):
        raise PermissionDenied(
            "Seuls le candidat, le CRFP qui suit la demande et l'administrateur national la modifient."
        )
    initial = {name: getattr(period, name) for name in PeriodForm.base_fields}
    form = PeriodForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_period(request.user, period, **form.period_values())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La période d'expérience est modifiée.")
            return redirect("vae:application_detail", application.pk)
    return render(
        request, "vae/application_period.html", {"application": application, "period": period, "form": form}
    )


@login_required
@require_POST
def period_remove(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    application = period.application
    try:
        do_remove_period(request.user, period)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "La période d'expérience est retirée.")
    return redirect("vae:application_detail", application.pk)


@login_required
@require_POST
def application_file(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    try:
        do_file_application(request.user, application)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "La demande est déposée : l'administrateur national va décider de sa recevabilité."
        )
    return redirect("vae:application_detail", application.pk)


@role_required(Role.NATIONAL_ADMIN)
@require_POST
def admissibility(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = AdmissibilityForm(request.POST)
    if form.is_valid():
        try:
            do_decide_admissibility(
                request.user,
                application,
                admissible=form.cleaned_data["admissible"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Décision enregistrée : {application.get_status_display()}. Le candidat en est informé par courriel.",
            )
            return redirect("vae:application_detail", application.pk)
    return _detail(request, application, admissibility_form=form)


routes = [
    path("vae/", application_list, name="application_list"),
    path("vae/nouvelle/", application_create, name="application_create"),
    path("vae/<int:pk>/", application_detail, name="application_detail"),
    path("vae/<int:pk>/modifier/", application_update, name="application_update"),
    path("vae/<int:pk>/deposer/", application_file, name="application_file"),
    path("vae/<int:pk>/recevabilite/", admissibility, name="admissibility"),
    path("vae/<int:pk>/periodes/", period_add, name="period_add"),
    path("vae/periodes/<int:pk>/", period_change, name="period_change"),
    path("vae/periodes/<int:pk>/retirer/", period_remove, name="period_remove"),
]
