"""Session documents (issue 8, item 3): convocations, attendance sheets and copy-code lists, produced
by a background job for the national administrator (every CRFP, copy codes) or a CRFP (its own
candidates, no copy codes); a candidate's own convocation."""

import re
import zlib
from base64 import a85decode

import pytest
from django.urls import reverse

from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import AuditEvent, Job
from certifier.exams.jobs import start_documents
from tests.personas import PERSONAS

from .conftest import registration_of

pytestmark = pytest.mark.django_db

_STREAM = re.compile(
    rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)~>\s*endstream", re.S
)
_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    return bytes([int(code, 8)]) if code[:1].isdigit() else code


def pdf_text(content: bytes) -> str:
    """The text drawn on the pages of a reportlab PDF (its compressed content streams, read back),
    its lines joined by single spaces (so that a wrapped sentence reads whole)."""
    assert content.startswith(b"%PDF")
    strings = []
    for stream in _STREAM.findall(content):
        data = zlib.decompress(a85decode(re.sub(rb"\s", b"", stream)))
        strings += [_ESCAPE.sub(_unescape, found).decode("cp1252") for found in _STRING.findall(data)]
    return " ".join(" ".join(strings).split())


def page_count(content: bytes) -> int:
    return len(re.findall(rb"/Type /Page\n", content))


def documents_url(session) -> str:
    return reverse("exams:documents", args=[session.pk])


def download_url(session) -> str:
    return reverse("exams:documents_download", args=[session.pk])


def convocation_url(session) -> str:
    return reverse("exams:own_convocation", args=[session.pk])


def produce(client, session, capture) -> bytes:
    """Start the job as `client`'s user (it runs at once in tests), then download its file."""
    with capture(execute=True):
        response = client.post(documents_url(session))
    assert response.status_code == 302
    download = client.get(download_url(session))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="documents-Session-de-decembre-{session.year}.pdf"' in download["Content-Disposition"]
    return b"".join(download.streaming_content) if download.streaming else download.content


@pytest.fixture
def own(marks_session):
    return registration_of(marks_session, "Martin")


@pytest.fixture
def foreign(marks_session):
    return registration_of(marks_session, "Durand")


