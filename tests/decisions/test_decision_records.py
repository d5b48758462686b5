"""Input records that cannot be decided are refused with a French message naming the problem."""

from typing import Any

import pytest

from certifier.decisions.records import RecordError
from certifier.decisions.registry import RuleSet

BC01 = "RNCP35729BC01"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        pytest.param(
            {"candidate": "A1", "criteria": {"RNCP35729BC04": {"1": [True]}}},
            "bloc inconnu « RNCP35729BC04 »",
            id="unknown block",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": {BC01: {"7": [True]}}},
            "bloc RNCP35729BC01 : compétence inconnue « 7 » (compétences 1 à 6)",
            id="unknown competence",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": {"RNCP35729BC02": {"6": [True]}}},
            "compétence inconnue « 6 » (compétences 1 à 5)",
            id="sixth competence of a block of five",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": {BC01: {"1": [True, "oui"]}}},
            "bloc RNCP35729BC01, compétence 1 : le critère 2 doit valoir true ou false",
            id="criterion not a boolean",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": {BC01: {"1": [True, 1]}}},
            "le critère 2 doit valoir true ou false",
            id="criterion 1 is not true",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": {BC01: {"2": []}}},
            "bloc RNCP35729BC01, compétence 2 : la liste des critères est vide",
            id="empty criteria list",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": {BC01: {"2": True}}},
            "une liste de critères (true ou false) est attendue",
            id="criteria not a list",
        ),
        pytest.param(
            {"candidate": "A1", "criteria": [True]},
            "« criteria » doit être un objet « bloc : compétences »",
            id="criteria not an object",
        ),
        pytest.param(
            {"candidate": "A1", "capitalised": ["RNCP35729BC09"]},
            "bloc capitalisé inconnu « RNCP35729BC09 »",
            id="unknown capitalised block",
        ),
        pytest.param(
            {"candidate": "A1", "capitalized": [BC01]},
            "champ inconnu « capitalized »",
            id="misspelt field is refused, not ignored",
        ),
        pytest.param({"criteria": {}}, "« candidate » doit être un identifiant non vide", id="no candidate"),
    ],
)
def test_invalid_rncp_record_is_refused_in_french(
    rncp: RuleSet, record: dict[str, Any], message: str
) -> None:
    with pytest.raises(RecordError) as refused:
        rncp.decide(record)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        pytest.param({"oral": 21}, "note « oral » : 21 est hors de l'échelle de 0 à 20", id="above 20"),
        pytest.param({"oral": -1}, "note « oral » : -1 est hors de l'échelle de 0 à 20", id="negative"),
        pytest.param({"oral": "20.5"}, "« 20.5 » est hors de l'échelle", id="above 20 as text"),
        pytest.param(
            {"written": "9.555"}, "note « written » : « 9.555 » a plus de deux décimales", id="3 places"
        ),
        pytest.param(
            {"written": "neuf"}, "note « written » : « neuf » n'est pas un nombre", id="not a number"
        ),
        pytest.param({"written": "9,5"}, "« 9,5 » n'est pas un nombre", id="decimal comma"),
        pytest.param({"written": True}, "note « written » : true n'est pas un nombre", id="boolean"),
        pytest.param({"written": [9]}, "une liste n'est pas un nombre", id="list"),
        pytest.param({"written": 9.5}, "9.5 est un nombre à virgule flottante", id="binary float"),
        pytest.param(
            {"ecrit": 12}, "note inconnue « ecrit » (notes possibles : cc_common,", id="unknown mark"
        ),
    ],
)
def test_invalid_mark_is_refused_in_french(cqp: RuleSet, marks: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError) as refused:
        cqp.decide({"candidate": "B1", "pass_followed": True, "marks": marks})

    assert message in str(refused.value)


def test_every_problem_of_a_record_is_reported_at_once(cqp: RuleSet) -> None:
    with pytest.raises(RecordError) as refused:
        cqp.decide({"candidate": "B1", "pass_followed": "oui", "marks": {"oral": 21, "written": "x"}})

    assert str(refused.value) == (
        "« pass_followed » doit valoir true, false ou null ; note « written » : « x » n'est pas un nombre ;"
        " note « oral » : 21 est hors de l'échelle de 0 à 20"
    )
    assert refused.value.candidate == "B1"


def test_marks_with_trailing_zeros_have_at_most_two_decimals(cqp: RuleSet) -> None:
    output = cqp.decide({"candidate": "B1", "marks": {"written": "12.500"}}).output

    assert output["status"] == "incomplete"
