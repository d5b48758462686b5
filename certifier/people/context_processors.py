from typing import Any

from django.http import HttpRequest

from .enums import Role
from .permissions import has_role


def roles(request: HttpRequest) -> dict[str, Any]:
    return {"is_national_admin": has_role(request.user, Role.NATIONAL_ADMIN)}
