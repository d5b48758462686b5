"""The VAE jury's outcome pages: its decisions on the candidacies of a session, its signed minutes, and what
an employer reads of the applications it funds (the outcome only): thin views, the services decide."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.cache import never_cache

from certifier.assessments.enums import BlockStatus
from certifier.core.downloads import attachment
from certifier.core.enums import JobStatus
from certifier.core.models import DomainError
from certifier.people.enums import Role
from certifier.people.permissions import organisation_ids, role_required

from .jury import get_session_or_404, needs_slot
from .minutes import (
    NOT_ALLOWED,
    do_sign_minutes,
    is_president,
    latest_job,
    signed_minutes,
    signing_refusal,
)
from .models import VaeCandidacy, VaeDecision, VaeJurySession, VaeMinutes
from .outcome import NOT_A_MEMBER, do_decide, held_by_candidate, seat_of, version_blocks
from .outcome_forms import DecisionForm, SignForm

REFRESH_SECONDS = 3
PDF = "application/pdf"
READERS = (Role.VAE_JURY, Role.CPNEFP, Role.NATIONAL_ADMIN)


@dataclass(frozen=True)
class Row:
    candidacy: VaeCandidacy
    decision: VaeDecision | None
    heard: bool  # an interview (not the dossier alone)
    held: list[str]  # the blocks the candidate already held
    form: DecisionForm | None  # for a member, until the minutes are signed

    @property
    def validated(self) -> list[str]:
        blocks = self.decision.blocks if self.decision else {}
        return [code for code, status in blocks.items() if status == BlockStatus.VALIDATED]


def _rows(
    request: HttpRequest, session: VaeJurySession, posted: int | None, signed: VaeMinutes | None, member: bool
) -> list[Row]:
    """Each candidacy of the session with its decision and, for a member, its form (bound to the POST
    for the candidacy posted), in a constant number of queries."""
    candidacies = list(
        session.candidacies.select_related("application__candidate", "decision__decided_by").order_by(
            "interview_at", "application__candidate__birth_name", "pk"
        )
    )
    blocks = version_blocks(session.version)
    codes = {block.code for block in blocks}
    editable = member and signed is None
    held = held_by_candidate(
        [c.application.candidate_id for c in candidacies], codes, signed.signed_at if signed else None
    )
    rows = []
    for candidacy in candidacies:
        decision = getattr(candidacy, "decision", None)
        kept = held.get(candidacy.application.candidate_id, set())
        form = None
        if editable:
            initial: dict[str, Any] = {}
            if decision is not None:
                initial |= {
                    "argument": decision.argument,
                    "votes_for": decision.votes_for,
                    "votes_against": decision.votes_against,
                    "abstentions": decision.abstentions,
                    "casting_vote": "for" if decision.casting_vote else "",
                }
                initial |= {f"block_{c}": s == BlockStatus.VALIDATED for c, s in decision.blocks.items()}
            data = request.POST if posted == candidacy.pk else None
            form = DecisionForm(data, initial=initial, blocks=blocks, held=kept, prefix=f"c{candidacy.pk}")
        heard = needs_slot(candidacy)
        rows.append(Row(candidacy, decision, heard, sorted(kept), form))
    return rows


@role_required(*READERS)
def deliberation(request: HttpRequest, pk: int) -> HttpResponse:
    """D67: the members decide on each candidacy of their session; the CPNEFP and the national
    administrator read the decisions."""
    session = get_session_or_404(request.user, pk)
    signed = signed_minutes(session)
    member = seat_of(request.user, session) is not None
    posted = None
    if request.method == "POST":
        if not member:
            raise PermissionDenied(NOT_A_MEMBER)
        try:
            posted = int(request.POST.get("candidacy", ""))
        except ValueError as error:
            raise Http404("Cette candidature n'existe pas.") from error
    rows = _rows(request, session, posted, signed, member)
    if posted is not None:
        row = next((row for row in rows if row.candidacy.pk == posted), None)
        if row is None or row.form is None:
            raise Http404("Cette candidature n'existe pas ou n'est plus modifiable.")
        if row.form.is_valid():
            try:
                do_decide(request.user, row.candidacy, **row.form.decision())
            except DomainError as error:
                row.form.add_error(None, str(error))
            else:
                name = row.candidacy.application.candidate.display_name
                messages.success(request, f"La décision sur {name} est enregistrée.")
                url = reverse("vae:deliberation", args=[session.pk])
                return redirect(f"{url}#candidature-{posted}")
    context = {"session": session, "rows": rows, "signed": signed, "member": member}
    return render(request, "vae/outcome_deliberation.html", context)


@role_required(*READERS)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """D67, D54: the president signs the minutes (a job, followed here); members, the CPNEFP and the
    national administrator download them once signed."""
    session = get_session_or_404(request.user, pk)
    president = is_president(request.user, session)
    form = SignForm(request.POST if request.method == "POST" else None) if president else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(NOT_ALLOWED)
        if form.is_valid():
            try:
                do_sign_minutes(request.user, session)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "La signature du procès-verbal est lancée.")
                return redirect("vae:minutes", pk=session.pk)
    signed = signed_minutes(session)
    job = latest_job(session)
    waiting = job is not None and job.status in (JobStatus.PENDING, JobStatus.RUNNING) and not job.interrupted
    refusal = signing_refusal(request.user, session) if president and signed is None else None
    context = {
        "session": session,
        "signed": signed,
        "job": job,
        "waiting": waiting,
        "refresh": REFRESH_SECONDS if waiting else None,
        "form": form if signed is None and not waiting and refusal is None else None,
        "refusal": refusal,
    }
    return render(request, "vae/minutes.html", context)


@never_cache
@role_required(*READERS)
def minutes_download(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_or_404(request.user, pk)
    signed = signed_minutes(session)
    if signed is None:
        raise Http404("Le procès-verbal de ce jury VAE n'est pas encore signé.")
    with signed.file.open("rb") as stored:
        content = stored.read()
    return attachment(content, f"proces-verbal-jury-vae-{session.held_on:%Y-%m-%d}-{session.pk}.pdf", PDF)


def funded_outcomes(user: Any) -> list[VaeDecision]:
    """Issue 11 §6: the signed outcomes of the applications the employer HR's organisations fund, in one
    query; nothing of any other application."""
    return list(
        VaeDecision.objects.filter(
            candidacy__application__funder_id__in=organisation_ids(user, Role.EMPLOYER_HR),
            candidacy__session__minutes__isnull=False,
        )
        .select_related("candidacy__application__candidate", "candidacy__session__minutes")
        .order_by("-candidacy__session__minutes__signed_at", "candidacy__application__candidate__birth_name")
    )


@role_required(Role.EMPLOYER_HR)
def employer_outcomes(request: HttpRequest) -> HttpResponse:
    return render(request, "vae/outcome_employer.html", {"decisions": funded_outcomes(request.user)})


routes: list[URLPattern] = [
    path("vae/jurys/<int:pk>/decisions/", deliberation, name="deliberation"),
    path("vae/jurys/<int:pk>/proces-verbal/", minutes, name="minutes"),
    path("vae/jurys/<int:pk>/proces-verbal/pdf/", minutes_download, name="minutes_download"),
    path("vae/resultats/", employer_outcomes, name="employer_outcomes"),
]
