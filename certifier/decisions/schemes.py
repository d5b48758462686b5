"""The two kinds of rule sets: competence blocks (RNCP scheme) and weighted marks (2013 scheme).

A scheme knows the shape of its records and of its output; everything it decides comes from the
rules of the document.
"""

import functools
import itertools
import json
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from json.encoder import encode_basestring as json_string
from typing import Any

from certifier.decisions.engine import (
    FAIL,
    OPERATORS,
    PASS,
    PENDING,
    Collection,
    Compare,
    Constant,
    Kind,
    Mean,
    Node,
    NoEliminatory,
    Outcome,
    Requires,
    Result,
    Scope,
    State,
    compile_mean,
    compile_rule,
    state_of,
)
from certifier.decisions.explain import Explainer, block_sentence, status_sentence, unknown_facts
from certifier.decisions.numbers import DISPLAY_PLACES, decimal_text, fraction_text, french
from certifier.decisions.records import MARK_MAX, parse_block_record, parse_mark_record
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
# Marks in the scheme's order, in hundredths: exact integers (12.25 is 1225).
Cents = tuple[int | None, ...]


@dataclass(slots=True)
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
    """2013 scheme: marks out of 20 with coefficients, eliminatory marks and prerequisites.

    A session decides thousands of candidates at once, so `decide` takes a quick road that gives the
    very output of the rules' interpreter (checked against it by the tests and the outcome benchmark):
    - a record in the expected shape is read with a few checks, its marks turned into whole numbers
      of hundredths; anything else goes through `parse_mark_record` and its French messages;
    - the rule's leaves are evaluated in hundredths without building results; their states decide
      the status, and the explanation is built once per combination of states, as a template into
      which only each candidate's figures are written. A rule with a kind of leaf the quick road does
      not know is interpreted node by node for every record.
    """

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
        self._marks = frozenset(self.names)
        self._weights = tuple(weight for _, weight in self.average.weights)
        self._weighted_marks = _picker(tuple(self.names.index(name) for name, _ in self.average.weights))
        self._leaves = [node for node in _tree(self.rule) if not _children(node)]
        self._states = [_leaf_state(node, self.names, self.average.weight) for node in self._leaves]
        self._signature = _signature(self._states)  # type: ignore[arg-type]
        self._quick = all(self._states) and not any("\0" in label for label in self.labels.values())
        self._mean_phrases = {
            i: _mean_phrase_parts(self.explainer, node, self.average.weight)
            for i, node in enumerate(self._leaves)
            if isinstance(node, Compare) and node.value == "average"
        }
        self._index = {name: i for i, name in enumerate(self.names)}
        self._nones = (None,) * len(self.names)
        # NoEliminatory leaf → its marks, with their index and the hundredths at or under which they eliminate
        self._eliminating = {
            i: tuple((name, self._index[name], _cents_at_most(node.at_most)) for name in node.marks)
            for i, node in enumerate(self._leaves)
            if isinstance(node, NoEliminatory)
        }
        self._read: dict[int | str, Decimal] = {}  # marks given as integers or text, already read
        self._cents: dict[str, int | None] = {"None": None}  # a valid decimal's text → its hundredths
        self._cents_of = self._cents.__getitem__
        self._plans: dict[tuple[State, ...], _Plan] = {}
        self._pending: dict[tuple[bool | None, tuple[str, ...]], str] = {}
        self._failed: dict[tuple[int, State, Cents], str] = {}  # phrases of eliminatory marks
        self._means: dict[int, tuple[str, str, str, str]] = {}  # a weighted total's texts

    def decide(self, raw: Any) -> Decision:
        quick = self._quick_record(raw)
        if quick is None:
            candidate, followed, values = self._parse(raw)
            cents = _cents(values)
        else:
            candidate, followed, values, cents = quick
        if not self._quick or cents is None:
            return self._interpret(candidate, followed, values)
        total = self._total(cents)
        states = self._signature(followed, cents, total)
        plan = self._plans.get(states)
        if plan is None:
            if len(self._plans) < CACHE_SIZE:
                self._plans[states] = self._plan(followed, values)
            return self._interpret(candidate, followed, values)
        output: dict[str, Any] = {"candidate": candidate, "status": plan.status}
        texts = None
        if total is not None:
            texts = self._means.get(total)
            if texts is None:
                texts = _mean_texts(total, self.average.weight)
                if len(self._means) < MEANS:
                    self._means[total] = texts
            output["total"], output["average"] = texts[0], texts[1]
        output["eliminatory"] = self._eliminated(plan.failed, cents) if plan.failed else []
        output["rules"] = dict(self.stamp)
        if plan.template is None:
            output["explanation"] = self._waiting(followed, values)
        elif plan.text is not None:
            output["explanation"] = plan.text
        elif plan.around is not None and texts is not None:  # the average and total, nothing else
            head, middle, tail = plan.around
            output["explanation"] = f"{head}{texts[3]}{middle}{texts[2]}{tail}"
        else:
            phrases = [self._phrase(i, states[i], followed, values, cents) for i in plan.leaves]
            if texts is None:
                output["explanation"] = plan.template.format(*phrases)
            else:
                output["explanation"] = plan.template.format(*phrases, average=texts[3], total=texts[2])
        return Decision(output, lambda: self._trace(followed, values))

    @staticmethod
    def encode(output: dict[str, Any]) -> str:
        return ENCODER.encode(output)

    # Reading a record -------------------------------------------------------------------------

    def _parse(self, raw: Any) -> tuple[str, bool | None, tuple[Decimal | None, ...]]:
        """The record as `parse_mark_record` reads it (raising RecordError with French messages)."""
        record = parse_mark_record(raw, self.names)
        if "marks" in raw:
            self._remember(raw["marks"], record.marks)
        return record.candidate, record.pass_followed, tuple(record.marks.values())

    def _quick_record(self, raw: Any) -> tuple[str, bool | None, tuple[Decimal | None, ...], Cents] | None:
        """The record and its marks in hundredths, when it has the expected shape and its marks are
        decimals or were read before; else None, and `parse_mark_record` reads it."""
        if type(raw) is not dict or not raw.keys() <= MARK_FIELDS:
            return None
        candidate = raw.get("candidate")
        followed = raw.get("pass_followed")
        marks = raw.get("marks", NO_MARKS)
        if type(candidate) is not str or not candidate or type(followed) not in FOLLOWED:
            return None
        if type(marks) is not dict or not marks.keys() <= self._marks:
            return None
        values = tuple(map(marks.get, self.names))
        if not DECIMAL_OR_NONE.issuperset(map(type, values)):
            read: list[Decimal | None] = []
            for value in values:
                kind = type(value)
                if (kind is int or kind is str) and value in self._read:
                    read.append(self._read[value])
                elif value is None or kind is Decimal:
                    read.append(value)
                else:
                    return None
            values = tuple(read)
        try:
            cents = tuple(map(self._cents_of, map(str, values)))
        except KeyError:
            try:
                found = _cents(values)
            except (ArithmeticError, ValueError):  # not a finite number: the checks will tell
                return None
            if found is None:
                return None
            cents = found
            if len(self._cents) < READ_MARKS:
                self._cents.update(zip(map(str, values), cents, strict=True))
        return candidate, followed, values, cents

    def _remember(self, raw: Any, marks: Mapping[str, Decimal | None]) -> None:
        """Marks given as integers or text in a valid record, to be read without checks next time."""
        if len(self._read) >= READ_MARKS:
            return
        for name, mark in marks.items():
            value = raw.get(name)
            if type(value) is int or type(value) is str:
                assert mark is not None
                self._read[value] = mark

    # Deciding ---------------------------------------------------------------------------------

    def _total(self, cents: Cents) -> int | None:
        """`WeightedMean.compute`'s total, in hundredths."""
        try:
            total: int = sum(map(operator.mul, self._weights, self._weighted_marks(cents)))
        except TypeError:  # a mark not yet known
            return None
        return total

    def _facts(self, followed: bool | None, values: tuple[Decimal | None, ...]) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "pass_followed": state_of(followed),
            **dict(zip(self.names, values, strict=True)),
        }
        facts["average"] = self.average.compute(facts)
        return facts

    def _interpret(
        self, candidate: str, followed: bool | None, values: tuple[Decimal | None, ...]
    ) -> Decision:
        """The rules' interpreter itself, node by node."""
        facts = self._facts(followed, values)
        mean = facts["average"]
        root = self.rule.evaluate(facts)
        status = CERTIFICATION_STATUS[root.state]
        if root.state is PENDING:
            explanation = self._waiting(followed, values)
        else:
            explanation = status_sentence(status, self.explainer.phrase(root))
        output: dict[str, Any] = {"candidate": candidate, "status": status}
        if mean is not None:
            output["total"] = decimal_text(mean.total)
            output["average"] = fraction_text(mean.value)
        output["eliminatory"] = self._eliminatory(root)
        output["rules"] = dict(self.stamp)
        output["explanation"] = explanation
        return Decision(output, lambda: {"average": self.average.trace(facts), "rule": root.trace()})

    def _trace(self, followed: bool | None, values: tuple[Decimal | None, ...]) -> dict[str, Any]:
        facts = self._facts(followed, values)
        return {"average": self.average.trace(facts), "rule": self.rule.evaluate(facts).trace()}

    def _eliminatory(self, root: Result) -> list[str]:
        eliminated = {
            name
            for result in root.walk()
            if isinstance(result.node, NoEliminatory)
            for name in result.node.eliminated(result.detail)
        }
        return [name for name in self.names if name in eliminated]

    def _waiting(self, followed: bool | None, values: tuple[Decimal | None, ...]) -> str:
        """The explanation of a pending decision: what it waits for."""
        missing = tuple(itertools.compress(self.names, map(operator.is_, values, self._nones)))
        key = (followed, missing)
        sentence = self._pending.get(key)
        if sentence is None:
            sentence = status_sentence(
                CERTIFICATION_STATUS[PENDING], unknown_facts(followed, list(missing), self.labels)
            )
            if len(self._pending) < CACHE_SIZE:
                self._pending[key] = sentence
        return sentence

    # The quick road's plans and phrases -------------------------------------------------------

    def _plan(self, followed: bool | None, values: tuple[Decimal | None, ...]) -> "_Plan":
        """What a combination of the leaves' states decides: the status, the failed NoEliminatory
        leaves whose marks are eliminatory, and the explanation as a template in which the phrases
        that depend on the leaves' states only are written, the others left as fields."""
        facts = self._facts(followed, values)
        root = self.rule.evaluate(facts)
        index = {id(node): i for i, node in enumerate(self._leaves)}
        walked = [result for result in root.walk() if id(result.node) in index]
        failed = tuple(
            sorted(
                {
                    index[id(result.node)]
                    for result in walked
                    if isinstance(result.node, NoEliminatory) and result.state is FAIL
                }
            )
        )
        status = CERTIFICATION_STATUS[root.state]
        if root.state is PENDING:
            return _Plan(status, failed, None, (), None, None)
        fixed = {
            index[id(result.node)]: self.explainer.phrase(result)
            for result in walked
            if _fixed_phrase(result.node, result.state)
        }
        marked = status_sentence(status, _Placeholders(self.labels, self.average.weight, index).phrase(root))
        pieces = marked.split("\0")
        # fields: {average} and {total} for a compared average, {0}, {1}… for the other leaves
        means = {
            i: "{average}".join(map(_braces, parts[:2])) + "{total}" + _braces(parts[2])
            for i, parts in self._mean_phrases.items()
        }
        leaves = tuple(
            dict.fromkeys(
                int(piece) for piece in pieces[1::2] if int(piece) not in fixed and int(piece) not in means
            )
        )
        template = ""
        for n, piece in enumerate(pieces):
            if n % 2 == 0:
                template += _braces(piece)
            elif int(piece) in fixed:
                template += _braces(fixed[int(piece)])
            elif int(piece) in means:
                template += means[int(piece)]
            else:
                template += f"{{{leaves.index(int(piece))}}}"
        text = None if leaves or "{average}" in template or "{total}" in template else template.format()
        return _Plan(status, failed, template, leaves, _around(template) if not leaves else None, text)

    def _eliminated(self, failed: tuple[int, ...], cents: Cents) -> list[str]:
        """The eliminatory marks of the failed NoEliminatory leaves, in the scheme's order."""
        eliminated = {
            name
            for i in failed
            for name, index, at_most in self._eliminating[i]
            if cents[index] is not None and cents[index] <= at_most  # type: ignore[operator]
        }
        return [name for name in self.names if name in eliminated]

    def _detail(
        self, node: NoEliminatory, values: tuple[Decimal | None, ...]
    ) -> tuple[tuple[str, Decimal | None], ...]:
        """`NoEliminatory.evaluate`'s detail: each of its marks with its value."""
        return tuple([(name, values[self._index[name]]) for name in node.marks])

    def _phrase(
        self,
        i: int,
        state: State,
        followed: bool | None,
        values: tuple[Decimal | None, ...],
        cents: Cents,
    ) -> str:
        """The explainer's phrase of leaf `i`, for a phrase that depends on the record's figures."""
        node = self._leaves[i]
        if type(node) is NoEliminatory:
            key = (i, state, tuple([cents[self._index[name]] for name in node.marks]))
            phrase = self._failed.get(key)
            if phrase is None:
                phrase = self.explainer.phrase(Result(node, state, self._detail(node, values)))
                if len(self._failed) < CACHE_SIZE:
                    self._failed[key] = phrase
            return phrase
        if type(node) is Compare and node.value in self._index:
            return self.explainer.phrase(Result(node, state, values[self._index[node.value]]))
        return self.explainer.phrase(node.evaluate(self._facts(followed, values)))


