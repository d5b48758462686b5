"""`make run` loads a realistic demo: one account per role, example criteria labelled as such,
30 candidates at every stage of the path."""

import hashlib

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
)
from certifier.exams.models import ExamSession, Mark
from certifier.exams.outcome import Status, session_outcome
from certifier.juries.models import College, Conflict, Deliberation, JuryListMember, JuryStatus, LocalOpinion
from certifier.pathways.models import Candidate, Enrolment
from certifier.people.enums import Role
from certifier.people.models import Membership, Organisation, User
from certifier.referential.models import Criterion
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
        "0 sessions d'examen créées"
    ) in (capsys.readouterr().out)
    assert Criterion.objects.count() == criteria
    assert User.objects.get(email="admin@ucanss.example").check_password("certifier-demo")


def test_demo_candidates_cover_every_stage(demo):
    bordeaux = Enrolment.objects.filter(training_centre__name="CRFP de Bordeaux", version__code="rncp")
    assert bordeaux.count() == 30
    assert len(set(bordeaux.values_list("candidate__employer", "option"))) == 2
    assert bordeaux.filter(attendances__isnull=True).count() == 6
    pending = [attestation for attestation in Attestation.objects.all() if not attestation.counts]
    assert len(pending) == 6 + 3  # the last attestation of each partly signed logbook awaits the manager
    validated = BlockDecision.objects.filter(confirmed_status="validated")
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
    assert Enrolment.objects.visible_to(bordeaux).count() == 30 + 12  # 12 of the 2013 scheme
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
    cqps = Certificate.objects.filter(kind=CertificateKind.CQP)
    revoked = cqps.get(revoked_at__isnull=False)
    assert revoked.revocation_reason == RevocationReason.FRAUD
    assert cqps.filter(revoked_at__isnull=True).count() == certified
    assert not Certificate.objects.filter(kind=CertificateKind.CCP).exists()  # 2013 scheme: the CQP only
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
