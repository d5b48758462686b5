"""The results portal (D24, D25, D57). PLACEHOLDER."""

from django.http import Http404, HttpRequest, HttpResponse

from certifier.people.enums import Role
from certifier.people.permissions import public, role_required


@public
def results_lookup(request: HttpRequest) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.CANDIDATE)
def my_results(request: HttpRequest) -> HttpResponse:
    raise Http404  # PLACEHOLDER


@role_required(Role.EMPLOYER_HR)
def employer_results(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404  # PLACEHOLDER
