"""Explanations in French, built from the results of the rules, that a jury can read aloud."""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from certifier.decisions.engine import (
    FAIL,
    PASS,
    PENDING,
    AtLeast,
    Compare,
    Compensate,
    Mean,
    NoEliminatory,
    Result,
    State,
)
from certifier.decisions.numbers import decimal_text, fraction_text, french
from certifier.decisions.records import MARK_MAX

STATUS_WORDS = {"certified": "Certifié", "not_certified": "Non certifié", "incomplete": "Incomplet"}
BLOCK_WORDS = {"validated": "validé", "not_validated": "non validé", "incomplete": "incomplet"}
ELIMINATORY = ("note éliminatoire", "notes éliminatoires")
UNKNOWN = ("note non encore connue", "notes non encore connues")
REQUIREMENTS = {
    ">=": "il faut au moins {}",
    ">": "il faut plus de {}",
    "<=": "il faut au plus {}",
    "<": "il faut moins de {}",
    "==": "il faut exactement {}",
}


@dataclass(frozen=True)
class Noun:
    """How the items of a collection are counted: « 1 compétence acquise », « 2 non encore évaluées »."""

    passed: tuple[str, str]
    pending: tuple[str, str]

    @staticmethod
    def count(number: int, forms: tuple[str, str]) -> str:
        return f"{number} {forms[0] if number < 2 else forms[1]}"


COLLECTIONS = {
    "criteria": Noun(("critère validé", "critères validés"), ("non renseigné", "non renseignés")),
    "competences": Noun(
        ("compétence acquise", "compétences acquises"), ("non encore évaluée", "non encore évaluées")
    ),
    "blocks": Noun(("bloc validé", "blocs validés"), ("incomplet", "incomplets")),
}
FACTS: dict[str, dict[State, str]] = {
    "capitalised": {
        PASS: "capitalisé lors d'une session précédente",
        FAIL: "non capitalisé",
        PENDING: "capitalisation non renseignée",
    },
    "pass_followed": {PASS: "Pass suivi", FAIL: "Pass non suivi", PENDING: "suivi du Pass non renseigné"},
}


