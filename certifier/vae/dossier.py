"""The dossier of a VAE application (livret 2, D34, D64): the candidate writes one entry per competence of
the certification, adds supporting documents (PDF, PNG or JPEG, checked by their content), may have an
accompanier who comments, and submits it when every block is described; after that it is read only.
Only the candidate, the accompanier, the members of the VAE jury that hears the application and the
national administrator read it."""

import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import Image

from certifier.core.audit import record_event
from certifier.core.downloads import safe_filename
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.core.text import thousands
from certifier.people.enums import Role
from certifier.people.permissions import has_role
from certifier.referential.models import Block, Competence

from .enums import ApplicationStatus
from .models import Attachment, DossierComment, DossierEntry, VaeApplication, VaeJuryMember
from .notifications import send_accompanier_notice

ENTRY_MAX = 20_000
COMMENT_MAX = 5_000
PDF = "application/pdf"
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS = {PDF: "pdf", "image/png": "png", "image/jpeg": "jpg"}
# a PDF ends with `%%EOF`, possibly followed by a few end-of-line bytes
PDF_TAIL = 1024

ONLY_THE_CANDIDATE = "Seul le candidat rédige et dépose son dossier de VAE."
NOT_WRITING = "Le dossier se rédige une fois la demande déclarée recevable."
SUBMITTED = "Le dossier est déposé : il ne se modifie plus."
# D34: the accompanier is named until the dossier is submitted
NAMING_STATUSES = {ApplicationStatus.DRAFT, ApplicationStatus.FILED, ApplicationStatus.ADMISSIBLE}
# the statuses in which the application has a dossier
OPENED_STATUSES = {
    ApplicationStatus.ADMISSIBLE,
    ApplicationStatus.DOSSIER_SUBMITTED,
    ApplicationStatus.DECIDED,
}


# who reads the dossier (D64)


def may_read_dossier(user: Any, application: VaeApplication) -> bool:
    """D64: the candidate, the accompanier, the members (with an account) of the VAE jury session that
    hears the application and the national administrator; nobody else (neither the CRFP nor the CPNEFP)."""
    if not user.is_authenticated:
        return False
    if has_role(user, Role.NATIONAL_ADMIN) or application.accompanier_id == user.pk:
        return True
    if application.candidate.user_id == user.pk:
        return True
    return VaeJuryMember.objects.filter(user=user, session__candidacies__application=application).exists()


def get_dossier_or_404(user: Any, pk: int) -> VaeApplication:
    application = (
        VaeApplication.objects.select_related("candidate", "version__certification", "accompanier")
        .filter(pk=pk)
        .first()
    )
    if application is None or not may_read_dossier(user, application):
        raise Http404("Cette page n'existe pas ou ne vous est pas accessible.")
    return application


def is_candidate(user: Any, application: VaeApplication) -> bool:
    return bool(user.is_authenticated) and application.candidate.user_id == user.pk


def is_writing(application: VaeApplication) -> bool:
    return application.status == ApplicationStatus.ADMISSIBLE and application.dossier_submitted_at is None


def may_write(user: Any, application: VaeApplication) -> bool:
    return is_writing(application) and is_candidate(user, application)


def may_comment(user: Any, application: VaeApplication) -> bool:
    return is_writing(application) and (
        is_candidate(user, application) or (user.is_authenticated and application.accompanier_id == user.pk)
    )


def may_name_accompanier(user: Any, application: VaeApplication) -> bool:
    """The candidate, until the dossier is submitted."""
    return application.status in NAMING_STATUSES and is_candidate(user, application)


def missing_blocks(application: VaeApplication) -> list[Block]:
    """The blocks of the version without any written entry yet."""
    written = DossierEntry.objects.filter(application=application).values("competence__block_id")
    return list(
        Block.objects.filter(version_id=application.version_id)
        .exclude(pk__in=written)
        .order_by("position", "code")
    )


# the writes


def _locked(application: VaeApplication) -> VaeApplication:
    locked = VaeApplication.objects.select_for_update().get(pk=application.pk)
    application.status = locked.status
    application.dossier_submitted_at = locked.dossier_submitted_at
    application.accompanier_id = locked.accompanier_id
    return locked


def _ensure_writing(application: VaeApplication) -> None:
    if application.dossier_submitted_at is not None or application.status in (
        ApplicationStatus.DOSSIER_SUBMITTED,
        ApplicationStatus.DECIDED,
    ):
        raise DomainError(SUBMITTED)
    if application.status != ApplicationStatus.ADMISSIBLE:
        raise DomainError(NOT_WRITING)


def _ensure_candidate(actor: Any, application: VaeApplication) -> None:
    if not is_candidate(actor, application):
        raise NotAllowed(ONLY_THE_CANDIDATE)


def _ensure_competence(application: VaeApplication, competence: Competence | None) -> None:
    if competence is not None and competence.block.version_id != application.version_id:
        raise DomainError("Cette compétence n'appartient pas à la certification visée par la demande.")


@transaction.atomic
def do_write_entry(
    actor: Any, application: VaeApplication, competence: Competence, text: str
) -> DossierEntry:
    """The candidate describes their experience for one competence; writing again replaces the entry."""
    _ensure_candidate(actor, application)
    _ensure_competence(application, competence)
    text = text.strip()
    if not text:
        raise DomainError("Décrivez votre expérience pour cette compétence.")
    if len(text) > ENTRY_MAX:
        raise DomainError(
            f"La description compte au plus {thousands(ENTRY_MAX)} caractères "
            f"(celle-ci en compte {thousands(len(text))})."
        )
    locked = _locked(application)
    _ensure_writing(locked)
    entry = DossierEntry.objects.filter(application=locked, competence=competence).first()
    if entry is not None and entry.text == text:
        return entry
    before = {"competence": competence.pk, "text": entry.text} if entry else None
    if entry is None:
        entry = DossierEntry(application=locked, competence=competence)
    entry.text = text
    entry.updated_by = actor
    entry.save()
    after = {"competence": competence.pk, "text": text}
    record_event(AuditAction.VAE_DOSSIER_WRITTEN, entry, actor=actor, before=before, after=after)
    return entry


@dataclass(frozen=True)
class Checked:
    """A file whose content was recognised: its type and the name it is shown under."""

    content: bytes
    content_type: str
    name: str


def content_type_of(content: bytes) -> str | None:
    """The type of a file read from its content, never from its name: a PDF (its header and its end
    marker), or a PNG or JPEG image that Pillow verifies, within Pillow's decompression-bomb bound."""
    if content.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in content[-PDF_TAIL:] else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(IMAGE_TYPES)) as image:
                kind = image.format
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    # Pillow's verify reads a PNG to its end but not a JPEG: a whole JPEG ends with its EOI marker
    if kind == "JPEG" and not content.rstrip(b"\0\r\n ").endswith(b"\xff\xd9"):
        return None
    return IMAGE_TYPES.get(kind or "")


def check_upload(upload: Any) -> Checked:
    """Read and check an uploaded file: size, then content; the French errors name the file."""
    name = safe_filename(upload.name or "", default="piece-jointe")
    limit = settings.VAE_ATTACHMENT_MAX_BYTES
    upload.seek(0)
    content = upload.read(limit + 1)
    if not content:
        raise DomainError(f"« {name} » est vide.")
    if len(content) > limit:
        raise DomainError(
            f"« {name} » dépasse la taille maximale d'une pièce jointe ({filesizeformat(limit)})."
        )
    content_type = content_type_of(content)
    if content_type is None:
        raise DomainError(
            f"« {name} » n'est ni un PDF ni une image PNG ou JPEG lisible : seuls ces formats sont acceptés."
        )
    stem, dot, _ = name.rpartition(".")
    return Checked(content, content_type, f"{stem if dot else name}.{EXTENSIONS[content_type]}")


@transaction.atomic
def do_add_attachment(
    actor: Any, application: VaeApplication, upload: Any, competence: Competence | None = None
) -> Attachment:
    """The candidate adds a supporting document, kept under a random name in the default storage (never
    served by the web server), with its size and SHA-256 fingerprint."""
    _ensure_candidate(actor, application)
    _ensure_competence(application, competence)
    checked = check_upload(upload)
    locked = _locked(application)
    _ensure_writing(locked)
    limit = settings.VAE_ATTACHMENTS_PER_APPLICATION
    if Attachment.objects.filter(application=locked).count() >= limit:
        raise DomainError(
            f"« {checked.name} » n'est pas ajouté : le dossier compte déjà {limit} pièces jointes."
        )
    digest = hashlib.sha256(checked.content).hexdigest()
    if Attachment.objects.filter(application=locked, sha256=digest).exists():
        raise DomainError(f"« {checked.name} » est déjà joint au dossier.")
    attachment = Attachment(
        application=locked,
        competence=competence,
        name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=digest,
        uploaded_by=actor,
    )
    stored_name = f"{secrets.token_hex(16)}.{EXTENSIONS[checked.content_type]}"
    attachment.file.save(stored_name, ContentFile(checked.content), save=False)
    try:
        attachment.save()
        after = {
            "name": attachment.name,
            "competence": competence.pk if competence else None,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": digest,
        }
        record_event(AuditAction.VAE_ATTACHMENT_ADDED, attachment, actor=actor, after=after)
    except Exception:
        attachment.file.delete(save=False)  # no file left without its row
        raise
    return attachment


@transaction.atomic
def do_remove_attachment(actor: Any, attachment: Attachment) -> None:
    """The candidate removes a document while writing; the file goes once the removal is committed."""
    application = attachment.application
    _ensure_candidate(actor, application)
    _ensure_writing(_locked(application))
    before = {"name": attachment.name, "sha256": attachment.sha256, "size": attachment.size}
    record_event(AuditAction.VAE_ATTACHMENT_REMOVED, attachment, actor=actor, before=before)
    stored_name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(stored_name))