# --- who reaches what ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_documents_page_is_for_the_national_admin_and_crfps(persona, client_for, marks_session):
    response = client_for(persona).get(documents_url(marks_session))
    expected = {"national_admin": 200, "crfp_staff": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_download_is_for_the_national_admin_and_crfps(
    persona, client_for, users, marks_session, django_capture_on_commit_callbacks
):
    for producer in ("national_admin", "crfp_staff"):
        with django_capture_on_commit_callbacks(execute=True):
            start_documents(users[producer], marks_session)
    response = client_for(persona).get(download_url(marks_session))
    expected = {"national_admin": 200, "crfp_staff": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_own_convocation_is_for_the_candidate_only(persona, client_for, marks_session):
    response = client_for(persona).get(convocation_url(marks_session))
    expected = {"candidate": 200, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["national_admin", "crfp_staff"])
def test_unknown_session_is_not_found(persona, client_for, marks_session):
    client = client_for(persona)
    assert client.get(reverse("exams:documents", args=[marks_session.pk + 100])).status_code == 404
    assert client.get(reverse("exams:documents_download", args=[marks_session.pk + 100])).status_code == 404


def test_candidate_not_registered_in_the_session_gets_not_found(client_for, marks_session, make_session):
    other = make_session(year=2027)
    assert client_for("candidate").get(convocation_url(other)).status_code == 404
    assert (
        client_for("candidate").get(reverse("exams:own_convocation", args=[other.pk + 100])).status_code
        == 404
    )


def test_nothing_to_download_before_any_production(client_for, marks_session):
    assert client_for("crfp_staff").get(download_url(marks_session)).status_code == 404


# --- what the documents hold --------------------------------------------------------------------


def test_crfp_documents_hold_only_its_candidates_and_no_copy_code(
    client_for, marks_session, own, foreign, django_capture_on_commit_callbacks
):
    content = produce(client_for("crfp_staff"), marks_session, django_capture_on_commit_callbacks)
    text = pdf_text(content)
    assert "MARTIN Léa" in text and own.candidate_number in text
    assert "DURAND" not in text and foreign.candidate_number not in text and "CRFP de Lyon" not in text
    assert own.copy_code not in text and foreign.copy_code not in text
    assert "Liste des codes de copie" not in text
    assert "Feuille d'émargement" in text
    assert page_count(content) == 2  # one convocation, one attendance sheet


def test_national_admin_documents_cover_every_crfp_with_the_copy_codes(
    client_for, marks_session, own, foreign, django_capture_on_commit_callbacks
):
    content = produce(client_for("national_admin"), marks_session, django_capture_on_commit_callbacks)
    text = pdf_text(content)
    for registration in (own, foreign):
        assert registration.candidate_number in text and registration.copy_code in text
    assert "MARTIN Léa" in text and "DURAND Paul" in text
    assert text.count("Feuille d'émargement") == 2 and text.count("Liste des codes de copie") == 2
    assert page_count(content) == 6  # per CRFP: a convocation, an attendance sheet, a copy-code list


def test_convocation_gives_dates_place_and_the_candidate_number_to_keep(
    client_for, marks_session, own, django_capture_on_commit_callbacks
):
    text = pdf_text(produce(client_for("crfp_staff"), marks_session, django_capture_on_commit_callbacks))
    written = marks_session.written_exam_date
    assert f"{written.day} " in text and str(written.year) in text
    assert "CRFP de Bordeaux" in text
    assert "Votre numéro de candidat" in text
    assert (
        "Conservez ce numéro : il vous sera demandé avec votre date de naissance pour consulter vos" in text
    )


def test_no_document_prints_a_birth_date(
    client_for, marks_session, own, foreign, django_capture_on_commit_callbacks
):
    text = pdf_text(produce(client_for("national_admin"), marks_session, django_capture_on_commit_callbacks))
    for registration in (own, foreign):
        born = registration.enrolment.candidate.birth_date
        for shown in (f"{born:%d/%m/%Y}", born.isoformat(), f"{born:%d/%m/%y}"):
            assert shown not in text


def test_candidate_downloads_only_their_own_convocation(client_for, marks_session, own, foreign):
    response = client_for("candidate").get(convocation_url(marks_session))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert own.candidate_number.replace("-", "") in response["Content-Disposition"].replace("-", "")
    text = pdf_text(response.content)
    assert own.candidate_number in text and "MARTIN Léa" in text and "Conservez ce numéro" in text
    assert foreign.candidate_number not in text and "DURAND" not in text
    assert own.copy_code not in text
    assert page_count(response.content) == 1


# --- the job ------------------------------------------------------------------------------------


def test_job_reports_its_progress_and_outcome(users, marks_session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_documents(users["national_admin"], marks_session)
    job.refresh_from_db()
    assert job.kind == JobKind.EXAM_DOCUMENTS and job.status == JobStatus.DONE
    assert (job.done, job.total) == (2, 2)
    assert job.outcome == "Documents produits : un fichier PDF de 6 pages."
    assert "Convocations : 2" in job.details


def test_who_asked_for_the_copy_code_lists_is_logged(users, marks_session):
    start_documents(users["national_admin"], marks_session)
    start_documents(users["crfp_staff"], marks_session)
    events = AuditEvent.objects.filter(action=AuditAction.EXAM_DOCUMENTS_REQUESTED).order_by("id")
    assert [(event.actor, event.after["copy_codes"]) for event in events] == [
        (users["national_admin"], True),
        (users["crfp_staff"], False),
    ]


def test_a_second_production_waits_for_the_first(client_for, users, marks_session):
    start_documents(users["crfp_staff"], marks_session)  # enqueued at commit: never run in this test
    response = client_for("crfp_staff").post(documents_url(marks_session), follow=True)
    assert "déjà une production de documents en attente ou en cours" in response.content.decode()
    assert Job.objects.filter(kind=JobKind.EXAM_DOCUMENTS).count() == 1
    page = client_for("crfp_staff").get(documents_url(marks_session)).content.decode()
    assert "En attente" in page and "Générer les documents" not in page


def test_a_session_without_candidates_has_nothing_to_produce(client_for, make_session):
    session = make_session()
    response = client_for("national_admin").post(documents_url(session), follow=True)
    assert "aucun document à produire" in response.content.decode()
    assert not Job.objects.exists()


def test_each_user_downloads_their_own_file_and_the_admin_every_one(
    client_for, users, marks_session, foreign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_job = start_documents(users["national_admin"], marks_session)
        crfp_job = start_documents(users["crfp_staff"], marks_session)
    staff = client_for("crfp_staff")
    assert foreign.copy_code not in pdf_text(staff.get(download_url(marks_session)).content)
    refused = staff.get(download_url(marks_session) + f"?traitement={admin_job.pk}")
    assert refused.status_code == 404
    admin = client_for("national_admin")
    page = admin.get(documents_url(marks_session)).content.decode()
    assert "Documents produits par les CRFP" in page and f"?traitement={crfp_job.pk}" in page
    crfp_file = admin.get(download_url(marks_session) + f"?traitement={crfp_job.pk}")
    assert crfp_file.status_code == 200 and "DURAND" not in pdf_text(crfp_file.content)
    assert admin.get(download_url(marks_session) + "?traitement=abc").status_code == 404


def test_page_shows_the_latest_file_with_its_date(
    client_for, marks_session, own, django_capture_on_commit_callbacks
):
    client = client_for("crfp_staff")
    assert "aucun document pour cette session" in client.get(documents_url(marks_session)).content.decode()
    produce(client, marks_session, django_capture_on_commit_callbacks)
    page = client.get(documents_url(marks_session)).content.decode()
    assert "Télécharger les documents (PDF)" in page and "produits le" in page
    assert "Liste des codes de copie" not in page.split("Dernier fichier produit")[1]


@pytest.mark.parametrize("wanted", ["²", "abc", "99999999999999999999999"])
def test_a_malformed_file_number_is_not_found(client_for, marks_session, wanted):
    response = client_for("crfp_staff").get(download_url(marks_session) + f"?traitement={wanted}")
    assert response.status_code == 404
