"""The referential is written by its services (loading, registry import, criterion editing): read-only here."""

from django.contrib import admin

from certifier.people.admin import NationalAdminModelAdmin, ReadOnlyInline

from .models import (
    AccessRoute,
    AssessmentMethod,
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competence,
    Criterion,
    Option,
    Statistic,
)


class CertifierInline(ReadOnlyInline):
    model = Certifier


class AccessRouteInline(ReadOnlyInline):
    model = AccessRoute


class StatisticInline(ReadOnlyInline):
    model = Statistic


@admin.register(Certification)
class CertificationAdmin(NationalAdminModelAdmin):
    list_display = ["number", "title", "level", "registration_end"]
    search_fields = ["number", "title"]
    inlines = [CertifierInline, AccessRouteInline, StatisticInline]


@admin.register(CertificationVersion)
class CertificationVersionAdmin(NationalAdminModelAdmin):
    list_display = ["certification", "label", "scheme", "valid_from", "valid_until"]


@admin.register(Block)
class BlockAdmin(NationalAdminModelAdmin):
    list_display = ["code", "title", "version"]
    search_fields = ["code", "title"]


@admin.register(Competence)
class CompetenceAdmin(NationalAdminModelAdmin):
    list_display = ["block", "number", "title"]
    list_filter = ["block__code"]


@admin.register(Criterion)
class CriterionAdmin(NationalAdminModelAdmin):
    list_display = ["competence", "position", "text", "is_example"]
    list_filter = ["is_example"]


admin.site.register(AssessmentMethod, NationalAdminModelAdmin)
admin.site.register(Option, NationalAdminModelAdmin)