@transaction.atomic
def do_name_accompanier(actor: Any, application: VaeApplication, email: str) -> Any:
    """D34, D64: the candidate names an existing account as their accompanier (an empty address removes
    them), until the dossier is submitted; the accompanier reads the dossier, so no one else chooses who
    does. Returns the accompanier."""
    if not is_candidate(actor, application):
        raise NotAllowed("Seul le candidat désigne son accompagnateur : il ou elle lit le dossier.")
    email = email.strip()
    accompanier = None
    if email:
        accompanier = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if accompanier is None:
            raise DomainError(
                f"Aucun compte actif n'a l'adresse « {email} » : l'accompagnateur se crée d'abord un compte "
                "sur la plateforme."
            )
    locked = _locked(application)
    if locked.status not in NAMING_STATUSES:
        raise DomainError(
            SUBMITTED
            if locked.status in (ApplicationStatus.DOSSIER_SUBMITTED, ApplicationStatus.DECIDED)
            else "La demande n'est pas recevable : elle n'a pas d'accompagnateur."
        )
    if accompanier is not None and accompanier.pk == application.candidate.user_id:
        raise DomainError("Le candidat ne peut pas être son propre accompagnateur.")
    new_id = accompanier.pk if accompanier else None
    if locked.accompanier_id == new_id:
        return accompanier
    before = {"accompanier": locked.accompanier_id}
    locked.accompanier = accompanier
    locked.save(update_fields=["accompanier"])
    application.accompanier = accompanier
    record_event(
        AuditAction.VAE_ACCOMPANIER_NAMED, locked, actor=actor, before=before, after={"accompanier": new_id}
    )
    if accompanier is not None:
        transaction.on_commit(lambda: send_accompanier_notice(locked.pk))
    return accompanier


@transaction.atomic
def do_comment(
    actor: Any, application: VaeApplication, text: str, competence: Competence | None = None
) -> DossierComment:
    """D34: the accompanier comments the dossier (the candidate may answer) while it is being written."""
    locked = _locked(application)
    if not (
        is_candidate(actor, application) or (actor.is_authenticated and locked.accompanier_id == actor.pk)
    ):
        raise NotAllowed("Seuls l'accompagnateur et le candidat commentent le dossier.")
    _ensure_competence(application, competence)
    _ensure_writing(locked)
    text = text.strip()
    if not text:
        raise DomainError("Écrivez le commentaire.")
    if len(text) > COMMENT_MAX:
        raise DomainError(f"Un commentaire compte au plus {thousands(COMMENT_MAX)} caractères.")
    comment = DossierComment.objects.create(
        application=locked, competence=competence, text=text, author=actor
    )
    after = {"competence": competence.pk if competence else None, "text": text}
    record_event(AuditAction.VAE_COMMENT_WRITTEN, comment, actor=actor, after=after)
    return comment


@transaction.atomic
def do_submit_dossier(actor: Any, application: VaeApplication) -> VaeApplication:
    """The candidate submits the dossier once every block of the certification has a written entry; it is
    read only from then on."""
    _ensure_candidate(actor, application)
    locked = _locked(application)
    _ensure_writing(locked)
    missing = missing_blocks(locked)
    if missing:
        names = " ; ".join(f"{block.code} — {block.title}" for block in missing)
        raise DomainError(
            "Décrivez au moins une compétence de chaque bloc avant de déposer le dossier. "
            f"Blocs sans description : {names}."
        )
    before = {"status": locked.status, "dossier_submitted_at": None}
    locked.status = ApplicationStatus.DOSSIER_SUBMITTED
    locked.dossier_submitted_at = timezone.now()
    locked.save(update_fields=["status", "dossier_submitted_at"])
    application.status = locked.status
    application.dossier_submitted_at = locked.dossier_submitted_at
    after = {"status": locked.status, "dossier_submitted_at": locked.dossier_submitted_at.isoformat()}
    record_event(AuditAction.VAE_DOSSIER_SUBMITTED, locked, actor=actor, before=before, after=after)
    return locked


def dossier_summary(user: Any, application: VaeApplication) -> dict[str, Any]:
    """What the application page says of the dossier to this user: its state, its counts when they may
    read it, and the links they may follow."""
    reads = may_read_dossier(user, application)
    competences = Competence.objects.filter(block__version_id=application.version_id)
    return {
        "reads": reads,
        "opened": application.status in OPENED_STATUSES,
        "writing": is_writing(application),
        "writes": may_write(user, application),
        "written": application.entries.count() if reads else None,
        "competences": competences.count() if reads else None,
        "attachments": application.attachments.count() if reads else None,
        "names_accompanier": may_name_accompanier(user, application),
    }
