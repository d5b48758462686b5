"""Candidate numbers and copy codes (D47, D48): random, readable aloud, checked against typos.

A code is nine characters drawn with `secrets` from an alphabet of 31 characters without
look-alikes (no 0/O, 1/I/L), then one check character, grouped 4-4-2 for reading aloud:
`K7QM-X4PD-R9`. The check makes the position-weighted sum (weights 1 to 10) of the ten
characters zero modulo 31. 31 is prime and every weight is below it, so changing any single
character changes the sum by weight × difference, never a multiple of 31: every single
substitution is detected (and so is every swap of two adjacent characters).
"""

import math
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, prime
PAYLOAD_LENGTH = 9
LENGTH = PAYLOAD_LENGTH + 1
GROUPS = (4, 4, 2)
SEPARATOR = "-"
ENTROPY_BITS = PAYLOAD_LENGTH * math.log2(BASE)  # about 44.6 bits

_VALUES = {character: value for value, character in enumerate(ALPHABET)}


def _weighted_sum(characters: str) -> int:
    return sum(weight * _VALUES[character] for weight, character in enumerate(characters, start=1))


def check_character(payload: str) -> str:
    """The character that brings the weighted sum of payload + check to zero modulo 31."""
    weight = len(payload) + 1
    inverse = pow(weight, -1, BASE)
    return ALPHABET[(-_weighted_sum(payload) * inverse) % BASE]


def group(characters: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(characters[start : start + size])
        start += size
    return SEPARATOR.join(parts)


def draw() -> str:
    """A new random code, grouped for reading: `K7QM-X4PD-R9`."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return group(payload + check_character(payload))


def normalise(typed: str) -> str:
    """What a person typed, without spaces or dashes, in capitals."""
    return "".join(typed.split()).replace(SEPARATOR, "").upper()


def is_valid(typed: str) -> bool:
    """True when `typed` (separators and case free) is a well-formed code with a right check character."""
    characters = normalise(typed)
    if len(characters) != LENGTH or any(character not in _VALUES for character in characters):
        return False
    return _weighted_sum(characters) % BASE == 0


def canonical(typed: str) -> str | None:
    """The stored form of a typed code, or None when it is not a valid code."""
    return group(normalise(typed)) if is_valid(typed) else None
