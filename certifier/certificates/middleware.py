"""D61: the public verification page's answers about found certificates, kept in the cache and served
again ahead of the rest of the stack.

Only the answers drawn for a visitor without any cookie (no session, no pending message: the page's
menu is the same for all of them), or asked for in JSON, are shared, and only those that set no cookie.
An answer is kept whole (status, headers, the page with its consultation date left blank) under its
code and format for `VERIFICATION_CACHE_SECONDS`, and read in the same round trip as the client
address's lock: a locked address goes on to the view, which refuses it. A revocation or a replacement
overwrites the answers of the codes it changes, once committed, with a mark that is never served and
that no answer drawn before the commit can replace (`verification.forget_answers`)."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from certifier.core.middleware import client_address

from . import verification
from .issuance import normalise_code
from .views import consultation_dated, wants_json

# what is kept of an answer: its status, headers and content
Kept = tuple[int, list[tuple[str, str]], bytes]


def _shared(request: HttpRequest, as_json: bool) -> bool:
    return request.method == "GET" and (as_json or not request.COOKIES)


def _kept(response: HttpResponse) -> Kept | None:
    content = getattr(response, "shareable_content", None)
    if content is None or response.cookies:
        return None
    headers = [(name, value) for name, value in response.items() if name != "Content-Length"]
    return response.status_code, headers, content


def _served(kept: Kept) -> HttpResponse:
    status, headers, content = kept
    response = HttpResponse(consultation_dated(content), status=status)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    return response


def verification_answers(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    try:
        prefix = reverse("certificates:verify", args=["-"]).removesuffix("-/")
    except NoReverseMatch:
        raise MiddlewareNotUsed("no verification page in this URL configuration") from None

    def middleware(request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not (path.startswith(prefix) and path.endswith("/")):
            return get_response(request)
        code = normalise_code(path[len(prefix) : -1])
        as_json = wants_json(request)
        if code is None or not _shared(request, as_json):
            return get_response(request)
        request.get_host()  # ALLOWED_HOSTS checked as the rest of the stack would (400 otherwise)
        key = verification.answer_key(code, as_json)
        lock = verification.lock_key(client_address(request))
        found = cache.get_many([key, lock])
        answer = found.get(key)
        if isinstance(answer, tuple) and lock not in found:
            return _served(answer)
        response = get_response(request)
        if key not in found and (kept := _kept(response)) is not None:
            cache.add(key, kept, settings.VERIFICATION_CACHE_SECONDS)
        return response

    return middleware
