"""The 2013 marks scheme (D27–D28): worked examples of domain.md, one row each."""

from decimal import Decimal
from typing import Any

import pytest

from certifier.decisions.registry import RuleSet

PASSING = {"cc_common": 10, "cc_option": 10, "written": 10, "oral": 10, "apt": 10}


def cqp_record(pass_followed: bool | None = True, **marks: Any) -> dict[str, Any]:
    return {"candidate": "B1", "pass_followed": pass_followed, "marks": marks}


@pytest.mark.parametrize(
    ("marks", "status", "total", "average"),
    [
        pytest.param(PASSING, "certified", "100", "10", id="average of exactly 10 passes"),
        pytest.param(
            {**PASSING, "apt": Decimal("9.99")}, "not_certified", "99.98", "9.998", id="99.98 of 200 fails"
        ),
        pytest.param(
            {"cc_common": 12, "cc_option": "9.5", "written": "11.25", "oral": 11, "apt": 14},
            "certified",
            "116.25",
            "11.625",
            id="coefficients 1, 1, 3, 3, 2 out of 200",
        ),
        pytest.param({**PASSING, "written": 6, "apt": 20}, "not_certified", "108", "10.8", id="written of 6"),
        pytest.param({**PASSING, "oral": 6, "apt": 20}, "not_certified", "108", "10.8", id="oral of 6"),
        pytest.param(
            {**PASSING, "written": "6.01"}, "not_certified", "88.03", "8.803", id="6.01 not eliminatory"
        ),
        pytest.param(
            {**PASSING, "written": "6.01", "apt": 20, "cc_common": 20},
            "certified",
            "118.03",
            "11.803",
            id="6.01",
        ),
        pytest.param({**PASSING, "cc_common": 0, "cc_option": 2}, "not_certified", "82", "8.2", id="low"),
    ],
)
def test_certified_with_pass_an_average_of_ten_and_no_eliminatory_mark(
    cqp: RuleSet, marks: dict[str, Any], status: str, total: str, average: str
) -> None:
    output = cqp.decide(cqp_record(**marks)).output

    assert (output["status"], output["total"], output["average"]) == (status, total, average)


def test_a_mark_of_exactly_six_is_eliminatory(cqp: RuleSet) -> None:
    output = cqp.decide(cqp_record(**{**PASSING, "written": 6, "cc_common": 20, "apt": 20})).output

    assert output["status"] == "not_certified"
    assert output["eliminatory"] == ["written"]
    assert output["explanation"] == "Non certifié : note éliminatoire (6 ou moins) : épreuve écrite 6."


def test_pass_not_followed_means_not_certified_even_with_marks_missing(cqp: RuleSet) -> None:
    output = cqp.decide(cqp_record(pass_followed=False, oral=15)).output

    assert output["status"] == "not_certified"
    assert "total" not in output
    assert output["explanation"] == "Non certifié : Pass non suivi."


def test_eliminatory_mark_means_not_certified_even_with_marks_missing(cqp: RuleSet) -> None:
    output = cqp.decide(cqp_record(written="5.5", oral=4)).output

    assert output["status"] == "not_certified"
    assert output["eliminatory"] == ["written", "oral"]
    assert "notes éliminatoires (6 ou moins) : épreuve écrite 5,5, épreuve orale 4" in output["explanation"]


def test_missing_mark_means_incomplete_without_total_or_average(cqp: RuleSet) -> None:
    output = cqp.decide(cqp_record(**{**PASSING, "oral": None, "apt": None})).output

    assert output["status"] == "incomplete"
    assert "total" not in output
    assert "average" not in output
    assert output["explanation"] == (
        "Incomplet : notes non encore connues : épreuve orale, applications professionnelles tutorées."
    )


def test_unknown_pass_attendance_means_incomplete(cqp: RuleSet) -> None:
    output = cqp.decide(cqp_record(pass_followed=None, **PASSING)).output

    assert output["status"] == "incomplete"
    assert output["total"] == "100"
    assert output["explanation"] == "Incomplet : suivi du Pass non renseigné."


def test_average_is_never_rounded_for_the_decision(cqp: RuleSet) -> None:
    output = cqp.decide(cqp_record(**{**PASSING, "apt": "9.99"})).output

    assert output["status"] == "not_certified"
    assert output["explanation"] == (
        "Non certifié : moyenne de 9,998 sur 20 (total 99,98 sur 200), il faut au moins 10."
    )


def test_output_follows_the_contract(cqp: RuleSet) -> None:
    output = cqp.decide(
        cqp_record(cc_common=12, cc_option="9.5", written=Decimal("6.5"), oral=11, apt="13.75")
    ).output

    assert list(output) == ["candidate", "status", "total", "average", "eliminatory", "rules", "explanation"]
    assert output["total"] == "101.5"
    assert output["average"] == "10.15"
    assert output["eliminatory"] == []
    assert output["rules"] == {"id": "cqp-2013", "version": 1, "hash": cqp.hash}
    assert output["explanation"] == (
        "Certifié : Pass suivi ; aucune note éliminatoire ; moyenne de 10,15 sur 20 (total 101,5 sur 200),"
        " il faut au moins 10."
    )


def test_decision_carries_the_trace_of_the_average_and_of_every_rule(cqp: RuleSet) -> None:
    trace = cqp.decide(cqp_record(**{**PASSING, "written": "6"})).trace()

    assert trace["average"]["total"] == "88"
    assert trace["average"]["weights"] == {"cc_common": 1, "cc_option": 1, "written": 3, "oral": 3, "apt": 2}
    eliminatory = trace["rule"]["children"][1]
    assert eliminatory["threshold"] == {"at_most": "6"}
    assert eliminatory["eliminated"] == ["written"]
    assert eliminatory["result"] == "fail"
