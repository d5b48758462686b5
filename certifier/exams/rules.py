"""Exam-session rules without the database (D45, D58): the calendar's order and the derived state."""

import calendar
from dataclasses import dataclass
from datetime import date
from enum import Enum


class SessionState(Enum):
    """A session's state, derived from its dates (never stored); the value is what users read."""

    OPEN = "Inscriptions ouvertes"
    CLOSED = "Inscriptions closes"
    EXAMS = "Épreuves"
    MARKING = "Notation"
    READY = "Prête pour le jury"
    JURY = "Jury national"


@dataclass(frozen=True)
class Calendar:
    registration_deadline: date
    written_exam_date: date
    oral_start: date
    oral_end: date
    national_jury_date: date

    @property
    def first_exam(self) -> date:
        return min(self.written_exam_date, self.oral_start)

    @property
    def last_exam(self) -> date:
        return max(self.written_exam_date, self.oral_end)


def one_month_after(day: date) -> date:
    """The same day of the next month, or that month's last day (31 January → 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def derogation_needed(dates: Calendar) -> bool:
    """D58: the national jury meets within one month after the session's last exam."""
    return dates.national_jury_date > one_month_after(dates.last_exam)


def calendar_errors(dates: Calendar, derogation_reason: str) -> dict[str, str]:
    """The calendar's faults, by field, in French; empty when the calendar holds."""
    errors: dict[str, str] = {}
    if dates.registration_deadline >= dates.first_exam:
        errors["registration_deadline"] = "La date limite d'inscription doit précéder la première épreuve."
    if dates.oral_end < dates.oral_start:
        errors["oral_end"] = "La fin de la période des oraux ne peut précéder son début."
    if dates.national_jury_date <= dates.last_exam:
        errors["national_jury_date"] = "Le jury national se réunit après la dernière épreuve."
    elif derogation_needed(dates) and not derogation_reason.strip():
        limit = one_month_after(dates.last_exam)
        errors["derogation_reason"] = (
            f"Le jury national se réunit plus d'un mois après la dernière épreuve (au plus tard le "
            f"{limit:%d/%m/%Y}) : indiquez le motif de la dérogation."
        )
    return errors


def local_jury_date_error(dates: Calendar, day: date) -> str | None:
    """D45, D51: a local jury sits once the orals have begun, before the national jury."""
    if day < dates.oral_start:
        return f"Le jury local se réunit au plus tôt au début des oraux ({dates.oral_start:%d/%m/%Y})."
    if day >= dates.national_jury_date:
        return f"Le jury local se réunit avant le jury national ({dates.national_jury_date:%d/%m/%Y})."
    return None


def session_state(dates: Calendar, today: date, marks_complete: bool = False) -> SessionState:
    """From the dates, and from one fact: every mark of every registration entered (`marks_complete`)."""
    if today <= dates.registration_deadline:
        return SessionState.OPEN
    if today < dates.first_exam:
        return SessionState.CLOSED
    if today <= dates.last_exam:
        return SessionState.EXAMS
    if today < dates.national_jury_date:
        return SessionState.READY if marks_complete else SessionState.MARKING
    return SessionState.JURY


def registration_open(dates: Calendar, today: date) -> bool:
    return today <= dates.registration_deadline
