"""The marks scheme's quick road gives, for every record, the very output and trace of the rules'
interpreter: same status, figures, eliminatory marks and explanation, byte for byte."""

import copy
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certifier.decisions.numbers import decimal_text, fraction_text
from certifier.decisions.registry import from_document, load
from certifier.decisions.schemes import ENCODER, MarkScheme, _mean_texts

NAMES = ("cc_common", "cc_option", "written", "oral", "apt")
CQP = load("cqp-2013").document

# Rule sets of the marks scheme the quick road must follow as well as the shipped one.
VARIANTS = {
    "cqp-2013": CQP["rule"],
    "outcome, not, any": {
        "outcome": {
            "cases": [
                {"when": {"not": {"requires": ["pass_followed"]}}, "then": "fail"},
                {
                    "when": {"none": {"of": ["written"], "at_most": "4.5"}},
                    "then": {
                        "any": [
                            {"compare": {"value": "average", "op": ">", "threshold": "11.333"}},
                            {"compare": {"value": "oral", "op": "==", "threshold": 15}},
                        ]
                    },
                },
            ],
            "else": {
                "all": [
                    {"none": {"of": ["oral", "apt"], "at_most": 8}},
                    {"compare": {"value": "apt", "op": "<", "threshold": "19.5"}},
                ]
            },
        }
    },
    "a kind the quick road leaves to the interpreter": {
        "all": [
            {"requires": ["pass_followed"]},
            {"compensate": {"items": ["written", "oral"], "floor": 5, "mean_at_least": 10}},
        ]
    },
}

marks = st.one_of(
    st.none(),
    st.integers(0, 20),
    st.integers(0, 2000).map(lambda cents: Decimal(cents).scaleb(-2)),
    st.integers(0, 2000).map(lambda cents: str(Decimal(cents).scaleb(-2))),
    st.integers(0, 200).map(lambda tenths: Decimal(tenths * 10).scaleb(-3)),  # 12.500: three places, valid
    st.sampled_from([Decimal(6), Decimal("6.00"), Decimal("4.5"), Decimal("11.33"), Decimal("-0"), 15]),
)
records = st.fixed_dictionaries(
    {
        "candidate": st.sampled_from(["A1", "B2"]),
        "pass_followed": st.sampled_from([True, False, None]),
        "marks": st.dictionaries(st.sampled_from(NAMES), marks),
    }
)


def scheme(rule: dict) -> MarkScheme:
    decider = from_document({**copy.deepcopy(CQP), "rule": rule}).decider
    assert isinstance(decider, MarkScheme)
    return decider


SCHEMES = {name: scheme(rule) for name, rule in VARIANTS.items()}


def interpreted(decider: MarkScheme, record: dict) -> tuple[str, dict]:
    candidate, followed, values = decider._parse(record)
    decision = decider._interpret(candidate, followed, values)
    return ENCODER.encode(decision.output), decision.trace()


@pytest.mark.parametrize("name", VARIANTS)
@settings(max_examples=300, deadline=None)
@given(batch=st.lists(records, min_size=1, max_size=30))
def test_the_quick_road_decides_as_the_interpreter(name, batch):
    decider = SCHEMES[name]
    for record in batch * 2:  # the second time, from what the first one remembered
        decision = decider.decide(record)
        assert (ENCODER.encode(decision.output), decision.trace()) == interpreted(decider, record)


@pytest.mark.parametrize(
    "record",
    [
        {"candidate": "A1", "marks": {"written": 12.5}},
        {"candidate": "A1", "marks": {"written": True}},
        {"candidate": "A1", "marks": {"written": Decimal("12.345")}},
        {"candidate": "A1", "marks": {"written": Decimal("20.01")}},
        {"candidate": "A1", "marks": {"written": Decimal("NaN")}},
        {"candidate": "A1", "marks": {"written": Decimal("sNaN")}},
        {"candidate": "A1", "marks": {"oral": "12,5"}},
        {"candidate": "A1", "pass_followed": 1},
        {"candidate": "", "marks": {}},
        {"candidate": "A1", "marks": {"unknown": 1}},
        {"candidate": "A1", "extra": 1},
    ],
)
def test_a_record_refused_by_the_interpreter_is_refused_alike(record):
    """RecordError with the same French message (a NaN raises as it did before the quick road)."""
    decider = SCHEMES["cqp-2013"]
    decider.decide({"candidate": "A0", "marks": dict.fromkeys(NAMES, Decimal("12.5"))})
    with pytest.raises(Exception) as interpreter:  # a RecordError, or what a NaN raises
        decider._parse(record)
    with pytest.raises(type(interpreter.value)) as quick:
        decider.decide(record)
    assert str(quick.value) == str(interpreter.value)


@pytest.mark.parametrize("weight", [1, 3, 7, 10, 12])
def test_the_average_text_in_integers_is_fraction_text(weight):
    for total in range(0, 2000 * weight + 1, 7 if weight > 3 else 1):
        exact = Decimal(total).scaleb(-2)
        assert _mean_texts(total, weight)[:2] == (
            decimal_text(exact),
            fraction_text(Fraction(exact) / weight),
        )
