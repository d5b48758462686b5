"""The signed minutes, the proclamation and the amendments (D54–D56): thin views, the services decide."""

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from certifier.core.downloads import attachment
from certifier.core.enums import JobStatus
from certifier.core.models import DomainError
from certifier.exams.permissions import get_session_or_404
from certifier.people.enums import Role
from certifier.people.permissions import has_role, role_required

from .amendments import REASON_MAX, amendment_refusal, do_open_amendment, open_amendment, original_of
from .minutes import (
    NOT_ALLOWED,
    do_sign_minutes,
    get_deliberation_or_404,
    latest_job,
    signed_minutes,
    signing_refusal,
)
from .models import Deliberation
from .permissions import may_run_sitting

REFRESH_SECONDS = 3
PDF = "application/pdf"
CONFIRM = (
    "Je confirme que le procès-verbal est complet : sa signature proclame les résultats, qui ne changeront "
    "plus que par un rectificatif."
)
CONFIRM_AMENDMENT = (
    "Je confirme que le procès-verbal du rectificatif est complet : sa signature rend les décisions "
    "rectifiées définitives."
)
NOT_CONFIRMED = "Cochez la case de confirmation : le procès-verbal n'est signé qu'une fois confirmé complet."


class SignForm(forms.Form):
    release_at = forms.DateTimeField(
        label="Publication des résultats aux candidats et aux employeurs",
        help_text=(
            "Date et heure (JJ/MM/AAAA HH:MM). Laissez vide pour publier dès la signature ; "
            "jamais avant la proclamation."
        ),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": "Saisissez une date et une heure valides (JJ/MM/AAAA HH:MM)."},
    )
    confirm = forms.BooleanField(label=CONFIRM, error_messages={"required": NOT_CONFIRMED})

    def __init__(self, *args: Any, amendment: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if amendment:
            self.fields["confirm"].label = CONFIRM_AMENDMENT


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label="Motif du rectificatif",
        help_text="Par exemple : erreur matérielle sur une note, fraude établie après la proclamation.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Énoncez le motif du rectificatif : il figure au procès-verbal."},
    )


def _may_sign(user: Any, deliberation: Deliberation) -> bool:
    return may_run_sitting(user, deliberation.jury)


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY, Role.CPNEFP)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = get_deliberation_or_404(request.user, pk)
    may_sign = _may_sign(request.user, deliberation)
    form = SignForm(request.POST or None, amendment=deliberation.is_amendment) if may_sign else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(NOT_ALLOWED)
        if form.is_valid():
            release_at: datetime | None = form.cleaned_data["release_at"]
            try:
                do_sign_minutes(request.user, deliberation, release_at)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "La signature du procès-verbal est lancée.")
                return redirect("juries:minutes", pk=deliberation.pk)
    signed = signed_minutes(deliberation)
    job = latest_job(deliberation)
    waiting = (
        signed is None
        and job is not None
        and job.status in (JobStatus.PENDING, JobStatus.RUNNING)
        and not job.interrupted
    )
    refusal = signing_refusal(request.user, deliberation) if may_sign and signed is None else None
    session = deliberation.jury.session
    context = {
        "deliberation": deliberation,
        "session": session,
        "signed": signed,
        "job": job,
        "waiting": waiting,
        "refresh": REFRESH_SECONDS if waiting else None,
        "form": form if may_sign and signed is None and not waiting and refusal is None else None,
        "refusal": refusal,
        "amendments": list(deliberation.amendments.select_related("minutes").order_by("opened_at", "pk")),
        "may_amend": session.proclaimed
        and not deliberation.is_amendment
        and has_role(request.user, Role.NATIONAL_ADMIN),
        "released": session.results_released(timezone.now()),
    }
    return render(request, "juries/minutes.html", context)


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY, Role.CPNEFP)
def minutes_download(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = get_deliberation_or_404(request.user, pk)
    signed = signed_minutes(deliberation)
    if signed is None:
        raise Http404("Le procès-verbal de cette délibération n'est pas encore signé.")
    with signed.file.open("rb") as stored:
        content = stored.read()
    kind = "proces-verbal-rectificatif" if deliberation.is_amendment else "proces-verbal"
    name = f"{kind}-{deliberation.held_on:%Y-%m-%d}-{deliberation.pk}.pdf"
    return attachment(content, name, PDF)


@role_required(Role.NATIONAL_ADMIN)
def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_open_amendment(request.user, session, form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Le rectificatif est ouvert : enregistrez les membres présents, puis le jury statue sur les "
                "candidats concernés.",
            )
            return redirect("juries:sitting", pk=session.pk)
    context = {
        "session": session,
        "form": form,
        "original": original_of(session),
        "open": open_amendment(session),
        "refusal": amendment_refusal(session),
    }
    return render(request, "juries/amendment_new.html", context)
