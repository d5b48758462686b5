"""Rule sets are documents: shipped by id or drafted in a file, checked against the schema, stamped."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from certifier.decisions.registry import (
    SHIPPED,
    UnknownRuleSet,
    from_document,
    load,
    read_document,
    shipped_ids,
)
from certifier.decisions.schema import RuleSetError


def shipped(rule_set_id: str) -> dict[str, Any]:
    document: dict[str, Any] = read_document(SHIPPED / f"{rule_set_id}.yaml")
    return document


def test_both_schemes_are_shipped_under_their_own_id() -> None:
    assert shipped_ids() == ["cqp-2013", "rncp35729"]
    assert [load(rule_set_id).id for rule_set_id in shipped_ids()] == shipped_ids()


def test_stamp_is_id_version_and_content_hash() -> None:
    rules = load("rncp35729")

    assert rules.stamp == {"id": "rncp35729", "version": 1, "hash": rules.hash}
    assert rules.hash.startswith("sha256:")
    assert len(rules.hash) == len("sha256:") + 64


def test_hash_changes_with_the_rules_but_not_with_comments_or_layout(tmp_path: Path) -> None:
    text = (SHIPPED / "cqp-2013.yaml").read_text(encoding="utf-8")
    commented = tmp_path / "commented.yaml"
    commented.write_text("# relu par le secrétariat du jury\n" + text, encoding="utf-8")
    as_json = tmp_path / "same.json"
    as_json.write_text(json.dumps(shipped("cqp-2013"), indent=2), encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("threshold: 10", "threshold: 12"), encoding="utf-8")

    assert load(str(commented)).hash == load("cqp-2013").hash == load(str(as_json)).hash
    assert load(str(changed)).hash != load("cqp-2013").hash


def test_draft_rule_set_is_loaded_from_a_file_path(tmp_path: Path) -> None:
    draft = shipped("rncp35729")
    draft["version"] = 2
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")

    assert load(str(path)).stamp["version"] == 2


def test_unknown_rule_set_is_refused_in_french() -> None:
    with pytest.raises(UnknownRuleSet, match="Jeu de règles introuvable « rncp99999 »"):
        load("rncp99999")


def test_yaml_is_never_executed(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")

    with pytest.raises(RuleSetError, match=r"le fichier evil\.yaml est illisible"):
        load(str(path))
    assert not Path("pwned").exists()


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("rule_set_id", "change", "message"),
    [
        pytest.param(
            "rncp35729",
            _set(
                ["blocks", 1, "rule"], {"at_least": {"of": "competences", "where": "acquired", "ratio": 120}}
            ),
            "Jeu de règles invalide : nœud blocks[1].rule.at_least : « ratio » doit être un entier entre 1 et 100",
            id="ratio above 100",
        ),
        pytest.param(
            "rncp35729",
            _set(["blocks", 1, "rule"], {"at_least": {"of": "competences", "where": "acquired"}}),
            "nœud blocks[1].rule.at_least : il faut exactement l'une des propriétés « ratio » ou « count »",
            id="no threshold",
        ),
        pytest.param(
            "rncp35729",
            _set(["competence_rule"], {"atleast": {}}),
            "nœud competence_rule : type de nœud inconnu « atleast »",
            id="unknown node type",
        ),
        pytest.param(
            "rncp35729",
            _set(["blocks", 0, "rule", "outcome", "cases", 0, "then"], "maybe"),
            "nœud blocks[0].rule.outcome.cases[0] : « then » doit être « pass », « fail » ou un nœud",
            id="outcome neither pass nor fail",
        ),
        pytest.param(
            "rncp35729",
            _set(["rule"], {"at_least": {"of": "competences", "where": "acquired", "ratio": 80}}),
            "nœud rule.at_least : « competences » n'est pas utilisable ici : il faut une liste parmi : blocks",
            id="fact out of scope",
        ),
        pytest.param(
            "rncp35729",
            _set(["blocks", 2, "code"], "RNCP35729BC01"),
            "nœud blocks[2].code : code de bloc en double « RNCP35729BC01 »",
            id="duplicate block",
        ),
        pytest.param(
            "cqp-2013",
            _set(["rule", "all", 1, "none", "at_most"], 6.5),
            "nœud rule.all[1].none : « at_most » doit être un nombre positif, entier ou décimal écrit entre guillemets",
            id="binary float threshold",
        ),
        pytest.param(
            "cqp-2013",
            _set(["average", "weighted_mean", "weights", "written"], 0),
            "nœud average.weighted_mean.weights : « written » doit être un entier au moins égal à 1",
            id="zero weight",
        ),
        pytest.param(
            "cqp-2013",
            _set(["rule", "all", 2, "compare", "op"], "=>"),
            "nœud rule.all[2].compare : « op » doit être l'un de >=, >, <=, <, ==",
            id="unknown operator",
        ),
        pytest.param(
            "cqp-2013", _set(["version"], "v2"), "« version » doit être un entier", id="bad version"
        ),
        pytest.param(
            "cqp-2013", _set(["scheme"], "points"), "« scheme » doit être « blocks »", id="bad scheme"
        ),
    ],
)
def test_invalid_rule_set_is_refused_with_a_french_message_naming_the_node(
    rule_set_id: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    document = copy.deepcopy(shipped(rule_set_id))
    change(document)

    with pytest.raises(RuleSetError) as refused:
        from_document(document)

    assert message in str(refused.value)


def test_missing_property_is_named() -> None:
    document = copy.deepcopy(shipped("cqp-2013"))
    del document["average"]

    with pytest.raises(RuleSetError, match=r"^Jeu de règles invalide : « average » est obligatoire$"):
        from_document(document)
