import copy

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from .audit_log import AuditFilterForm, changes, type_label
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

# What each role can do here, shown on the home page.
ROLE_TASKS: dict[str, list[str]] = {
    Role.NATIONAL_ADMIN: [
        "Tenir le référentiel des certifications : blocs, compétences, critères d'évaluation.",
        "Consulter l'historique de chaque modification du référentiel.",
        "Gérer les organisations et les comptes dans l'administration.",
    ],
    Role.CPNEFP: [
        "Consulter le référentiel du CQP et son historique.",
        "Désigner le jury paritaire national et le jury VAE.",
    ],
    Role.CRFP_STAFF: [
        "Consulter le référentiel et les fiches de votre CRFP.",
        "Inscrire les stagiaires, organiser les sessions Pass et Prem'ss, les contrôles continus et les épreuves.",
    ],
    Role.EMPLOYER_HR: [
        "Consulter la fiche de votre organisme.",
        "Suivre l'avis de certification de vos salariés candidats.",
    ],
    Role.TUTOR: ["Attester dans le carnet de suivi les compétences maîtrisées par vos candidats."],
    Role.MANAGER: ["Attester dans le carnet de suivi les compétences maîtrisées par vos candidats."],
    Role.ASSESSOR: [
        "Observer les situations réelles de travail et évaluer les critères des candidats qui vous sont confiés."
    ],
    Role.LOCAL_JURY: [
        "Évaluer l'épreuve orale, délibérer et rendre un avis d'attribution ou de non-attribution."
    ],
    Role.NATIONAL_JURY: ["Délibérer et proclamer les résultats ; délivrer le CQP."],
    Role.VAE_JURY: ["Statuer sur les demandes de validation des acquis de l'expérience."],
    Role.CANDIDATE: ["Consulter vos notes, les commentaires du jury, vos décisions et vos certificats."],
}


@public
def home(request: HttpRequest) -> HttpResponse:
    user_roles = [Role(role) for role in Role.values if role in roles(request.user)]
    sections = [(role.label, ROLE_TASKS[role]) for role in user_roles]
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
    organisations = Organisation.objects.visible_to(request.user)
    return render(request, "people/organisation_list.html", {"organisations": organisations})


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
        request, "people/audit_log.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    )
