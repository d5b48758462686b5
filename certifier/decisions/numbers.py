"""Exact numbers as text: plain decimal notation, never an exponent, never a binary float."""

from decimal import Decimal
from fractions import Fraction

DISPLAY_PLACES = 6


def decimal_text(value: Decimal) -> str:
    """'101.5', '10', '9.998': no trailing zeros, no exponent."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def fraction_text(value: Fraction) -> str:
    """Exact when the fraction has a finite decimal expansion, else rounded for display only."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    places = max(twos, fives) if denominator == 1 else DISPLAY_PLACES
    return decimal_text(Decimal(round(value * 10**places)).scaleb(-places))


def french(text: str) -> str:
    """A decimal written the French way: « 10,15 »."""
    return text.replace(".", ",")
