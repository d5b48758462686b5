"""Demo candidates at every stage of the path (issue 4), in two CRFPs so that one sees it never meets
the other's candidates (issue 7 §5): written through the same services as users."""

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from certifier.assessments.services import (
    AttestationData,
    CriterionScore,
    ObservationData,
    do_decide_block,
    do_record_attestation,
    do_record_observation,
    do_score_criteria,
    do_sign_attestation,
)
from certifier.core.changes import apply_changes
from certifier.pathways.enums import PathKind
from certifier.pathways.models import Candidate, Enrolment, TrainingPath
from certifier.pathways.services import (
    EnrolmentData,
    do_assign_assessor,
    do_create_training_session,
    do_enrol,
    do_load_training_paths,
    do_record_attendance,
)
from certifier.people.models import Organisation, User
from certifier.referential.models import Block, CertificationVersion

STAGES = ("new", "in_training", "logbook_partly_signed", "block_validated", "capitalised")
# Observed in BC01 (D11): 20 minutes of double listening, two interviews, five letters.
BC01_SITUATIONS = {"double_listening": 20, "interview": 2, "letters_emails": 5}


@dataclass(frozen=True)
class Cast:
    admin: User
    assessor: User
    centre: Organisation
    version: CertificationVersion
    prefix: str
    birth_insee_code: str


def load_demo_candidates(cohorts: list[dict[str, Any]], admin: User) -> int:
    """Enrol each CRFP's demo candidates once; returns how many were created (0 when already there)."""
    do_load_training_paths()
    return sum(_load_cohort(cohort, admin) for cohort in cohorts)


def _load_cohort(data: dict[str, Any], admin: User) -> int:
    if Candidate.objects.filter(employee_number=f"{data['prefix']}-001").exists():
        return 0
    cast = Cast(
        admin=admin,
        assessor=User.objects.get(email=data["assessor"]),
        centre=Organisation.objects.get(name=data["training_centre"]),
        version=CertificationVersion.objects.get(certification__number="RNCP35729", code="rncp"),
        prefix=data["prefix"],
        birth_insee_code=data["birth_insee_code"],
    )
    sessions = _sessions(cast)
    for index, person in enumerate(data["people"]):
        employer = data["employers"][index % len(data["employers"])]
        stage = STAGES[index // data["per_stage"]]
        enrolment = enrol(cast, index, person, employer, stage)
        if stage != "new":
            attend(cast, enrolment, sessions)
        if stage in ("logbook_partly_signed", "block_validated", "capitalised"):
            _attest(enrolment, partly=stage == "logbook_partly_signed")
        if stage == "block_validated":
            _assess_bc01(cast, enrolment, complete=True)
        if stage == "capitalised":
            validate_bc02(cast, enrolment)
            _assess_bc01(cast, enrolment, complete=False)
    if account := data.get("account"):
        candidate = Candidate.objects.get(employee_number=f"{cast.prefix}-{account['index'] + 1:03d}")
        apply_changes(candidate, {"user": User.objects.get(email=account["email"])}, admin)
    return len(data["people"])


def _sessions(cast: Cast) -> dict[str, Any]:
    paths = {
        path.kind: path for path in TrainingPath.objects.filter(kind__in=[PathKind.PASS, PathKind.PREMSS])
    }
    return {
        PathKind.PASS: do_create_training_session(
            cast.admin, paths[PathKind.PASS], cast.centre, date(2025, 9, 8), date(2025, 10, 3)
        ),
        PathKind.PREMSS: do_create_training_session(
            cast.admin, paths[PathKind.PREMSS], cast.centre, date(2025, 10, 6), date(2025, 10, 24)
        ),
    }


def enrol(cast: Cast, index: int, person: list[str], employer: dict[str, str], stage: str) -> Enrolment:
    birth_name, first_name, sex = person
    start = date(2026, 6, 1) if stage == "new" else date(2025, 9, 1)
    organisation = Organisation.objects.get(name=employer["name"])
    data = EnrolmentData(
        birth_name=birth_name,
        usage_name="",
        first_name=first_name,
        other_first_names="",
        sex=sex,
        birth_date=date(1988 + index % 12, 1 + index % 12, 1 + index),
        birth_insee_code=cast.birth_insee_code,
        email=f"{_ascii(first_name)}.{_ascii(birth_name)}@demo.example",
        employer=organisation,
        employee_number=f"{cast.prefix}-{index + 1:03d}",
        post="Gestionnaire conseil",
        pre_recruitment_date=start - timedelta(days=30),
        version=cast.version,
        option=cast.version.options.get(code=employer["option"]),
        access_route="professional_contract" if index % 3 == 0 else "continuing_education",
        training_centre=cast.centre,
        tutor_email=employer["tutor"],
        manager_email=employer["manager"],
        start_date=start,
    )
    enrolment, _ = do_enrol(cast.admin, data)
    do_assign_assessor(cast.admin, enrolment, cast.assessor, None)
    return enrolment


def _ascii(name: str) -> str:
    """« Inès » → « ines »: an e-mail address's local part stays within what every form accepts."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()


def attend(cast: Cast, enrolment: Enrolment, sessions: dict[str, Any]) -> None:
    attended = {
        module: session
        for kind, session in sessions.items()
        for module in TrainingPath.objects.get(kind=kind).modules.all()
    }
    do_record_attendance(cast.admin, enrolment, attended)


def _attest(enrolment: Enrolment, partly: bool) -> None:
    """The tutor attests the first competences of BC01; the manager co-signs all but the last."""
    competences = list(Block.objects.get(version=enrolment.version, code="RNCP35729BC01").competences.all())
    attested = competences[:3] if partly else competences
    for number, competence in enumerate(attested, start=1):
        attestation = do_record_attestation(
            enrolment.tutor,
            enrolment,
            AttestationData(
                competence=competence,
                observed_on=date(2026, 1, 5) + timedelta(days=7 * number),
                situation="Traitement d'une demande au guichet et suivi du dossier dans l'outil métier.",
                comment="",
            ),
        )
        if not (partly and number == len(attested)):
            do_sign_attestation(enrolment.manager, attestation)


def _assess_bc01(cast: Cast, enrolment: Enrolment, complete: bool) -> None:
    """BC01 observed; every criterion validated but one of the last competence (5 of 6 acquired).
    When not complete, the last two competences are not scored yet: the block stays pending."""
    block = Block.objects.get(version=enrolment.version, code="RNCP35729BC01")
    observation = block.methods.get(kind="observation")
    do_record_observation(
        cast.assessor,
        enrolment,
        observation,
        ObservationData(
            observed_on=date(2026, 3, 10),
            situations=BC01_SITUATIONS,
            observation_minutes=None,
            questioning_minutes=15,
            questioning_throughout=False,
            competences_covered=[],
            notes="",
        ),
    )
    competences = list(block.competences.prefetch_related("criteria"))
    scored = competences if complete else competences[:-2]
    scores = {
        criterion: CriterionScore(validated=not (competence == competences[-1] and position == 0), comment="")
        for competence in scored
        for position, criterion in enumerate(competence.criteria.all())
    }
    do_score_criteria(cast.assessor, enrolment, block, scores)
    if complete:
        do_decide_block(cast.assessor, enrolment, block, "validated", "")


def validate_bc02(cast: Cast, enrolment: Enrolment) -> None:
    """BC02 presented and every criterion validated in an earlier session, then confirmed."""
    block = Block.objects.get(version=enrolment.version, code="RNCP35729BC02")
    competences = list(block.competences.prefetch_related("criteria"))
    do_record_observation(
        cast.assessor,
        enrolment,
        block.methods.get(kind="presentation"),
        ObservationData(
            observed_on=date(2025, 12, 8),
            situations={},
            observation_minutes=None,
            questioning_minutes=None,
            questioning_throughout=False,
            competences_covered=competences[:2],
            notes="",
        ),
    )
    scores = {
        criterion: CriterionScore(validated=True, comment="")
        for competence in competences
        for criterion in competence.criteria.all()
    }
    do_score_criteria(cast.assessor, enrolment, block, scores)
    do_decide_block(cast.assessor, enrolment, block, "validated", "")


def validate_bc03(cast: Cast, enrolment: Enrolment, observed_on: date) -> None:
    """BC03 observed for an hour and a half with questioning throughout, every criterion validated,
    then confirmed."""
    block = Block.objects.get(version=enrolment.version, code="RNCP35729BC03")
    do_record_observation(
        cast.assessor,
        enrolment,
        block.methods.get(kind="observation"),
        ObservationData(
            observed_on=observed_on,
            situations={},
            observation_minutes=90,
            questioning_minutes=None,
            questioning_throughout=True,
            competences_covered=[],
            notes="",
        ),
    )
    scores = {
        criterion: CriterionScore(validated=True, comment="")
        for competence in block.competences.prefetch_related("criteria")
        for criterion in competence.criteria.all()
    }
    do_score_criteria(cast.assessor, enrolment, block, scores)
    do_decide_block(cast.assessor, enrolment, block, "validated", "")
