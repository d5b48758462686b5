"""The Django admin: national administrators only, read-only for every model written by a service.

The few models that have no service of their own (accounts and roles, organisations, training-path
hours, hourly rates) are edited here through `AuditedAdmin`: each creation, change and deletion leaves
an audit event with the values before and after, in the admin's own transaction.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from certifier.core.audit import record_event
from certifier.core.changes import readable
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, Job

from .enums import Role
from .models import Membership, Organisation, User
from .permissions import has_role

SECRET_FIELDS = {"password", "password1", "password2"}


def _national_admin(self: Any, request: HttpRequest, obj: Any = None) -> bool:
    return has_role(request.user, Role.NATIONAL_ADMIN)


def _never(self: Any, request: HttpRequest, obj: Any = None) -> bool:
    return False


class NationalAdminModelAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Read-only: the model is written by its services, which check the rules and record the audit."""

    has_view_permission = has_module_permission = _national_admin
    has_add_permission = has_change_permission = has_delete_permission = _never


def _changes(form: ModelForm[Any], created: bool) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    fields = {field.name for field in form.instance._meta.concrete_fields}
    names = [name for name in form.changed_data if name in fields and name not in SECRET_FIELDS]
    before = None if created else readable({name: form.initial.get(name) for name in names})
    return before, readable({name: form.cleaned_data.get(name) for name in names})


def record_admin_save(request: HttpRequest, form: ModelForm[Any], created: bool) -> None:
    before, after = _changes(form, created)
    if created or after:
        action = AuditAction.ADMIN_CREATED if created else AuditAction.ADMIN_UPDATED
        record_event(action, form.instance, actor=request.user, before=before, after=after)


def record_admin_deletion(request: HttpRequest, obj: models.Model) -> None:
    record_event(AuditAction.ADMIN_DELETED, obj, actor=request.user, before={"objet": str(obj)})


class AuditedAdmin(NationalAdminModelAdmin):
    """Editable by national administrators; every write is attributable. Nothing is deleted here."""

    has_add_permission = has_change_permission = _national_admin

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_admin_save(request, form, created=not change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        record_inline_changes(request, formset)


def record_inline_changes(request: HttpRequest, formset: BaseInlineFormSet[Any, Any, Any]) -> None:
    """After the formset saved: one event per row added, changed or removed."""
    new = set(map(id, formset.new_objects))
    changed = {id(obj) for obj, _ in formset.changed_objects}
    for inline_form in formset.forms:
        if id(inline_form.instance) in new | changed:
            record_admin_save(request, inline_form, created=id(inline_form.instance) in new)
    for obj in formset.deleted_objects:
        record_admin_deletion(request, obj)


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    """An inline of a read-only admin: shown to national administrators, never edited here."""

    extra = 0
    has_view_permission = _national_admin
    has_add_permission = has_change_permission = has_delete_permission = _never


class AuditedInline(admin.TabularInline[Any, Any]):
    """An inline of an audited admin: national administrators add, change and remove its rows."""

    extra = 0
    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = _national_admin


class MembershipInline(AuditedInline):
    model = Membership
    extra = 1
    verbose_name_plural = "rôles (un rôle s'exerce dans une organisation)"


@admin.register(User)
class CertifierUserAdmin(AuditedAdmin, UserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "roles", "is_active"]
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

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[User]:
        return super().get_queryset(request).prefetch_related("memberships__organisation")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """A password set by an administrator is attributable, never the password itself."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                record_event(
                    AuditAction.ADMIN_UPDATED, user, actor=request.user, after={"mot de passe": "modifié"}
                )
        return response

    @admin.display(description="rôles")
    def roles(self, user: User) -> str:
        return " ; ".join(
            f"{membership.get_role_display()} ({membership.organisation})"
            for membership in user.memberships.all()
        )


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "branch", "region", "siret"]
    list_filter = ["kind", "branch"]
    search_fields = ["name", "siret"]


@admin.register(AuditEvent)
class AuditEventAdmin(NationalAdminModelAdmin):
    list_display = ["at", "actor", "action_label", "object_repr", "reason"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["object_id", "actor__email"]


@admin.register(Job)
class JobAdmin(NationalAdminModelAdmin):
    list_display = ["created_at", "kind", "status", "started_by", "done", "total", "outcome"]
    list_filter = ["kind", "status"]
    list_select_related = ["started_by"]
