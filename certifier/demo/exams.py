"""Demo exam sessions (issue 8), written through the same services as users:
- December 2025, 2013 scheme: the CRFP de Bordeaux's 2013-scheme candidates registered, the written
  copies marked anonymously by the demo marker, orals marked by the local jury, continuous
  assessments and tutored applications by the CRFP (its juries: `juries.py`);
- June 2026, blocks scheme: the Bordeaux candidates in training registered, their assessors'
  confirmed block decisions gathered for the jury, three of them with every block validated;
- June 2027, blocks scheme: open for registration, for trying it; the demo candidate's account is
  registered, and finds its convocation on its dashboard."""

from datetime import date
from typing import Any

from certifier.exams.markers import do_appoint_marker
from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import ExamSession, Registration, SessionKind
from certifier.exams.services import SessionData, do_create_session, do_register, do_set_local_jury_dates
from certifier.pathways.enums import PathKind
from certifier.pathways.models import Enrolment, TrainingSession
from certifier.people.models import Organisation, User
from certifier.referential.models import CertificationVersion

from .evidence import Cast, attend, enrol, validate_bc02, validate_bc03

DECEMBER_2025 = {
    "kind": SessionKind.DECEMBER,
    "year": 2025,
    "registration_deadline": date(2025, 10, 31),
    "written_exam_date": date(2025, 12, 4),
    "oral_start": date(2025, 12, 8),
    "oral_end": date(2025, 12, 17),
    "national_jury_date": date(2026, 1, 15),
}
JUNE_2026 = {
    "kind": SessionKind.JUNE,
    "year": 2026,
    "registration_deadline": date(2026, 4, 30),
    "written_exam_date": date(2026, 6, 4),
    "oral_start": date(2026, 6, 8),
    "oral_end": date(2026, 6, 19),
    "national_jury_date": date(2026, 7, 9),
}
JUNE_2027 = {
    "kind": SessionKind.JUNE,
    "year": 2027,
    "registration_deadline": date(2027, 4, 30),
    "written_exam_date": date(2027, 6, 3),
    "oral_start": date(2027, 6, 7),
    "oral_end": date(2027, 6, 18),
    "national_jury_date": date(2027, 7, 8),
}


def load_demo_exams(data: dict[str, Any], admin: User) -> int:
    """The three demo sessions, once; returns how many were created (0 when already there)."""
    if ExamSession.objects.exists():
        return 0
    rncp = CertificationVersion.objects.get(certification__number="RNCP35729", code="rncp")
    marks = CertificationVersion.objects.get(certification__number="RNCP35729", code="2013")
    december = _session(admin, marks, DECEMBER_2025)
    _register(december, _marks_cohort(data, admin, marks))
    centre = Organisation.objects.get(name=data["training_centre"])
    do_set_local_jury_dates(admin, december, {centre: date(2025, 12, 18)})
    do_appoint_marker(admin, december, data["marker"])
    _mark(december, data)
    june = _session(admin, rncp, JUNE_2026)
    in_training = Enrolment.objects.filter(
        version=rncp, training_centre=centre, attendances__isnull=False
    ).distinct()
    _register(june, list(in_training))
    _complete(data, admin, rncp, [f"DEMO-{number:03d}" for number in data["complete"]])
    do_set_local_jury_dates(admin, june, {centre: date(2026, 6, 22)})
    next_june = _session(admin, rncp, JUNE_2027)
    # the demo candidate's account finds its convocation on its dashboard
    _register(
        next_june, list(Enrolment.objects.filter(version=rncp, candidate__user__email=data["candidate"]))
    )
    return 3


def _complete(data: dict[str, Any], admin: User, version: CertificationVersion, numbers: list[str]) -> None:
    """BC02 and BC03 validated for candidates whose BC01 already is: the jury will find them complete."""
    cast = Cast(
        admin=admin,
        assessor=User.objects.get(email=data["assessor"]),
        centre=Organisation.objects.get(name=data["training_centre"]),
        version=version,
        prefix="DEMO",
        birth_insee_code=data["birth_insee_code"],
    )
    for enrolment in Enrolment.objects.filter(version=version, candidate__employee_number__in=numbers):
        validate_bc02(cast, enrolment)
        validate_bc03(cast, enrolment, date(2026, 5, 12))


def _session(admin: User, version: CertificationVersion, calendar: dict[str, Any]) -> ExamSession:
    return do_create_session(admin, SessionData(version=version, **calendar))


def _register(session: ExamSession, enrolments: list[Enrolment]) -> None:
    # the system registers, into a past session too, after its deadline (a CRFP could not)
    do_register(None, session, enrolments)


def _marks_cohort(data: dict[str, Any], admin: User, version: CertificationVersion) -> list[Enrolment]:
    """The 2013-scheme candidates; all followed Pass but the last."""
    centre = Organisation.objects.get(name=data["training_centre"])
    cast = Cast(
        admin=admin,
        assessor=User.objects.get(email=data["assessor"]),
        centre=centre,
        version=version,
        prefix=data["prefix"],
        birth_insee_code=data["birth_insee_code"],
    )
    sessions: dict[str, TrainingSession] = {
        kind: TrainingSession.objects.filter(training_centre=centre, path__kind=kind).earliest("start_date")
        for kind in (PathKind.PASS, PathKind.PREMSS)
    }
    enrolments = []
    for index, person in enumerate(data["people"]):
        enrolment = enrol(
            cast, index, person, data["employers"][index % len(data["employers"])], "in_training"
        )
        if index < len(data["people"]) - 1:
            attend(cast, enrolment, sessions)
        enrolments.append(enrolment)
    return enrolments


def _mark(session: ExamSession, data: dict[str, Any]) -> None:
    """Each candidate's row of `data["marks"]`, in the order of the rule set's marks. Each evaluation is
    entered by whoever D50 makes responsible."""
    registrations = list(
        Registration.objects.filter(session=session).order_by("enrolment__candidate__employee_number")
    )
    authors = {
        "cc_common": data["crfp_staff"],
        "cc_option": data["crfp_staff"],
        "written": data["marker"],
        "oral": data["local_jury"],
        "apt": data["crfp_staff"],
    }
    for column, (exam, email) in enumerate(authors.items()):
        entries = [
            Entry(registration.pk, str(row[column]), 0)
            for registration, row in zip(registrations, data["marks"], strict=True)
        ]
        do_record_marks(User.objects.get(email=email), session, exam, entries)
