from django import forms
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from certifier.core.models import DomainError, NotAllowed
from certifier.pathways.models import Enrolment
from certifier.people.enums import Role
from certifier.people.permissions import get_visible_or_404, login_required, role_required
from certifier.referential.enums import AssessmentMethodKind
from certifier.referential.models import AssessmentMethod, Block, Competence, Criterion

from .enums import CONFIRMED_STATUSES, Signatory
from .forms import AttestationForm, DecisionForm, ObservationForm, ScoringForm, WithdrawalForm
from .models import Attestation, BlockDecision, CriterionResult, Observation
from .permissions import (
    can_assess,
    can_attest,
    can_read_evidence,
    can_read_logbook,
    can_withdraw,
    missing_signature,
    reads_unreleased_decisions,
)
from .proposals import capitalised_codes, propose, uses_blocks
from .services import (
    EvidenceRefused,
    OverrideWithoutReason,
    awaiting_observation,
    do_decide_block,
    do_record_attestation,
    do_record_observation,
    do_score_criteria,
    do_sign_attestation,
    do_withdraw_attestation,
    ensure_assessor,
    ensure_signatory,
)

SIGNATORIES = (Role.TUTOR, Role.MANAGER)
# An attestation, the signature the user may add to it, whether the user may withdraw it.
AttestationRow = tuple[Attestation, Signatory | None, bool]


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, even empty: a form posted blank is bound, hence checked."""
    return request.POST if request.method == "POST" else None


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    return get_visible_or_404(
        Enrolment.objects.visible_to(request.user).select_related(
            "candidate", "version__certification", "training_centre"
        ),
        pk=pk,
    )


def _blocks(enrolment: Enrolment) -> QuerySet[Block]:
    criteria = Prefetch("criteria", queryset=Criterion.objects.order_by("position"))
    competences = Competence.objects.order_by("number").prefetch_related(criteria)
    return Block.objects.filter(version_id=enrolment.version_id).prefetch_related(
        Prefetch("competences", queryset=competences)
    )


def _attestation(request: HttpRequest, pk: int) -> Attestation:
    visible = Enrolment.objects.visible_to(request.user)
    return get_visible_or_404(
        Attestation.objects.filter(enrolment__in=visible).select_related(
            "enrolment__candidate", "competence__block"
        ),
        pk=pk,
    )


def _refused(form: forms.Form, error: DomainError) -> None:
    """A refusal shown on the form: next to each field it names, or above the form."""
    if isinstance(error, EvidenceRefused):
        for field, message in error.shortfalls:
            if field in form.fields:  # beside its field, whose label the error summary already gives
                form.add_error(field, message.removeprefix(f"{form.fields[field].label} : "))
            else:
                form.add_error(None, message)
    else:
        form.add_error(None, str(error))


def _logbook_url(attestation: Attestation) -> str:
    return reverse("assessments:logbook", args=[attestation.enrolment_id]) + f"#attestation-{attestation.pk}"


@login_required
def logbook(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    if not can_read_logbook(request.user, enrolment):
        raise NotAllowed(
            "Le carnet de suivi appartient au candidat, à son tuteur, à son manager et à ses évaluateurs."
        )
    rows: dict[int, list[AttestationRow]] = {}
    related = ("created_by", "tutor_signed_by", "manager_signed_by", "withdrawn_by")
    for attestation in Attestation.objects.filter(enrolment=enrolment).select_related(*related):
        attestation.enrolment = enrolment
        row = (
            attestation,
            missing_signature(request.user, attestation),
            can_withdraw(request.user, attestation),
        )
        rows.setdefault(attestation.competence_id, []).append(row)
    blocks = [
        (
            block,
            [
                _logbook_entry(competence, rows.get(competence.pk, []))
                for competence in block.competences.all()
            ],
        )
        for block in Block.objects.filter(version_id=enrolment.version_id).prefetch_related("competences")
    ]
    return render(
        request,
        "assessments/logbook.html",
        {"enrolment": enrolment, "blocks": blocks, "can_attest": can_attest(request.user, enrolment)},
    )


def _logbook_entry(
    competence: Competence, rows: list[AttestationRow]
) -> tuple[Competence, list[AttestationRow], int]:
    """A competence, its attestations and how many of them count."""
    return competence, rows, sum(1 for attestation, _, _ in rows if attestation.counts)


@role_required(*SIGNATORIES)
def attestation_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    ensure_signatory(request.user, enrolment)
    competences = Competence.objects.filter(block__version_id=enrolment.version_id).select_related("block")
    form = AttestationForm(
        _posted(request),
        competences=competences.order_by("block__position", "number"),
        initial={"competence": request.GET.get("competence")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            attestation = do_record_attestation(request.user, enrolment, form.attestation_data())
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Attestation enregistrée et signée. {attestation.status}.")
            return redirect(_logbook_url(attestation))
    return render(request, "assessments/attestation_form.html", {"enrolment": enrolment, "form": form})


@role_required(*SIGNATORIES)
@require_POST
def attestation_sign(request: HttpRequest, pk: int) -> HttpResponse:
    attestation = _attestation(request, pk)
    try:
        capacity = do_sign_attestation(request.user, attestation)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Attestation signée en tant que {capacity.label}.")
    return redirect(_logbook_url(attestation))


@role_required(*SIGNATORIES)
def attestation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    attestation = _attestation(request, pk)
    ensure_signatory(request.user, attestation.enrolment)
    form = WithdrawalForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_withdraw_attestation(request.user, attestation, form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(
                request, "L'attestation a été retirée ; elle reste visible dans le carnet avec son motif."
            )
            return redirect(_logbook_url(attestation))
    return render(request, "assessments/withdrawal_form.html", {"attestation": attestation, "form": form})


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Block decisions for everyone who sees the enrolment; observations, criterion results and
    comments only for the candidate and those who assess them (D25)."""
    enrolment = _enrolment(request, pk)
    blocks = list(_blocks(enrolment))
    # D55: a national jury's decision waits for the release time, for the candidate and the employer
    shown_at = None if reads_unreleased_decisions(request.user, enrolment) else timezone.now()
    decisions = {
        decision.block_id: decision
        for decision in BlockDecision.objects.latest_per_block(shown_at)
        .filter(enrolment=enrolment)
        .select_related("decided_by")
    }
    capitalised = capitalised_codes(enrolment, shown_at)
    evidence = can_read_evidence(request.user, enrolment)
    results: dict[int, CriterionResult] = {}
    observations: list[Observation] = []
    if evidence:
        scored = CriterionResult.objects.filter(enrolment=enrolment).select_related("assessed_by")
        results = {result.criterion_id: result for result in scored}
        observations = list(_observations(enrolment))
    entries = [
        {
            "block": block,
            # D25: the employer's side (HR, tutor, manager) sees the outcome, not how it was reached.
            "decision": decisions.get(block.pk) if evidence else None,
            "outcome": _outcome(decisions.get(block.pk)),
            "capitalised": block.code in capitalised,
            "assessable": can_assess(request.user, enrolment, block),
            "observations": [item for item in observations if item.method.block_id == block.pk],
            "competences": [
                (
                    competence,
                    [(criterion, results.get(criterion.pk)) for criterion in competence.criteria.all()],
                )
                for competence in block.competences.all()
            ],
        }
        for block in blocks
    ]
    return render(
        request,
        "assessments/results.html",
        {
            "enrolment": enrolment,
            "entries": entries,
            "evidence": evidence,
            "show_logbook": can_read_logbook(request.user, enrolment),
        },
    )


