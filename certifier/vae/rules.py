"""VAE eligibility (D32, D63): the full-time-equivalent experience of the last eight years, exactly.

Pure functions, no Django model. A period is (start, end, rate): dates inclusive, the rate a percentage of
full time (0 < rate ≤ 100) as a Decimal.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

WINDOW_YEARS = 8
REQUIRED_YEARS = 3
DAYS_PER_YEAR = 365
# D32 read by the product: three years are 3 × 365 = 1,095 full-time days, whatever the leap years.
REQUIRED_DAYS = REQUIRED_YEARS * DAYS_PER_YEAR
FULL_TIME = Fraction(100)

Period = tuple[date, date, Decimal]


def window_start(reference: date) -> date:
    """The first day of the eight years ending on `reference` (inclusive): the same day eight years
    earlier, 29 February becoming 28 February."""
    try:
        return reference.replace(year=reference.year - WINDOW_YEARS)
    except ValueError:  # 29 February, and the year eight years earlier is not a leap year
        return reference.replace(year=reference.year - WINDOW_YEARS, day=28)


def fte_days(periods: Iterable[Period], reference: date) -> Fraction:
    """The full-time days worked between `window_start(reference)` and `reference`, both included: each day
    weighs the sum of the rates of the periods covering it, capped at full time (overlapping periods never
    count twice; two half-time jobs the same day make a full day). A sweep over the periods' boundaries,
    not a walk over the days."""
    first, last = window_start(reference), reference
    changes: dict[date, Fraction] = {}
    for start, end, rate in periods:
        start, end = max(start, first), min(end, last)
        if start > end:
            continue
        changes[start] = changes.get(start, Fraction(0)) + Fraction(rate)
        after = end + timedelta(days=1)
        changes[after] = changes.get(after, Fraction(0)) - Fraction(rate)
    total = Fraction(0)
    rate_now = Fraction(0)
    since: date | None = None
    for day in sorted(changes):
        if since is not None:
            total += (day - since).days * min(rate_now, FULL_TIME)
        rate_now += changes[day]
        since = day
    return total / FULL_TIME


@dataclass(frozen=True)
class Eligibility:
    fte_days: Fraction
    required_days: int
    eligible: bool
    text: str


def eligibility(periods: Iterable[Period], reference: date) -> Eligibility:
    """D32, D63: whether the experience of the eight years before `reference` reaches three years in
    full-time equivalent, with the French sentence that says so."""
    days = fte_days(periods, reference)
    eligible = days >= REQUIRED_DAYS
    duration = f"{format_duration(days)} en équivalent temps plein sur les {WINDOW_YEARS} dernières années"
    if eligible:
        text = f"{duration} : la condition de durée est remplie"
    else:
        text = f"{duration} ; il en faut {REQUIRED_YEARS}"
    return Eligibility(fte_days=days, required_days=REQUIRED_DAYS, eligible=eligible, text=text)


def format_duration(days: Fraction) -> str:
    """« 2 ans et 4 mois »: whole years of 365 days, then the whole months of the rest (12 in 365 days)."""
    years, rest = divmod(days, DAYS_PER_YEAR)
    months = int(rest * 12 // DAYS_PER_YEAR)
    text = f"{int(years)} an" + ("s" if years > 1 else "")
    if not months:
        return text
    return f"{text} et {months} mois" if years else f"{months} mois"
