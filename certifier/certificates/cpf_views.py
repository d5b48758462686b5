"""D62: the declaration to the CPF, for the national administrator alone (403 to every other role):
the states of the passages, the holders near the three-month limit, the rejected ones to correct, the
fluxes written (by a job) and the CDC's receipts loaded. Thin views: `cpf` decides."""

import logging
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from certifier.core.downloads import safe_filename
from certifier.core.enums import JobStatus
from certifier.core.models import DomainError
from certifier.core.text import count
from certifier.people.enums import Role
from certifier.people.permissions import role_required

from . import cpf
from .models import CpfFlux, CpfReceipt, PassageState

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 3
LISTED = 20  # the latest fluxes and receipts shown


class ReceiptForm(forms.Form):
    file = forms.FileField(
        label="Accusé de traitement (XML)",
        help_text=(
            "Le fichier déposé par la Caisse des Dépôts dans votre espace certificateur après le "
            f"traitement d'un flux, {cpf.RECEIPT_MAX_BYTES // (1024 * 1024)} Mo au plus."
        ),
        error_messages={"required": "Choisissez l'accusé de traitement à charger."},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xml"):
            raise forms.ValidationError("L'accusé de traitement est un fichier XML (.xml).")
        if upload.size > cpf.RECEIPT_MAX_BYTES:
            raise forms.ValidationError(
                f"Le fichier dépasse {cpf.RECEIPT_MAX_BYTES // (1024 * 1024)} Mo : "
                "ce n'est pas un accusé de traitement."
            )
        return upload


@role_required(Role.NATIONAL_ADMIN)
def overview(request: HttpRequest) -> HttpResponse:
    job = cpf.latest_job()
    waiting = job is not None and job.status in (JobStatus.PENDING, JobStatus.RUNNING) and not job.interrupted
    late, approaching, pending = cpf.pending()
    counts = cpf.state_counts()
    context = {
        "states": [(PassageState(state).label, number) for state, number in counts.items()],
        "to_send": counts[PassageState.TO_SEND],
        "late": late,
        "approaching": approaching,
        "pending": pending,
        "rejected": cpf.rejected(),
        "withdrawn": list(cpf.withdrawn()),
        "fluxes": list(CpfFlux.objects.select_related("written_by")[:LISTED]),
        "receipts": list(CpfReceipt.objects.select_related("loaded_by")[:LISTED]),
        "job": job,
        "waiting": waiting,
        "refresh": REFRESH_SECONDS if waiting else None,
    }
    return render(request, "certificates/cpf.html", context)


@role_required(Role.NATIONAL_ADMIN)
@require_POST
def write_flux(request: HttpRequest) -> HttpResponse:
    try:
        cpf.do_start_flux(request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "La production du flux est lancée : il est validé par le schéma de la Caisse des Dépôts avant "
            "d'être proposé au téléchargement.",
        )
    return redirect("certificates:cpf")


@role_required(Role.NATIONAL_ADMIN)
@require_POST
def correct(request: HttpRequest, number: str) -> HttpResponse:
    try:
        passage = cpf.do_correct(request.user, number)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Passage {passage.id_technique} corrigé : il partira dans le prochain flux."
        )
    return redirect("certificates:cpf")


@role_required(Role.NATIONAL_ADMIN)
def download_flux(request: HttpRequest, pk: int) -> FileResponse:
    flux = get_object_or_404(CpfFlux, pk=pk)
    name = safe_filename(Path(flux.file.name).name, default="flux-cpf.xml")
    try:
        stored = flux.file.open("rb")
    except OSError:
        logger.exception("The CPF flux %s cannot be read", flux.pk)
        raise Http404(
            "Le fichier de ce flux est introuvable : signalez-le à l'administrateur technique."
        ) from None
    return FileResponse(stored, as_attachment=True, filename=name, content_type="application/xml")


@role_required(Role.NATIONAL_ADMIN)
def load_receipt(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = cpf.load_receipt(request.user, form.cleaned_data["file"])
        except cpf.ReceiptRefused as refused:
            for error in [str(refused), *refused.errors]:
                form.add_error(None, error)
        except DomainError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"Accusé de traitement chargé : {count(receipt.accepted, 'passage accepté', 'passages acceptés')}, "
                f"{count(receipt.rejected, 'rejeté', 'rejetés')}.",
            )
            return redirect("certificates:cpf")
    return render(request, "certificates/cpf_receipt.html", {"form": form})
