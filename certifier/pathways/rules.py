"""Pure questions about candidates, enrolments, training paths and funding."""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from certifier.referential.enums import AccessRouteKind

from .enums import DurationUnit, FundingCategory, PathKind

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
CENT = Decimal("0.01")


def insee_code_error(code: str) -> str | None:
    """A birth commune (5 characters, 2A/2B for Corsica) or a country of birth (99 + 3 digits)."""
    if INSEE_CODE.match(code):
        return None
    return (
        "Le code INSEE de naissance doit comporter 5 caractères (ex. 33063, 2A004, ou 99 suivi du code pays)."
    )


def requires_pre_recruitment(access_route: str) -> bool:
    """D3 is a prerequisite to enter training; a VAE applicant enters no training."""
    return access_route != AccessRouteKind.VAE


def prerequisite_error(pre_recruitment_date: date | None, start: date) -> str | None:
    """D3: the candidate is pre-recruited on a Gestionnaire conseil post before entering the path."""
    if pre_recruitment_date is None:
        return "Prérequis manquant : la date de pré-recrutement sur un poste de Gestionnaire conseil est obligatoire."
    if pre_recruitment_date > start:
        return (
            f"Prérequis non rempli : le pré-recrutement ({pre_recruitment_date:%d/%m/%Y}) doit précéder "
            f"l'entrée en parcours ({start:%d/%m/%Y})."
        )
    return None


def closed_route_error(route_label: str, certification_number: str) -> str:
    """D4: only the access routes the registry declares open accept candidates."""
    return (
        f"La voie d'accès « {route_label} » n'est pas ouverte pour la certification {certification_number}."
    )


def normalise(text: str) -> str:
    """The case- and accent-insensitive form of a name or a label: « Éloïse  MÜLLER » → « eloise muller »."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def identity_key(birth_name: str, first_name: str, birth_date: date, birth_insee_code: str) -> str:
    """Two candidates with the same key are the same person, whatever the case, accents or hyphens."""
    names = (normalise(name.replace("-", " ")) for name in (birth_name, first_name))
    return "|".join([*names, birth_date.isoformat(), birth_insee_code.strip().upper()])


def pass_followed(pass_module_ids: Iterable[int], attended_module_ids: Iterable[int]) -> bool:
    """D28, D40: Pass is followed when every Pass module was attended. Nothing else counts:
    Accessit is no longer an equivalent, and Pass already funded is not Pass followed."""
    required = set(pass_module_ids)
    return bool(required) and required <= set(attended_module_ids)


def delivering_centre(enrolment_centre_id: int, attended_centre_ids: Iterable[int]) -> int:
    """The CRFP that delivers a path (D43): the one where most of its modules were attended;
    the enrolment's CRFP while none was attended, and on a tie it is part of."""
    counts = Counter(attended_centre_ids).most_common()
    if not counts:
        return enrolment_centre_id
    best = counts[0][1]
    leaders = sorted(centre for centre, count in counts if count == best)
    return enrolment_centre_id if enrolment_centre_id in leaders else leaders[0]


@dataclass(frozen=True)
class PathFunding:
    """A path's maximum funded durations (D41) and the CRFP that delivers it."""

    path_id: int
    kind: str
    hours: dict[str, Decimal]
    centre_id: int


@dataclass(frozen=True)
class FundingLineValues:
    centre_id: int
    path_id: int
    category: str
    hours: Decimal
    hourly_rate: Decimal
    amount: Decimal


def amount(hours: Decimal, hourly_rate: Decimal) -> Decimal:
    return (hours * hourly_rate).quantize(CENT, rounding=ROUND_HALF_UP)


