"""The signed minutes, proclamation and amendments (D54–D56). PLACEHOLDER."""

from django.http import Http404, HttpRequest, HttpResponse

from certifier.people.enums import Role
from certifier.people.permissions import role_required


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY, Role.CPNEFP)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY, Role.CPNEFP)
def minutes_download(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.NATIONAL_ADMIN)
def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER
