"""D62: the flux declaring the CQP holders to the CPF, valid against the CDC's real schema, split at the
CDC's limit, its idTechnique stable, accepted passages never sent again, rejected ones sent again,
revoked CQPs left out; the job, the command `export_cpf` and the three-month limit.

The certificates here are rows written directly on a released session (fast, many per test); one test
goes through the issuance (`issued`, tests/certificates/conftest.py) end to end."""

from datetime import date, timedelta
from io import StringIO
from itertools import count as numbers

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from certifier.certificates import cpf
from certifier.certificates.models import (
    Certificate,
    CertificateKind,
    CpfFlux,
    CpfPassage,
    PassageState,
    RevocationReason,
)
from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import AuditEvent, DomainError, Job, NotAllowed
from certifier.exams.models import ExamSession, Registration, SessionKind
from certifier.juries.models import Deliberation, Jury, JuryDecision
from tests.factories import CandidateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

SCHEMA = (
    cpf.Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "cdc-accrochage-cpf-1.1.2.xsd"
)
NS = {"cpf": cpf.NS}
serial = numbers(1)


@pytest.fixture(autouse=True)
def schema(settings):
    if not SCHEMA.exists():
        pytest.skip(
            f"The CDC's schema is absent ({SCHEMA.name} beside the repository, in shared/reference/)."
        )
    settings.CPF_SCHEMA_PATH = SCHEMA
    settings.CPF_ID_CLIENT = "UCANSS00"
    settings.CPF_ID_CONTRAT = "MCFCER000042"
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def released_deliberation(version, admin, held_on: date, released: bool = True) -> Deliberation:
    """A session of `version` whose national jury sat on `held_on`, its results released (or not)."""
    now = timezone.now()
    session = ExamSession.objects.create(
        version=version,
        kind=SessionKind.JUNE,
        year=2000 + next(serial),
        registration_deadline=held_on - timedelta(days=60),
        written_exam_date=held_on - timedelta(days=40),
        oral_start=held_on - timedelta(days=38),
        oral_end=held_on - timedelta(days=30),
        national_jury_date=held_on,
        proclaimed_at=now if released else None,
        released_at=now if released else None,
    )
    jury = Jury.objects.create(session=session, place="Paris", appointed_by=admin)
    return Deliberation.objects.create(jury=jury, held_on=held_on, place="Paris", opened_by=admin)


def certify(deliberation, admin, enrolment=None, kind=CertificateKind.CQP, block_code="") -> Certificate:
    """A certificate issued on the jury's decision certifying `enrolment` (a new candidate's when None)."""
    enrolment = enrolment or EnrolmentFactory(candidate=CandidateFactory(other_first_names="Marie Anne"))
    index = next(serial)
    session = deliberation.jury.session
    registration = Registration.objects.create(
        session=session,
        enrolment=enrolment,
        candidate_number=f"N{index:08d}",
        copy_code=f"C{index:08d}",
    )
    decision = JuryDecision.objects.create(
        deliberation=deliberation,
        registration=registration,
        source="jury",
        proposed_status="certified",
        confirmed_status="certified",
        explanation="",
        record={},
        rule_set_id="rncp35729",
        rule_set_version=1,
        rule_set_hash="x",
        decided_by=admin,
    )
    return Certificate.objects.create(
        kind=kind,
        year=2026,
        sequence=index,
        number=f"{kind.upper()}-2026-{index:06d}",
        verification_code=f"V{index:020d}",
        candidate=enrolment.candidate,
        enrolment=enrolment,
        decision=decision,
        rncp_code="RNCP35729",
        block_code=block_code,
        content={},
        issued_at=timezone.now(),
        # as issued: from the session's release time, later when not released yet (D55)
        public_from=session.released_at or timezone.now() + timedelta(days=30),
        access_route=enrolment.access_route,
        assessed_from=session.written_exam_date,
        assessed_to=session.oral_end,
        valid_from=deliberation.held_on,
        option=enrolment.option.title if enrolment.option else "",
    )


@pytest.fixture
def admin(users):
    return users["national_admin"]


@pytest.fixture
def sitting(version, admin):
    return released_deliberation(version, admin, timezone.localdate() - timedelta(days=10))


@pytest.fixture
def holders(sitting, admin, referential):
    return [certify(sitting, admin) for _ in range(3)]


def flux_tree(flux: CpfFlux):
    with flux.file.open("rb") as stored:
        return etree.parse(stored)


def ids_in(flux: CpfFlux) -> list[str]:
    return flux_tree(flux).xpath("//cpf:passageCertification/cpf:idTechnique/text()", namespaces=NS)


def test_flux_of_the_cqp_holders_is_valid_against_the_cdc_schema(admin, holders, schema, sitting):
    (flux,) = cpf.write_flux(admin)
    tree = flux_tree(flux)
    assert schema.validate(tree), schema.error_log
    assert flux.passages == 3
    assert sorted(ids_in(flux)) == sorted(c.number for c in holders)
    passage = tree.find(".//cpf:passageCertification", NS)
    holder = holders[0].candidate
    first = next(
        p
        for p in tree.iterfind(".//cpf:passageCertification", NS)
        if p.findtext("cpf:idTechnique", namespaces=NS) == holders[0].number
    )
    assert first.findtext("cpf:obtentionCertification", namespaces=NS) == "PAR_ADMISSION"
    assert first.findtext("cpf:urlPreuve", namespaces=NS) == (
        f"https://certifier.test/verifier/{holders[0].verification_code}/"
    )
    assert first.findtext("cpf:dateDebutValidite", namespaces=NS) == sitting.held_on.isoformat()
    assert (
        first.findtext("cpf:modalitesInscription/cpf:modaliteAcces", namespaces=NS)
        == "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION"
    )
    titulaire = first.find("cpf:identificationTitulaire/cpf:titulaire", NS)
    assert titulaire.findtext("cpf:nomNaissance", namespaces=NS) == holder.birth_name
    assert titulaire.findtext("cpf:prenom2", namespaces=NS) == "Marie"
    assert titulaire.findtext("cpf:prenom3", namespaces=NS) == "Anne"
    assert titulaire.findtext("cpf:jourNaissance", namespaces=NS) == str(holder.birth_date.day)
    assert titulaire.findtext(".//cpf:codeInsee", namespaces=NS) == holder.birth_insee_code
    assert passage is not None
    assert tree.findtext("cpf:emetteur/cpf:idClient", namespaces=NS) == "UCANSS00"
    assert tree.findtext(".//cpf:certificateur/cpf:idContrat", namespaces=NS) == "MCFCER000042"
    assert tree.findtext(".//cpf:certification/cpf:code", namespaces=NS) == "RNCP35729"


def test_passages_are_marked_sent_with_their_flux_and_audited_once_per_flux(admin, holders):
    (flux,) = cpf.write_flux(admin)
    assert set(CpfPassage.objects.values_list("state", "flux")) == {(PassageState.SENT, flux.pk)}
    events = AuditEvent.objects.filter(action=AuditAction.CPF_FLUX_WRITTEN)
    assert [(e.object_id, e.after["passages"]) for e in events] == [(str(flux.pk), 3)]


def test_only_cqps_in_force_of_released_sessions_are_declared(admin, version, sitting, holders, referential):
    ccp = certify(sitting, admin, kind=CertificateKind.CCP, block_code="RNCP35729BC01")
    unreleased = released_deliberation(version, admin, timezone.localdate(), released=False)
    hidden = certify(unreleased, admin)
    revoked = certify(sitting, admin)
    Certificate.objects.filter(pk=revoked.pk).update(
        revoked_at=timezone.now(), revocation_reason=RevocationReason.FRAUD
    )
    (flux,) = cpf.write_flux(admin)
    declared = set(ids_in(flux))
    assert declared == {c.number for c in holders}
    assert not declared & {ccp.number, hidden.number, revoked.number}


def test_the_flux_is_split_at_the_cdc_limit(admin, holders, settings, schema, sitting):
    settings.CPF_PASSAGES_PER_FILE = 2
    holders.append(certify(sitting, admin))
    holders.append(certify(sitting, admin))
    written = cpf.write_flux(admin)
    assert [flux.passages for flux in written] == [2, 2, 1]
    for flux in written:
        assert schema.validate(flux_tree(flux))
    assert sorted(number for flux in written for number in ids_in(flux)) == sorted(c.number for c in holders)
    assert AuditEvent.objects.filter(action=AuditAction.CPF_FLUX_WRITTEN).count() == 3


