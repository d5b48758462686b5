"""Pure questions about evidence: does an observation meet its method (D11–D13), does an
attestation count (D10), which record the decision engine reads (D14–D18)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .enums import BlockStatus

if TYPE_CHECKING:
    from certifier.referential.models import AssessmentMethod

# How a refusal names each kind of situation, and the participle of its count.
SITUATION_NAMES = {
    "double_listening": "Double écoute",
    "physical_reception": "Accueil physique",
    "interview": "Entretiens",
    "letters_emails": "Courriers/courriels",
    "case_processing": "Dossiers",
}
COUNT_PARTICIPLES = {"interview": "mené"}
DEFAULT_PARTICIPLE = "traité"


@dataclass(frozen=True)
class Requirement:
    """One situation to observe: for at least `minutes`, or at least `min_count` times."""

    kind: str
    minutes: int | None = None
    min_count: int | None = None

    @property
    def required(self) -> int:
        return self.minutes if self.minutes is not None else self.min_count or 0


@dataclass(frozen=True)
class MethodRequirements:
    """What an assessment method demands of an observation, read from its structured fields."""

    alternatives: tuple[tuple[Requirement, ...], ...] = ()
    observation_minutes: int | None = None
    questioning_minutes: int | None = None
    questioning_throughout: bool = False
    min_competences_covered: int | None = None

    def situation_kinds(self) -> list[Requirement]:
        """Each kind of situation once: the timed ones first, then the counted ones, each in the
        order the alternatives first name them."""
        seen: dict[str, Requirement] = {}
        for alternative in self.alternatives:
            for requirement in alternative:
                seen.setdefault(requirement.kind, requirement)
        return sorted(seen.values(), key=lambda requirement: requirement.minutes is None)


@dataclass(frozen=True)
class Observed:
    """What the assessor observed. `situations` holds minutes or counts per kind, measured as the
    method's requirement for that kind is; `covered` and `block_competences` are competence ids."""

    situations: Mapping[str, int]
    observation_minutes: int | None = None
    questioning_minutes: int | None = None
    questioning_throughout: bool = False
    covered: frozenset[int] = frozenset()
    block_competences: frozenset[int] = frozenset()


def requirements_of(method: "AssessmentMethod") -> MethodRequirements:
    alternatives = tuple(
        tuple(Requirement(item["kind"], item.get("minutes"), item.get("min_count")) for item in alternative)
        for alternative in method.situations or []
    )
    return MethodRequirements(
        alternatives,
        method.observation_minutes,
        method.questioning_minutes,
        method.questioning_throughout,
        method.min_competences_covered,
    )


# Plausible bounds of one observation, from what D11–D13 require of it (20 minutes of a reception
# situation, two interviews and five letters, a 15-minute questioning interview, a 1 h 30 observation)
# with a wide margin: a situation or an observation lasts at most a working day (8 h, 24 times the
# 20 minutes and 5 times the 1 h 30); a questioning interview at most 1 h 30 (6 times the 15 minutes:
# longer, it is no longer an interview but a second observation); at most 100 interviews or letters a
# day (50 times the two interviews, 20 times the five letters). Above, the figure is a typing error.
MAX_SITUATION_MINUTES = 480
MAX_OBSERVATION_MINUTES = 480
MAX_QUESTIONING_MINUTES = 90
MAX_COUNT = 100


def implausible_values(requirements: MethodRequirements, observed: Observed) -> list[tuple[str, str]]:
    """The figures of an observation no real observation gives (negative, or beyond the bounds
    above), each with the field it is about and a French message naming it."""
    refusals = []
    for requirement in requirements.situation_kinds():
        value = observed.situations.get(requirement.kind, 0)
        name = SITUATION_NAMES.get(requirement.kind, requirement.kind)
        if requirement.minutes is not None:
            refusal = _minutes_refusal(f"{name} (durée observée)", value, MAX_SITUATION_MINUTES)
        else:
            refusal = _count_refusal(f"{name} (nombre)", value, MAX_COUNT)
        if refusal:
            refusals.append((requirement.kind, refusal))
    for field, label, figure, limit in (
        (
            "observation_minutes",
            "Durée de l'observation",
            observed.observation_minutes,
            MAX_OBSERVATION_MINUTES,
        ),
        (
            "questioning_minutes",
            "Durée du questionnement",
            observed.questioning_minutes,
            MAX_QUESTIONING_MINUTES,
        ),
    ):
        refusal = _minutes_refusal(label, figure or 0, limit)
        if refusal:
            refusals.append((field, refusal))
    return refusals


def _minutes_refusal(label: str, minutes: int, limit: int) -> str | None:
    if minutes < 0:
        return f"{label} : une durée ne peut pas être négative."
    if minutes > limit:
        return (
            f"{label} : {duration(minutes)} n'est pas plausible pour une épreuve, au plus {duration(limit)}."
        )
    return None


def _count_refusal(label: str, count: int, limit: int) -> str | None:
    if count < 0:
        return f"{label} : un nombre ne peut pas être négatif."
    if count > limit:
        return f"{label} : {count} n'est pas plausible pour une épreuve, au plus {limit}."
    return None


def evidence_date_refusal(label: str, day: date, start: date, today: date) -> str | None:
    """Evidence dates fall between the candidate's entry into the path and today."""
    if day < start:
        return f"{label} : le {_day(day)} précède l'entrée en parcours du candidat, le {_day(start)}."
    if day > today:
        return f"{label} : le {_day(day)} est postérieur à aujourd'hui."
    return None