MARK_FIELDS = frozenset({"candidate", "pass_followed", "marks"})
FOLLOWED_STATE = {None: PENDING, True: PASS, False: FAIL}
FOLLOWED = frozenset({bool, type(None)})  # types: 1 == True, but 1 is refused
NO_MARKS: dict[str, Any] = {}
READ_MARKS = 1 << 16
MEANS = 1 << 14  # weighted totals: 20,001 possible on 200 with marks in hundredths
# A leaf's state from (pass followed, marks and weighted total in hundredths); None when the quick
# road does not know the leaf's kind, and the scheme then interprets every record.
LeafState = Callable[[bool | None, Cents, int | None], State]


DECIMAL_OR_NONE = frozenset({Decimal, type(None)})
TWENTY = int(MARK_MAX)
HUNDREDTHS = {divisor: 100 // divisor for divisor in range(1, 101) if 100 % divisor == 0}


def _picker(indices: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A function picking, from a tuple, the items at `indices`, as a tuple."""
    if indices == tuple(range(len(indices))):
        return lambda values: values[: len(indices)]
    return lambda values: tuple([values[i] for i in indices])


def _cents(values: tuple[Decimal | None, ...]) -> Cents | None:
    """Each mark in hundredths, an integer, when every mark is a decimal from 0 to 20 with two
    decimals at most (what `parse_mark_record` accepts); else None."""
    cents: list[int | None] = []
    for mark in values:
        if mark is None:
            cents.append(None)
            continue
        numerator, denominator = mark.as_integer_ratio()
        scale = HUNDREDTHS.get(denominator)
        if scale is None or not 0 <= numerator <= TWENTY * denominator:
            return None
        cents.append(numerator * scale)
    return tuple(cents)


@dataclass(frozen=True, slots=True)
class _Plan:
    status: str
    failed: tuple[int, ...]  # the NoEliminatory leaves evaluated and failed for this combination
    template: str | None  # None: pending, the explanation says what is waited for
    leaves: tuple[int, ...]  # the leaves whose phrases fill the template's fields, in their order
    around: tuple[str, str, str] | None  # the template around {average} and {total} when only they vary
    text: str | None  # the explanation itself, when nothing in it varies


def _around(template: str) -> tuple[str, str, str] | None:
    """The texts of a template before, between and after its fields {average} and {total}, when these
    are its only fields, once each and in that order."""
    head, found, rest = template.partition("{average}")
    middle, found_too, tail = rest.partition("{total}")
    parts = (head, middle, tail)
    if not (found and found_too) or any("{" in part or "}" in part for part in parts):
        return None
    return parts


def _fixed_phrase(node: Node, state: State) -> bool:
    """Whether a leaf's phrase depends on its state only: the Pass prerequisite (the one fact of
    its kind), no eliminatory mark, an average or a mark not yet known."""
    if isinstance(node, Requires):
        return True
    if isinstance(node, NoEliminatory):
        return state is PASS
    return isinstance(node, Compare) and state is PENDING


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class _Placeholders(Explainer):
    """The explainer, writing a placeholder instead of each leaf's phrase."""

    def __init__(self, marks: Mapping[str, str], average_weight: int, leaves: dict[int, int]) -> None:
        super().__init__(marks, average_weight)
        self.leaves = leaves

    def phrase(self, result: Result) -> str:
        index = self.leaves.get(id(result.node))
        if index is None or result.node.kind == "constant":
            return super().phrase(result)
        return f"\0{index}\0"


def _tree(node: Node) -> list[Node]:
    """A compiled rule's node and every node under it, the cases of an `outcome` included."""
    return [node, *(descendant for child in _children(node) for descendant in _tree(child))]


def _children(node: Node) -> Sequence[Node]:
    if isinstance(node, Outcome):
        return [part for case in node.cases for part in case] + [node.otherwise]
    return getattr(node, "children", ()) or ([node.child] if hasattr(node, "child") else [])


def _leaf_state(node: Node, names: tuple[str, ...], weight: int) -> LeafState | None:
    """`node.evaluate(facts).state`, computed in hundredths without building a result."""
    if isinstance(node, Constant):
        constant = node.state
        return lambda followed, cents, total: constant
    if isinstance(node, Requires):
        # pass_followed is the one state fact of the scheme: all of it, or nothing
        return lambda followed, cents, total: FOLLOWED_STATE[followed]
    if isinstance(node, NoEliminatory):
        indices = tuple(names.index(name) for name in node.marks)
        at_most = _cents_at_most(node.at_most)

        def no_eliminatory(followed: bool | None, cents: Cents, total: int | None) -> State:
            missing = False
            for i in indices:
                mark = cents[i]
                if mark is None:
                    missing = True
                elif mark <= at_most:
                    return FAIL
            return PENDING if missing else PASS

        return no_eliminatory
    if isinstance(node, Compare):
        compare: Callable[[Any, Any], bool] = OPERATORS[node.op]  # here on integers and decimals
        if node.value == "average":
            # average op threshold ⇔ total op threshold × weight
            bound = _integer_bound(node.op, node.threshold * weight * 100)

            def mean(followed: bool | None, cents: Cents, total: int | None) -> State:
                return PENDING if total is None else (PASS if compare(total, bound) else FAIL)

            return mean
        index, threshold = names.index(node.value), _integer_bound(node.op, node.threshold * 100)

        def mark(followed: bool | None, cents: Cents, total: int | None) -> State:
            value = cents[index]
            return PENDING if value is None else (PASS if compare(value, threshold) else FAIL)

        return mark
    return None


def _signature(states: Sequence[LeafState]) -> Callable[[bool | None, Cents, int | None], tuple[State, ...]]:
    """The states of all the leaves; spelt out for three leaves, as many as the shipped rule has."""
    if len(states) == 3:
        first, second, third = states
        return lambda followed, cents, total: (
            first(followed, cents, total),
            second(followed, cents, total),
            third(followed, cents, total),
        )
    return lambda followed, cents, total: tuple([state(followed, cents, total) for state in states])


def _cents_at_most(at_most: Decimal) -> int:
    """An integer number of hundredths is at most 100 × `at_most` when at most its floor."""
    return int((at_most * 100).to_integral_value(rounding=ROUND_FLOOR))


def _integer_bound(op: str, bound: Decimal) -> int | Decimal:
    """A bound that an integer meets by `op` exactly when it meets `bound`: its ceiling for ≥ and <,
    its floor for > and ≤; `bound` itself for == when it is no integer (then never met)."""
    if op in (">=", "<"):
        return int(bound.to_integral_value(rounding=ROUND_CEILING))
    if op in (">", "<="):
        return int(bound.to_integral_value(rounding=ROUND_FLOOR))
    return int(bound) if bound == bound.to_integral_value() else bound


def _mean_phrase_parts(explainer: Explainer, node: Compare, weight: int) -> tuple[str, str, str]:
    """The explainer's phrase of a compared average, cut around its two figures."""
    probe = Mean(Decimal("1234567.89") * weight, weight)
    phrase = explainer.phrase(Result(node, PASS, probe))
    average, total = french(fraction_text(probe.value)), french(decimal_text(probe.total))
    head, rest = phrase.split(average, 1)
    middle, tail = rest.split(total, 1)
    return head, middle, tail


def _mean_texts(total: int, weight: int) -> tuple[str, str, str, str]:
    """For a weighted total in hundredths: `decimal_text` of the total and `fraction_text` of the
    average (total / weight), computed in integers rather than fractions, then both the French way."""
    denominator = 100 * weight
    common = math.gcd(total, denominator)
    numerator, denominator = total // common, denominator // common
    places = _places(denominator)
    floor, remainder = divmod(numerator * 10**places, denominator)  # round half to even, as Fraction
    if remainder * 2 > denominator or (remainder * 2 == denominator and floor % 2 == 1):
        floor += 1
    total_text = decimal_text(Decimal(total).scaleb(-2))
    average_text = decimal_text(Decimal(floor).scaleb(-places))
    return total_text, average_text, french(total_text), french(average_text)


@functools.lru_cache(maxsize=256)
def _places(denominator: int) -> int:
    """The decimal places `fraction_text` shows for a reduced fraction of this denominator."""
    rest, twos, fives = denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    return max(twos, fives) if rest == 1 else DISPLAY_PLACES


def _nodes(node: Node) -> list[Node]:
    """A compiled rule's node and every node under it."""
    children = getattr(node, "children", ()) or ([node.child] if hasattr(node, "child") else [])
    return [node, *(descendant for child in children for descendant in _nodes(child))]
