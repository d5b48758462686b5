"""The local jury's opinions page (D51): thin, the service decides."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from certifier.core.models import DomainError
from certifier.exams.outcome import CandidateOutcome, session_outcome
from certifier.exams.permissions import get_session_or_404, visible_registrations
from certifier.people.enums import Role
from certifier.people.permissions import has_role, role_required
from certifier.referential.enums import Scheme

from .forms import FAVOURABLE, UNFAVOURABLE, OpinionForm
from .models import LocalOpinion
from .permissions import OPINION_READERS, jury_centre_ids
from .services import do_give_opinion

PAGE_SIZE = 100


@dataclass
class Row:
    outcome: CandidateOutcome
    opinion: LocalOpinion | None
    form: OpinionForm | None  # None: read only

    @property
    def anchor(self) -> str:
        return f"candidat-{self.outcome.registration.pk}"


def _prefix(registration_pk: int) -> str:
    return f"avis-{registration_pk}"


@role_required(*OPINION_READERS)
def local_opinions(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    applies = session.version.scheme == Scheme.MARKS
    # the national administrator reads every CRFP's opinions; a CRFP and its local jury, their own
    registrations = visible_registrations(request.user, session)
    juries = jury_centre_ids(request.user)
    # D55: once the results are proclaimed, the opinions are part of the record, read only
    writable = applies and not session.proclaimed
    posted: OpinionForm | None = None
    posted_pk: int | None = None
    if request.method == "POST" and applies and not writable:
        messages.error(
            request, "Les résultats de cette session sont proclamés : les avis ne sont plus modifiables."
        )
        return redirect("juries:local_opinions", pk=session.pk)
    if request.method == "POST" and writable:
        wanted = posted_id(request.POST.get("inscription"))
        registration = (
            registrations.select_related("enrolment", "session__version").filter(pk=wanted).first()
            if wanted
            else None
        )
        if registration is None or registration.enrolment.training_centre_id not in juries:
            messages.error(request, "Ce candidat ne relève pas de votre jury local.")
            return redirect("juries:local_opinions", pk=session.pk)
        posted_pk = registration.pk
        posted = OpinionForm(request.POST, prefix=_prefix(registration.pk))
        if posted.is_valid():
            try:
                do_give_opinion(
                    request.user, registration, posted.favourable, posted.cleaned_data["argument"]
                )
            except DomainError as error:
                posted.add_error(None, str(error))
            else:
                messages.success(
                    request, f"L'avis sur le candidat {registration.candidate_number} est enregistré."
                )
                url = reverse("juries:local_opinions", args=[session.pk])
                page_number = request.POST.get("page")
                query = f"?page={posted_id(page_number)}" if posted_id(page_number) else ""
                return redirect(f"{url}{query}#candidat-{registration.pk}")
    outcome = session_outcome(session, registrations)
    opinions = {
        opinion.registration_id: opinion
        for opinion in LocalOpinion.objects.filter(
            registration__in=registrations.values("pk")
        ).select_related("given_by")
    }
    page = Paginator(outcome.candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for candidate in page.object_list:
        registration = candidate.registration
        opinion = opinions.get(registration.pk)
        form = None
        if writable and registration.enrolment.training_centre_id in juries:
            if registration.pk == posted_pk:
                form = posted
            else:
                initial = (
                    {
                        "opinion": FAVOURABLE if opinion.favourable else UNFAVOURABLE,
                        "argument": opinion.argument,
                    }
                    if opinion
                    else {}
                )
                form = OpinionForm(initial=initial, prefix=_prefix(registration.pk))
        rows.append(Row(candidate, opinion, form))
    given = len(opinions)
    return render(
        request,
        "juries/local_opinions.html",
        {
            "session": session,
            "applies": applies,
            "proclaimed": session.proclaimed,
            "page": page,
            "rows": rows,
            "given": given,
            "total": len(outcome.candidates),
            "is_admin": has_role(request.user, Role.NATIONAL_ADMIN),
            "gives": bool(juries),
            "error_form": posted if posted is not None and posted.errors else None,
            "error_anchor": f"candidat-{posted_pk}" if posted_pk else "",
        },
        status=200,
    )


def posted_id(value: str | None) -> int | None:
    """A posted number, or None when absent, malformed or out of range."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 < number < 2**31 else None
