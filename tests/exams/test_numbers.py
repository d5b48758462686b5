"""Candidate numbers and copy codes (D47): unguessable, readable aloud, every single typo caught."""

import math
import re
import time

from certifier.exams import numbers

LOOK_ALIKES = set("01OILoil")


def test_the_alphabet_has_a_prime_size_and_no_look_alike_characters():
    assert numbers.BASE == 31
    assert all(numbers.BASE % d for d in range(2, 6))
    assert len(set(numbers.ALPHABET)) == numbers.BASE
    assert not LOOK_ALIKES & set(numbers.ALPHABET)


def test_a_number_carries_at_least_40_bits_of_entropy():
    assert math.isclose(numbers.ENTROPY_BITS, 9 * math.log2(31))
    assert numbers.ENTROPY_BITS > 44


def test_a_number_is_grouped_for_reading_aloud_and_valid():
    number = numbers.draw()
    assert re.fullmatch(r"[23456789A-HJKMNP-Z]{4}-[23456789A-HJKMNP-Z]{4}-[23456789A-HJKMNP-Z]{2}", number)
    assert numbers.is_valid(number)


def test_what_is_typed_is_read_without_separators_or_case():
    number = numbers.draw()
    typed = number.replace("-", " ").lower()
    assert numbers.is_valid(typed)
    assert numbers.canonical(typed) == number
    assert numbers.canonical("ABCD") is None
    assert not numbers.is_valid("")
    assert not numbers.is_valid(number.replace(number[0], "0"))  # outside the alphabet


def test_100000_draws_without_collision():
    started = time.perf_counter()
    drawn = {numbers.draw() for _ in range(100_000)}
    elapsed = time.perf_counter() - started
    assert len(drawn) == 100_000
    assert all(numbers.is_valid(number) for number in list(drawn)[:1000])
    assert elapsed < 10


def test_every_single_character_substitution_is_detected():
    for _ in range(300):
        characters = numbers.normalise(numbers.draw())
        for position in range(numbers.LENGTH):
            for replacement in numbers.ALPHABET:
                if replacement == characters[position]:
                    continue
                typo = characters[:position] + replacement + characters[position + 1 :]
                assert not numbers.is_valid(typo), (characters, typo)


def test_every_swap_of_two_adjacent_different_characters_is_detected():
    for _ in range(300):
        characters = numbers.normalise(numbers.draw())
        for position in range(numbers.LENGTH - 1):
            a, b = characters[position], characters[position + 1]
            if a != b:
                swapped = characters[:position] + b + a + characters[position + 2 :]
                assert not numbers.is_valid(swapped)
