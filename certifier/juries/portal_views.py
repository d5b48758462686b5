"""The results portal (D24, D25, D57): the candidate's results, signed in or by candidate number and
date of birth, and the outcome of its employees for an employer; nothing before the release time."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from certifier.core.middleware import client_address
from certifier.exams import numbers
from certifier.people.enums import Role
from certifier.people.permissions import public, role_required

from . import portal


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class LookupForm(forms.Form):
    number = forms.CharField(
        label="Numéro de candidat",
        max_length=30,
        help_text="Il figure sur votre convocation, par exemple K7QM-X4PD-R9 (tirets et espaces facultatifs).",
    )
    birth_date = forms.DateField(label="Date de naissance", widget=DateInput())

    def clean_number(self) -> str:
        canonical = numbers.canonical(self.cleaned_data["number"])
        if canonical is None:
            raise ValidationError(
                "Ce numéro de candidat n'est pas valide : il compte dix caractères, chiffres de 2 à 9 et "
                "lettres sans I, L ni O. Vérifiez-le sur votre convocation."
            )
        return canonical


@public
@never_cache
def results_lookup(request: HttpRequest) -> HttpResponse:
    """D57: a candidate's results by candidate number and date of birth, without an account. Every
    failure gets the same answer, whether the number exists or not."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    result = None
    failed = False
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        registration = portal.lookup(
            form.cleaned_data["number"],
            form.cleaned_data["birth_date"],
            client_address(request),
            now,
        )
        if registration is None:
            failed = True
        else:
            result = portal.candidate_results([registration], now)[0]
    return render(
        request,
        "juries/results_lookup.html",
        {"form": form, "result": result, "failed": failed, "message": portal.LOOKUP_FAILED},
    )


@role_required(Role.CANDIDATE)
@never_cache
def my_results(request: HttpRequest) -> HttpResponse:
    """D57: the signed-in candidate's results, session by session, from each one's release time."""
    now = timezone.now()
    key = portal.candidate_results_key(request.user, now) if settings.RESULTS_PAGE_CACHE else None
    results = cache.get(key) if key else None
    if results is None:
        registrations = portal.candidate_registrations(request.user)
        results = render_to_string(
            "juries/results_list.html",
            {
                "results": portal.candidate_results(registrations, now),
                "vae_blocks": portal.vae_blocks(request.user, registrations, now),
            },
        )
        if key:
            cache.set(key, results, portal.RESULTS_CACHE_SECONDS)
    # rendered by the template engine, escaped there
    return render(request, "juries/results_mine.html", {"results": mark_safe(results)})  # noqa: S308


@role_required(Role.EMPLOYER_HR)
@never_cache
def employer_results(request: HttpRequest, pk: int) -> HttpResponse:
    """D25: the outcome of the employer's own employees in a session, after release."""
    session, registrations = portal.get_employer_session_or_404(request.user, pk)
    now = timezone.now()
    released = session.results_released(now)
    results = portal.employer_results(registrations, now) if released else []
    return render(
        request,
        "juries/results_employer.html",
        {"session": session, "released": released, "results": results},
    )
