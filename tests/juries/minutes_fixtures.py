"""Fixtures of the signed minutes: a throwaway signing certificate, a deliberation decided, signed."""

import pytest
from django.utils import timezone

from certifier.exams.models import ExamSession, Registration
from certifier.juries.deliberation import do_adopt_proposals
from certifier.juries.minutes import do_sign_minutes
from certifier.juries.signing import SigningFiles, make_development_certificate


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """A development authority and signing certificate, made once for the whole run."""
    directory = tmp_path_factory.mktemp("signing")
    files = SigningFiles(
        key=directory / "key.pem",
        certificate=directory / "certificate.pem",
        chain=directory / "authority.pem",
        passphrase=None,
    )
    make_development_certificate(files)
    return files


@pytest.fixture(autouse=True)
def signing_settings(settings, signing_files):
    settings.SIGNING_KEY_PATH = signing_files.key
    settings.SIGNING_CERT_PATH = signing_files.certificate
    settings.SIGNING_CHAIN_PATH = signing_files.chain
    settings.SIGNING_KEY_PASSPHRASE = ""
    return signing_files


@pytest.fixture
def lifted_session(marks_session):
    """The written marks meet their candidates once anonymity is lifted (D48), as when the jury sits."""
    ExamSession.objects.filter(pk=marks_session.pk).update(anonymity_lifted_at=timezone.now())
    marks_session.refresh_from_db()
    return marks_session


@pytest.fixture
def decided(users, lifted_session, deliberation):
    """Every candidate of the session decided as the engine proposes."""
    do_adopt_proposals(
        users["national_admin"], deliberation, Registration.objects.filter(session=lifted_session)
    )
    return deliberation


def sign(actor, deliberation, capture, release_at=None):
    """The minutes signed through the job, run at once; the job returned refreshed."""
    with capture(execute=True):
        job = do_sign_minutes(actor, deliberation, release_at)
    job.refresh_from_db()
    deliberation.jury.session.refresh_from_db()
    return job


@pytest.fixture
def proclaimed(users, decided, django_capture_on_commit_callbacks):
    """The original deliberation's minutes signed: the session's results proclaimed."""
    job = sign(users["national_admin"], decided, django_capture_on_commit_callbacks)
    assert job.status == "done", job.outcome
    decided.refresh_from_db()
    return decided
