# ruff: noqa: F811 (the fixtures shared with test_outcome are imported, then requested by name)
"""D67, D54, D18, D59: the minutes of a VAE jury session, drawn from the data and signed PAdES by the certifier
in a job at the president's request. Signing proclaims: each application decided and written to an
enrolment, the blocks validated joining the table capitalisation reads (a later national deliberation and
the candidate's results show them), the certificates issued (a CCP per block, the CQP for a full
validation); nothing changes a decision afterwards."""

import hashlib
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.assessments.models import BlockDecision
from certifier.certificates.models import Certificate, CertificateKind, VaeRoute
from certifier.core import jobs
from certifier.core.enums import AuditAction, DecisionSource, JobStatus
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.services import do_register
from certifier.juries.deliberation import proposals
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from certifier.pathways.models import Enrolment
from certifier.referential.enums import AccessRouteKind
from certifier.vae.enums import ApplicationStatus, VaeOutcome
from certifier.vae.jury import do_add_member, do_request_interview, do_set_interview
from certifier.vae.minutes import NOT_ALLOWED, do_sign_minutes, draw_minutes, minutes_data
from certifier.vae.models import VaeMinutes
from tests.certificates.conftest import credential_key_file, credential_settings  # noqa: F401
from tests.exams.conftest import make_session, session, session_data  # noqa: F401
from tests.exams.test_documents import pdf_text
from tests.juries.conftest import jury_lists, make_national_jury  # noqa: F401
from tests.juries.minutes_fixtures import signing_files, signing_settings  # noqa: F401
from tests.juries.test_minutes import validate

from .test_outcome import (  # noqa: F401
    ARGUMENT,
    candidacy,
    codes,
    decide,
    jurors,
    newcomer,
    submit,
    vae_session,
)

pytestmark = pytest.mark.django_db


def sign(actor, vae_session, capture):
    """The minutes signed through the job, run at once; the job returned refreshed."""
    with capture(execute=True):
        job = do_sign_minutes(actor, vae_session)
    job.refresh_from_db()
    return job


@pytest.fixture
def partial(users, candidacy):
    """Martin Léa: BC01 and BC02 validated, BC03 not."""
    return decide(users["vae_jury"], candidacy, codes(candidacy.application.version)[:2])


@pytest.fixture
def signed(users, vae_session, partial, django_capture_on_commit_callbacks):
    job = sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.outcome
    return VaeMinutes.objects.get(session=vae_session)


# the minutes


def test_the_minutes_say_the_session_its_members_and_each_outcome_argued_and_voted(
    users, signed, vae_session
):
    text = pdf_text(signed.file.read())
    assert "Procès-verbal du jury de validation des acquis de l'expérience" in text
    assert "RNCP35729" in text and "Ucanss, Paris" in text
    for name in ("Claire Lambert (présidence)", "Bruno Morel", "Chloé Faure"):
        assert name in text
    assert "Présidente du jury VAE" in text and "Professionnel du métier" in text
    assert "MARTIN Léa" in text and "Validation partielle" in text
    assert "RNCP35729BC01, RNCP35729BC02" in text
    assert ARGUMENT in text and "3 voix pour, 0 voix contre, 0 abstention" in text
    assert "Entretien le" in text
    assert "Présidence du jury (voix prépondérante) : Claire Lambert" in text


def test_a_dossier_only_outcome_and_a_casting_vote_are_said(
    users, vae_session, newcomer, django_capture_on_commit_callbacks
):
    candidacy = newcomer(prior_certification="vademecaf", prior_certification_date=date(2011, 3, 15))
    decide(users["vae_jury"], candidacy, [], votes_for=1, votes_against=1, abstentions=1, casting_vote=True)
    text = pdf_text(draw_minutes(minutes_data(vae_session)))
    assert "Sur dossier seul" in text and "Refus de validation" in text
    assert "égalité départagée par la voix prépondérante du président" in text


def test_the_signature_is_valid_and_its_hash_the_files(signed):
    content = signed.file.read()
    assert signed.sha256 == hashlib.sha256(content).hexdigest()
    status = validate(content)
    assert status.intact and status.valid and status.trusted


def test_one_altered_byte_breaks_the_signature(signed):
    content = bytearray(signed.file.read())
    middle = content.index(b"stream") + 200
    content[middle] ^= 0x01
    try:
        status = validate(bytes(content))
    except Exception:
        return
    assert not (status.intact and status.valid)


def test_the_minutes_of_one_or_three_candidates_are_read_in_the_same_queries(
    users, vae_session, partial, newcomer
):
    counts = []
    for added in (0, 2):
        for _ in range(added):
            decide(users["vae_jury"], newcomer(), [])
        with CaptureQueriesContext(connection) as queries:
            data = minutes_data(vae_session)
        counts.append(len(queries))
        assert len(data.candidates) == 1 + added
    assert counts[0] == counts[1]


