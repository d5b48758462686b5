"""Input records checked and turned into the facts the rules read; problems told in French."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MARK_MAX = Decimal(20)
CENT = Decimal("0.01")
MARK_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")

# One competence as assessed: the result of each of its criteria (True when validated).
Assessment = tuple[bool, ...]
BOOL = frozenset({bool})


class RecordError(ValueError):
    """A record that cannot be decided; the message is in French."""

    def __init__(self, candidate: str | int | None, problems: Sequence[str]) -> None:
        super().__init__(" ; ".join(problems))
        self.candidate = candidate


@dataclass(frozen=True, slots=True)
class BlockRecord:
    candidate: str
    criteria: dict[str, dict[str, Assessment]]
    capitalised: frozenset[str]


@dataclass(frozen=True, slots=True)
class MarkRecord:
    candidate: str
    pass_followed: bool | None
    marks: dict[str, Decimal | None]


def parse_block_record(raw: Any, referential: Mapping[str, Sequence[str]]) -> BlockRecord:
    """`referential` maps each block code to the numbers of its competences ("1", "2"…)."""
    candidate = _candidate(raw, ("candidate", "criteria", "capitalised"))
    problems: list[str] = []
    criteria = _criteria(raw.get("criteria", {}), referential, problems)
    capitalised = _capitalised(raw.get("capitalised", []), referential, problems)
    if problems:
        raise RecordError(candidate, problems)
    return BlockRecord(candidate, criteria, capitalised)


def parse_mark_record(raw: Any, names: Sequence[str]) -> MarkRecord:
    """`names` are the marks of the rule set, in order."""
    candidate = _candidate(raw, ("candidate", "pass_followed", "marks"))
    problems: list[str] = []
    pass_followed = raw.get("pass_followed")
    if pass_followed is not None and not isinstance(pass_followed, bool):
        problems.append("« pass_followed » doit valoir true, false ou null")
    marks = _marks(raw.get("marks", {}), names, problems)
    if problems:
        raise RecordError(candidate, problems)
    return MarkRecord(candidate, pass_followed, marks)


def _candidate(raw: Any, fields: Sequence[str]) -> str:
    if not isinstance(raw, dict):
        raise RecordError(None, ["un objet JSON est attendu"])
    candidate = raw.get("candidate")
    echoed = candidate if isinstance(candidate, str | int) and not isinstance(candidate, bool) else None
    problems = []
    if not isinstance(candidate, str) or not candidate:
        problems.append("« candidate » doit être un identifiant non vide (chaîne de caractères)")
    unknown = [name for name in raw if name not in fields]
    if unknown:
        listed = ", ".join(f"« {name} »" for name in unknown)
        problems.append(f"champ inconnu {listed} (champs possibles : {', '.join(fields)})")
    if problems:
        raise RecordError(echoed, problems)
    return str(candidate)


def _criteria(
    raw: Any, referential: Mapping[str, Sequence[str]], problems: list[str]
) -> dict[str, dict[str, Assessment]]:
    if not isinstance(raw, dict):
        problems.append("« criteria » doit être un objet « bloc : compétences »")
        return {}
    criteria: dict[str, dict[str, Assessment]] = {}
    for code, competences in raw.items():
        numbers = referential.get(code)
        if numbers is None:
            problems.append(f"bloc inconnu « {code} » (blocs possibles : {', '.join(referential)})")
        elif type(competences) is not dict:
            problems.append(f"bloc {code} : un objet « compétence : critères » est attendu")
        else:
            criteria[code] = _competences(code, competences, numbers, problems)
    return criteria


def _competences(
    code: str, raw: dict[str, Any], numbers: Sequence[str], problems: list[str]
) -> dict[str, Assessment]:
    assessed: dict[str, Assessment] = {}
    for number, results in raw.items():
        if number not in numbers:
            problems.append(
                f"bloc {code} : compétence inconnue « {number} » (compétences {numbers[0]} à {numbers[-1]})"
            )
        elif type(results) is not list:
            problems.append(
                f"bloc {code}, compétence {number} : une liste de critères (true ou false) est attendue"
            )
        elif not results:
            problems.append(f"bloc {code}, compétence {number} : la liste des critères est vide")
        elif BOOL.issuperset(map(type, results)):
            assessed[number] = tuple(results)
        else:
            rank = next(i for i, result in enumerate(results, 1) if not isinstance(result, bool))
            problems.append(f"bloc {code}, compétence {number} : le critère {rank} doit valoir true ou false")
    return assessed


def _capitalised(raw: Any, referential: Mapping[str, Sequence[str]], problems: list[str]) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(code, str) for code in raw):
        problems.append("« capitalised » doit être une liste de codes de blocs")
        return frozenset()
    for code in raw:
        if code not in referential:
            problems.append(
                f"bloc capitalisé inconnu « {code} » (blocs possibles : {', '.join(referential)})"
            )
    return frozenset(raw)


def _marks(raw: Any, names: Sequence[str], problems: list[str]) -> dict[str, Decimal | None]:
    if not isinstance(raw, dict):
        problems.append("« marks » doit être un objet « note : valeur »")
        return {}
    for name in raw:
        if name not in names:
            problems.append(f"note inconnue « {name} » (notes possibles : {', '.join(names)})")
    return {name: _mark(name, raw.get(name), problems) for name in names}


def _mark(name: str, raw: Any, problems: list[str]) -> Decimal | None:
    if raw is None:
        return None
    shown = _shown(raw)
    if isinstance(raw, float):
        problems.append(
            f"note « {name} » : {shown} est un nombre à virgule flottante, inexact ; donnez un décimal"
        )
        return None
    is_number = isinstance(raw, int | Decimal) and not isinstance(raw, bool)
    if is_number or (isinstance(raw, str) and MARK_TEXT.fullmatch(raw)):
        mark = Decimal(raw)
    else:
        problems.append(f"note « {name} » : {shown} n'est pas un nombre")
        return None
    if not 0 <= mark <= MARK_MAX:
        problems.append(f"note « {name} » : {shown} est hors de l'échelle de 0 à 20")
    elif mark != mark.quantize(CENT):
        problems.append(f"note « {name} » : {shown} a plus de deux décimales")
    return mark


def _shown(raw: Any) -> str:
    if isinstance(raw, str):
        return f"« {raw} »"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, list | dict):
        return "une liste" if isinstance(raw, list) else "un objet"
    return str(raw)
