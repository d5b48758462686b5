"""D32, D63: the full-time-equivalent experience of the eight years before the reference date, exactly —
properties of the sweep, its boundaries, and a day-by-day oracle."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from certifier.vae.rules import REQUIRED_DAYS, eligibility, format_duration, fte_days, window_start

REFERENCE = date(2026, 6, 15)
FULL = Decimal(100)


@st.composite
def periods(draw, reference=REFERENCE, span=9 * 366):
    start = draw(st.dates(min_value=reference - timedelta(days=span), max_value=reference))
    end = draw(
        st.dates(min_value=start, max_value=min(start + timedelta(days=span), reference + timedelta(days=30)))
    )
    rate = Decimal(draw(st.integers(min_value=1, max_value=10000))) / 100
    return (start, end, rate)


period_lists = st.lists(periods(), max_size=8)


def oracle(items, reference):
    """Day by day: what the rule says, slowly."""
    first = window_start(reference)
    total = Fraction(0)
    day = first
    while day <= reference:
        covering = sum((Fraction(rate) for start, end, rate in items if start <= day <= end), Fraction(0))
        total += min(covering, Fraction(100))
        day += timedelta(days=1)
    return total / 100


@given(period_lists, st.randoms())
def test_the_order_of_the_periods_changes_nothing(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    assert fte_days(shuffled, REFERENCE) == fte_days(items, REFERENCE)


@given(periods(), st.data())
def test_splitting_a_period_in_two_adjacent_ones_changes_nothing(period, data):
    start, end, rate = period
    if start == end:
        return
    cut = data.draw(st.dates(min_value=start, max_value=end - timedelta(days=1)))
    split = [(start, cut, rate), (cut + timedelta(days=1), end, rate)]
    assert fte_days(split, REFERENCE) == fte_days([period], REFERENCE)


@given(period_lists)
def test_a_period_declared_twice_at_full_time_counts_once(items):
    full = [(start, end, FULL) for start, end, _ in items]
    assert fte_days(full + full, REFERENCE) == fte_days(full, REFERENCE)


@given(periods(), periods())
def test_two_periods_count_at_most_their_sum_and_at_least_the_larger(first, second):
    a, b = fte_days([first], REFERENCE), fte_days([second], REFERENCE)
    both = fte_days([first, second], REFERENCE)
    assert max(a, b) <= both <= a + b


@given(
    st.lists(periods(span=400), max_size=5),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
)
def test_the_sweep_agrees_with_the_day_by_day_oracle(items, shift_to):
    shift = shift_to - REFERENCE
    moved = [(start + shift, end + shift, rate) for start, end, rate in items]
    assert fte_days(moved, shift_to) == oracle(moved, shift_to)


@settings(max_examples=30)
@given(period_lists)
def test_the_sweep_agrees_with_the_oracle_over_the_whole_window(items):
    assert fte_days(items, REFERENCE) == oracle(items, REFERENCE)


def test_four_years_at_half_time_are_two_years_full_time():
    """D32's own example."""
    start = date(2022, 6, 16)
    assert fte_days([(start, REFERENCE, Decimal(50))], REFERENCE) == Fraction((REFERENCE - start).days + 1, 2)
    four_years = [(date(2021, 1, 1), date(2024, 12, 31), Decimal(50))]
    assert fte_days(four_years, REFERENCE) == Fraction(1461, 2)


def test_two_half_time_jobs_the_same_days_make_full_days_and_never_more():
    days = [
        (date(2025, 1, 1), date(2025, 1, 10), Decimal(50)),
        (date(2025, 1, 1), date(2025, 1, 10), Decimal(50)),
    ]
    assert fte_days(days, REFERENCE) == 10
    days.append((date(2025, 1, 1), date(2025, 1, 10), Decimal(80)))
    assert fte_days(days, REFERENCE) == 10


def test_a_period_ending_the_day_before_the_window_counts_nothing():
    before = window_start(REFERENCE) - timedelta(days=1)
    assert fte_days([(date(2010, 1, 1), before, FULL)], REFERENCE) == 0


def test_the_first_and_last_days_of_the_window_count():
    first = window_start(REFERENCE)
    assert first == date(2018, 6, 15)
    assert fte_days([(first, first, FULL), (REFERENCE, REFERENCE + timedelta(days=10), FULL)], REFERENCE) == 2


def test_the_window_of_a_29_february_starts_on_28_february():
    assert window_start(date(2108, 2, 29)) == date(2100, 2, 28)  # 2100 is not a leap year
    assert window_start(date(2024, 2, 29)) == date(2016, 2, 29)


def test_leap_days_count_as_days_worked():
    assert fte_days([(date(2024, 2, 28), date(2024, 3, 1), FULL)], REFERENCE) == 3


def test_three_years_are_1095_full_time_days():
    start = REFERENCE - timedelta(days=REQUIRED_DAYS - 1)
    assert eligibility([(start, REFERENCE, FULL)], REFERENCE).eligible
    assert not eligibility([(start + timedelta(days=1), REFERENCE, FULL)], REFERENCE).eligible


def test_the_sentence_says_years_and_months_and_what_is_missing():
    short = eligibility([(date(2024, 2, 15), REFERENCE, FULL)], REFERENCE)
    assert short.text == "2 ans et 4 mois en équivalent temps plein sur les 8 dernières années ; il en faut 3"
    assert short.required_days == 1095
    enough = eligibility([(date(2023, 4, 1), REFERENCE, FULL)], REFERENCE)
    assert enough.text == (
        "3 ans et 2 mois en équivalent temps plein sur les 8 dernières années : la condition de durée est remplie"
    )


def test_the_duration_agrees_in_number_and_omits_zero_months():
    assert format_duration(Fraction(365)) == "1 an"
    assert format_duration(Fraction(365 + 31)) == "1 an et 1 mois"
    assert format_duration(Fraction(2 * 365)) == "2 ans"
    assert format_duration(Fraction(100)) == "3 mois"
    assert format_duration(Fraction(0)) == "0 an"


def test_thousands_of_periods_over_eight_years_are_counted_without_walking_the_days():
    days = [(REFERENCE - timedelta(days=n), REFERENCE - timedelta(days=n), FULL) for n in range(0, 2900, 2)]
    halves = [(start, end, Decimal(50)) for start, end, _ in days] * 3
    assert fte_days(days + halves, REFERENCE) == 1450
