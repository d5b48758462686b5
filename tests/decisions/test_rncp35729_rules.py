"""The registry scheme (D14–D18): worked examples of domain.md, one row each, and the output contract."""

from collections.abc import Iterable
from typing import Any

import pytest

from certifier.decisions.registry import RuleSet

BC01, BC02, BC03 = "RNCP35729BC01", "RNCP35729BC02", "RNCP35729BC03"
COMPETENCES = {BC01: 6, BC02: 5, BC03: 5}


def criteria(validated: int, total: int) -> list[bool]:
    """The criteria of one competence: `validated` of `total` validated."""
    return [True] * validated + [False] * (total - validated)


def block(acquired: int, assessed: int) -> dict[str, list[bool]]:
    """`assessed` competences of which the first `acquired` have all their five criteria validated."""
    return {str(number): criteria(5 if number <= acquired else 0, 5) for number in range(1, assessed + 1)}


def full_block(code: str) -> dict[str, list[bool]]:
    return block(COMPETENCES[code], COMPETENCES[code])


def rncp_record(capitalised: Iterable[str] = (), **blocks: Any) -> dict[str, Any]:
    return {"candidate": "A1", "criteria": blocks, "capitalised": list(capitalised)}


@pytest.mark.parametrize(
    ("validated", "total", "acquired"),
    [
        pytest.param(4, 5, True, id="4 of 5 criteria is 80 %: acquired"),
        pytest.param(3, 4, False, id="3 of 4 criteria is 75 %: not acquired"),
        pytest.param(5, 5, True, id="all criteria"),
        pytest.param(0, 3, False, id="no criterion"),
        pytest.param(8, 10, True, id="8 of 10"),
        pytest.param(7, 9, False, id="7 of 9 is 77.8 %"),
    ],
)
def test_competence_is_acquired_with_at_least_80_percent_of_its_criteria(
    rncp: RuleSet, validated: int, total: int, acquired: bool
) -> None:
    output = rncp.decide(rncp_record(**{BC01: {"1": criteria(validated, total)}})).output

    assert output["competences"][BC01]["1"] == {
        "acquired": acquired,
        "validated": validated,
        "criteria": total,
    }


@pytest.mark.parametrize(
    ("code", "acquired", "status"),
    [
        pytest.param(BC01, 5, "validated", id="block of 6 needs 5: 5 acquired"),
        pytest.param(BC01, 4, "not_validated", id="block of 6 needs 5: 4 acquired"),
        pytest.param(BC02, 4, "validated", id="block of 5 needs 4: 4 acquired"),
        pytest.param(BC02, 3, "not_validated", id="block of 5 needs 4: 3 acquired"),
        pytest.param(BC03, 4, "validated", id="BC03 of 5 needs 4: 4 acquired"),
    ],
)
def test_block_is_validated_with_at_least_80_percent_of_its_competences(
    rncp: RuleSet, code: str, acquired: int, status: str
) -> None:
    competences = 6 if code == BC01 else 5
    output = rncp.decide(rncp_record(**{code: block(acquired, competences)})).output

    assert output["blocks"][code] == {"status": status, "acquired": acquired, "competences": competences}


def test_block_of_six_needs_five_competences(rncp: RuleSet) -> None:
    four = rncp.decide(rncp_record(**{BC01: block(4, 6)})).output
    five = rncp.decide(rncp_record(**{BC01: block(5, 6)})).output

    assert (four["blocks"][BC01]["status"], five["blocks"][BC01]["status"]) == ("not_validated", "validated")


def test_cqp_is_delivered_when_every_block_is_validated(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(**{code: full_block(code) for code in (BC01, BC02, BC03)})).output

    assert output["status"] == "certified"
    assert output["explanation"].startswith("Certifié : 3 blocs validés sur 3")


def test_one_block_not_validated_means_not_certified_even_with_blocks_pending(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(**{BC01: block(4, 6)})).output

    assert output["status"] == "not_certified"
    assert [output["blocks"][code]["status"] for code in (BC01, BC02, BC03)] == [
        "not_validated",
        "incomplete",
        "incomplete",
    ]


def test_capitalised_blocks_are_kept_across_sessions(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(capitalised=[BC01, BC02], **{BC03: full_block(BC03)})).output

    assert output["status"] == "certified"
    assert "Bloc RNCP35729BC01 validé : capitalisé lors d'une session précédente." in output["explanation"]


def test_capitalised_block_is_validated_whatever_its_criteria_say(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(capitalised=[BC02], **{BC02: block(0, 5)})).output

    assert output["blocks"][BC02]["status"] == "validated"
    assert output["competences"][BC02]["1"]["acquired"] is False


def test_block_is_incomplete_while_missing_competences_could_still_reach_the_threshold(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(**{BC01: block(3, 4)})).output

    assert output["blocks"][BC01] == {"status": "incomplete", "acquired": 3, "competences": 6}
    assert (
        "Bloc RNCP35729BC01 incomplet : 3 compétences acquises sur 6 et 2 non encore évaluées"
        in (output["explanation"])
    )


def test_block_is_not_validated_once_missing_competences_cannot_reach_the_threshold(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(**{BC01: block(3, 5)})).output

    assert output["blocks"][BC01]["status"] == "not_validated"


def test_competence_without_any_assessed_criterion_is_pending_not_failed(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record()).output

    assert output["status"] == "incomplete"
    assert {output["blocks"][code]["status"] for code in (BC01, BC02, BC03)} == {"incomplete"}
    assert output["competences"] == {BC01: {}, BC02: {}, BC03: {}}


def test_explanation_reads_like_the_jury_sentence(rncp: RuleSet) -> None:
    output = rncp.decide(rncp_record(**{BC01: block(4, 6)})).output

    assert (
        "Bloc RNCP35729BC01 non validé : 4 compétences acquises sur 6, il en faut au moins 5 (80 %)."
        in output["explanation"]
    )


def test_output_follows_the_contract(rncp: RuleSet) -> None:
    record = {
        "candidate": "A1",
        "criteria": {BC01: {"1": [True, True, False, True, True], "2": [True, True]}},
        "capitalised": [BC02],
    }

    output = rncp.decide(record).output

    assert list(output) == ["candidate", "status", "blocks", "competences", "rules", "explanation"]
    assert output["candidate"] == "A1"
    assert output["status"] == "incomplete"
    assert output["blocks"][BC02] == {"status": "validated", "acquired": 0, "competences": 5}
    assert output["competences"][BC01] == {
        "1": {"acquired": True, "validated": 4, "criteria": 5},
        "2": {"acquired": True, "validated": 2, "criteria": 2},
    }
    assert output["rules"] == {"id": "rncp35729", "version": 1, "hash": rncp.hash}


def test_decision_carries_the_trace_of_every_rule(rncp: RuleSet) -> None:
    trace = rncp.decide(rncp_record(**{BC01: {"1": criteria(3, 4)}})).trace()

    competence = trace["competences"][BC01]["1"]
    assert competence == {
        "node": "competence_rule.at_least",
        "type": "at_least",
        "inputs": {"of": "criteria", "where": "validated", "passed": 3, "pending": 0, "total": 4},
        "threshold": {"required": 4, "ratio": 80},
        "result": "fail",
    }
    assert trace["blocks"][BC01]["chosen"]["inputs"]["pending"] == 5
    assert trace["rule"]["result"] == "pending"