def _day(day: date) -> str:
    """« 01/01/0001 »: strftime writes the year 1 as « 1 »."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def observation_refusals(requirements: MethodRequirements, observed: Observed) -> list[str]:
    """Every reason why an observation does not meet its method, in French; empty when it does."""
    return [message for _, message in observation_shortfalls(requirements, observed)]


def observation_shortfalls(requirements: MethodRequirements, observed: Observed) -> list[tuple[str, str]]:
    """The reasons of `observation_refusals`, each with what it is about: a situation kind,
    "observation_minutes", "questioning_throughout", "questioning_minutes" or "competences_covered"."""
    shortfalls = _situation_shortfalls(requirements.alternatives, observed.situations)
    required = requirements.observation_minutes
    done = observed.observation_minutes or 0
    if required is not None and done < required:
        message = f"Observation : {duration(done)} {_observed(done)}, il faut au moins {duration(required)}."
        shortfalls.append(("observation_minutes", message))
    if requirements.questioning_throughout and not observed.questioning_throughout:
        message = "Questionnement : il doit se dérouler tout au long de l'observation."
        shortfalls.append(("questioning_throughout", message))
    required = requirements.questioning_minutes
    done = observed.questioning_minutes or 0
    if required is not None and done < required:
        message = f"Questionnement : {duration(done)} d'entretien, il en faut au moins {required}."
        shortfalls.append(("questioning_minutes", message))
    required = requirements.min_competences_covered
    covered = len(observed.covered & observed.block_competences)
    if required is not None and covered < required:
        message = (
            f"Présentation : {covered} {_plural('compétence', covered)} du bloc {_plural('abordée', covered)},"
            f" il en faut au moins {required}."
        )
        shortfalls.append(("competences_covered", message))
    return shortfalls


def _situation_shortfalls(
    alternatives: Sequence[Sequence[Requirement]], observed: Mapping[str, int]
) -> list[tuple[str, str]]:
    """One alternative must be met in full; otherwise the shortfalls of the closest one, that is the
    one with the fewest shortfalls and, among those, the one whose situations were most observed."""
    if not alternatives:
        return []
    shortfalls = [
        [
            requirement
            for requirement in alternative
            if observed.get(requirement.kind, 0) < requirement.required
        ]
        for alternative in alternatives
    ]
    closest = min(
        shortfalls,
        key=lambda missing: (len(missing), sum(1 for r in missing if not observed.get(r.kind, 0))),
    )
    return [(r.kind, _shortfall(r, observed.get(r.kind, 0))) for r in closest]


def _shortfall(requirement: Requirement, done: int) -> str:
    name = SITUATION_NAMES.get(requirement.kind, requirement.kind)
    if requirement.minutes is not None:
        return f"{name} : {duration(done)} {_observed(done)}, il en faut au moins {requirement.minutes}."
    participle = COUNT_PARTICIPLES.get(requirement.kind, DEFAULT_PARTICIPLE)
    return f"{name} : {done} {_plural(participle, done)}, il en faut au moins {requirement.min_count}."


def duration(minutes: int) -> str:
    """« 15 minutes », « 1 h 20 », « 2 h »."""
    if minutes < 60:
        return f"{minutes} {_plural('minute', minutes)}"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _plural(word: str, number: int) -> str:
    """French counts take the singular for 0 and 1."""
    return word + "s" if number >= 2 else word


def _observed(minutes: int) -> str:
    """« 15 minutes observées » but « 1 h 20 observée » (one duration)."""
    return "observée" if minutes >= 60 else _plural("observée", minutes)


def attestation_counts(tutor_signed: bool, manager_signed: bool, withdrawn: bool) -> bool:
    """D10: an attestation counts once both the tutor and the manager have signed it."""
    return tutor_signed and manager_signed and not withdrawn


def attestation_status(tutor_signed: bool, manager_signed: bool, withdrawn: bool) -> str:
    if withdrawn:
        return "Retirée : elle ne compte plus"
    if tutor_signed and manager_signed:
        return "Signée par le tuteur et le manager"
    missing = [
        name for name, signed in (("du tuteur", tutor_signed), ("du manager", manager_signed)) if not signed
    ]
    if len(missing) == 2:
        return "En attente des signatures du tuteur et du manager"
    return f"En attente de la signature {missing[0]}"


@dataclass(frozen=True)
class AssessedCompetence:
    block_code: str
    number: int
    criterion_ids: tuple[int, ...]


def decision_record(
    candidate: str,
    competences: Iterable[AssessedCompetence],
    results: Mapping[int, bool],
    capitalised: Iterable[str],
) -> dict[str, Any]:
    """The `decide` record: a competence appears only once every one of its criteria is scored, so
    that a partly scored competence stays pending, never failed."""
    criteria: dict[str, dict[str, list[bool]]] = {}
    for competence in competences:
        ids = competence.criterion_ids
        if ids and all(criterion in results for criterion in ids):
            block = criteria.setdefault(competence.block_code, {})
            block[str(competence.number)] = [results[criterion] for criterion in ids]
    return {"candidate": candidate, "criteria": criteria, "capitalised": sorted(set(capitalised))}


def override_refusal(proposed: str, confirmed: str, reason: str) -> str | None:
    """A decision that departs from the engine's proposal must say why."""
    if confirmed != proposed and not reason.strip():
        label = BlockStatus(proposed).label
        return f"Votre décision diffère de la proposition du moteur de décision (« {label} ») : indiquez le motif."
    return None