# who signs, and when


@pytest.mark.parametrize("persona", ["national_admin", "cpnefp", "candidate"])
def test_only_the_president_signs(users, vae_session, partial, persona):
    with pytest.raises(NotAllowed, match=NOT_ALLOWED):
        do_sign_minutes(users[persona], vae_session)


def test_a_member_who_does_not_preside_does_not_sign(vae_session, partial, jurors):
    with pytest.raises(NotAllowed):
        do_sign_minutes(jurors["bruno"], vae_session)


def test_the_minutes_are_signed_once_every_candidate_is_decided(users, vae_session, partial, newcomer):
    newcomer()
    with pytest.raises(DomainError, match="n'a pas statué sur 1 candidat"):
        do_sign_minutes(users["vae_jury"], vae_session)
    assert not VaeMinutes.objects.exists()


def test_signing_is_audited_once_with_a_block_decision_event_per_block(users, signed, partial):
    event = AuditEvent.objects.get(action=AuditAction.VAE_MINUTES_SIGNED)
    application = partial.candidacy.application
    assert (event.actor, event.object_id) == (users["vae_jury"], str(signed.pk))
    assert event.after["sha256"] == signed.sha256
    assert event.after["decisions"] == {str(application.pk): VaeOutcome.PARTIAL}
    confirmed = AuditEvent.objects.filter(action=AuditAction.BLOCK_DECISION_CONFIRMED)
    assert sorted(e.after["block"] for e in confirmed) == ["RNCP35729BC01", "RNCP35729BC02"]
    assert {e.after["source"] for e in confirmed} == {DecisionSource.VAE}


def test_nothing_changes_a_decision_or_the_jury_after_signature(
    users, signed, vae_session, candidacy, jurors, newcomer, organisations
):
    with pytest.raises(DomainError, match="procès-verbal de ce jury VAE est signé"):
        decide(users["vae_jury"], candidacy, [])
    with pytest.raises(DomainError, match="déjà signé"):
        do_sign_minutes(users["vae_jury"], vae_session)
    with pytest.raises(DomainError, match="signé"):
        do_add_member(
            users["cpnefp"], vae_session, email="chloe@test.example", capacity="x", qualified=True, sex="F"
        )
    with pytest.raises(DomainError, match="signé"):
        do_request_interview(users["vae_jury"], candidacy, "Entendre la candidate.")
    with pytest.raises(DomainError, match="signé"):
        do_set_interview(
            users["cpnefp"], candidacy, timezone.make_aware(datetime.combine(vae_session.held_on, time(2, 0)))
        )
    assert VaeMinutes.objects.count() == 1
    assert candidacy.decision.confirmed_status == VaeOutcome.PARTIAL


# the proclamation


def test_signing_decides_the_application_on_the_candidates_enrolment(signed, partial, own):
    application = partial.candidacy.application
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED
    assert application.enrolment == own and own.version == application.version


def test_the_explanation_says_which_blocks_the_vae_jury_validated(signed, partial):
    assert partial.explanation == (
        "Validation partielle — bloc RNCP35729BC01 : validé par le jury VAE, bloc RNCP35729BC02 : validé par le "
        "jury VAE, bloc RNCP35729BC03 : non validé."
    )
    assert "session précédente" not in BlockDecision.objects.filter(source=DecisionSource.VAE)[0].explanation


def test_the_signed_sessions_page_does_not_count_its_own_blocks_as_held_before(
    client_for, signed, vae_session
):
    page = client_for("vae_jury").get(reverse("vae:deliberation", args=[vae_session.pk])).content.decode()
    assert "<dt>Blocs déjà acquis</dt><dd>aucun</dd>" in page


def test_the_employer_does_not_follow_an_enrolment_by_vae(
    users, vae_session, newcomer, client_for, django_capture_on_commit_callbacks
):
    candidacy = newcomer(funder=users["employer_hr"].memberships.get().organisation)
    decide(users["vae_jury"], candidacy, ["RNCP35729BC03"])
    assert sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks).status == JobStatus.DONE
    enrolment = Enrolment.objects.get(candidate=candidacy.application.candidate)
    assert not Enrolment.objects.visible_to(users["employer_hr"]).filter(pk=enrolment.pk).exists()
    assert Enrolment.objects.visible_to(users["crfp_staff"]).filter(pk=enrolment.pk).exists()


