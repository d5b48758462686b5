import copy

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from certifier.core import lists

from .audit_log import AuditFilterForm, changes, type_label
from .dashboard import tasks_by_role
from .enums import Role
from .forms import OrganisationForm
from .models import Organisation
from .permissions import (
    can_edit_organisation,
    get_visible_or_404,
    login_required,
    public,
    role_required,
    roles,
)
from .services import do_update_organisation

# What each role finds here.
ROLE_INTRO: dict[str, str] = {
    Role.NATIONAL_ADMIN: "Vous tenez le référentiel, les organisations et les comptes, et suivez toutes les inscriptions.",
    Role.CPNEFP: "Vous consultez le référentiel du CQP et l'historique de ses modifications, tenez les listes "
    "du jury national, désignez le jury national paritaire de chaque session d'examen et les jurys VAE.",
    Role.CRFP_STAFF: "Vous inscrivez les candidats de votre CRFP, programmez les sessions de formation "
    "et affectez les évaluateurs.",
    Role.EMPLOYER_HR: "Vous suivez le parcours de vos salariés candidats, leurs demandes de prise en charge "
    "et les résultats des VAE que vous financez.",
    Role.TUTOR: "Vous attestez dans le carnet de suivi les compétences que vos candidats maîtrisent en situation de travail.",
    Role.MANAGER: "Vous contresignez dans le carnet de suivi les compétences que vos collaborateurs maîtrisent.",
    Role.ASSESSOR: "Vous observez les situations de travail et évaluez les blocs des candidats qui vous sont confiés.",
    Role.LOCAL_JURY: "Vous notez l'épreuve orale des candidats de votre CRFP et donnez, après délibération, "
    "l'avis du jury local sur chacun d'eux pour le jury national paritaire.",
    Role.MARKER: "Vous corrigez les copies de l'épreuve écrite, identifiées par leur seul code de copie.",
    Role.NATIONAL_JURY: "Vous siégez au jury national paritaire des sessions d'examen pour lesquelles vous êtes "
    "désigné : vous y délibérez sur l'attribution du CQP à chaque candidat.",
    Role.VAE_JURY: "Vous siégez au jury VAE des séances pour lesquelles vous êtes désigné : vous y statuez, bloc par "
    "bloc, sur les dossiers de validation des acquis de l'expérience, et la présidence signe le procès-verbal.",
    Role.CANDIDATE: "Vous suivez votre parcours de certification et les décisions prises sur vos blocs de compétences.",
}


ORGANISATION_SORTS: lists.Sorts = {"nom": ["name"], "type": ["kind", "name"], "region": ["region", "name"]}
ORGANISATION_HEADERS = ["Nom", "Type", "Branche", "Région", "SIRET"]


@public
def home(request: HttpRequest) -> HttpResponse:
    user_roles = roles(request.user)
    tasks = tasks_by_role(request.user, user_roles) if user_roles else {}
    sections = [(role.label, ROLE_INTRO[role], tasks[role]) for role in Role if role in user_roles]
    return render(request, "people/home.html", {"sections": sections})


login = public(
    auth_views.LoginView.as_view(template_name="people/login.html", redirect_authenticated_user=True)
)
logout = public(auth_views.LogoutView.as_view())
# The link of an invitation (people.services.send_invitation): the invited person chooses a password.
set_password = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="people/set_password.html",
        success_url=reverse_lazy("people:login"),
    )
)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    sort = lists.sort_key(request.GET.get("tri"), ORGANISATION_SORTS, "nom")
    organisations = lists.ordered(Organisation.objects.visible_to(request.user), sort, ORGANISATION_SORTS)
    if extension := lists.export_asked(request):
        rows = [
            [org.name, org.get_kind_display(), org.get_branch_display(), org.region, org.siret]
            for org in organisations
        ]
        return lists.export("Organisations", ORGANISATION_HEADERS, rows, extension)
    return render(
        request,
        "people/organisation_list.html",
        {"organisations": organisations, "sort": sort, "query": lists.page_query(request)},
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "people/organisation_detail.html",
        {"organisation": organisation, "can_edit": can_edit_organisation(request.user)},
    )


@role_required(Role.NATIONAL_ADMIN)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    form = OrganisationForm(request.POST or None, instance=copy.copy(organisation))
    if request.method == "POST" and form.is_valid():
        do_update_organisation(request.user, organisation, form.cleaned_data)
        messages.success(request, "L'organisation a été mise à jour.")
        return redirect("people:organisation_detail", pk=pk)
    return render(request, "people/organisation_form.html", {"organisation": organisation, "form": form})


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "people/accessibility.html")


@role_required(Role.NATIONAL_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who changed what, when, before → after: filtered by action, object, author and dates."""
    form = AuditFilterForm(request.GET)
    page = Paginator(form.events(), 50).get_page(request.GET.get("page"))
    rows = [(event, type_label(event.object_type), changes(event)) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/audit_log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )
