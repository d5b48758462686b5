"""The dossier's pages (D34, D64): who opens the dossier and downloads its documents, the candidate writing,
attaching and submitting through the pages, the accompanier commenting, the read-only dossier after it."""

# ruff: noqa: F811 (the dossier's fixtures are imported from test_dossier, then requested by name)
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifier.people.models import User
from certifier.vae.dossier import do_add_attachment, do_comment, do_write_entry
from certifier.vae.enums import ApplicationStatus
from certifier.vae.models import Attachment, DossierComment, DossierEntry, VaeApplication
from tests.personas import PERSONAS
from tests.vae.test_attachments import PDF, image
from tests.vae.test_dossier import (  # noqa: F401
    accompanied,
    accompanier,
    application,
    competences,
    heard,
    submitted,
    write_every_block,
)

READERS = {"candidate", "vae_jury", "national_admin"}  # the vae_jury persona sits in the session hearing it


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def piece(accompanied, users):
    return do_add_attachment(
        users["candidate"], accompanied, SimpleUploadedFile("Attestation de l'employeur.pdf", PDF)
    )


@pytest.fixture
def heard_piece(piece, heard):
    """A PDF of a dossier submitted and scheduled before the vae_jury persona's session."""
    return piece


def dossier_url(application) -> str:
    return reverse("vae:dossier", args=[application.pk])


def competence_url(application, competence) -> str:
    return reverse("vae:dossier_competence", args=[application.pk, competence.pk])


def piece_url(attachment) -> str:
    return reverse("vae:attachment", args=[attachment.application_id, attachment.pk])


def page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def client_of(client, user):
    client.force_login(user)
    return client


# who opens what (D64)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_dossier(client_for, heard, persona):
    response = client_for(persona).get(dossier_url(heard))
    expected = 302 if persona == "anonymous" else 200 if persona in READERS else 404
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_downloads_a_document_of_the_dossier(client_for, heard_piece, persona):
    response = client_for(persona).get(piece_url(heard_piece))
    expected = 302 if persona == "anonymous" else 200 if persona in READERS else 404
    assert response.status_code == expected


def test_the_accompanier_opens_the_dossier_and_downloads_its_documents(client, heard_piece, accompanier):
    client = client_of(client, accompanier)
    assert client.get(dossier_url(heard_piece.application)).status_code == 200
    assert client.get(piece_url(heard_piece)).status_code == 200


def test_a_vae_jury_member_of_another_session_finds_nothing(client, heard_piece):
    client = client_of(client, User.objects.get(email="autre.jure@test.example"))
    assert client.get(dossier_url(heard_piece.application)).status_code == 404
    assert client.get(piece_url(heard_piece)).status_code == 404


def test_a_document_is_downloaded_never_shown_inline(client_for, heard_piece):
    response = client_for("vae_jury").get(piece_url(heard_piece))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Attestation-de-l-employeur.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.content == PDF


def test_a_document_is_not_found_through_another_application(client_for, piece):
    url = reverse("vae:attachment", args=[piece.application_id + 1000, piece.pk])
    assert client_for("national_admin").get(url).status_code == 404


# the candidate writes through the pages


def test_the_candidate_describes_a_competence_through_its_page(client_for, application):
    competence = competences(application)[0]
    url = competence_url(application, competence)
    assert 'name="rubrique-text"' in page(client_for("candidate").get(url))
    response = client_for("candidate").post(
        url, {"action": "rubrique", "rubrique-text": "J'instruis des dossiers."}
    )
    assert response.status_code == 302
    assert (
        DossierEntry.objects.get(application=application, competence=competence).text
        == "J'instruis des dossiers."
    )


def test_the_candidate_attaches_a_file_through_the_dossier_page(client_for, application):
    upload = SimpleUploadedFile("photo.png", image("PNG"), content_type="image/png")
    response = client_for("candidate").post(
        dossier_url(application), {"action": "piece", "piece-file": upload}
    )
    assert response.status_code == 302
    assert Attachment.objects.get(application=application).content_type == "image/png"


def test_a_file_refused_is_named_in_the_form_error(client_for, application):
    upload = SimpleUploadedFile("releve.pdf", b"<html>faux</html>", content_type="application/pdf")
    text = page(
        client_for("candidate").post(dossier_url(application), {"action": "piece", "piece-file": upload})
    )
    assert "« releve.pdf » n'est ni un PDF ni une image PNG ou JPEG" in text
    assert 'aria-invalid="true"' in text
    assert not Attachment.objects.exists()


def test_the_candidate_removes_a_file_through_the_page(client_for, piece):
    url = reverse("vae:attachment_remove", args=[piece.application_id, piece.pk])
    assert client_for("candidate").get(url).status_code == 405
    assert client_for("candidate").post(url).status_code == 302
    assert not Attachment.objects.exists()


