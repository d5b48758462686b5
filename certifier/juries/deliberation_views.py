"""The national jury's deliberation page (D53). PLACEHOLDER."""

from django.http import Http404, HttpRequest, HttpResponse

from certifier.people.enums import Role
from certifier.people.permissions import role_required


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def deliberation(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def decide(request: HttpRequest, pk: int, registration: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER
