"""Pure rules: identity matching, formats, the delivering CRFP and the funding lines."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from certifier.pathways.rules import (
    PathFunding,
    delivering_centre,
    format_duration,
    format_euros,
    funding_lines,
    identity_key,
    pass_followed,
)


def test_identity_ignores_case_accents_hyphens_and_extra_spaces():
    born = date(1990, 1, 2)
    assert identity_key("Le Fèvre-Dupont", "Éloïse", born, "2a004") == identity_key(
        " LE  FEVRE DUPONT", "eloise", born, "2A004"
    )
    assert identity_key("Martin", "Léa", born, "33063") != identity_key("Martin", "Léa", born, "75056")


def test_durations_read_as_in_the_memo():
    assert [
        format_duration(Decimal(value), unit)
        for value, unit in [
            ("2", "days"),
            ("0.50", "days"),
            ("16", "hours"),
            ("3.5", "hours"),
            ("40.00", "hours"),
        ]
    ] == ["2 j", "0,5 j", "16 h", "3 h 30", "40 h"]


def test_amounts_are_written_the_french_way():
    assert format_euros(Decimal("3768")) == "3\u00a0768,00\u00a0€"
    assert format_euros(Decimal("12.5")) == "12,50\u00a0€"


def test_a_path_is_delivered_by_the_crfp_where_most_of_its_modules_were_attended():
    assert delivering_centre(1, []) == 1
    assert delivering_centre(1, [2, 2, 1]) == 2
    assert delivering_centre(1, [2, 1]) == 1  # a tie goes to the enrolment's CRFP
    assert delivering_centre(1, [3, 2]) == 2


def test_pass_needs_every_pass_module_and_there_is_no_pass_without_modules():
    assert pass_followed([1, 2, 3, 4], [4, 3, 2, 1, 9])
    assert not pass_followed([1, 2, 3, 4], [1, 2, 3])
    assert not pass_followed([], [1])


hours = st.decimals(min_value=0, max_value=500, places=2)


@given(
    st.lists(st.tuples(st.sampled_from(["pass", "premss", "option"]), hours, hours, hours), max_size=4),
    st.decimals(min_value=0, max_value=100, places=2),
    st.booleans(),
)
def test_each_line_is_its_hours_times_the_rate_to_the_cent(paths, rate, pass_already_funded):
    funded = [
        PathFunding(number, kind, {"face_to_face": a, "tutored": b, "evaluation": c}, 1)
        for number, (kind, a, b, c) in enumerate(paths)
    ]
    lines = funding_lines(funded, rate, pass_already_funded)
    for line in lines:
        assert line.amount == (line.hours * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert line.hours > 0
        assert isinstance(line.amount, Decimal)
    expected_paths = {
        number for number, (kind, *_hours) in enumerate(paths) if not (pass_already_funded and kind == "pass")
    }
    assert {line.path_id for line in lines} <= expected_paths