def test_the_accompanier_comments_a_competence_through_its_page(client, accompanied, accompanier):
    competence = competences(accompanied)[0]
    url = competence_url(accompanied, competence)
    client = client_of(client, accompanier)
    text = page(client.get(url))
    assert 'name="commentaire-text"' in text and 'name="rubrique-text"' not in text
    response = client.post(url, {"action": "commentaire", "commentaire-text": "Ajoutez un exemple."})
    assert response.status_code == 302
    assert DossierComment.objects.get().competence == competence


def test_the_candidate_confirms_before_submitting(client_for, application, users):
    write_every_block(application, users["candidate"])
    url = reverse("vae:dossier_submit", args=[application.pk])
    assert "ne se modifie plus" in page(client_for("candidate").get(url))
    unconfirmed = page(client_for("candidate").post(url, {}))
    assert 'aria-invalid="true"' in unconfirmed
    assert VaeApplication.objects.get(pk=application.pk).status == ApplicationStatus.ADMISSIBLE
    assert client_for("candidate").post(url, {"confirm": "on"}).status_code == 302
    assert VaeApplication.objects.get(pk=application.pk).status == ApplicationStatus.DOSSIER_SUBMITTED


def test_the_submission_page_lists_the_blocks_still_to_describe(client_for, application):
    text = page(client_for("candidate").get(reverse("vae:dossier_submit", args=[application.pk])))
    assert "décrivez au moins une compétence de chacun de ces blocs" in text
    assert 'name="confirm"' not in text


@pytest.mark.parametrize("persona", ["national_admin", "crfp_staff"])
def test_only_the_candidate_opens_the_submission_page(client_for, application, persona):
    expected = 403 if persona == "national_admin" else 404
    assert (
        client_for(persona).get(reverse("vae:dossier_submit", args=[application.pk])).status_code == expected
    )


def test_a_submitted_dossier_is_shown_read_only(client_for, submitted):
    competence = competences(submitted)[0]
    for url in (dossier_url(submitted), competence_url(submitted, competence)):
        text = page(client_for("candidate").get(url))
        assert "<textarea" not in text and 'type="file"' not in text and "Retirer" not in text
    text = page(client_for("candidate").get(dossier_url(submitted)))
    assert "Déposé le" in text and "Déposer le dossier" not in text
    response = client_for("candidate").post(
        competence_url(submitted, competence), {"action": "rubrique", "rubrique-text": "Ajout tardif."}
    )
    assert "Le dossier est déposé : il ne se modifie plus." in page(response)
    assert client_for("candidate").get(reverse("vae:dossier_submit", args=[submitted.pk])).status_code == 403


# the accompanier's page (D34)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_the_accompanier_page(client_for, application, persona):
    response = client_for(persona).get(reverse("vae:dossier_accompanier", args=[application.pk]))
    namers, seers = {"candidate"}, {"national_admin", "cpnefp", "crfp_staff"}
    expected = (
        302 if persona == "anonymous" else 200 if persona in namers else 403 if persona in seers else 404
    )
    assert response.status_code == expected


def test_the_candidate_names_the_accompanier_through_the_page(client_for, application, accompanier):
    url = reverse("vae:dossier_accompanier", args=[application.pk])
    assert client_for("crfp_staff").post(url, {"email": accompanier.email}).status_code == 403
    response = client_for("candidate").post(url, {"email": accompanier.email})
    assert response.status_code == 302
    assert VaeApplication.objects.get(pk=application.pk).accompanier == accompanier
    refused = page(client_for("candidate").post(url, {"email": "inconnu@ailleurs.example"}))
    assert "Aucun compte actif n'a l'adresse « inconnu@ailleurs.example »" in refused


# the summary on the application page


def test_the_application_page_leads_each_reader_to_the_dossier(client_for, client, accompanied, accompanier):
    detail = reverse("vae:application_detail", args=[accompanied.pk])
    link = f'href="{dossier_url(accompanied)}"'
    candidate = page(client_for("candidate").get(detail))
    assert link in candidate and "Rédiger le dossier" in candidate
    crfp = page(client_for("crfp_staff").get(detail))
    assert link not in crfp and reverse("vae:dossier_accompanier", args=[accompanied.pk]) not in crfp
    assert link in page(client_of(client, accompanier).get(detail))


# queries


def test_the_dossier_page_reads_in_a_bounded_number_of_queries(client_for, accompanied, users, accompanier):
    client = client_for("candidate")
    page(client.get(dossier_url(accompanied)))
    with CaptureQueriesContext(connection) as few:
        page(client.get(dossier_url(accompanied)))
    for index, competence in enumerate(competences(accompanied)[:6]):
        do_write_entry(users["candidate"], accompanied, competence, f"Expérience {index}.")
        do_comment(accompanier, accompanied, f"Avis {index}.", competence)
        do_add_attachment(
            users["candidate"],
            accompanied,
            SimpleUploadedFile(f"p{index}.png", image("PNG", (10 + index, 10))),
            competence,
        )
    with CaptureQueriesContext(connection) as many:
        text = page(client.get(dossier_url(accompanied)))
    assert "Expérience 5." in text and "Avis 5." in text and "p5.png" in text
    assert len(many) == len(few) <= 14