class Explainer:
    """Phrases for each node type; `marks` gives the French label of each mark of a marks scheme."""

    def __init__(self, marks: Mapping[str, str] | None = None, average_weight: int = 0) -> None:
        self.marks = dict(marks or {})
        self.average_weight = average_weight
        self._phrases: dict[str, Callable[[Result], str]] = {
            "all": self._all,
            "any": self._any,
            "not": lambda result: f"contraire de : {self.phrase(result.detail)}",
            "at_least": self._at_least,
            "requires": self._requires,
            "none": self._none,
            "compare": self._compare,
            "compensate": self._compensate,
            "outcome": self._outcome,
            "constant": lambda result: "",
        }

    def phrase(self, result: Result) -> str:
        return self._phrases[result.node.kind](result)

    def _join(self, results: Sequence[Result]) -> str:
        return " ; ".join(filter(None, (self.phrase(result) for result in results)))

    def _all(self, result: Result) -> str:
        if result.state is PASS:
            return self._join(result.detail)
        return self._join([child for child in result.detail if child.state is result.state])

    def _any(self, result: Result) -> str:
        if result.state is PASS:
            return self.phrase(next(child for child in result.detail if child.state is PASS))
        return self._join([child for child in result.detail if child.state is result.state])

    def _at_least(self, result: Result) -> str:
        node: AtLeast = result.node  # type: ignore[assignment]
        passed, pending, total = result.detail
        return _counted(node.of, passed, pending, total, node.required(total), node.ratio)

    def _requires(self, result: Result) -> str:
        return ", ".join(FACTS[name][state] for name, state in result.detail)

    def _none(self, result: Result) -> str:
        node: NoEliminatory = result.node  # type: ignore[assignment]
        if result.state is PASS:
            return "aucune note éliminatoire"
        if result.state is PENDING:
            missing = [name for name, value in result.detail if value is None]
            return f"{_noun(len(missing), UNKNOWN)} : {self._labels(missing)}"
        values = dict(result.detail)
        eliminated = node.eliminated(result.detail)
        listed = ", ".join(f"{self.marks[name]} {self._decimal(values[name])}" for name in eliminated)
        limit = self._decimal(node.at_most)
        return f"{_noun(len(eliminated), ELIMINATORY)} ({limit} ou moins) : {listed}"

    def _compare(self, result: Result) -> str:
        node: Compare = result.node  # type: ignore[assignment]
        if result.state is PENDING:
            if node.value == "average":
                return "moyenne non encore calculable"
            return f"{self.marks[node.value]} non encore connue"
        requirement = REQUIREMENTS[node.op].format(self._decimal(node.threshold))
        return f"{self._value(node.value, result.detail)}, {requirement}"

    def _compensate(self, result: Result) -> str:
        node: Compensate = result.node  # type: ignore[assignment]
        values = dict(result.detail)
        floor = self._decimal(node.floor)
        below = [name for name, value in result.detail if value is not None and value < node.floor]
        if below:
            return f"compensation impossible : {self._labels(below)} sous le plancher de {floor}"
        missing = [name for name, value in result.detail if value is None]
        if missing:
            return f"compensation en attente : {_noun(len(missing), UNKNOWN)} : {self._labels(missing)}"
        mean = self._fraction(Compensate.mean([values[name] for name in node.items]))
        requirement = REQUIREMENTS[">="].format(self._decimal(node.mean_at_least))
        return f"moyenne de {self._labels(node.items)} : {mean}, {requirement} sans note sous {floor}"

    def _outcome(self, result: Result) -> str:
        conditions, chosen = result.detail
        if chosen is not None and chosen.node.kind != "constant":
            return self.phrase(chosen)
        if conditions[-1].state is FAIL:
            return self._join(conditions)
        return self.phrase(conditions[-1])

    def _value(self, name: str, value: Any) -> str:
        if isinstance(value, Mean):
            scale = self._decimal(MARK_MAX * self.average_weight)
            return (
                f"moyenne de {self._fraction(value.value)} sur {self._decimal(MARK_MAX)}"
                f" (total {self._decimal(value.total)} sur {scale})"
            )
        return f"{self.marks[name]} : {self._decimal(value)}"

    def _labels(self, names: Sequence[str]) -> str:
        return ", ".join(self.marks[name] for name in names)

    @staticmethod
    def _decimal(value: Decimal) -> str:
        return french(decimal_text(value))

    @staticmethod
    def _fraction(value: Fraction) -> str:
        return french(fraction_text(value))


def block_sentence(code: str, status: str, phrase: str) -> str:
    return f"Bloc {code} {BLOCK_WORDS[status]} : {phrase}."


def status_sentence(status: str, phrase: str) -> str:
    return f"{STATUS_WORDS[status]} : {phrase}."


def unknown_facts(pass_followed: bool | None, missing_marks: Sequence[str], marks: Mapping[str, str]) -> str:
    """What an incomplete marks record is waiting for."""
    parts = [FACTS["pass_followed"][PENDING]] if pass_followed is None else []
    if missing_marks:
        listed = ", ".join(marks[name] for name in missing_marks)
        parts.append(f"{_noun(len(missing_marks), UNKNOWN)} : {listed}")
    return " ; ".join(parts)


@functools.lru_cache(maxsize=4096)
def _counted(of: str, passed: int, pending: int, total: int, required: int, ratio: int | None) -> str:
    """« 4 compétences acquises sur 6, il en faut au moins 5 (80 %) »; cached, as few figures recur."""
    noun = COLLECTIONS[of]
    text = f"{noun.count(passed, noun.passed)} sur {total}"
    if pending:
        text += f" et {noun.count(pending, noun.pending)}"
    text += f", il en faut au moins {required}"
    return text if ratio is None else f"{text} ({ratio} %)"


def _noun(number: int, forms: tuple[str, str]) -> str:
    return forms[0] if number < 2 else forms[1]
