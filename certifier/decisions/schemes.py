"""The two kinds of rule sets: competence blocks (RNCP scheme) and weighted marks (2013 scheme).

A scheme knows the shape of its records and of its output; everything it decides comes from the
rules of the document.
"""

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from json.encoder import encode_basestring as json_string
from typing import Any

from certifier.decisions.engine import (
    FAIL,
    PASS,
    PENDING,
    Collection,
    Kind,
    Node,
    NoEliminatory,
    Result,
    Scope,
    State,
    compile_mean,
    compile_rule,
    state_of,
)
from certifier.decisions.explain import Explainer, block_sentence, status_sentence, unknown_facts
from certifier.decisions.numbers import decimal_text, fraction_text
from certifier.decisions.records import parse_block_record, parse_mark_record
from certifier.decisions.schema import RuleSetError

CERTIFICATION_STATUS = {PASS: "certified", FAIL: "not_certified", PENDING: "incomplete"}
BLOCK_STATUS = {PASS: "validated", FAIL: "not_validated", PENDING: "incomplete"}
ACQUIRED = {PASS: True, FAIL: False, PENDING: None}

COMPETENCE_SCOPE: Scope = {"criteria": Collection({"validated": Kind.STATE})}
BLOCK_SCOPE: Scope = {"competences": Collection({"acquired": Kind.STATE}), "capitalised": Kind.STATE}
CERTIFICATION_SCOPE: Scope = {"blocks": Collection({"validated": Kind.STATE})}
RESERVED_FACTS = ("pass_followed", "average")
CACHE_SIZE = 4096
ENCODER = json.JSONEncoder(ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Decision:
    """The output line of the `decide` contract, and the trace of every rule that produced it."""

    output: dict[str, Any]
    tracer: Callable[[], dict[str, Any]]
    # Block code → the explanation's sentence about that block (the block scheme only), so that a
    # caller showing one block never cuts it out of the whole explanation.
    block_sentences: Mapping[str, str] = field(default_factory=dict)

    def trace(self) -> dict[str, Any]:
        return self.tracer()


@dataclass(frozen=True, slots=True)
class Block:
    code: str
    title: str
    numbers: tuple[str, ...]
    rule: Node


class BlockScheme:
    """RNCP scheme: criteria make competences acquired, competences make blocks validated.

    A rule's result depends on its facts only, and the same few combinations of facts recur from one
    candidate to the next: results (and their phrases) are therefore computed once per combination.
    """

    def __init__(self, doc: Mapping[str, Any], stamp: Mapping[str, Any]) -> None:
        self.stamp = dict(stamp)
        self.competence_rule = compile_rule(doc["competence_rule"], COMPETENCE_SCOPE, "competence_rule")
        self.blocks: list[Block] = []
        for i, block in enumerate(doc["blocks"]):
            if any(known.code == block["code"] for known in self.blocks):
                raise RuleSetError(f"blocks[{i}].code", f"code de bloc en double « {block['code']} »")
            numbers = tuple(str(number) for number in range(1, len(block["competences"]) + 1))
            rule = compile_rule(block["rule"], BLOCK_SCOPE, f"blocks[{i}].rule")
            self.blocks.append(Block(block["code"], block["title"], numbers, rule))
        self.rule = compile_rule(doc["rule"], CERTIFICATION_SCOPE, "rule")
        self.referential = {block.code: block.numbers for block in self.blocks}
        self.explainer = Explainer()
        self._competence = functools.lru_cache(maxsize=CACHE_SIZE)(self._evaluate_competence)
        self._block = functools.lru_cache(maxsize=CACHE_SIZE)(self._evaluate_block)
        self._certification = functools.lru_cache(maxsize=CACHE_SIZE)(self._evaluate_certification)
        self._stamp_json = ENCODER.encode(self.stamp)

    def _evaluate_competence(self, criteria: tuple[bool, ...]) -> Result:
        return self.competence_rule.evaluate(
            {"criteria": {"validated": [PASS if ok else FAIL for ok in criteria]}}
        )

    def _evaluate_block(
        self, index: int, competences: tuple[State, ...], capitalised: bool
    ) -> tuple[Result, str]:
        block = self.blocks[index]
        facts = {"competences": {"acquired": list(competences)}, "capitalised": PASS if capitalised else FAIL}
        result = block.rule.evaluate(facts)
        return result, block_sentence(block.code, BLOCK_STATUS[result.state], self.explainer.phrase(result))

    def _evaluate_certification(self, blocks: tuple[State, ...]) -> tuple[Result, str]:
        result = self.rule.evaluate({"blocks": {"validated": list(blocks)}})
        status = CERTIFICATION_STATUS[result.state]
        return result, status_sentence(status, self.explainer.phrase(result))

    def decide(self, raw: Any) -> Decision:
        record = parse_block_record(raw, self.referential)
        blocks: dict[str, Any] = {}
        competences: dict[str, Any] = {}
        block_results: dict[str, Result] = {}
        competence_results: dict[str, dict[str, Result]] = {}
        block_sentences: dict[str, str] = {}
        for index, block in enumerate(self.blocks):
            assessed = record.criteria.get(block.code, {})
            shown = competences[block.code] = {}
            results = competence_results[block.code] = {}
            states = []
            for number in block.numbers:
                criteria = assessed.get(number)
                if criteria is None:
                    states.append(PENDING)
                    continue
                result = results[number] = self._competence(criteria)
                states.append(result.state)
                shown[number] = {
                    "acquired": ACQUIRED[result.state],
                    "validated": criteria.count(True),
                    "criteria": len(criteria),
                }
            result, sentence = self._block(index, tuple(states), block.code in record.capitalised)
            block_results[block.code] = result
            block_sentences[block.code] = sentence
            blocks[block.code] = {
                "status": BLOCK_STATUS[result.state],
                "acquired": states.count(PASS),
                "competences": len(block.numbers),
            }
        root, sentence = self._certification(tuple(result.state for result in block_results.values()))
        output = {
            "candidate": record.candidate,
            "status": CERTIFICATION_STATUS[root.state],
            "blocks": blocks,
            "competences": competences,
            "rules": dict(self.stamp),
            "explanation": " ".join([sentence, *block_sentences.values()]),
        }

        def tracer() -> dict[str, Any]:
            return {
                "competences": {
                    code: {number: result.trace() for number, result in results.items()}
                    for code, results in competence_results.items()
                },
                "blocks": {code: result.trace() for code, result in block_results.items()},
                "rule": root.trace(),
            }

        return Decision(output, tracer, block_sentences)

    def encode(self, output: dict[str, Any]) -> str:
        """The JSON of a decision output, as `ENCODER.encode` writes it but faster: the competence
        entries, few and recurring, are rendered once each."""
        competences = ", ".join(
            f"{json_string(code)}: {_entries_json(entries)}"
            for code, entries in output["competences"].items()
        )
        return (
            f'{{"candidate": {json_string(output["candidate"])}, "status": "{output["status"]}", '
            f'"blocks": {ENCODER.encode(output["blocks"])}, "competences": {{{competences}}}, '
            f'"rules": {self._stamp_json}, "explanation": {json_string(output["explanation"])}}}'
        )


def _entries_json(entries: dict[str, dict[str, Any]]) -> str:
    inner = ", ".join(
        [f"{json_string(number)}: {_entry_json(*entry.values())}" for number, entry in entries.items()]
    )
    return f"{{{inner}}}"


@functools.lru_cache(maxsize=CACHE_SIZE)
def _entry_json(acquired: bool | None, validated: int, criteria: int) -> str:
    return ENCODER.encode({"acquired": acquired, "validated": validated, "criteria": criteria})


class MarkScheme:
    """2013 scheme: marks out of 20 with coefficients, eliminatory marks and prerequisites."""

    def __init__(self, doc: Mapping[str, Any], stamp: Mapping[str, Any]) -> None:
        self.stamp = dict(stamp)
        self.labels: dict[str, str] = {}
        for i, mark in enumerate(doc["marks"]):
            if mark["name"] in self.labels or mark["name"] in RESERVED_FACTS:
                raise RuleSetError(f"marks[{i}].name", f"nom de note en double ou réservé « {mark['name']} »")
            self.labels[mark["name"]] = mark["label"]
        self.names = tuple(self.labels)
        scope: dict[str, Kind] = {"pass_followed": Kind.STATE, **dict.fromkeys(self.names, Kind.MARK)}
        self.average = compile_mean(doc["average"], scope, "average")
        self.rule = compile_rule(doc["rule"], {**scope, "average": Kind.MEAN}, "rule")
        # Mark name → the mark at or under which it is eliminatory, as the rule says (for display)
        self.eliminatory_at_most = {
            name: node.at_most
            for node in _nodes(self.rule)
            if isinstance(node, NoEliminatory)
            for name in node.marks
        }
        self.explainer = Explainer(self.labels, self.average.weight)

    def decide(self, raw: Any) -> Decision:
        record = parse_mark_record(raw, self.names)
        facts: dict[str, Any] = {"pass_followed": state_of(record.pass_followed), **record.marks}
        mean = facts["average"] = self.average.compute(facts)
        root = self.rule.evaluate(facts)
        status = CERTIFICATION_STATUS[root.state]
        if root.state is PENDING:
            missing = [name for name in self.names if record.marks[name] is None]
            explanation = status_sentence(status, unknown_facts(record.pass_followed, missing, self.labels))
        else:
            explanation = status_sentence(status, self.explainer.phrase(root))
        output: dict[str, Any] = {"candidate": record.candidate, "status": status}
        if mean is not None:
            output["total"] = decimal_text(mean.total)
            output["average"] = fraction_text(mean.value)
        output["eliminatory"] = self._eliminatory(root)
        output["rules"] = dict(self.stamp)
        output["explanation"] = explanation
        return Decision(output, lambda: {"average": self.average.trace(facts), "rule": root.trace()})

    @staticmethod
    def encode(output: dict[str, Any]) -> str:
        return ENCODER.encode(output)

    def _eliminatory(self, root: Result) -> list[str]:
        eliminated = {
            name
            for result in root.walk()
            if isinstance(result.node, NoEliminatory)
            for name in result.node.eliminated(result.detail)
        }
        return [name for name in self.names if name in eliminated]


def _nodes(node: Node) -> list[Node]:
    """A compiled rule's node and every node under it."""
    children = getattr(node, "children", ()) or ([node.child] if hasattr(node, "child") else [])
    return [node, *(descendant for child in children for descendant in _nodes(child))]
