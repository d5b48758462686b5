"""One line per request on standard error: method, path, status, duration and who asked."""

import logging
import time
from collections.abc import Callable

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
