"""Fixtures of the exam tests: sessions whose calendar is set relative to today."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certifier.exams.models import ExamMarker, Registration, SessionKind
from certifier.exams.services import SessionData, do_create_session, do_register
from certifier.referential.models import CertificationVersion
from tests.factories import CandidateFactory, EnrolmentFactory


def calendar(offset: int = 0) -> dict:
    """Registration open for 30 more days, the written exam in 60, orals 61 to 70, the jury in 90."""
    today = timezone.localdate() + timedelta(days=offset)
    return {
        "registration_deadline": today + timedelta(days=30),
        "written_exam_date": today + timedelta(days=60),
        "oral_start": today + timedelta(days=61),
        "oral_end": today + timedelta(days=70),
        "national_jury_date": today + timedelta(days=90),
    }


@pytest.fixture
def session_data(version):
    def make(**overrides) -> SessionData:
        dates = calendar()
        values = {"version": version, "kind": SessionKind.DECEMBER, "year": dates["written_exam_date"].year}
        values |= dates | overrides
        return SessionData(**values)

    return make


@pytest.fixture
def make_session(session_data):
    def make(**overrides):
        return do_create_session(None, session_data(**overrides))

    return make


@pytest.fixture
def session(make_session):
    return make_session()


@pytest.fixture
def marks_version(referential):
    """The 2013 scheme: five marks with coefficients (the cqp-2013 rule set)."""
    return CertificationVersion.objects.get(certification=referential, code="2013")


@pytest.fixture
def marks_session(users, organisations, marks_version):
    """A December session of the 2013 scheme, its written exam sat five days ago and its orals under
    way (registration closed: the system registered), with `own` (Martin Léa, at the
    personas' CRFP and employer) and `foreign` (Durand Paul, at the other CRFP and employer)
    registered, and the marker persona appointed to it."""
    dates = calendar(offset=-65)
    session = do_create_session(
        None,
        SessionData(
            version=marks_version, kind=SessionKind.DECEMBER, year=dates["written_exam_date"].year, **dates
        ),
    )
    own = EnrolmentFactory(
        version=marks_version,
        candidate=CandidateFactory(
            birth_name="Martin", first_name="Léa", employer=organisations["employer"], user=users["candidate"]
        ),
        training_centre=organisations["crfp"],
    )
    foreign = EnrolmentFactory(
        version=marks_version,
        candidate=CandidateFactory(
            birth_name="Durand", first_name="Paul", employer=organisations["other_employer"]
        ),
        training_centre=organisations["other_crfp"],
    )
    do_register(None, session, [own, foreign])
    ExamMarker.objects.create(session=session, user=users["marker"])
    return session


def registration_of(session, birth_name: str) -> Registration:
    return Registration.objects.get(session=session, enrolment__candidate__birth_name=birth_name)
