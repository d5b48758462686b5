from django.contrib import admin
from django.http import HttpRequest

from .enums import Role
from .permissions import has_role


class CertifierAdminSite(admin.AdminSite):
    """The Django admin, open to national administrators only (the one permission layer decides)."""

    site_header = "Certifier — administration nationale"
    site_title = "Certifier"
    index_title = "Administration"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_role(request.user, Role.NATIONAL_ADMIN))
