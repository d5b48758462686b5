from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .enums import Role
from .models import Membership, Organisation, User
from .permissions import has_role


class NationalAdminModelAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Every model of the admin: full rights for national administrators, none for anyone else."""

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.NATIONAL_ADMIN)

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = _allowed
    has_module_permission = _allowed


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 1


@admin.register(User)
class CertifierUserAdmin(NationalAdminModelAdmin, UserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        ("Statut", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["is_active", "memberships__role"]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(NationalAdminModelAdmin):
    list_display = ["name", "kind", "branch", "region", "siret"]
    list_filter = ["kind", "branch"]
    search_fields = ["name", "siret"]
