"""A session's calendar (D45, D58) and its state, derived from the dates."""

from datetime import date

import pytest

from certifier.exams.rules import (
    Calendar,
    SessionState,
    calendar_errors,
    derogation_needed,
    one_month_after,
    session_state,
)

DATES = Calendar(
    registration_deadline=date(2026, 10, 31),
    written_exam_date=date(2026, 12, 1),
    oral_start=date(2026, 12, 7),
    oral_end=date(2026, 12, 18),
    national_jury_date=date(2027, 1, 15),
)


def _with(**changes) -> Calendar:
    return Calendar(**{**DATES.__dict__, **changes})


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 9, 1), SessionState.OPEN),
        (date(2026, 10, 31), SessionState.OPEN),
        (date(2026, 11, 1), SessionState.CLOSED),
        (date(2026, 12, 1), SessionState.EXAMS),
        (date(2026, 12, 18), SessionState.EXAMS),
        (date(2026, 12, 19), SessionState.MARKING),
        (date(2027, 1, 15), SessionState.JURY),
    ],
)
def test_the_state_follows_the_dates(today, state):
    assert session_state(DATES, today) is state


def test_a_session_whose_marks_are_all_entered_is_ready_for_the_jury_until_it_sits():
    assert session_state(DATES, date(2026, 12, 19), marks_complete=True) is SessionState.READY
    assert session_state(DATES, date(2026, 12, 18), marks_complete=True) is SessionState.EXAMS
    assert session_state(DATES, date(2027, 1, 15), marks_complete=True) is SessionState.JURY


def test_the_states_speak_french():
    assert [state.value for state in SessionState] == [
        "Inscriptions ouvertes",
        "Inscriptions closes",
        "Épreuves",
        "Notation",
        "Prête pour le jury",
        "Jury national",
    ]


def test_one_month_after_keeps_the_day_or_takes_the_month_end():
    assert one_month_after(date(2026, 12, 18)) == date(2027, 1, 18)
    assert one_month_after(date(2027, 1, 31)) == date(2027, 2, 28)
    assert one_month_after(date(2028, 1, 31)) == date(2028, 2, 29)


def test_a_jury_within_one_month_of_the_last_exam_needs_no_derogation():
    assert not derogation_needed(_with(national_jury_date=date(2027, 1, 18)))
    assert derogation_needed(_with(national_jury_date=date(2027, 1, 19)))
    assert calendar_errors(DATES, "") == {}


def test_a_later_jury_needs_a_reason():
    late = _with(national_jury_date=date(2027, 2, 1))
    assert "derogation_reason" in calendar_errors(late, "  ")
    assert "18/01/2027" in calendar_errors(late, "")["derogation_reason"]
    assert calendar_errors(late, "Salle indisponible en janvier") == {}


def test_the_calendar_must_be_in_order():
    errors = calendar_errors(
        _with(
            registration_deadline=date(2026, 12, 1),
            oral_end=date(2026, 12, 6),
            national_jury_date=date(2026, 12, 1),
        ),
        "",
    )
    assert set(errors) == {"registration_deadline", "oral_end", "national_jury_date"}
    assert errors["national_jury_date"] == "Le jury national se réunit après la dernière épreuve."
