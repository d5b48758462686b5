"""The CPNEFP's lists, the local and national juries of a session, the sitting (D51, D52). PLACEHOLDER."""

from django.http import Http404, HttpRequest, HttpResponse

from certifier.people.enums import Role
from certifier.people.permissions import role_required


@role_required(Role.CPNEFP)
def jury_lists(request: HttpRequest) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.CPNEFP)
def jury_list_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.CRFP_STAFF)
def local_jury(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.CPNEFP, Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def national_jury(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.NATIONAL_ADMIN)
def sitting(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER
