"""The dossier's pages (livret 2, D34, D64): read by the candidate, the accompanier, the VAE jury that hears
the application and the national administrator (404 for anyone else); written by the candidate, commented
by the accompanier, until the candidate submits it. Thin views: the services in `dossier.py` decide."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from certifier.core.downloads import attachment as download
from certifier.core.models import DomainError
from certifier.people.permissions import get_visible_or_404, login_required
from certifier.referential.models import Block, Competence

from .dossier import (
    do_add_attachment,
    do_comment,
    do_name_accompanier,
    do_remove_attachment,
    do_submit_dossier,
    do_write_entry,
    get_dossier_or_404,
    is_writing,
    may_comment,
    may_name_accompanier,
    may_write,
    missing_blocks,
)
from .dossier_forms import AccompanierForm, AttachmentForm, CommentForm, EntryForm, SubmitForm
from .models import Attachment, VaeApplication

ATTACHMENT = "piece"
COMMENT = "commentaire"
ENTRY = "rubrique"


def _side_forms(
    request: HttpRequest, application: VaeApplication, competence: Competence | None
) -> tuple[AttachmentForm | None, CommentForm | None, bool]:
    """The attachment and comment forms of a dossier page (bound to what was posted, None when the user may
    not use them), and whether the posted one was recorded."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    attachment_form = None
    if action == ATTACHMENT or may_write(user, application):
        posted = action == ATTACHMENT
        attachment_form = AttachmentForm(
            request.POST if posted else None, request.FILES if posted else None, prefix=ATTACHMENT
        )
    comment_form = None
    if action == COMMENT or may_comment(user, application):
        comment_form = CommentForm(request.POST if action == COMMENT else None, prefix=COMMENT)
    if action == ATTACHMENT and attachment_form is not None and attachment_form.is_valid():
        try:
            added = do_add_attachment(user, application, attachment_form.cleaned_data["file"], competence)
        except DomainError as error:
            attachment_form.add_error("file", str(error))
        else:
            messages.success(request, f"« {added.name} » est joint au dossier.")
            return attachment_form, comment_form, True
    if action == COMMENT and comment_form is not None and comment_form.is_valid():
        try:
            do_comment(user, application, comment_form.cleaned_data["text"], competence)
        except DomainError as error:
            comment_form.add_error("text", str(error))
        else:
            messages.success(request, "Votre commentaire est enregistré.")
            return attachment_form, comment_form, True
    return attachment_form, comment_form, False


def _context(request: HttpRequest, application: VaeApplication) -> dict[str, Any]:
    user = request.user
    return {
        "application": application,
        "writing": is_writing(application),
        "writes": may_write(user, application),
        "comments": may_comment(user, application),
        "names_accompanier": may_name_accompanier(user, application),
    }


@login_required
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_dossier_or_404(request.user, pk)
    attachment_form, comment_form, done = _side_forms(request, application, None)
    if done:
        return redirect("vae:dossier", pk=application.pk)
    blocks = list(
        Block.objects.filter(version_id=application.version_id)
        .prefetch_related("competences")
        .order_by("position", "code")
    )
    entries = {entry.competence_id: entry for entry in application.entries.all()}
    attachments: dict[int | None, list[Attachment]] = defaultdict(list)
    for item in application.attachments.all():
        attachments[item.competence_id].append(item)
    comments = defaultdict(list)
    for comment in application.comments.select_related("author"):
        comments[comment.competence_id].append(comment)
    rows = [
        (
            block,
            [
                (competence, entries.get(competence.pk), attachments[competence.pk], comments[competence.pk])
                for competence in block.competences.all()
            ],
        )
        for block in blocks
    ]
    context = _context(request, application) | {
        "rows": rows,
        "general_attachments": attachments[None],
        "general_comments": comments[None],
        "attachment_count": sum(len(items) for items in attachments.values()),
        "attachment_form": attachment_form,
        "comment_form": comment_form,
        "missing": [block for block, competences in rows if not any(entry for _, entry, _, _ in competences)],
    }
    return render(request, "vae/dossier.html", context)


@login_required
def dossier_competence(request: HttpRequest, pk: int, competence_pk: int) -> HttpResponse:
    application = get_dossier_or_404(request.user, pk)
    competence = get_object_or_404(
        Competence.objects.select_related("block"), pk=competence_pk, block__version_id=application.version_id
    )
    user = request.user
    entry = application.entries.filter(competence=competence).first()
    entry_form = None
    if request.method == "POST" and request.POST.get("action") == ENTRY:
        entry_form = EntryForm(request.POST, prefix=ENTRY)
        if entry_form.is_valid():
            try:
                do_write_entry(user, application, competence, entry_form.cleaned_data["text"])
            except DomainError as error:
                entry_form.add_error("text", str(error))
            else:
                messages.success(
                    request, f"La description de la compétence C{competence.number} est enregistrée."
                )
                return redirect("vae:dossier_competence", pk=application.pk, competence_pk=competence.pk)
    elif may_write(user, application):
        entry_form = EntryForm(initial={"text": entry.text if entry else ""}, prefix=ENTRY)
    attachment_form, comment_form, done = _side_forms(request, application, competence)
    if done:
        return redirect("vae:dossier_competence", pk=application.pk, competence_pk=competence.pk)
    context = _context(request, application) | {
        "competence": competence,
        "entry": entry,
        "entry_form": entry_form,
        "attachments": list(application.attachments.filter(competence=competence)),
        "comment_list": list(application.comments.filter(competence=competence).select_related("author")),
        "attachment_form": attachment_form,
        "comment_form": comment_form,
    }
    return render(request, "vae/dossier_competence.html", context)


@login_required
def dossier_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_dossier_or_404(request.user, pk)
    if not may_write(request.user, application):
        raise PermissionDenied("Seul le candidat dépose son dossier, tant qu'il est en rédaction.")
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_submit_dossier(request.user, application)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Votre dossier est déposé : le jury VAE l'étudiera.")
            return redirect("vae:dossier", pk=application.pk)
    context = _context(request, application) | {"form": form, "missing": missing_blocks(application)}
    return render(request, "vae/dossier_submit.html", context)


@login_required
def dossier_accompanier(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidate names their accompanier (D34)."""
    application = get_visible_or_404(
        VaeApplication.objects.visible_to(request.user).select_related("candidate", "accompanier"), pk=pk
    )
    if not may_name_accompanier(request.user, application):
        raise PermissionDenied(
            "Seul le candidat désigne son accompagnateur, tant que le dossier n'est pas déposé."
        )
    initial = {"email": application.accompanier.email if application.accompanier else ""}
    form = AccompanierForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            named = do_name_accompanier(request.user, application, form.cleaned_data["email"])
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                f"{named.get_full_name() or named.email} accompagne désormais cette demande."
                if named
                else "Cette demande n'a plus d'accompagnateur.",
            )
            return redirect("vae:application_detail", pk=application.pk)
    return render(request, "vae/dossier_accompanier.html", {"application": application, "form": form})


@never_cache
@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A supporting document, always downloaded (never shown inline), under the type read from its content."""
    application = get_dossier_or_404(request.user, pk)
    item = get_object_or_404(Attachment, application=application, pk=attachment_pk)
    try:
        with item.file.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError as missing:
        raise Http404("Ce fichier n'est plus disponible.") from missing
    response = download(content, item.name, item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    application = get_dossier_or_404(request.user, pk)
    item = get_object_or_404(
        Attachment.objects.select_related("application__candidate"), application=application, pk=attachment_pk
    )
    try:
        do_remove_attachment(request.user, item)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"« {item.name} » est retiré du dossier.")
    if item.competence_id:
        return redirect("vae:dossier_competence", pk=application.pk, competence_pk=item.competence_id)
    return redirect("vae:dossier", pk=application.pk)


routes: list[URLPattern] = [
    path("vae/<int:pk>/dossier/", dossier, name="dossier"),
    path(
        "vae/<int:pk>/dossier/competences/<int:competence_pk>/", dossier_competence, name="dossier_competence"
    ),
    path("vae/<int:pk>/dossier/depot/", dossier_submit, name="dossier_submit"),
    path("vae/<int:pk>/accompagnateur/", dossier_accompanier, name="dossier_accompanier"),
    path("vae/<int:pk>/pieces/<int:attachment_pk>/", attachment, name="attachment"),
    path("vae/<int:pk>/pieces/<int:attachment_pk>/retrait/", attachment_remove, name="attachment_remove"),
]
