"""The one permission layer: role predicates, view guards and scoped getters.

Every view of the project is wrapped by exactly one of `public`, `login_required` or
`role_required`; a test walks the URL configuration and fails on any view that is not.
Scoped getters answer 404 for an object the user may not see; `role_required` answers
403 to a signed-in user without the role; anonymous users are sent to the login page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from .enums import Role

View = Callable[..., HttpResponseBase]
M = TypeVar("M", bound=Model)

_CACHE_ATTRIBUTE = "_certifier_memberships"


def memberships(user: Any) -> frozenset[tuple[str, int]]:
    """The (role, organisation id) pairs of a user, read once per request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[tuple[str, int]] | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("role", "organisation_id"))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def roles(user: Any) -> set[str]:
    return {role for role, _ in memberships(user)}


def has_role(user: Any, *wanted: Role) -> bool:
    return not roles(user).isdisjoint(wanted)


def organisation_ids(user: Any, *wanted: Role) -> set[int]:
    """The organisations in which the user holds one of `wanted` (any role when none is given)."""
    return {org for role, org in memberships(user) if not wanted or role in wanted}


def can_edit_referential(user: Any) -> bool:
    return has_role(user, Role.NATIONAL_ADMIN)


def can_read_history(user: Any) -> bool:
    return has_role(user, Role.NATIONAL_ADMIN, Role.CPNEFP)


def can_edit_organisation(user: Any) -> bool:
    return has_role(user, Role.NATIONAL_ADMIN)


def public(view: View) -> View:
    """Open to anyone, signed in or not."""
    view.access = "public"  # type: ignore[attr-defined]
    return view


def login_required(view: View) -> View:
    """Open to any signed-in user; the view itself scopes what it shows."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access = "login"  # type: ignore[attr-defined]
    return wrapper


def role_required(*wanted: Role) -> Callable[[View], View]:
    """Open to signed-in users holding one of `wanted`; 403 to other signed-in users."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *wanted):
                raise PermissionDenied("Votre rôle ne permet pas d'accéder à cette page.")
            return view(request, *args, **kwargs)

        wrapper.access = "roles:" + ",".join(sorted(wanted))  # type: ignore[attr-defined]
        return wrapper

    return decorator


def get_visible_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object from a queryset already scoped with `visible_to(user)`: 404 when invisible."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("Cette page n'existe pas ou ne vous est pas accessible.")
    return obj
