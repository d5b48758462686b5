"""Evidence is read-only in the admin: it is written by the services only, with its audit event,
and it is never deleted (withdrawn attestations and superseded decisions stay on record)."""

from django.contrib import admin

from certifier.people.admin import NationalAdminModelAdmin

from .models import Attestation, BlockDecision, CriterionResult, Observation


@admin.register(Attestation)
class AttestationAdmin(NationalAdminModelAdmin):
    list_display = [
        "enrolment",
        "competence",
        "observed_on",
        "tutor_signed_at",
        "manager_signed_at",
        "withdrawn_at",
    ]
    list_select_related = ["enrolment__candidate", "enrolment__version__certification", "competence__block"]


@admin.register(Observation)
class ObservationAdmin(NationalAdminModelAdmin):
    list_display = ["enrolment", "method", "observed_on", "recorded_by"]
    list_select_related = [
        "enrolment__candidate",
        "enrolment__version__certification",
        "method__block",
        "recorded_by",
    ]


@admin.register(CriterionResult)
class CriterionResultAdmin(NationalAdminModelAdmin):
    list_display = ["enrolment", "criterion", "validated", "assessed_by", "assessed_at"]
    list_select_related = [
        "enrolment__candidate",
        "enrolment__version__certification",
        "criterion__competence__block",
        "assessed_by",
    ]


@admin.register(BlockDecision)
class BlockDecisionAdmin(NationalAdminModelAdmin):
    list_display = [
        "enrolment",
        "block",
        "proposed_status",
        "confirmed_status",
        "rule_set_version",
        "decided_at",
    ]
    list_select_related = ["enrolment__candidate", "enrolment__version__certification", "block"]