def funding_lines(
    paths: Iterable[PathFunding], hourly_rate: Decimal, pass_already_funded: bool
) -> list[FundingLineValues]:
    """D41, D42: one line per path and funded duration; Pass left out when it was already funded."""
    return [
        FundingLineValues(
            path.centre_id, path.path_id, category, hours, hourly_rate, amount(hours, hourly_rate)
        )
        for path in paths
        if not (pass_already_funded and path.kind == PathKind.PASS)
        for category in FundingCategory.values
        if (hours := path.hours.get(category, Decimal(0))) > 0
    ]


def format_duration(value: Decimal, unit: str) -> str:
    """« 2 j », « 0,5 j », « 16 h », « 3 h 30 »."""
    if unit == DurationUnit.DAYS:
        return f"{format_decimal(value)} j"
    return format_hours(value)


def format_hours(hours: Decimal) -> str:
    whole = int(hours)
    minutes = int((hours - whole) * 60)
    return f"{whole} h {minutes:02d}" if minutes else f"{whole} h"


def format_decimal(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def format_euros(value: Decimal) -> str:
    """« 1 234,56 € », with non-breaking spaces."""
    grouped = f"{value.quantize(CENT):,.2f}".replace(",", "\u00a0").replace(".", ",")
    return f"{grouped}\u00a0€"


# Plausible values (issue 7 §1.11): one place for the form, the import and the command ---------------

EMPLOYEE_NUMBER = re.compile(r"[A-Za-z0-9 ._/-]{1,50}")
# Letters (accents included), words separated by spaces, apostrophes or hyphens.
NAME = re.compile(r"[^\W\d_]+(?:[ '’-]+[^\W\d_]+)*")
EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 2
MIN_AGE, MAX_AGE = 16, 75


def day_label(day: date) -> str:
    """« 05/01/2026 », also for years before 1000 that strftime would not pad."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def employee_number_error(number: str) -> str | None:
    """Letters, digits, spaces and « . _ / - »: a matricule ends up in file names and spreadsheets."""
    if EMPLOYEE_NUMBER.fullmatch(number) and number.strip():
        return None
    return (
        "Le matricule ne peut comporter que des lettres sans accent, des chiffres, des espaces "
        "et les signes « . _ / - » (50 caractères au plus)."
    )


def name_error(label: str, name: str, *, several: bool = False) -> str | None:
    """A person's name: letters, spaces, apostrophes and hyphens (« 12345 ### » is refused);
    `several` names (other first names) may also be separated by commas."""
    parts = name.split(",") if several else [name]
    if not name or all(NAME.fullmatch(part.strip()) for part in parts):
        return None
    commas = ", les virgules entre les prénoms" if several else ""
    return f"{label} : seuls sont acceptés les lettres, les espaces{commas}, les apostrophes et les traits d'union."


def latest_plausible_date(today: date) -> date:
    return today.replace(year=today.year + YEARS_AHEAD, day=28 if today.month == 2 else today.day)


def date_window_error(label: str, day: date, today: date) -> str | None:
    """A date of the path (entry, pre-recruitment, training session): from 2000 to two years ahead."""
    latest = latest_plausible_date(today)
    if EARLIEST_DATE <= day <= latest:
        return None
    return (
        f"{label} ({day_label(day)}) n'est pas plausible : elle doit se situer entre le "
        f"{day_label(EARLIEST_DATE)} et le {day_label(latest)}."
    )


def age_at(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_date_error(birth_date: date, start: date) -> str | None:
    """The candidate is 16 to 75 years old when entering the path."""
    if MIN_AGE <= age_at(birth_date, start) <= MAX_AGE:
        return None
    return (
        f"La date de naissance ({day_label(birth_date)}) n'est pas plausible : le candidat doit avoir "
        f"entre {MIN_AGE} et {MAX_AGE} ans à l'entrée en parcours ({day_label(start)})."
    )


def display_name(birth_name: str, usage_name: str, first_name: str) -> str:
    """How a candidate is named everywhere: usage name (else birth name) in capitals, then first name."""
    return f"{(usage_name or birth_name).upper()} {first_name}"
