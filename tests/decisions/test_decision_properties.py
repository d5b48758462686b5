"""Properties of the decisions, checked on generated candidates (hypothesis)."""

import io
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certifier.decisions.engine import FAIL, PASS, Collection, Kind, compile_rule
from certifier.decisions.registry import RuleSet, load

RNCP = load("rncp35729")
CQP = load("cqp-2013")
COMPETENCES = {"RNCP35729BC01": 6, "RNCP35729BC02": 5, "RNCP35729BC03": 5}
WEIGHTS = {"cc_common": 1, "cc_option": 1, "written": 3, "oral": 3, "apt": 2}
ORDER = {"not_validated": 0, "incomplete": 1, "validated": 2}
PROPERTIES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rncp_records(draw: st.DrawFn, assessed: float = 0.8) -> dict[str, Any]:
    """Candidates with some competences assessed (1 to 12 criteria each) and some blocks capitalised."""
    criteria = {
        code: {
            str(number): draw(st.lists(st.booleans(), min_size=1, max_size=12))
            for number in range(1, count + 1)
            if draw(st.floats(0, 1)) < assessed
        }
        for code, count in COMPETENCES.items()
    }
    capitalised = draw(st.lists(st.sampled_from(sorted(COMPETENCES)), max_size=2, unique=True))
    return {"candidate": "P1", "criteria": criteria, "capitalised": capitalised}


def assessed_competences(record: dict[str, Any]) -> st.SearchStrategy[tuple[str, str]]:
    pairs = [(code, number) for code, competences in record["criteria"].items() for number in competences]
    return st.sampled_from(pairs)


@PROPERTIES
@given(data=st.data(), record=rncp_records())
def test_one_more_validated_criterion_never_unvalidates_a_competence_or_a_block(
    data: st.DataObject, record: dict[str, Any]
) -> None:
    if not any(record["criteria"].values()):
        return
    code, number = data.draw(assessed_competences(record))
    before = RNCP.decide(record).output
    criteria = record["criteria"][code][number]
    if False in criteria and data.draw(st.booleans()):
        criteria[criteria.index(False)] = True
    else:
        criteria.append(True)
    after = RNCP.decide(record).output

    assert after["competences"][code][number]["acquired"] >= before["competences"][code][number]["acquired"]
    for block in COMPETENCES:
        assert ORDER[after["blocks"][block]["status"]] >= ORDER[before["blocks"][block]["status"]]


@PROPERTIES
@given(data=st.data(), record=rncp_records())
def test_order_of_criteria_never_matters(data: st.DataObject, record: dict[str, Any]) -> None:
    shuffled = {
        "candidate": record["candidate"],
        "capitalised": record["capitalised"],
        "criteria": {
            code: {number: data.draw(st.permutations(criteria)) for number, criteria in competences.items()}
            for code, competences in record["criteria"].items()
        },
    }

    assert RNCP.decide(shuffled).output == RNCP.decide(record).output


@PROPERTIES
@given(record=rncp_records(), block=st.sampled_from(sorted(COMPETENCES)))
def test_capitalised_block_is_always_validated(record: dict[str, Any], block: str) -> None:
    record["capitalised"] = [*record["capitalised"], block]

    assert RNCP.decide(record).output["blocks"][block]["status"] == "validated"


@PROPERTIES
@given(record=rncp_records(assessed=0.5))
def test_incomplete_is_exactly_a_block_that_could_still_be_validated(record: dict[str, Any]) -> None:
    output = RNCP.decide(record).output
    completed = {
        **record,
        "criteria": {
            code: {str(n): record["criteria"][code].get(str(n), [True]) for n in range(1, count + 1)}
            for code, count in COMPETENCES.items()
        },
    }
    best_case = RNCP.decide(completed).output

    for block in COMPETENCES:
        status = output["blocks"][block]["status"]
        could_validate = best_case["blocks"][block]["status"] == "validated"
        assert (status == "not_validated") == (not could_validate)


@PROPERTIES
@given(record=rncp_records())
def test_decision_json_is_what_the_json_module_writes(record: dict[str, Any]) -> None:
    output = RNCP.decide(record).output

    assert RNCP.encode(output) == json.dumps(output, ensure_ascii=False)


@pytest.mark.parametrize("total", range(1, 61))
def test_the_80_percent_boundary_of_a_competence_is_exact(rncp: RuleSet, total: int) -> None:
    for validated in range(total + 1):
        record = {
            "candidate": "E",
            "criteria": {"RNCP35729BC01": {"1": [True] * validated + [False] * (total - validated)}},
        }
        acquired = rncp.decide(record).output["competences"]["RNCP35729BC01"]["1"]["acquired"]

        assert acquired is (5 * validated >= 4 * total), f"{validated} of {total}"


def test_the_80_percent_boundary_of_a_collection_is_exact_up_to_60_items() -> None:
    rule = compile_rule(
        {"at_least": {"of": "competences", "where": "acquired", "ratio": 80}},
        {"competences": Collection({"acquired": Kind.STATE})},
    )
    for total in range(1, 61):
        for acquired in range(total + 1):
            facts = {"competences": {"acquired": [PASS] * acquired + [FAIL] * (total - acquired)}}
            state = rule.evaluate(facts).state

            assert (state is PASS) is (5 * acquired >= 4 * total), f"{acquired} of {total}"


marks = st.integers(0, 2000).map(lambda cents: Decimal(cents) / 100)


def json_line(number: int, marks_: dict[str, Decimal], pass_followed: bool) -> str:
    """Marks written as JSON numbers (9.95, not "9.95"): they must be read without any binary float."""
    numbers = ", ".join(f'"{name}": {mark:f}' for name, mark in marks_.items())
    return (
        f'{{"candidate": "M{number}", "pass_followed": {json.dumps(pass_followed)}, "marks": {{{numbers}}}}}'
    )


@settings(max_examples=60, deadline=None)
@given(
    batch=st.lists(
        st.tuples(st.fixed_dictionaries({name: marks for name in WEIGHTS}), st.booleans()), max_size=8
    )
)
def test_totals_and_averages_are_exact_for_all_marks_with_two_decimals(
    batch: list[tuple[dict[str, Decimal], bool]],
) -> None:
    lines = [json_line(number, marks_, pass_followed) for number, (marks_, pass_followed) in enumerate(batch)]
    stdout = io.StringIO()

    call_command(
        "decide",
        rules="cqp-2013",
        jobs=1,
        stdin=io.StringIO("".join(f"{line}\n" for line in lines)),
        stdout=stdout,
    )

    for (marks_, pass_followed), line in zip(batch, stdout.getvalue().splitlines(), strict=True):
        output = json.loads(line)
        total = sum(WEIGHTS[name] * mark for name, mark in marks_.items())
        eliminated = marks_["written"] <= 6 or marks_["oral"] <= 6
        certified = pass_followed and not eliminated and Fraction(total) / 10 >= 10

        assert Decimal(output["total"]) == total
        assert Fraction(Decimal(output["average"])) == Fraction(total) / 10
        assert output["status"] == ("certified" if certified else "not_certified")