def test_a_candidate_never_enrolled_is_enrolled_by_the_vae_route(
    users, vae_session, newcomer, django_capture_on_commit_callbacks
):
    candidacy = newcomer()
    decide(users["vae_jury"], candidacy, ["RNCP35729BC03"])
    assert sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks).status == JobStatus.DONE
    application = candidacy.application
    application.refresh_from_db()
    enrolment = Enrolment.objects.get(candidate=application.candidate)
    assert application.enrolment == enrolment
    assert (enrolment.access_route, enrolment.training_centre, enrolment.version) == (
        AccessRouteKind.VAE,
        application.training_centre,
        application.version,
    )


def test_the_blocks_validated_join_the_capitalised_blocks_from_the_signature(signed, own):
    written = BlockDecision.objects.filter(enrolment=own, source=DecisionSource.VAE).order_by("block__code")
    assert [d.block.code for d in written] == ["RNCP35729BC01", "RNCP35729BC02"]
    assert {d.confirmed_status for d in written} == {"validated"}
    assert {d.shown_from for d in written} == {signed.signed_at}


def test_a_later_national_deliberation_counts_the_blocks_validated_by_the_vae(
    users,
    signed,
    own,
    session,
    make_national_jury,
    client_for,
):
    do_register(None, session, [own])
    jury = make_national_jury(session)
    deliberation = do_open_deliberation(users["national_admin"], jury, session.national_jury_date, jury.place)
    do_record_attendance(users["national_admin"], deliberation, jury.members.all())
    row = proposals(deliberation).rows[0]
    assert row.capitalised == {"RNCP35729BC01": "validé par la VAE", "RNCP35729BC02": "validé par la VAE"}
    assert "bloc RNCP35729BC01 : capitalisé (validé par la VAE)" in row.explanation
    page = client_for("national_admin").get(
        reverse("juries:decide", args=[deliberation.pk, row.registration.pk])
    )
    assert "capitalisé (validé par la VAE, avant cette session)" in page.content.decode()


def test_the_candidates_results_page_shows_the_blocks_validated_by_the_vae(signed, client_for, vae_session):
    page = client_for("candidate").get(reverse("juries:my_results")).content.decode()
    assert "Blocs validés par la validation des acquis de l'expérience" in page
    assert f"validé par la VAE, jury du {vae_session.held_on:%d/%m/%Y}" in page
    assert "Bloc RNCP35729BC02" in page and "Bloc RNCP35729BC03" not in page


# the certificates


def test_a_partial_validation_issues_a_ccp_per_block_validated(signed, partial):
    issued = Certificate.objects.filter(candidate=partial.candidacy.application.candidate).order_by(
        "block_code"
    )
    assert [(c.kind, c.block_code) for c in issued] == [
        (CertificateKind.CCP, "RNCP35729BC01"),
        (CertificateKind.CCP, "RNCP35729BC02"),
    ]
    ccp = issued[0]
    assert ccp.access_route == AccessRouteKind.VAE and ccp.public_from == signed.signed_at
    assert ccp.content["jury"] == "jury de validation des acquis de l'expérience"
    assert ccp.content["president"]["name"] == "Claire Lambert"


def test_a_full_validation_issues_the_ccps_and_the_cqp_declared_as_a_vae_leave(
    users, vae_session, newcomer, django_capture_on_commit_callbacks
):
    candidacy = newcomer(vae_leave=True)
    decide(users["vae_jury"], candidacy, codes(vae_session.version))
    job = sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks)
    assert "CQP émis : 1" in job.details and "CCP émis : 3" in job.details
    cqp = Certificate.objects.get(kind=CertificateKind.CQP)
    assert cqp.candidate == candidacy.application.candidate
    assert (cqp.access_route, cqp.vae_route, cqp.valid_from) == (
        AccessRouteKind.VAE,
        VaeRoute.LEAVE,
        vae_session.held_on,
    )


def test_a_refusal_issues_nothing(users, vae_session, newcomer, django_capture_on_commit_callbacks):
    decide(users["vae_jury"], newcomer(), [])
    assert sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks).status == JobStatus.DONE
    assert not Certificate.objects.exists() and not BlockDecision.objects.exists()


def test_a_failed_issue_keeps_the_proclamation_and_running_the_job_again_issues_what_is_missing(
    users, vae_session, partial, settings, tmp_path, credential_key_file, django_capture_on_commit_callbacks
):
    settings.CREDENTIAL_KEY_PATH = tmp_path / "absent.pem"
    job = sign(users["vae_jury"], vae_session, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and "les certificats n'ont pas tous été émis" in job.outcome
    assert VaeMinutes.objects.filter(session=vae_session).exists() and not Certificate.objects.exists()
    settings.CREDENTIAL_KEY_PATH = credential_key_file
    with django_capture_on_commit_callbacks(execute=True):
        jobs.do_restart(users["vae_jury"], job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.outcome
    assert Certificate.objects.filter(kind=CertificateKind.CCP).count() == 2
    assert VaeMinutes.objects.count() == 1 and BlockDecision.objects.count() == 2
