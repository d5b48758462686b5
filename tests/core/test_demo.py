"""`make run` loads a realistic demo: one account per role, example criteria labelled as such,
30 candidates at every stage of the path."""

import hashlib
import html

import pytest
from django.core.management import call_command
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone

from certifier.assessments.models import Attestation, BlockDecision
from certifier.certificates.models import (
    Certificate,
    CertificateKind,
    CpfFlux,
    CpfPassage,
    CpfReceipt,
    PassageState,
    RevocationReason,
    VaeRoute,
)
from certifier.core.enums import DecisionSource
from certifier.demo.vae import COMMENT
from certifier.exams.models import ExamSession, Mark
from certifier.exams.outcome import Status, session_outcome
from certifier.juries.models import College, Conflict, Deliberation, JuryListMember, JuryStatus, LocalOpinion
from certifier.pathways.models import Candidate, Enrolment
from certifier.people.enums import Role
from certifier.people.models import Membership, Organisation, User
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Criterion
from certifier.vae.applications import eligibility_of
from certifier.vae.enums import ApplicationStatus, VaeOutcome
from certifier.vae.models import VaeApplication, VaeDecision, VaeJurySession, VaeMinutes
from tests.certificates.test_credentials import run_verifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_referential")
    call_command("load_training_paths")
    call_command("load_demo")


def test_demo_gives_one_account_per_role_and_is_idempotent(demo, capsys):
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Organisation.objects.filter(kind="training_centre").count() == 14
    criteria = Criterion.objects.count()
    assert criteria > 16
    assert not Criterion.objects.filter(is_example=False).exists()

    call_command("load_demo")
    assert (
        "0 organisations créées, 0 comptes créés, 0 critères d'exemple créés, 0 candidats créés, "
        "0 sessions d'examen créées, 0 demandes de VAE créées"
    ) in (capsys.readouterr().out)
    assert Criterion.objects.count() == criteria
    assert User.objects.get(email="admin@ucanss.example").check_password("certifier-demo")


def test_demo_candidates_cover_every_stage(demo):
    bordeaux = Enrolment.objects.filter(
        training_centre__name="CRFP de Bordeaux", version__code="rncp"
    ).exclude(
        access_route=AccessRouteKind.VAE  # the demo's VAE: enrolled when its jury's minutes were signed
    )
    assert bordeaux.count() == 30
    assert len(set(bordeaux.values_list("candidate__employer", "option"))) == 2
    assert bordeaux.filter(attendances__isnull=True).count() == 6
    pending = [attestation for attestation in Attestation.objects.all() if not attestation.counts]
    assert len(pending) == 6 + 3  # the last attestation of each partly signed logbook awaits the manager
    validated = BlockDecision.objects.filter(confirmed_status="validated").exclude(source=DecisionSource.VAE)
    assert set(validated.values_list("block__code", flat=True)) == {
        "RNCP35729BC01",
        "RNCP35729BC02",
        "RNCP35729BC03",
    }
    assert validated.filter(enrolment__in=bordeaux).count() == 12 + 3 * 2  # three completed for the jury
    assert validated.exclude(enrolment__in=bordeaux).count() == 3


def test_each_demo_crfp_sees_only_its_own_candidates(demo):
    lyon = User.objects.get(email="crfp@crfp-lyon.example")
    bordeaux = User.objects.get(email="crfp@crfp-bordeaux.example")
    assert set(Enrolment.objects.visible_to(lyon).values_list("training_centre__name", flat=True)) == {
        "CRFP de Lyon"
    }
    assert Enrolment.objects.visible_to(lyon).count() == 12
    assert Enrolment.objects.visible_to(bordeaux).count() == 30 + 12 + 2  # 12 of the 2013 scheme, 2 by VAE
    caf69 = User.objects.get(email="rh@caf69.example")
    assert set(Enrolment.objects.visible_to(caf69).values_list("candidate__employer__name", flat=True)) == {
        "CAF du Rhône"
    }


def test_demo_e_mails_pass_the_platform_validation(demo):
    addresses = [
        *User.objects.values_list("email", flat=True),
        *Candidate.objects.values_list("email", flat=True),
    ]
    for address in addresses:
        validate_email(address)
    assert "ines.morel@demo.example" in addresses
    candidate = User.objects.get(email="candidat@caf33.example").candidate
    assert Enrolment.objects.visible_to(candidate.user).get().candidate == candidate


def test_demo_exam_sessions_are_marked_and_registered(demo):
    december, june, next_june = ExamSession.objects.order_by("national_jury_date")
    assert (december.version.code, june.version.code, next_june.version.code) == ("2013", "rncp", "rncp")
    assert december.registrations.count() == 12
    assert june.registrations.count() == 24
    assert [r.enrolment.candidate.user.email for r in next_june.registrations.all()] == [
        "candidat@caf33.example"
    ]
    marks = Mark.objects.filter(registration__session=december)
    assert marks.count() == 12 * 5
    assert december.anonymity_lifted_at is not None
    marker = User.objects.get(email="correcteur@ucanss.example")
    assert set(marks.filter(exam="written").values_list("entered_by", flat=True)) == {marker.pk}
    assert set(marks.filter(exam="oral").values_list("entered_by__email", flat=True)) == {
        "jury-local@crfp-bordeaux.example"
    }
    assert ExamSession.objects.visible_to(marker).get() == december
    june_outcome = session_outcome(june, june.registrations.all())
    assert june_outcome.counts[Status.CERTIFIED] == 3