def _outcome(decision: BlockDecision | None) -> str:
    """A block decision as the employer may see it: its status only, no figure and no reason."""
    return "" if decision is None else decision.get_confirmed_status_display()


def _observations(enrolment: Enrolment) -> QuerySet[Observation]:
    return (
        Observation.objects.filter(enrolment=enrolment)
        .select_related("method__block", "recorded_by")
        .prefetch_related("competences_covered")
    )


def _assessed(request: HttpRequest, pk: int, block_pk: int) -> tuple[Enrolment, Block]:
    """404 when the enrolment or the block is invisible. Whether the user assesses it is checked by
    the service on a write, and by `_block_page` before showing anything (403)."""
    enrolment = _enrolment(request, pk)
    return enrolment, get_visible_or_404(_blocks(enrolment), pk=block_pk)


def _results(enrolment: Enrolment, block: Block) -> dict[int, CriterionResult]:
    scored = CriterionResult.objects.filter(enrolment=enrolment, criterion__competence__block=block)
    return {result.criterion_id: result for result in scored}


def _block_page(
    request: HttpRequest,
    enrolment: Enrolment,
    block: Block,
    scoring: ScoringForm | None = None,
    decision: DecisionForm | None = None,
) -> HttpResponse:
    ensure_assessor(request.user, enrolment, block)
    awaiting = awaiting_observation(enrolment, block)
    if scoring is None and not awaiting:
        scoring = ScoringForm(block=block, results=_results(enrolment, block))
    proposal = propose(enrolment, [block]).blocks[block.code] if uses_blocks(enrolment) else None
    if decision is None:
        # confirming the engine's proposal is one click; departing from it is a choice, with a reason
        final = proposal.status if proposal is not None and proposal.status in CONFIRMED_STATUSES else None
        decision = DecisionForm(initial={"confirmed_status": final} if final else None)
    return render(
        request,
        "assessments/block_assessment.html",
        {
            "enrolment": enrolment,
            "assessed_block": block,
            "awaiting": awaiting,
            "observations": _observations(enrolment).filter(method__block=block),
            "methods": block.methods.exclude(kind=AssessmentMethodKind.LOGBOOK),
            "scoring": scoring,
            "proposal": proposal,
            "decision_form": decision,
            "decisions": BlockDecision.objects.filter(enrolment=enrolment, block=block).select_related(
                "decided_by"
            ),
        },
    )


