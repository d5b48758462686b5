"""The exam fixtures, for the juries' tests."""

from tests.exams.conftest import (  # noqa: F401
    make_session,
    marks_session,
    marks_version,
    session,
    session_data,
)
