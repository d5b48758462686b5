"""One line per request on standard error: method, path, status, duration and who asked; the client's
address behind the reverse proxies."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("certifier.requests")


SECRET_ARGUMENTS = ("token", "uidb64")  # a set-password link is a credential: never written to a log


def _loggable_path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_ARGUMENTS:
        if match is not None and (value := match.kwargs.get(name)):
            path = path.replace(str(value), "…")
    return path


def request_log(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        milliseconds = (time.perf_counter() - started) * 1000
        user = getattr(request, "user", None)
        who = user.pk if user is not None and user.is_authenticated else "-"
        logger.info(
            "%s %s %s %.0fms user=%s",
            request.method,
            _loggable_path(request),
            response.status_code,
            milliseconds,
            who,
        )
        return response

    return middleware


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or, behind `TRUSTED_PROXY_COUNT` reverse proxies, the one
    the farthest of them saw (each appends to X-Forwarded-For; entries left of it are the client's word
    and never trusted). Used by every lock-out (the sign-in's and the results lookup's)."""
    count: int = settings.TRUSTED_PROXY_COUNT
    forwarded: list[str] = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR") or "")
