"""Candidates, enrolments, sessions, attendance, assessors and funding requests are written by their
services: read-only here. Training-path hours (D39, D41) and hourly rates are set here, audited."""

from django.contrib import admin

from certifier.people.admin import AuditedAdmin, AuditedInline, NationalAdminModelAdmin

from .models import (
    AssessorAssignment,
    Attendance,
    Candidate,
    Enrolment,
    FundingRate,
    FundingRequest,
    Module,
    TrainingPath,
    TrainingSession,
)


class ModuleInline(AuditedInline):
    model = Module


@admin.register(TrainingPath)
class TrainingPathAdmin(AuditedAdmin):
    """D39, D41: the national administrator sets each option's funded hours."""

    list_display = [
        "title",
        "kind",
        "face_to_face_hours",
        "tutored_hours",
        "evaluation_hours",
        "is_example",
    ]
    list_filter = ["kind", "is_example"]
    inlines = [ModuleInline]


@admin.register(FundingRate)
class FundingRateAdmin(AuditedAdmin):
    list_display = ["effective_from", "hourly_rate", "source"]


@admin.register(Candidate)
class CandidateAdmin(NationalAdminModelAdmin):
    list_display = ["birth_name", "first_name", "employer", "employee_number"]
    search_fields = ["birth_name", "usage_name", "first_name", "employee_number"]
    list_select_related = ["employer"]


@admin.register(Enrolment)
class EnrolmentAdmin(NationalAdminModelAdmin):
    list_display = ["candidate", "version", "option", "access_route", "training_centre", "start_date"]
    list_filter = ["access_route", "training_centre"]
    list_select_related = ["candidate", "version__certification", "option", "training_centre"]
    raw_id_fields = ["candidate", "tutor", "manager"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(NationalAdminModelAdmin):
    list_display = ["path", "training_centre", "start_date", "end_date"]
    list_filter = ["path", "training_centre"]


admin.site.register(Attendance, NationalAdminModelAdmin)
admin.site.register(AssessorAssignment, NationalAdminModelAdmin)
admin.site.register(FundingRequest, NationalAdminModelAdmin)
