from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from certifier.core.history import history_entries
from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.permissions import (
    can_edit_referential,
    can_read_history,
    get_visible_or_404,
    public,
    role_required,
)

from .forms import CriterionForm
from .models import (
    AccessRoute,
    AssessmentMethod,
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competence,
    Criterion,
    Option,
    Statistic,
)
from .services import do_add_criterion, do_update_criterion


@public
def certification_list(request: HttpRequest) -> HttpResponse:
    certifications = Certification.objects.visible_to(request.user).only(
        "number", "title", "level", "registration_end"
    )
    return render(request, "referential/certification_list.html", {"certifications": certifications})


@public
def certification_detail(request: HttpRequest, number: str) -> HttpResponse:
    certification = get_visible_or_404(
        Certification.objects.visible_to(request.user).prefetch_related(
            "certifiers", "access_routes", "statistics"
        ),
        number=number.upper(),
    )
    versions = list(
        certification.versions.prefetch_related(
            "options",
            Prefetch(
                "blocks",
                queryset=Block.objects.prefetch_related("methods", "competences__criteria"),
            ),
        )
    )
    today = timezone.localdate()
    return render(
        request,
        "referential/certification_detail.html",
        {
            "certification": certification,
            "versions": [_methods_said_once(version) for version in versions],
            "shared_options": _shared_options(versions),
            "juries": _juries(certification.access_routes.all()),
            "registered": certification.is_registered_on(today),
            "can_edit": can_edit_referential(request.user),
            "can_read_history": can_read_history(request.user),
        },
    )


def _juries(routes: Any) -> list[tuple[str, list[AccessRoute]]]:
    """Each jury composition once, with the access routes it applies to (the registry repeats it)."""
    juries: dict[str, list[AccessRoute]] = {}
    for route in routes:
        if route.is_open and route.jury_composition:
            juries.setdefault(route.jury_composition, []).append(route)
    return list(juries.items())


def _shared_options(versions: list[CertificationVersion]) -> list[Option]:
    """The options, said once for the certification when every version offers the same ones."""
    offered = [[(option.code, option.title) for option in version.options.all()] for version in versions]
    return (
        list(versions[0].options.all()) if len(versions) > 1 and all(o == offered[0] for o in offered) else []
    )


def _methods_said_once(version: CertificationVersion) -> dict[str, Any]:
    """The assessment methods shared by every block of a version, said once for the version, and
    each block with its own methods (the registry repeats the shared ones under every block)."""
    blocks = list(version.blocks.all())
    said = [{(method.kind, method.description) for method in block.methods.all()} for block in blocks]
    shared = set.intersection(*said) if len(blocks) > 1 else set()
    common = (
        [method for method in blocks[0].methods.all() if (method.kind, method.description) in shared]
        if shared
        else []
    )
    return {
        "version": version,
        "common_methods": common,
        "blocks": [
            (
                block,
                [method for method in block.methods.all() if (method.kind, method.description) not in shared],
            )
            for block in blocks
        ],
    }


@role_required(Role.NATIONAL_ADMIN, Role.CPNEFP)
def certification_history(request: HttpRequest, number: str) -> HttpResponse:
    certification = get_visible_or_404(Certification.objects.visible_to(request.user), number=number.upper())
    entries = history_entries(_history_sources(certification))
    return render(
        request,
        "referential/certification_history.html",
        {"certification": certification, "entries": entries},
    )


def _history_sources(certification: Certification) -> list[tuple[Any, Any]]:
    blocks = {block.pk: block.code for block in Block.objects.filter(version__certification=certification)}
    competences = {
        competence.pk: f"{blocks[competence.block_id]} compétence {competence.number}"
        for competence in Competence.objects.filter(block_id__in=blocks)
    }
    versions = {version.pk: version.label for version in certification.versions.all()}
    return [
        (Certification.history.filter(id=certification.pk), lambda r: r.number),
        (Certifier.history.filter(certification_id=certification.pk), lambda r: r.name),
        (AccessRoute.history.filter(certification_id=certification.pk), lambda r: r.get_kind_display()),
        (Statistic.history.filter(certification_id=certification.pk), lambda r: f"Année {r.year}"),
        (CertificationVersion.history.filter(certification_id=certification.pk), lambda r: r.label),
        (Option.history.filter(version_id__in=versions), lambda r: r.title),
        (Block.history.filter(version_id__in=versions), lambda r: r.code),
        (Competence.history.filter(block_id__in=blocks), lambda r: competences.get(r.id, r.title)),
        (
            Criterion.history.filter(competence_id__in=competences),
            lambda r: f"{competences.get(r.competence_id, '')}, critère {r.position}",
        ),
        (
            AssessmentMethod.history.filter(block_id__in=blocks),
            lambda r: f"{blocks.get(r.block_id, '')} — {r.get_kind_display()}",
        ),
    ]


@role_required(Role.NATIONAL_ADMIN)
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_visible_or_404(
        Criterion.objects.select_related("competence__block__version__certification"), pk=pk
    )
    form = CriterionForm(request.POST or None, initial={"text": criterion.text})
    if request.method == "POST" and form.is_valid():
        try:
            do_update_criterion(request.user, criterion, form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, f"Le critère {criterion.position} a été modifié.")
            return redirect(_competence_url(criterion.competence))
    return render(
        request,
        "referential/criterion_form.html",
        {"form": form, "competence": criterion.competence, "criterion": criterion},
    )


@role_required(Role.NATIONAL_ADMIN)
def criterion_add(request: HttpRequest, competence_pk: int) -> HttpResponse:
    competence = get_visible_or_404(
        Competence.objects.select_related("block__version__certification"), pk=competence_pk
    )
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_criterion(request.user, competence, form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "Le critère a été ajouté.")
            return redirect(_competence_url(competence))
    return render(
        request,
        "referential/criterion_form.html",
        {"form": form, "competence": competence, "criterion": None},
    )


def _competence_url(competence: Competence) -> str:
    number = competence.block.version.certification.number
    return reverse("referential:certification_detail", args=[number]) + f"#competence-{competence.pk}"