def test_id_technique_is_stable_across_runs(admin, holders):
    (first,) = cpf.write_flux(admin)
    CpfPassage.objects.update(state=PassageState.REJECTED, message="Aucun titulaire ne correspond")
    for holder in holders:
        cpf.do_correct(admin, holder.number)
    (second,) = cpf.write_flux(admin)
    assert sorted(ids_in(first)) == sorted(ids_in(second))
    assert CpfPassage.objects.count() == 3


def test_accepted_passages_are_never_sent_again_rejected_ones_once_corrected(admin, holders, sitting):
    cpf.write_flux(admin)
    accepted, rejected, sent = holders
    CpfPassage.objects.filter(certificate=accepted).update(state=PassageState.ACCEPTED)
    CpfPassage.objects.filter(certificate=rejected).update(state=PassageState.REJECTED, message="KO")
    new = certify(sitting, admin)
    (flux,) = cpf.write_flux(admin)
    assert ids_in(flux) == [new.number]  # the rejected one waits for its correction
    cpf.do_correct(admin, rejected.number)
    (flux,) = cpf.write_flux(admin)
    assert ids_in(flux) == [rejected.number]
    assert CpfPassage.objects.get(certificate=accepted).state == PassageState.ACCEPTED
    assert CpfPassage.objects.get(certificate=sent).flux_id != flux.pk


def test_nothing_to_declare_is_said_and_writes_nothing(admin, holders):
    cpf.write_flux(admin)
    with pytest.raises(DomainError, match="Aucun titulaire n'est à déclarer"):
        cpf.write_flux(admin)
    assert CpfFlux.objects.count() == 1


def test_an_invalid_flux_is_never_kept_and_names_the_passage(admin, holders):
    holder = holders[1].candidate
    holder.birth_insee_code = "3306"  # four characters: the CDC wants five
    holder.save()
    with pytest.raises(DomainError, match=f"passage « {holders[1].number} »") as refused:
        cpf.write_flux(admin)
    assert "codeInsee" in str(refused.value)
    assert CpfFlux.objects.count() == 0
    assert not CpfPassage.objects.exclude(state=PassageState.TO_SEND).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CPF_FLUX_WRITTEN).exists()


def test_a_wrong_setting_is_named_when_the_envelope_fails(admin, holders, settings):
    settings.CPF_ID_CLIENT = "TROPLONG9"
    with pytest.raises(DomainError, match="CPF_ID_CLIENT"):
        cpf.write_flux(admin)
    assert CpfFlux.objects.count() == 0


def test_no_flux_without_the_schema(admin, holders, settings, tmp_path):
    settings.CPF_SCHEMA_PATH = tmp_path / "absent.xsd"
    with pytest.raises(DomainError, match="CPF_SCHEMA_PATH"):
        cpf.write_flux(admin)
    assert CpfFlux.objects.count() == 0


@pytest.mark.parametrize("persona", ["cpnefp", "crfp_staff", "national_jury", "candidate", "outsider"])
def test_only_the_national_administrator_writes_the_flux(users, holders, persona):
    with pytest.raises(NotAllowed):
        cpf.write_flux(users[persona])
    with pytest.raises(NotAllowed):
        cpf.do_start_flux(users[persona])