@role_required(Role.ASSESSOR)
def block_assessment(request: HttpRequest, pk: int, block_pk: int) -> HttpResponse:
    enrolment, block = _assessed(request, pk, block_pk)
    if request.method != "POST":
        return _block_page(request, enrolment, block)
    form = ScoringForm(request.POST, block=block, results=_results(enrolment, block))
    if form.is_valid():
        try:
            changed = do_score_criteria(request.user, enrolment, block, form.scores())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if not request.headers.get(LIVE_SAVE_HEADER):  # a live save shows its result in place
                messages.success(request, _saved(changed))
            return redirect("assessments:block_assessment", pk=enrolment.pk, block_pk=block.pk)
    return _block_page(request, enrolment, block, scoring=form)


LIVE_SAVE_HEADER = "X-Live-Save"  # sent by assessments.js for each change saved as it is made


def _saved(changed: int) -> str:
    if not changed:
        return "Grille enregistrée : aucun changement."
    return f"Grille enregistrée : {changed} {'critère mis' if changed == 1 else 'critères mis'} à jour."


@role_required(Role.ASSESSOR)
@require_POST
def block_decision(request: HttpRequest, pk: int, block_pk: int) -> HttpResponse:
    enrolment, block = _assessed(request, pk, block_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = do_decide_block(
                request.user, enrolment, block, data["confirmed_status"], data["override_reason"]
            )
        except OverrideWithoutReason as error:
            form.add_error("override_reason", str(error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Décision enregistrée pour le bloc {block.code} : {decision.get_confirmed_status_display()}.",
            )
            return redirect(
                reverse("assessments:block_assessment", args=[enrolment.pk, block.pk]) + "#decision"
            )
    return _block_page(request, enrolment, block, decision=form)


@role_required(Role.ASSESSOR)
def observation_create(request: HttpRequest, pk: int, method_pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    method = get_visible_or_404(
        AssessmentMethod.objects.filter(block__version_id=enrolment.version_id)
        .exclude(kind=AssessmentMethodKind.LOGBOOK)
        .select_related("block"),
        pk=method_pk,
    )
    ensure_assessor(request.user, enrolment, method.block)
    form = ObservationForm(_posted(request), method=method)
    if request.method == "POST" and form.is_valid():
        try:
            do_record_observation(request.user, enrolment, method, form.observation_data())
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(
                request, "L'épreuve observée est enregistrée : les critères du bloc peuvent être évalués."
            )
            return redirect("assessments:block_assessment", pk=enrolment.pk, block_pk=method.block_id)
    return render(
        request,
        "assessments/observation_form.html",
        {"enrolment": enrolment, "method": method, "assessed_block": method.block, "form": form},
    )
