"""The rule interpreter: a closed vocabulary of nodes, compiled once into evaluators.

Evaluating a node yields a `Result`: a tri-state (pass / fail / pending) and the raw figures the
node used. The trace (inputs, threshold, result) is built from those figures only when asked for,
so deciding stays cheap. Pending means evidence is missing and the outcome could still change.
"""

from __future__ import annotations

import abc
import enum
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from certifier.decisions.numbers import decimal_text, fraction_text
from certifier.decisions.schema import RuleSetError, check_node


class State(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - a result, not a password
    FAIL = "fail"
    PENDING = "pending"


PASS, FAIL, PENDING = State.PASS, State.FAIL, State.PENDING


def state_of(flag: bool | None) -> State:
    """A known fact is pass or fail; an unknown one (None) is pending."""
    if flag is None:
        return PENDING
    return PASS if flag else FAIL


class Kind(enum.Enum):
    """What a fact holds, so that a rule set can be checked against the facts a scheme provides."""

    STATE = "un fait vrai ou faux"
    MARK = "une note"
    MEAN = "une moyenne"


@dataclass(frozen=True)
class Collection:
    """A fact holding a list of items, stored by columns: for each fact of `item`, its list of values.

    Criteria as a collection: {"validated": [PASS, PASS, FAIL]}.
    """

    item: Mapping[str, Kind]


Scope = Mapping[str, Kind | Collection]
Facts = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Mean:
    """A weighted mean kept exact: the weighted total and the sum of the weights."""

    total: Decimal
    weight: int

    @property
    def value(self) -> Fraction:
        return Fraction(self.total) / self.weight


class Result:
    __slots__ = ("detail", "node", "state")

    def __init__(self, node: Node, state: State, detail: Any = None) -> None:
        self.node = node
        self.state = state
        self.detail = detail

    def trace(self) -> dict[str, Any]:
        return {
            "node": self.node.path,
            "type": self.node.kind,
            **self.node.describe(self.detail),
            "result": self.state.value,
        }

    def walk(self) -> Iterator[Result]:
        """This result and the results of every node evaluated beneath it."""
        yield self
        for child in self.node.child_results(self.detail):
            yield from child.walk()


class Node(abc.ABC):
    kind: str

    def __init__(self, path: str) -> None:
        self.path = path

    @abc.abstractmethod
    def evaluate(self, facts: Facts) -> Result: ...

    @abc.abstractmethod
    def describe(self, detail: Any) -> dict[str, Any]:
        """The trace of one evaluation, from the figures stored in its result."""

    def child_results(self, detail: Any) -> Sequence[Result]:
        return ()


def _fold_all(states: Sequence[State]) -> State:
    if FAIL in states:
        return FAIL
    return PENDING if PENDING in states else PASS


def _fold_any(states: Sequence[State]) -> State:
    if PASS in states:
        return PASS
    return PENDING if PENDING in states else FAIL


class Combination(Node):
    """`all` or `any` of the child nodes, in three-valued logic."""

    FOLDS: ClassVar[dict[str, Callable[[Sequence[State]], State]]] = {"all": _fold_all, "any": _fold_any}

    def __init__(self, path: str, kind: str, children: Sequence[Node]) -> None:
        super().__init__(path)
        self.kind = kind
        self.children = tuple(children)
        self._fold = self.FOLDS[kind]

    def evaluate(self, facts: Facts) -> Result:
        results = [child.evaluate(facts) for child in self.children]
        return Result(self, self._fold([result.state for result in results]), results)

    def child_results(self, detail: list[Result]) -> Sequence[Result]:
        return detail

    def describe(self, detail: list[Result]) -> dict[str, Any]:
        return {"children": [result.trace() for result in detail]}


class Not(Node):
    kind = "not"
    _INVERSE: ClassVar[dict[State, State]] = {PASS: FAIL, FAIL: PASS, PENDING: PENDING}

    def __init__(self, path: str, child: Node) -> None:
        super().__init__(path)
        self.child = child

    def evaluate(self, facts: Facts) -> Result:
        result = self.child.evaluate(facts)
        return Result(self, self._INVERSE[result.state], result)

    def child_results(self, detail: Result) -> Sequence[Result]:
        return (detail,)

    def describe(self, detail: Result) -> dict[str, Any]:
        return {"children": [detail.trace()]}


class AtLeast(Node):
    """At least `ratio` % (or `count`) of the items of a collection satisfy a fact.

    Integer arithmetic only: k of n reach ratio p when 100·k ≥ p·n. Pending when the items not yet
    known could still change the outcome either way.
    """

    kind = "at_least"

    def __init__(self, path: str, of: str, where: str, ratio: int | None, count: int | None) -> None:
        super().__init__(path)
        self.of = of
        self.where = where
        self.ratio = ratio
        self.count = count

    def reaches(self, passed: int, total: int) -> bool:
        if self.ratio is not None:
            return 100 * passed >= self.ratio * total
        assert self.count is not None
        return passed >= self.count

    def required(self, total: int) -> int:
        """The smallest number of items that reaches the threshold."""
        if self.ratio is not None:
            return -(-self.ratio * total // 100)
        assert self.count is not None
        return self.count

    def evaluate(self, facts: Facts) -> Result:
        states = facts[self.of][self.where]
        passed = states.count(PASS)
        pending = states.count(PENDING)
        total = len(states)
        if self.reaches(passed, total):
            state = PASS
        else:
            state = PENDING if self.reaches(passed + pending, total) else FAIL
        return Result(self, state, (passed, pending, total))

    def describe(self, detail: tuple[int, int, int]) -> dict[str, Any]:
        passed, pending, total = detail
        threshold: dict[str, int] = {"required": self.required(total)}
        if self.ratio is not None:
            threshold["ratio"] = self.ratio
        return {
            "inputs": {
                "of": self.of,
                "where": self.where,
                "passed": passed,
                "pending": pending,
                "total": total,
            },
            "threshold": threshold,
        }


class Requires(Node):
    """Prerequisite facts: pass when all hold, fail as soon as one does not."""

    kind = "requires"

    def __init__(self, path: str, facts: Sequence[str]) -> None:
        super().__init__(path)
        self.facts = tuple(facts)

    def evaluate(self, facts: Facts) -> Result:
        states = [facts[name] for name in self.facts]
        return Result(self, _fold_all(states), tuple(zip(self.facts, states, strict=True)))

    def describe(self, detail: tuple[tuple[str, State], ...]) -> dict[str, Any]:
        return {"inputs": {name: state.value for name, state in detail}}


class NoEliminatory(Node):
    """No eliminatory mark: fail as soon as a known mark is at most `at_most`, even if others are missing."""

    kind = "none"

    def __init__(self, path: str, marks: Sequence[str], at_most: Decimal) -> None:
        super().__init__(path)
        self.marks = tuple(marks)
        self.at_most = at_most

    def evaluate(self, facts: Facts) -> Result:
        values = [facts[name] for name in self.marks]
        if any(value is not None and value <= self.at_most for value in values):
            state = FAIL
        else:
            state = PENDING if None in values else PASS
        return Result(self, state, tuple(zip(self.marks, values, strict=True)))

    def eliminated(self, detail: tuple[tuple[str, Decimal | None], ...]) -> list[str]:
        return [name for name, value in detail if value is not None and value <= self.at_most]

    def describe(self, detail: tuple[tuple[str, Decimal | None], ...]) -> dict[str, Any]:
        return {
            "inputs": {name: _text(value) for name, value in detail},
            "threshold": {"at_most": decimal_text(self.at_most)},
            "eliminated": self.eliminated(detail),
        }


OPERATORS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


class Compare(Node):
    """Compares a mark or a mean with a threshold, exactly (fractions, never floats)."""

    kind = "compare"

    def __init__(self, path: str, value: str, op: str, threshold: Decimal) -> None:
        super().__init__(path)
        self.value = value
        self.op = op
        self.threshold = threshold
        self._compare = OPERATORS[op]

    def evaluate(self, facts: Facts) -> Result:
        value: Decimal | Mean | None = facts[self.value]
        if value is None:
            return Result(self, PENDING, None)
        exact = value.value if isinstance(value, Mean) else Fraction(value)
        return Result(self, state_of(self._compare(exact, Fraction(self.threshold))), value)

    def describe(self, detail: Decimal | Mean | None) -> dict[str, Any]:
        return {
            "inputs": {self.value: _text(detail)},
            "threshold": {"op": self.op, "value": decimal_text(self.threshold)},
        }


class Compensate(Node):
    """Marks compensate each other: none below `floor`, and their plain mean at least `mean_at_least`."""

    kind = "compensate"

    def __init__(self, path: str, items: Sequence[str], floor: Decimal, mean_at_least: Decimal) -> None:
        super().__init__(path)
        self.items = tuple(items)
        self.floor = floor
        self.mean_at_least = mean_at_least

    def evaluate(self, facts: Facts) -> Result:
        values: list[Decimal | None] = [facts[name] for name in self.items]
        detail = tuple(zip(self.items, values, strict=True))
        if any(value is not None and value < self.floor for value in values):
            return Result(self, FAIL, detail)
        if None in values:
            return Result(self, PENDING, detail)
        known = [value for value in values if value is not None]
        return Result(self, state_of(self.mean(known) >= self.mean_at_least), detail)

    @staticmethod
    def mean(values: Sequence[Decimal]) -> Fraction:
        return Fraction(sum(values, Decimal(0))) / len(values)

    def describe(self, detail: tuple[tuple[str, Decimal | None], ...]) -> dict[str, Any]:
        values = [value for _, value in detail]
        known = [value for value in values if value is not None]
        return {
            "inputs": {name: _text(value) for name, value in detail},
            "threshold": {
                "floor": decimal_text(self.floor),
                "mean_at_least": decimal_text(self.mean_at_least),
            },
            "mean": fraction_text(self.mean(known)) if len(known) == len(values) else None,
        }


class Constant(Node):
    """The fixed outcome `pass` or `fail` of an `outcome` case."""

    kind = "constant"

    def __init__(self, path: str, state: State) -> None:
        super().__init__(path)
        self.state = state

    def evaluate(self, facts: Facts) -> Result:
        return Result(self, self.state)

    def describe(self, detail: None) -> dict[str, Any]:
        return {}


class Outcome(Node):
    """First case whose condition passes decides; pending as soon as a condition is pending."""

    kind = "outcome"

    def __init__(self, path: str, cases: Sequence[tuple[Node, Node]], otherwise: Node) -> None:
        super().__init__(path)
        self.cases = tuple(cases)
        self.otherwise = otherwise

    def evaluate(self, facts: Facts) -> Result:
        conditions: list[Result] = []
        for when, then in self.cases:
            condition = when.evaluate(facts)
            conditions.append(condition)
            if condition.state is PASS:
                chosen = then.evaluate(facts)
                return Result(self, chosen.state, (conditions, chosen))
            if condition.state is PENDING:
                return Result(self, PENDING, (conditions, None))
        chosen = self.otherwise.evaluate(facts)
        return Result(self, chosen.state, (conditions, chosen))

    def child_results(self, detail: tuple[list[Result], Result | None]) -> Sequence[Result]:
        conditions, chosen = detail
        return conditions if chosen is None else [*conditions, chosen]

    def describe(self, detail: tuple[list[Result], Result | None]) -> dict[str, Any]:
        conditions, chosen = detail
        return {
            "conditions": [condition.trace() for condition in conditions],
            "chosen": chosen.trace() if chosen is not None else None,
        }


class WeightedMean:
    """A value, not a condition: the exact weighted mean of marks, unknown while a mark is missing."""

    kind = "weighted_mean"

    def __init__(self, path: str, weights: Mapping[str, int]) -> None:
        self.path = path
        self.weights = tuple(weights.items())
        self.weight = sum(weights.values())

    def compute(self, facts: Facts) -> Mean | None:
        total = Decimal(0)
        for name, weight in self.weights:
            mark = facts[name]
            if mark is None:
                return None
            total += weight * mark
        return Mean(total, self.weight)

    def trace(self, facts: Facts) -> dict[str, Any]:
        mean = self.compute(facts)
        return {
            "node": self.path,
            "type": self.kind,
            "inputs": {name: _text(facts[name]) for name, _ in self.weights},
            "weights": dict(self.weights),
            "total": decimal_text(mean.total) if mean else None,
            "mean": fraction_text(mean.value) if mean else None,
        }


def _text(value: Decimal | Mean | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mean):
        return fraction_text(value.value)
    return decimal_text(value)


def compile_rule(doc: Any, scope: Scope, path: str = "rule") -> Node:
    """Checks a rule against the schema and the facts in scope, then compiles it.

    Raises RuleSetError with a French message naming the faulty node.
    """
    check_node(doc, path)
    return _compile(doc, path, scope)


def compile_mean(doc: Any, scope: Scope, path: str) -> WeightedMean:
    """Compiles the value node of a document already checked by `schema.check_document`."""
    path = f"{path}.weighted_mean"
    params = doc["weighted_mean"]
    for name in params["weights"]:
        _expect(scope, name, path, Kind.MARK)
    return WeightedMean(path, {name: int(weight) for name, weight in params["weights"].items()})


def _compile(doc: Mapping[str, Any], path: str, scope: Scope) -> Node:
    (kind, params), *_ = doc.items()
    return _COMPILERS[kind](params, f"{path}.{kind}", scope)


def _compile_branch(doc: Any, path: str, scope: Scope) -> Node:
    if isinstance(doc, str):
        return Constant(path, State(doc))
    return _compile(doc, path, scope)


def _expect(scope: Scope, name: str, path: str, *kinds: Kind) -> None:
    if scope.get(name) not in kinds:
        wanted = " ou ".join(kind.value for kind in kinds)
        known = ", ".join(sorted(fact for fact, spec in scope.items() if spec in kinds)) or "aucun"
        raise RuleSetError(path, f"« {name} » n'est pas utilisable ici : il faut {wanted} parmi : {known}")


def _combination(kind: str) -> Callable[[list[Any], str, Scope], Node]:
    def compile_children(params: list[Any], path: str, scope: Scope) -> Node:
        return Combination(
            path, kind, [_compile(child, f"{path}[{i}]", scope) for i, child in enumerate(params)]
        )

    return compile_children


def _not(params: Mapping[str, Any], path: str, scope: Scope) -> Node:
    return Not(path, _compile(params, path, scope))


def _at_least(params: Mapping[str, Any], path: str, scope: Scope) -> Node:
    collection = scope.get(params["of"])
    if not isinstance(collection, Collection):
        known = ", ".join(sorted(name for name, spec in scope.items() if isinstance(spec, Collection)))
        raise RuleSetError(
            path, f"« {params['of']} » n'est pas utilisable ici : il faut une liste parmi : {known}"
        )
    _expect(collection.item, params["where"], path, Kind.STATE)
    ratio, count = params.get("ratio"), params.get("count")
    return AtLeast(
        path,
        params["of"],
        params["where"],
        None if ratio is None else int(ratio),
        None if count is None else int(count),
    )


def _requires(params: list[str], path: str, scope: Scope) -> Node:
    for name in params:
        _expect(scope, name, path, Kind.STATE)
    return Requires(path, params)


def _none(params: Mapping[str, Any], path: str, scope: Scope) -> Node:
    for name in params["of"]:
        _expect(scope, name, path, Kind.MARK)
    return NoEliminatory(path, params["of"], Decimal(params["at_most"]))


def _compare(params: Mapping[str, Any], path: str, scope: Scope) -> Node:
    _expect(scope, params["value"], path, Kind.MARK, Kind.MEAN)
    return Compare(path, params["value"], params["op"], Decimal(params["threshold"]))


def _compensate(params: Mapping[str, Any], path: str, scope: Scope) -> Node:
    for name in params["items"]:
        _expect(scope, name, path, Kind.MARK)
    return Compensate(path, params["items"], Decimal(params["floor"]), Decimal(params["mean_at_least"]))


def _outcome(params: Mapping[str, Any], path: str, scope: Scope) -> Node:
    cases = [
        (
            _compile(case["when"], f"{path}.cases[{i}].when", scope),
            _compile_branch(case["then"], f"{path}.cases[{i}].then", scope),
        )
        for i, case in enumerate(params["cases"])
    ]
    return Outcome(path, cases, _compile_branch(params["else"], f"{path}.else", scope))


_COMPILERS: dict[str, Callable[[Any, str, Scope], Node]] = {
    "all": _combination("all"),
    "any": _combination("any"),
    "not": _not,
    "at_least": _at_least,
    "requires": _requires,
    "none": _none,
    "compare": _compare,
    "compensate": _compensate,
    "outcome": _outcome,
}
