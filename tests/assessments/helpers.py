"""Helpers of the evidence tests: the observation that meets each block's method."""

from datetime import date

from certifier.assessments.services import ObservationData
from certifier.referential.enums import AssessmentMethodKind

VALID_OBSERVATIONS = {
    "RNCP35729BC01": {
        "situations": {"double_listening": 20, "interview": 2, "letters_emails": 5},
        "questioning_minutes": 15,
    },
    "RNCP35729BC02": {"competences": [1, 2]},
    "RNCP35729BC03": {"observation_minutes": 90, "questioning_throughout": True},
}


def observation_data(block, **overrides):
    values = VALID_OBSERVATIONS[block.code]
    competences = [
        competence
        for competence in block.competences.all()
        if competence.number in values.get("competences", [])
    ]
    data = {
        "observed_on": date(2026, 3, 2),
        "situations": values.get("situations", {}),
        "observation_minutes": values.get("observation_minutes"),
        "questioning_minutes": values.get("questioning_minutes"),
        "questioning_throughout": values.get("questioning_throughout", False),
        "competences_covered": competences,
        "notes": "",
    }
    return ObservationData(**(data | overrides))


def assessed_method(block):
    return block.methods.exclude(kind=AssessmentMethodKind.LOGBOOK).get()
