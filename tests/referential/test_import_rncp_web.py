"""The registry export uploaded by a national administrator, imported by the worker as a job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import AuditEvent, Job, NotAllowed
from certifier.referential import registry
from certifier.referential.models import Certification
from tests.personas import PERSONAS
from tests.referential.test_import_rncp import export, fiche

pytestmark = pytest.mark.django_db

URL = reverse("referential:registry_upload")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, content: str, capture, name="export.xml"):
    with capture(execute=True):
        return client.post(URL, {"file": SimpleUploadedFile(name, content.encode())})


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_national_administrators_upload_the_registry(client_for, persona):
    response = client_for(persona).get(URL)
    expected = {"national_admin": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected


def test_an_uploaded_export_is_imported_by_a_job(client_for, django_capture_on_commit_callbacks):
    client = client_for("national_admin")
    response = upload(client, export(fiche(), fiche(number="RNCP1")), django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response.url == reverse("people:job_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "2 fiches lues, 2 créées, 0 modifiée, 0 inchangée." in page
    assert Certification.objects.count() == 2
    assert "2 fiches lues, 2 créées" in client.get(URL).content.decode()  # listed among the last imports


def test_the_audit_names_the_administrator_who_uploaded_the_export(
    client_for, users, django_capture_on_commit_callbacks
):
    upload(client_for("national_admin"), export(fiche()), django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action=AuditAction.REGISTRY_IMPORTED)
    assert event.actor == users["national_admin"]


def test_the_registry_import_service_refuses_anyone_but_a_national_administrator(tmp_path, users):
    path = tmp_path / "export.xml"
    path.write_text(export(fiche()), encoding="utf-8")
    with pytest.raises(NotAllowed):
        registry.do_import_registry(path, actor=users["crfp_staff"])
    assert not Certification.objects.exists()


def test_a_malformed_export_fails_its_job_in_french_and_imports_nothing(
    client_for, django_capture_on_commit_callbacks
):
    client = client_for("national_admin")
    response = upload(client, export(fiche(), fiche()), django_capture_on_commit_callbacks)

    page = client.get(response.url).content.decode()
    assert (
        "Fiche n° 2 (RNCP35729) : ce numéro figure déjà dans la fiche n° 1. Rien n&#x27;a été importé."
        in page
    )
    assert "Relancer le traitement" in page
    assert not Certification.objects.exists()


def test_a_file_that_is_neither_xml_nor_zip_is_refused(client_for, django_capture_on_commit_callbacks):
    response = upload(
        client_for("national_admin"), "x", django_capture_on_commit_callbacks, name="export.pdf"
    )

    assert "Le fichier doit être un export XML (.xml) ou une archive ZIP (.zip)." in response.content.decode()
    assert not Job.objects.exists()


def test_no_upload_while_another_registry_import_runs(client_for, django_capture_on_commit_callbacks):
    Job.objects.create(kind=JobKind.REGISTRY_IMPORT, status=JobStatus.RUNNING, heartbeat=timezone.now())
    response = upload(client_for("national_admin"), export(fiche()), django_capture_on_commit_callbacks)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Un autre import du registre est déjà en cours : un seul à la fois." in page
    assert Job.objects.count() == 1
