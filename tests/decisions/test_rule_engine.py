"""The closed vocabulary of nodes, through the engine API: three-valued results and their traces."""

from decimal import Decimal
from typing import Any

import pytest

from certifier.decisions.engine import FAIL, PASS, PENDING, Collection, Kind, Mean, State, compile_rule
from certifier.decisions.schema import RuleSetError

SCOPE = {
    "a": Kind.STATE,
    "b": Kind.STATE,
    "written": Kind.MARK,
    "oral": Kind.MARK,
    "average": Kind.MEAN,
    "items": Collection({"ok": Kind.STATE}),
}
STATES = {"pass": PASS, "fail": FAIL, "pending": PENDING}


def evaluate(rule: dict[str, Any], **facts: Any) -> State:
    return compile_rule(rule, SCOPE).evaluate(facts).state


@pytest.mark.parametrize(
    ("a", "b", "all_", "any_"),
    [
        ("pass", "pass", "pass", "pass"),
        ("pass", "fail", "fail", "pass"),
        ("fail", "fail", "fail", "fail"),
        ("pass", "pending", "pending", "pass"),
        ("fail", "pending", "fail", "pending"),
        ("pending", "pending", "pending", "pending"),
    ],
)
def test_all_and_any_follow_three_valued_logic(a: str, b: str, all_: str, any_: str) -> None:
    facts = {"a": STATES[a], "b": STATES[b]}
    both = [{"requires": ["a"]}, {"requires": ["b"]}]

    assert (evaluate({"all": both}, **facts), evaluate({"any": both}, **facts)) == (all_, any_)


@pytest.mark.parametrize(("a", "negated"), [("pass", "fail"), ("fail", "pass"), ("pending", "pending")])
def test_not_inverts_pass_and_fail_and_keeps_pending(a: str, negated: str) -> None:
    assert evaluate({"not": {"requires": ["a"]}}, a=STATES[a]) == negated


@pytest.mark.parametrize(
    ("states", "count", "expected"),
    [
        ([PASS, PASS, FAIL], 2, "pass"),
        ([PASS, FAIL, FAIL], 2, "fail"),
        ([PASS, PENDING, FAIL], 2, "pending"),
        ([], 0, "pass"),
    ],
)
def test_at_least_a_count_of_items(states: list[State], count: int, expected: str) -> None:
    rule = {"at_least": {"of": "items", "where": "ok", "count": count}}

    assert evaluate(rule, items={"ok": states}) == expected


def test_at_least_a_ratio_is_pending_only_while_missing_items_could_change_the_outcome() -> None:
    rule = {"at_least": {"of": "items", "where": "ok", "ratio": 80}}

    assert evaluate(rule, items={"ok": [PASS] * 3 + [PENDING] * 2}) == "pending"
    assert evaluate(rule, items={"ok": [PASS] * 4 + [PENDING]}) == "pass"
    assert evaluate(rule, items={"ok": [PASS] * 2 + [FAIL] * 2 + [PENDING]}) == "fail"


def test_none_fails_on_an_eliminatory_mark_even_when_others_are_missing() -> None:
    rule = {"none": {"of": ["written", "oral"], "at_most": 6}}

    assert evaluate(rule, written=Decimal(6), oral=None) == "fail"
    assert evaluate(rule, written=Decimal("6.01"), oral=None) == "pending"
    assert evaluate(rule, written=Decimal("6.01"), oral=Decimal(20)) == "pass"


@pytest.mark.parametrize(
    ("op", "expected"), [(">=", "pass"), (">", "fail"), ("<=", "pass"), ("<", "fail"), ("==", "pass")]
)
def test_compare_a_mark_with_a_threshold(op: str, expected: str) -> None:
    rule = {"compare": {"value": "written", "op": op, "threshold": "9.5"}}

    assert evaluate(rule, written=Decimal("9.50")) == expected


def test_compare_a_mean_exactly() -> None:
    rule = {"compare": {"value": "average", "op": ">=", "threshold": 10}}

    assert evaluate(rule, average=Mean(Decimal("99.99"), 10)) == "fail"
    assert evaluate(rule, average=Mean(Decimal(30), 3)) == "pass"
    assert evaluate(rule, average=None) == "pending"


def test_compensate_needs_every_mark_above_the_floor_and_their_mean() -> None:
    rule = {"compensate": {"items": ["written", "oral"], "floor": 8, "mean_at_least": 10}}

    assert evaluate(rule, written=Decimal(8), oral=Decimal(12)) == "pass"
    assert evaluate(rule, written=Decimal("7.99"), oral=Decimal(20)) == "fail"
    assert evaluate(rule, written=Decimal(9), oral=Decimal("10.99")) == "fail"
    assert evaluate(rule, written=Decimal(7), oral=None) == "fail"
    assert evaluate(rule, written=Decimal(12), oral=None) == "pending"


def test_outcome_takes_the_first_case_that_passes_else_the_default() -> None:
    rule = {
        "outcome": {
            "cases": [
                {"when": {"requires": ["a"]}, "then": "pass"},
                {"when": {"requires": ["b"]}, "then": "fail"},
            ],
            "else": {"compare": {"value": "written", "op": ">=", "threshold": 10}},
        }
    }

    assert evaluate(rule, a=PASS, b=PASS, written=None) == "pass"
    assert evaluate(rule, a=FAIL, b=PASS, written=None) == "fail"
    assert evaluate(rule, a=FAIL, b=FAIL, written=Decimal(12)) == "pass"
    assert evaluate(rule, a=PENDING, b=FAIL, written=Decimal(12)) == "pending"


def test_every_node_traces_its_inputs_threshold_and_result() -> None:
    rule = {"all": [{"requires": ["a"]}, {"at_least": {"of": "items", "where": "ok", "ratio": 80}}]}

    trace = compile_rule(rule, SCOPE).evaluate({"a": PASS, "items": {"ok": [PASS, FAIL]}}).trace()

    assert trace == {
        "node": "rule.all",
        "type": "all",
        "children": [
            {"node": "rule.all[0].requires", "type": "requires", "inputs": {"a": "pass"}, "result": "pass"},
            {
                "node": "rule.all[1].at_least",
                "type": "at_least",
                "inputs": {"of": "items", "where": "ok", "passed": 1, "pending": 0, "total": 2},
                "threshold": {"required": 2, "ratio": 80},
                "result": "fail",
            },
        ],
        "result": "fail",
    }


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        pytest.param(
            {"at_least": {"of": "items", "where": "ok", "ratio": 0}},
            "nœud rule.at_least : « ratio » doit être un entier entre 1 et 100",
            id="ratio out of range",
        ),
        pytest.param(
            {"requires": ["c"]},
            "nœud rule.requires : « c » n'est pas utilisable ici : il faut un fait vrai ou faux parmi : a, b",
            id="unknown fact",
        ),
        pytest.param(
            {"none": {"of": ["a"], "at_most": 6}},
            "nœud rule.none : « a » n'est pas utilisable ici : il faut une note parmi : oral, written",
            id="fact of the wrong kind",
        ),
        pytest.param(
            {"any": [{"eval": "__import__('os')"}]},
            "nœud rule.any[0] : type de nœud inconnu « eval »",
            id="no eval",
        ),
    ],
)
def test_invalid_rule_is_refused_naming_the_node(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleSetError, match=r"^Jeu de règles invalide : ") as refused:
        compile_rule(rule, SCOPE)

    assert message in str(refused.value)
