"""Fixtures of the certificates' tests, built through the juries' services: a blocks-scheme session
whose national jury certified Martin Léa (every block validated) and validated two blocks of Durand
Paul (not certified), its minutes signed: the results proclaimed, the certificates issued by the job
the proclamation starts. The 2013 scheme's `proclaimed` session (tests/juries) issues CQPs only.
The certifier's keys (the PAdES signing certificate, the credentials' Ed25519 key) are throwaway."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from certifier.certificates.models import Certificate
from certifier.exams.models import Registration
from certifier.exams.services import do_register
from certifier.juries.deliberation import do_decide, proposals
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from certifier.referential.models import Block
from tests.exams.conftest import (  # noqa: F401
    make_session,
    marks_session,
    marks_version,
    registration_of,
    session,
    session_data,
)
from tests.juries.conftest import deliberation, jury_lists, make_national_jury, national_jury  # noqa: F401
from tests.juries.minutes_fixtures import (  # noqa: F401
    decided,
    lifted_session,
    proclaimed,
    sign,
    signing_files,
    signing_settings,
)

REASON = "Le jury retient les blocs au vu de l'ensemble du dossier."
# Durand Paul's blocks the jury validates; the others are not validated
PARTIAL = ("RNCP35729BC01", "RNCP35729BC02")


@pytest.fixture(scope="session")
def credential_key_file(tmp_path_factory):
    """A throwaway Ed25519 key of the certifier's credentials, made once for the whole run."""
    path = tmp_path_factory.mktemp("credentials") / "credential-key.pem"
    key = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


@pytest.fixture(autouse=True)
def credential_settings(settings, credential_key_file):
    settings.CREDENTIAL_KEY_PATH = credential_key_file
    settings.SITE_URL = "https://certifier.test"
    return credential_key_file


@pytest.fixture
def blocks_deliberation(users, make_national_jury, session, enrolments):  # noqa: F811
    """A blocks-scheme session with `own` (Martin Léa, the candidate persona) and `foreign` (Durand
    Paul) registered; its national jury sitting, every member present, nothing decided yet."""
    do_register(None, session, [enrolments["own"], enrolments["foreign"]])
    jury = make_national_jury(session)
    admin = users["national_admin"]
    opened = do_open_deliberation(admin, jury, session.national_jury_date, jury.place)
    do_record_attendance(admin, opened, jury.members.all())
    return opened


def decide_blocks(actor, opened, registration, status, validated) -> None:
    """The jury decides `status` for `registration` with the blocks in `validated` validated and the
    others not, departing from the proposal (reasoned, voted by the 8 members) when it must."""
    codes = Block.objects.filter(version=opened.jury.session.version).values_list("code", flat=True)
    blocks = {code: "validated" if code in validated else "not_validated" for code in codes}
    proposal = proposals(opened).by_registration[registration.pk]
    if (proposal.status, proposal.blocks) == (status, blocks):
        do_decide(actor, opened, registration, status, blocks, "", None, None, None, "", False)
    else:
        do_decide(actor, opened, registration, status, blocks, REASON, 8, 0, 0, "", False)


@pytest.fixture
def blocks_decided(users, blocks_deliberation):
    """Martin Léa certified, every block validated; Durand Paul not certified, BC01 and BC02 validated."""
    admin = users["national_admin"]
    sitting = blocks_deliberation.jury.session
    codes = set(Block.objects.filter(version=sitting.version).values_list("code", flat=True))
    decide_blocks(admin, blocks_deliberation, registration_of(sitting, "Martin"), "certified", codes)
    decide_blocks(admin, blocks_deliberation, registration_of(sitting, "Durand"), "not_certified", PARTIAL)
    return blocks_deliberation


@pytest.fixture
def proclaimed_blocks_session(users, blocks_decided, django_capture_on_commit_callbacks):
    """The minutes of `blocks_decided` signed by the national administrator, the signing job and the
    issuing job it starts run at once: the session (refreshed) proclaimed and released now."""
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks)
    assert job.status == "done", job.outcome
    proclaimed_session = blocks_decided.jury.session
    proclaimed_session.refresh_from_db()
    return proclaimed_session


@pytest.fixture
def issued(proclaimed_blocks_session):
    """The certificates issued for `proclaimed_blocks_session`: Martin Léa's CQP and her CCP of each
    block, Durand Paul's CCPs of BC01 and BC02; by kind, then number."""
    return list(
        Certificate.objects.filter(
            decision__registration__in=Registration.objects.filter(session=proclaimed_blocks_session)
        ).select_related("candidate")
    )
