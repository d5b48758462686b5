"""The dossier's supporting documents (D64): PDF, PNG or JPEG recognised by their content (never by their
name or declared type), size- and count-limited, kept under a random name, removed with their file."""

# ruff: noqa: F811 (the dossier's fixtures are imported from test_dossier, then requested by name)
import hashlib
import io
import re
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.vae import dossier
from certifier.vae.dossier import content_type_of, do_add_attachment, do_remove_attachment, do_submit_dossier
from certifier.vae.models import Attachment
from tests.vae.test_dossier import (  # noqa: F401
    accompanied,
    accompanier,
    application,
    competences,
    submitted,
    write_every_block,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, kind)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims a huge picture: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test its own storage, so what it leaves is what it wrote."""
    settings.MEDIA_ROOT = tmp_path


def upload(name: str, content: bytes, declared: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=declared)


def stored_files() -> set[str]:
    if not default_storage.exists("vae"):
        return set()
    years, _ = default_storage.listdir("vae")
    return {f"vae/{year}/{name}" for year in years for name in default_storage.listdir(f"vae/{year}")[1]}


# what the content says


@pytest.mark.parametrize(
    "content, expected",
    [
        (PDF, "application/pdf"),
        (image("PNG"), "image/png"),
        (image("JPEG"), "image/jpeg"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", None),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n", None),  # no end marker: truncated
        (image("PNG")[:60], None),
        (image("JPEG")[:-40], None),
        (image("GIF"), None),
        (image("BMP"), None),
        (png_claiming(100_000, 100_000), None),
        (png_claiming(10_000, 10_000), None),  # past Pillow's bound, under twice it
        (b"", None),
    ],
    ids=[
        "pdf",
        "png",
        "jpeg",
        "html",
        "pdf-truncated",
        "png-truncated",
        "jpeg-truncated",
        "gif",
        "bmp",
        "bomb",
        "bomb-warning",
        "empty",
    ],
)
def test_the_type_is_read_from_the_content(content, expected):
    assert content_type_of(content) == expected


# adding


def test_a_pdf_is_kept_under_a_random_name_with_its_fingerprint_and_audited(application, users):
    competence = competences(application)[0]
    added = do_add_attachment(
        users["candidate"],
        application,
        upload("Attestation employeur.pdf", PDF, "application/pdf"),
        competence,
    )
    assert (added.name, added.content_type, added.size) == (
        "Attestation-employeur.pdf",
        "application/pdf",
        len(PDF),
    )
    assert added.sha256 == hashlib.sha256(PDF).hexdigest()
    assert added.competence == competence and added.uploaded_by == users["candidate"]
    assert "Attestation" not in added.file.name and added.file.name.startswith("vae/")
    with added.file.open("rb") as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action=AuditAction.VAE_ATTACHMENT_ADDED)
    assert event.after["sha256"] == added.sha256 and event.after["competence"] == competence.pk


def test_a_pdf_named_as_an_image_is_kept_as_a_pdf(application, users):
    added = do_add_attachment(users["candidate"], application, upload("scan.png", PDF, "image/png"))
    assert (added.name, added.content_type) == ("scan.pdf", "application/pdf")


def test_an_image_declared_as_a_pdf_is_kept_as_the_image_it_is(application, users):
    added = do_add_attachment(
        users["candidate"], application, upload("photo.pdf", image("JPEG"), "application/pdf")
    )
    assert (added.name, added.content_type) == ("photo.jpg", "image/jpeg")


@pytest.mark.parametrize(
    "name, content",
    [
        ("bulletin.pdf", b"<html><body>Pas un PDF</body></html>"),
        ("capture.png", image("PNG")[:60]),
        ("photo.jpg", image("GIF")),
        ("plan.png", png_claiming(100_000, 100_000)),
    ],
    ids=["html-named-pdf", "truncated-png", "gif-named-jpg", "bomb"],
)
def test_a_file_that_is_neither_a_pdf_nor_a_png_or_jpeg_is_refused_naming_it(
    application, users, name, content
):
    with pytest.raises(DomainError, match=re.escape(f"« {name} » n'est ni un PDF ni une image PNG ou JPEG")):
        do_add_attachment(users["candidate"], application, upload(name, content, "application/pdf"))
    assert not Attachment.objects.exists() and stored_files() == set()


def test_an_empty_file_is_refused(application, users):
    with pytest.raises(DomainError, match=re.escape("« vide.pdf » est vide")):
        do_add_attachment(users["candidate"], application, upload("vide.pdf", b""))


def test_an_oversized_file_is_refused(application, users, settings):
    settings.VAE_ATTACHMENT_MAX_BYTES = 2048
    big = PDF[:-6] + b" " * 2048 + b"%%EOF\n"
    with pytest.raises(
        DomainError, match=re.escape("« gros.pdf » dépasse la taille maximale d'une pièce jointe")
    ):
        do_add_attachment(users["candidate"], application, upload("gros.pdf", big))
    assert not Attachment.objects.exists() and stored_files() == set()
    assert do_add_attachment(users["candidate"], application, upload("juste.pdf", PDF)).size == len(PDF)


def test_too_many_files_are_refused(application, users, settings):
    settings.VAE_ATTACHMENTS_PER_APPLICATION = 2
    do_add_attachment(users["candidate"], application, upload("a.pdf", PDF))
    do_add_attachment(users["candidate"], application, upload("b.png", image("PNG")))
    with pytest.raises(
        DomainError, match=re.escape("« c.jpg » n'est pas ajouté : le dossier compte déjà 2 pièces jointes")
    ):
        do_add_attachment(users["candidate"], application, upload("c.jpg", image("JPEG")))
    assert Attachment.objects.count() == 2 and len(stored_files()) == 2


def test_the_same_file_twice_is_refused(application, users):
    do_add_attachment(users["candidate"], application, upload("a.pdf", PDF))
    with pytest.raises(DomainError, match=re.escape("« copie.pdf » est déjà joint au dossier")):
        do_add_attachment(users["candidate"], application, upload("copie.pdf", PDF))


def test_the_displayed_name_is_sanitised(application, users):
    added = do_add_attachment(
        users["candidate"], application, upload('../../Fiche de paie "mars" <é>.pdf', PDF)
    )
    assert added.name == "Fiche-de-paie-mars-e.pdf"


def test_nothing_is_left_when_the_row_cannot_be_written(application, users, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(dossier, "record_event", failing)
    with pytest.raises(RuntimeError):
        do_add_attachment(users["candidate"], application, upload("a.pdf", PDF))
    assert not Attachment.objects.exists() and stored_files() == set()


@pytest.mark.parametrize("persona", ["crfp_staff", "national_admin", "outsider"])
def test_only_the_candidate_adds_a_file(application, users, persona):
    with pytest.raises(NotAllowed):
        do_add_attachment(users[persona], application, upload("a.pdf", PDF))


def test_the_accompanier_adds_no_file(accompanied, accompanier):
    with pytest.raises(NotAllowed):
        do_add_attachment(accompanier, accompanied, upload("a.pdf", PDF))


# removing


def test_the_candidate_removes_a_file_and_it_leaves_the_storage_after_commit(
    application, users, django_capture_on_commit_callbacks
):
    added = do_add_attachment(users["candidate"], application, upload("a.pdf", PDF))
    name = added.file.name
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_attachment(users["candidate"], added)
    assert not Attachment.objects.exists() and not default_storage.exists(name)
    event = AuditEvent.objects.get(action=AuditAction.VAE_ATTACHMENT_REMOVED)
    assert event.before["name"] == "a.pdf"


def test_only_the_candidate_removes_a_file(accompanied, users, accompanier):
    added = do_add_attachment(users["candidate"], accompanied, upload("a.pdf", PDF))
    with pytest.raises(NotAllowed):
        do_remove_attachment(accompanier, added)
    assert Attachment.objects.filter(pk=added.pk).exists()


# after submission


def test_no_file_is_added_once_the_dossier_is_submitted(submitted, users):
    with pytest.raises(DomainError, match=r"Le dossier est déposé : il ne se modifie plus\."):
        do_add_attachment(users["candidate"], submitted, upload("tard.pdf", PDF))
    assert not Attachment.objects.exists() and stored_files() == set()


def test_no_file_is_removed_once_the_dossier_is_submitted(
    accompanied, users, django_capture_on_commit_callbacks
):
    added = do_add_attachment(users["candidate"], accompanied, upload("a.pdf", PDF))
    write_every_block(accompanied, users["candidate"])
    do_submit_dossier(users["candidate"], accompanied)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="il ne se modifie plus"),
    ):
        do_remove_attachment(users["candidate"], added)
    assert Attachment.objects.filter(pk=added.pk).exists() and default_storage.exists(added.file.name)