def test_the_job_writes_the_flux_with_its_progress(admin, holders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = cpf.do_start_flux(admin)
    job.refresh_from_db()
    assert job.kind == JobKind.CPF_FLUX
    assert job.status == JobStatus.DONE, job.outcome
    assert (job.done, job.total) == (3, 3)
    assert job.outcome.startswith("Flux produit : 3 passages déclarés en 1 fichier")
    assert CpfFlux.objects.count() == 1


def test_a_second_flux_job_is_refused_while_one_runs(admin, holders):
    Job.objects.create(kind=JobKind.CPF_FLUX, started_by=admin, status=JobStatus.PENDING)
    with pytest.raises(DomainError, match="déjà en cours"):
        cpf.do_start_flux(admin)


def test_the_job_fails_in_french_when_nothing_is_to_declare(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = cpf.do_start_flux(admin)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.outcome == cpf.NOTHING


def test_the_flux_reads_a_bounded_number_of_queries(admin, holders, sitting, django_assert_max_num_queries):
    for _ in range(10):
        certify(sitting, admin)
    with django_assert_max_num_queries(25):
        cpf.write_flux(admin)


# --- the command ---------------------------------------------------------------------------------


def test_export_cpf_writes_the_flux_to_the_output(admin, holders, tmp_path, schema):
    out = StringIO()
    target = tmp_path / "flux.xml"
    call_command("export_cpf", "--user", admin.email, "--output", str(target), stdout=out)
    assert schema.validate(etree.parse(str(target)))
    assert "3 passages déclarés" in out.getvalue()
    assert str(target) in out.getvalue()


def test_export_cpf_writes_one_file_per_part_when_split(admin, holders, tmp_path, settings):
    settings.CPF_PASSAGES_PER_FILE = 2
    call_command(
        "export_cpf", "--user", admin.email, "--output", str(tmp_path / "flux.xml"), stdout=StringIO()
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["flux-001.xml", "flux-002.xml"]


def test_export_cpf_fails_in_french_when_nothing_is_to_declare(admin):
    with pytest.raises(CommandError, match="Aucun titulaire n'est à déclarer") as failed:
        call_command("export_cpf", "--user", admin.email)
    assert failed.value.returncode == 1


def test_export_cpf_fails_when_validation_fails(admin, holders, tmp_path):
    holder = holders[0].candidate
    holder.sex = "X"
    holder.save()
    target = tmp_path / "flux.xml"
    with pytest.raises(CommandError, match="ne respecte pas le schéma"):
        call_command("export_cpf", "--user", admin.email, "--output", str(target))
    assert not target.exists()
    assert CpfFlux.objects.count() == 0


def test_export_cpf_needs_a_national_administrator(users, holders):
    with pytest.raises(CommandError, match="--user"):
        call_command("export_cpf")
    with pytest.raises(CommandError, match="administrateur national"):
        call_command("export_cpf", "--user", users["cpnefp"].email)


# --- the three-month limit ------------------------------------------------------------------------


def test_months_before_keeps_the_day_or_the_last_of_the_month():
    assert cpf.months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert cpf.months_before(date(2026, 2, 15), 2) == date(2025, 12, 15)


def test_holders_approaching_and_past_the_three_month_limit(admin, version, referential):
    today = timezone.localdate()
    recent = certify(released_deliberation(version, admin, today - timedelta(days=20)), admin)
    approaching = certify(released_deliberation(version, admin, cpf.months_before(today, 2)), admin)
    late = certify(released_deliberation(version, admin, cpf.months_before(today, 3)), admin)
    old_accepted = certify(released_deliberation(version, admin, cpf.months_before(today, 4)), admin)
    cpf.open_passages()
    CpfPassage.objects.filter(certificate=old_accepted).update(state=PassageState.ACCEPTED)
    late_count, approaching_count, listed = cpf.pending(today)
    assert (late_count, approaching_count) == (1, 1)
    assert [(p.number, p.late) for p in listed] == [(late.number, True), (approaching.number, False)]
    assert recent.number not in {p.number for p in listed}


def test_state_counts_include_the_cqps_no_flux_carried_yet(admin, holders, sitting):
    cpf.write_flux(admin)
    CpfPassage.objects.filter(certificate=holders[0]).update(state=PassageState.ACCEPTED)
    certify(sitting, admin)
    assert cpf.state_counts() == {"to_send": 1, "sent": 2, "accepted": 1, "rejected": 0}


# --- end to end, through the issuance --------------------------------------------------------------


def test_the_cqp_issued_on_a_proclamation_is_declared(admin, issued, schema):
    cqps = [c for c in issued if c.kind == CertificateKind.CQP]
    (flux,) = cpf.write_flux(admin)
    assert schema.validate(flux_tree(flux)), schema.error_log
    assert ids_in(flux) == [c.number for c in cqps]


def test_correcting_a_rejected_passage_is_audited_and_only_for_a_rejected_one(admin, holders, users):
    cpf.write_flux(admin)
    rejected = holders[0]
    CpfPassage.objects.filter(certificate=rejected).update(state=PassageState.REJECTED, message="KO")
    with pytest.raises(NotAllowed):
        cpf.do_correct(users["crfp_staff"], rejected.number)
    with pytest.raises(DomainError, match="n'est pas un passage rejeté"):
        cpf.do_correct(admin, holders[1].number)
    cpf.do_correct(admin, rejected.number)
    assert CpfPassage.objects.get(certificate=rejected).state == PassageState.TO_SEND
    event = AuditEvent.objects.get(action=AuditAction.CPF_PASSAGE_CORRECTED)
    assert (event.before["state"], event.before["message"], event.after["state"]) == (
        "rejected",
        "KO",
        "to_send",
    )
