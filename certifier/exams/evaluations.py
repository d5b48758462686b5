"""The evaluations of a marks-scheme session (D27, D50): read from the version's rule set, with who
marks each one. Weights, eliminatory thresholds and labels have one source, the rule set."""

import functools
from dataclasses import dataclass
from decimal import Decimal

from certifier.decisions.registry import compiled
from certifier.decisions.schemes import MarkScheme
from certifier.people.enums import Role
from certifier.referential.enums import Scheme
from certifier.referential.models import CertificationVersion

# D29, D50: who enters each mark of the 2013 scheme. The written exam is marked anonymously by the
# session's markers (D48); the oral by the local jury; the rest by the CRFP (tutored applications on
# the tutor's assessment).
RESPONSIBLE = {
    "cc_common": Role.CRFP_STAFF,
    "cc_option": Role.CRFP_STAFF,
    "written": Role.MARKER,
    "oral": Role.LOCAL_JURY,
    "apt": Role.CRFP_STAFF,
}
ANONYMOUS = frozenset({"written"})
# The session date from which an exam's marks are entered: the day it is sat (continuous assessments
# and tutored applications run during the training, any time).
SAT_ON = {"written": "written_exam_date", "oral": "oral_start"}
# D25: the one mark an employer may read, to help the trainee.
SHOWN_TO_EMPLOYER = frozenset({"cc_option"})


@dataclass(frozen=True)
class Exam:
    name: str
    label: str
    weight: int
    eliminatory_max: Decimal | None
    responsible: Role
    anonymous: bool
    sat_on: str | None  # the ExamSession date field from which its marks are entered

    @property
    def short_label(self) -> str:
        return self.label[0].upper() + self.label[1:]


def evaluations(version: CertificationVersion) -> tuple[Exam, ...]:
    """The evaluations marked in a session of `version`, in the rule set's order; none for the blocks
    scheme (its blocks are decided by assessors)."""
    if version.scheme != Scheme.MARKS or not version.rule_set:
        return ()
    return _evaluations(version.rule_set)


@functools.lru_cache(maxsize=8)
def _evaluations(reference: str) -> tuple[Exam, ...]:
    decider = compiled(reference).decider
    assert isinstance(decider, MarkScheme)
    weights = dict(decider.average.weights)
    return tuple(
        Exam(
            name=name,
            label=label,
            weight=weights.get(name, 0),
            eliminatory_max=decider.eliminatory_at_most.get(name),
            responsible=RESPONSIBLE.get(name, Role.CRFP_STAFF),
            anonymous=name in ANONYMOUS,
            sat_on=SAT_ON.get(name),
        )
        for name, label in decider.labels.items()
    )


def evaluation(version: CertificationVersion, name: str) -> Exam | None:
    return next((item for item in evaluations(version) if item.name == name), None)
