"""D60: the public documents verifiers of the certificates' credentials read — the issuer's controller
document (its public key) and the signed revocation status lists. Public, cached 60 seconds at most
(a revocation is seen within the minute), readable from any origin (wallets verify in the browser)."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from certifier.people.permissions import public

from .credentials import (
    CredentialUnavailable,
    controller_document,
    status_list_credential,
    status_list_exists,
)

MAX_AGE = 60


def _json(document: dict[str, Any], content_type: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type=f"{content_type}; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _unavailable(error: CredentialUnavailable) -> HttpResponse:
    return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")


@public
@require_safe
@cache_control(public=True, max_age=MAX_AGE)
def controller(request: HttpRequest) -> HttpResponse:
    try:
        document = controller_document()
    except CredentialUnavailable as error:
        return _unavailable(error)
    return _json(document, "application/ld+json")


@public
@require_safe
@cache_control(public=True, max_age=MAX_AGE)
def status_list(request: HttpRequest, number: int) -> HttpResponse:
    if not status_list_exists(number):
        raise Http404
    try:
        document = status_list_credential(number)
    except CredentialUnavailable as error:
        return _unavailable(error)
    return _json(document, "application/vc+ld+json")
