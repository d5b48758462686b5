"""Fixtures of the exam tests: sessions whose calendar is set relative to today."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certifier.exams.models import SessionKind
from certifier.exams.services import SessionData, do_create_session


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
        values = {"version": version, "kind": SessionKind.DECEMBER, "year": 2026, **calendar(), **overrides}
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