def test_demo_juries_show_a_proclaimed_session_with_an_amendment_and_one_awaiting_deliberation(demo):
    december, june, _ = ExamSession.objects.order_by("national_jury_date")
    assert december.proclaimed and december.results_released(timezone.now())
    assert not june.proclaimed
    original, amendment = Deliberation.objects.filter(jury__session=december).order_by("pk")
    assert amendment.amends == original
    for deliberation in (original, amendment):
        signed = deliberation.minutes.file.read()
        assert hashlib.sha256(signed).hexdigest() == deliberation.minutes.sha256
    assert original.decisions.count() == 12
    corrections = {
        (decision.amends.confirmed_status, decision.confirmed_status, decision.fraud)
        for decision in amendment.decisions.select_related("amends")
    }
    assert corrections == {
        (JuryStatus.DEFERRED, JuryStatus.CERTIFIED, False),
        (JuryStatus.CERTIFIED, JuryStatus.NOT_CERTIFIED, True),
    }
    assert LocalOpinion.objects.filter(registration__session=december).count() == 12
    assert Conflict.objects.filter(registration__session=december).count() == 1
    waiting = Deliberation.objects.get(jury__session=june)
    assert not hasattr(waiting, "minutes") and not waiting.decisions.exists()
    assert waiting.present.count() == waiting.jury.members.count() - 1
    assert JuryListMember.objects.filter(college=College.EMPLOYEES).count() == 5 * 3
    assert JuryListMember.objects.filter(college=College.EMPLOYERS).count() == 5 * 3


def test_demo_certificates_show_every_state_of_issue_revocation_and_declaration(demo, client):
    december = ExamSession.objects.order_by("national_jury_date").first()
    certified = december.registrations.filter(certified=True).count()
    by_exam = Certificate.objects.exclude(access_route=AccessRouteKind.VAE)
    cqps = by_exam.filter(kind=CertificateKind.CQP)
    revoked = cqps.get(revoked_at__isnull=False)
    assert revoked.revocation_reason == RevocationReason.FRAUD
    assert cqps.filter(revoked_at__isnull=True).count() == certified
    assert not by_exam.filter(kind=CertificateKind.CCP).exists()  # 2013 scheme: the CQP only
    states = list(CpfPassage.objects.values_list("state", flat=True))
    assert sorted(states) == [PassageState.ACCEPTED] * (certified - 1) + [PassageState.REJECTED]
    assert not CpfPassage.objects.filter(certificate=revoked).exists()
    assert CpfFlux.objects.count() == CpfReceipt.objects.count() == 1
    valid = cqps.filter(revoked_at__isnull=True).first()
    assert "Valide" in client.get(reverse("certificates:verify", args=[valid.verification_code])).text
    assert "Révoqué" in client.get(reverse("certificates:verify", args=[revoked.verification_code])).text
    client.force_login(User.objects.get(email="titulaire@caf33.example"))
    assert valid.candidate.user.email == "titulaire@caf33.example"
    download = client.get(reverse("certificates:download", args=[valid.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_demo_vae_shows_an_application_at_every_stage_and_a_signed_session(demo, client):
    statuses = dict(VaeApplication.objects.values_list("candidate__birth_name", "status"))
    assert statuses == {
        "FONTAINE": ApplicationStatus.DRAFT,
        "DUPUIS": ApplicationStatus.FILED,
        "ROCHE": ApplicationStatus.ADMISSIBLE,
        "BENHAMOU": ApplicationStatus.DECIDED,
        "LOPEZ": ApplicationStatus.DECIDED,
    }
    draft = VaeApplication.objects.get(candidate__birth_name="FONTAINE")
    assert not eligibility_of(draft, timezone.localdate()).eligible
    writing = VaeApplication.objects.get(candidate__birth_name="ROCHE")
    assert writing.accompanier.email == "evaluateur@crfp-bordeaux.example" and writing.comments.exists()
    session = VaeJurySession.objects.get()
    assert session.held_on == timezone.localdate() and VaeMinutes.objects.filter(session=session).exists()
    outcomes = dict(
        VaeDecision.objects.values_list("candidacy__application__candidate__birth_name", "confirmed_status")
    )
    assert outcomes == {"BENHAMOU": VaeOutcome.PARTIAL, "LOPEZ": VaeOutcome.FULL}
    by_vae = Certificate.objects.filter(access_route=AccessRouteKind.VAE)
    assert sorted(by_vae.values_list("candidate__birth_name", "kind")) == [
        ("BENHAMOU", CertificateKind.CCP),
        ("BENHAMOU", CertificateKind.CCP),
        ("LOPEZ", CertificateKind.CCP),
        ("LOPEZ", CertificateKind.CCP),
        ("LOPEZ", CertificateKind.CCP),
        ("LOPEZ", CertificateKind.CQP),
    ]  # a CCP per block validated, and the CQP for a full validation
    assert by_vae.get(kind=CertificateKind.CQP).vae_route == VaeRoute.LEAVE
    client.force_login(User.objects.get(email="julie.roche@cpam33.example"))
    page = client.get(reverse("vae:dossier", args=[writing.pk]))
    assert page.status_code == 200 and COMMENT in html.unescape(page.content.decode())


def test_digital_bazaars_verifier_accepts_every_credential_the_demo_issued(demo, client):
    certificates = list(Certificate.objects.order_by("pk"))
    documents = {
        "credentials": [certificate.credential for certificate in certificates],
        "controller": client.get(reverse("certificates:controller")).json(),
        "statusLists": [client.get(reverse("certificates:status_list", args=[0])).json()],
    }
    results = run_verifier(documents)
    assert [result["verified"] for result in results] == [True] * len(certificates)
    assert [result["revoked"] for result in results] == [c.revoked for c in certificates]
