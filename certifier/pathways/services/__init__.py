"""The only writers of candidates, enrolments, training paths, attendance and funding requests,
by subject; imported from here by views, importers, commands and the demo."""

from .assessors import do_assign_assessor
from .enrolments import (
    CANDIDATE_FIELDS,
    EnrolmentData,
    EnrolmentRefused,
    ImportedRow,
    ImportSummary,
    do_enrol,
    do_import_enrolments,
    do_update_enrolment,
    duplicate_errors,
    enrolment_errors,
    value_errors,
)
from .funding import applicable_rate, do_draw_up_funding_request
from .training import (
    TRAINING_PATHS_DATA,
    do_create_training_session,
    do_load_training_paths,
    do_record_attendance,
)

__all__ = [
    "CANDIDATE_FIELDS",
    "TRAINING_PATHS_DATA",
    "EnrolmentData",
    "EnrolmentRefused",
    "ImportSummary",
    "ImportedRow",
    "applicable_rate",
    "do_assign_assessor",
    "do_create_training_session",
    "do_draw_up_funding_request",
    "do_enrol",
    "do_import_enrolments",
    "do_load_training_paths",
    "do_record_attendance",
    "do_update_enrolment",
    "duplicate_errors",
    "enrolment_errors",
    "value_errors",
]
