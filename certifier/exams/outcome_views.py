"""The live outcome page of a session (issue 8, items 7 and 8): what the juries will see."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from certifier.people.enums import Role
from certifier.people.permissions import role_required

from .outcome import Status, outcome_registrations, session_outcome
from .permissions import get_session_or_404

PAGE_SIZE = 100


# Markers never: the outcome names candidates (D48). Employers, candidates and others neither (D25).
@role_required(Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.LOCAL_JURY, Role.NATIONAL_JURY)
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    result = session_outcome(session, outcome_registrations(request.user, session))
    wanted = request.GET.get("statut")
    shown = Status(wanted) if wanted in set(Status) else None
    rows = [row for row in result.candidates if shown is None or row.status == shown]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exams/outcome.html",
        {
            "session": session,
            "outcome": result,
            "counts": [(status, count) for status, count in result.counts.items()],
            "shown": shown,
            "page": page,
            "query": urlencode({"statut": shown.value}) if shown else "",
        },
    )
