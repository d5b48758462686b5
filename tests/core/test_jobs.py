"""Background jobs: the web import stores the file and redirects to the job's page, which follows the
rows checked, then gives the outcome; a job whose worker died shows as failed and can be run again."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from certifier.core import jobs
from certifier.core.enums import JobKind, JobStatus
from certifier.core.models import Job
from certifier.pathways import importers
from certifier.pathways.models import Candidate
from tests.pathways.test_import import THREE, csv_file, row
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def candidates_file(tmp_path, organisations, referential):
    siret = organisations["employer"].siret

    def make(*overrides):
        return csv_file(tmp_path, [row(**({"SIRET employeur": siret} | override)) for override in overrides])

    return make


def upload(client, path, capture):
    """POST the file to the web import as a user would; the job runs when the request commits."""
    with path.open("rb") as stream, capture(execute=True):
        return client.post(reverse("pathways:enrolment_import"), {"file": stream})


def test_the_web_import_redirects_to_the_job_page_with_the_counts(
    client_for, candidates_file, django_capture_on_commit_callbacks
):
    client = client_for("crfp_staff")
    response = upload(client, candidates_file(*THREE), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people:job_detail", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Import terminé : 3 lignes lues." in page
    assert "Inscriptions créées : 3" in page
    assert 'http-equiv="refresh"' not in page
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 3, 3)
    assert not job.file  # a finished import keeps no copy of the personal data it carried
    assert Candidate.objects.count() == 3


def test_the_job_page_lists_every_error_with_row_and_column(
    client_for, candidates_file, django_capture_on_commit_callbacks
):
    client = client_for("crfp_staff")
    path = candidates_file({"Date de naissance": "31/02/1990"})
    page = client.get(upload(client, path, django_capture_on_commit_callbacks).url).content.decode()
    assert "Import refusé : 1 erreur. Aucune ligne n&#x27;a été enregistrée." in page
    assert (
        '<th scope="row">2</th><td>Date de naissance</td><td>date « 31/02/1990 » invalide (attendu JJ/MM/AAAA).</td>'
        in page
    )
    assert not Candidate.objects.exists()


def test_a_waiting_job_page_refreshes_itself_and_shows_the_rows_checked(client_for, users):
    job = Job.objects.create(
        kind=JobKind.CANDIDATE_IMPORT,
        started_by=users["crfp_staff"],
        status=JobStatus.RUNNING,
        done=400,
        total=20_000,
        heartbeat=timezone.now(),
    )
    page = client_for("crfp_staff").get(reverse("people:job_detail", args=[job.pk])).content.decode()
    assert "400 lignes vérifiées sur 20000" in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page  # reloads without JS
    assert 'data-job-waiting="2"' in page and "js/import-progress.js" in page  # else updated in place
    assert "<script>" not in page  # the Content-Security-Policy forbids inline scripts


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_its_starter_and_national_administrators_see_a_job(client_for, users, persona):
    job = Job.objects.create(kind=JobKind.CANDIDATE_IMPORT, started_by=users["crfp_staff"])
    response = client_for(persona).get(reverse("people:job_detail", args=[job.pk]))
    expected = {"crfp_staff": 200, "national_admin": 200, "anonymous": 302}.get(persona, 404)
    assert response.status_code == expected


def test_a_job_whose_worker_died_shows_as_failed_and_runs_again(
    client_for, users, candidates_file, media, django_capture_on_commit_callbacks
):
    client = client_for("crfp_staff")
    with django_capture_on_commit_callbacks(execute=False):  # no worker picks it up
        client.post(reverse("pathways:enrolment_import"), {"file": candidates_file(*THREE).open("rb")})
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, done=1, total=3, heartbeat=timezone.now() - timedelta(minutes=10)
    )
    url = reverse("people:job_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert "Le traitement a été interrompu avant sa fin" in page
    assert "Relancer le traitement" in page
    assert 'http-equiv="refresh"' not in page
    assert client_for("national_admin").post(reverse("people:job_restart", args=[job.pk])).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:job_restart", args=[job.pk]))
    assert response.url == url
    assert "Inscriptions créées : 3" in client.get(url).content.decode()
    assert Candidate.objects.count() == 3


def test_a_crash_while_writing_leaves_nothing_and_fails_the_job_in_french(
    client_for, candidates_file, monkeypatch, django_capture_on_commit_callbacks
):
    write = importers.do_import_enrolments

    def crash(*args, **kwargs):  # every row written, then the worker dies before the commit
        with transaction.atomic():
            write(*args, **kwargs)
            assert Candidate.objects.count() == 3
            raise MemoryError("killed")

    monkeypatch.setattr(importers, "do_import_enrolments", crash)
    client = client_for("crfp_staff")
    page = client.get(upload(client, candidates_file(*THREE), django_capture_on_commit_callbacks).url)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "Le traitement a échoué sur une erreur inattendue." in page.content.decode()
    assert "Aucune ligne du fichier n'a été enregistrée." in page.content.decode()
    assert "Relancer le traitement" in page.content.decode()
    assert not Candidate.objects.exists()
    assert job.file  # kept to run it again


def test_a_job_is_run_once_even_if_its_task_is_delivered_twice(users):
    job = Job.objects.create(kind=JobKind.CANDIDATE_IMPORT, started_by=users["crfp_staff"])
    calls = []

    def work(job, progress):
        calls.append(job.pk)
        return jobs.Outcome("Fait.")

    jobs.run(job.pk, work)
    jobs.run(job.pk, work)
    assert calls == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_an_uploaded_import(client_for, candidates_file, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for("crfp_staff")
    with candidates_file(*THREE).open("rb") as stream:
        response = client.post(reverse("pathways:enrolment_import"), {"file": stream})
    job = Job.objects.get()
    assert job.status == JobStatus.PENDING
    assert "En attente" in client.get(response.url).content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert (job.status, job.outcome) == (JobStatus.DONE, "Import terminé : 3 lignes lues.")
    assert Candidate.objects.count() == 3


def test_a_user_waits_for_their_import_before_queuing_another(client_for, candidates_file, users):
    """One import waiting or running per user, so that nobody fills the worker's queue for everyone."""
    waiting = Job.objects.create(kind=JobKind.CANDIDATE_IMPORT, started_by=users["crfp_staff"])
    with candidates_file(*THREE).open("rb") as stream:
        response = client_for("crfp_staff").post(reverse("pathways:enrolment_import"), {"file": stream})
    assert response.status_code == 200
    assert "Un de vos imports de candidats est déjà en attente ou en cours" in response.content.decode()
    assert list(Job.objects.all()) == [waiting]
