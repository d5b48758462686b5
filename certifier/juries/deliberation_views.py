"""The national jury's deliberation pages (D53, D56): every candidate with the engine's proposal, the
proposals adopted in bulk, one candidate decided. Thin: the reader and the services decide."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from certifier.core.models import DomainError
from certifier.exams.models import Registration
from certifier.people.enums import Role
from certifier.people.permissions import has_role, role_required

from .deliberation import (
    IN_CONFLICT,
    Entry,
    Proposal,
    conflicts_of,
    do_adopt_proposals,
    do_decide,
    may_decide,
    proposals,
    roster,
)
from .deliberation_forms import FILTERED, TICKED, DecisionForm
from .models import Deliberation, JuryStatus, Minutes
from .permissions import may_deliberate, seat_of
from .sitting import quorum, voters

PAGE_SIZE = 100
TONES = {JuryStatus.CERTIFIED: "ok", JuryStatus.NOT_CERTIFIED: "err", JuryStatus.DEFERRED: "warn"}
# the jury's filters: who is left to decide, the departures from the proposal, everyone
FILTERS = {
    "a-statuer": "À statuer",
    "differentes": "Décisions différentes de la proposition",
    "tous": "Tous les candidats",
}
DEFAULT_FILTER = "tous"


@dataclass(frozen=True)
class Row:
    proposal: Proposal
    conflicted: bool = False  # D52: the reader declared a conflict of interest with this candidate

    @property
    def anchor(self) -> str:
        return f"candidat-{self.proposal.registration.pk}"

    @property
    def tone(self) -> str:
        return TONES[self.proposal.status]

    @property
    def decision_tone(self) -> str:
        decision = self.proposal.decision
        return TONES[JuryStatus(decision.confirmed_status)] if decision else "neutral"


def get_deliberation_or_404(user: Any, pk: int) -> Deliberation:
    """The national administrator reads every deliberation; a member of the national jury, those of
    the jury they sit on; anyone else is answered as if it did not exist."""
    deliberation = (
        Deliberation.objects.select_related("jury__session__version", "amends").filter(pk=pk).first()
    )
    if deliberation is None:
        raise Http404
    if not has_role(user, Role.NATIONAL_ADMIN) and seat_of(user, deliberation.jury) is None:
        raise Http404
    return deliberation


def _writable(user: Any, deliberation: Deliberation) -> tuple[bool, bool]:
    """(signed, may write): read only once the minutes are signed, or for who may not decide (not of
    the jury, or a member absent from the sitting)."""
    signed = Minutes.objects.filter(deliberation=deliberation).exists()
    return signed, not signed and may_decide(user, deliberation)


def _filtered(entries: list[Entry], wanted: str) -> list[Entry]:
    if wanted == "a-statuer":
        return [entry for entry in entries if not entry.decided]
    if wanted == "differentes":
        return [entry for entry in entries if entry.departs]
    return entries


def _ints(values: list[str]) -> list[int] | None:
    """Posted registration ids, or None when one is malformed."""
    try:
        numbers = [int(value) for value in values]
    except ValueError:
        return None
    return numbers if all(0 < number < 2**31 for number in numbers) else None


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def deliberation(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = get_deliberation_or_404(request.user, pk)
    signed, writes = _writable(request.user, sitting)
    wanted = request.GET.get("filtre", DEFAULT_FILTER)
    if wanted not in FILTERS:
        wanted = DEFAULT_FILTER
    url = reverse("juries:deliberation", args=[sitting.pk])
    if request.method == "POST":
        if not writes:
            messages.error(request, "Cette délibération est en lecture seule.")
            return redirect(url)
        return _adopt(request, sitting, url)
    # the filters and the pages read the decisions only; the engine runs for the rows of one page
    entries = roster(sitting)
    shown = _filtered(entries, wanted)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    board = proposals(
        sitting, Registration.objects.filter(pk__in=[entry.registration_id for entry in page.object_list])
    )
    members = list(sitting.jury.members.all())
    present = list(sitting.present.all())
    conflicts = conflicts_of(request.user, sitting.jury) if writes else set()
    undecided = sum(1 for entry in shown if not entry.decided and entry.registration_id not in conflicts)
    return render(
        request,
        "juries/deliberation.html",
        {
            "deliberation": sitting,
            "session": sitting.jury.session,
            "board": board,
            "page": page,
            "rows": [Row(row, row.registration.pk in conflicts) for row in board.rows],
            "total": len(entries),
            "filters": FILTERS,
            "filter": wanted,
            "query": f"filtre={wanted}",
            "quorum": quorum(sitting.jury, present),
            "present": len(present),
            "members": len(members),
            "decided": sum(1 for entry in entries if entry.decided),
            "undecided_shown": undecided,
            "signed": signed,
            "absent": not signed and not writes and may_deliberate(request.user, sitting.jury),
            "conflicts": len(conflicts),
            "writes": writes and not sitting.is_amendment,
            "decides": writes,
            "ticked": TICKED,
            "filtered": FILTERED,
        },
    )


def _adopt(request: HttpRequest, sitting: Deliberation, url: str) -> HttpResponse:
    scope = request.POST.get("portee")
    wanted = request.POST.get("filtre", DEFAULT_FILTER)
    if wanted not in FILTERS:
        wanted = DEFAULT_FILTER
    back = f"{url}?filtre={wanted}"
    conflicts = conflicts_of(request.user, sitting.jury)
    if scope == FILTERED:
        undecided = [
            entry.registration_id
            for entry in _filtered(roster(sitting), wanted)
            if not entry.decided and entry.registration_id not in conflicts
        ]
        chosen = list(Registration.objects.filter(pk__in=undecided))
    elif scope == TICKED:
        ids = _ints(request.POST.getlist("inscriptions"))
        if ids is None:
            messages.error(request, "La sélection des candidats est illisible : cochez-les à nouveau.")
            return redirect(back)
        chosen = list(Registration.objects.filter(pk__in=ids))
        if len(chosen) != len(set(ids)):
            messages.error(request, "Certains candidats choisis ne sont pas inscrits à cette session.")
            return redirect(back)
    else:
        messages.error(request, "Choisissez les candidats dont la proposition est adoptée.")
        return redirect(back)
    if not chosen:
        messages.error(request, "Aucun candidat à statuer n'est choisi : cochez au moins un candidat.")
        return redirect(back)
    try:
        adopted = do_adopt_proposals(request.user, sitting, chosen)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(back)
    # D52: the service leaves out the candidates the member declared a conflict of interest with
    conflicted = sum(1 for registration in chosen if registration.pk in conflicts)
    skipped = len(chosen) - adopted - conflicted
    text = f"Proposition adoptée pour {adopted} candidat{'s' if adopted > 1 else ''}."
    if conflicted:
        text += (
            f" {conflicted} candidat{'s' if conflicted > 1 else ''} laissé{'s' if conflicted > 1 else ''} "
            "aux autres membres : vous avez déclaré un conflit d'intérêts avec "
            f"{'eux' if conflicted > 1 else 'lui'}."
        )
    if skipped:
        text += f" {skipped} candidat{'s' if skipped > 1 else ''} déjà statué{'s' if skipped > 1 else ''} : décision inchangée."
    messages.success(request, text)
    return redirect(back)


@role_required(Role.NATIONAL_ADMIN, Role.NATIONAL_JURY)
def decide(request: HttpRequest, pk: int, registration: int) -> HttpResponse:
    sitting = get_deliberation_or_404(request.user, pk)
    candidate = (
        Registration.objects.select_related("enrolment__candidate", "enrolment__training_centre")
        .filter(pk=registration, session=sitting.jury.session)
        .first()
    )
    if candidate is None:
        raise Http404
    signed, writes = _writable(request.user, sitting)
    conflicted = writes and candidate.pk in conflicts_of(request.user, sitting.jury)
    writes = writes and not conflicted
    board = proposals(sitting, Registration.objects.filter(pk=candidate.pk))
    row = board.rows[0]
    form = None
    if writes:
        if request.method == "POST":
            form = DecisionForm(request.POST, blocks=board.blocks)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    do_decide(
                        request.user,
                        sitting,
                        candidate,
                        data["status"],
                        form.blocks(),
                        data["reason"],
                        data["votes_for"],
                        data["votes_against"],
                        data["abstentions"],
                        data["comment"],
                        data["fraud"],
                    )
                except DomainError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        f"La décision sur {candidate.enrolment.candidate.display_name} "
                        f"(candidat n° {candidate.candidate_number}) est enregistrée.",
                    )
                    return redirect(
                        f"{reverse('juries:deliberation', args=[sitting.pk])}#candidat-{candidate.pk}"
                    )
        else:
            form = DecisionForm(initial=_initial(row), blocks=board.blocks)
    elif request.method == "POST":
        messages.error(request, IN_CONFLICT if conflicted else "Cette délibération est en lecture seule.")
        return redirect("juries:decide", pk=sitting.pk, registration=candidate.pk)
    return render(
        request,
        "juries/decide.html",
        {
            "deliberation": sitting,
            "session": sitting.jury.session,
            "board": board,
            "row": Row(row, conflicted),
            "proposal": row,
            "form": form,
            "signed": signed,
            "absent": not signed
            and not writes
            and not conflicted
            and may_deliberate(request.user, sitting.jury),
            "voters": len(voters(sitting, candidate)),
        },
    )


def _initial(row: Proposal) -> dict[str, Any]:
    """The form starts from the decision recorded, else from the proposal."""
    decision = row.decision
    if decision is None:
        initial: dict[str, Any] = {"status": row.status}
        blocks = row.blocks
    else:
        initial = {
            "status": decision.confirmed_status,
            "reason": decision.override_reason,
            "votes_for": decision.votes_for,
            "votes_against": decision.votes_against,
            "abstentions": decision.abstentions,
            "comment": decision.comment,
            "fraud": decision.fraud,
        }
        blocks = decision.blocks
    initial |= {DecisionForm.block_field(code): status for code, status in blocks.items()}
    return initial
