"""One line per request on standard error: method, path, status, duration and who asked."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("certifier.requests")


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
            request.path,
            response.status_code,
            milliseconds,
            who,
        )
        return response

    return middleware
