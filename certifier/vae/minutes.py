"""The minutes (procès-verbal) of a VAE jury session (D67, D54) and the proclamation they carry.

The president asks for the signature; a job draws the minutes from the data (reportlab), signs them
PAdES with the certifier's key and keeps their SHA-256, then, the session locked, checks that what it
drew is still the data and proclaims in one transaction: the minutes, each application decided and
written to an enrolment (the candidate's in the version, or one opened with the access route VAE), the
blocks validated joining the table capitalisation reads (D18, source VAE). After that commit the same
job issues the certificates (a CCP per block validated, the CQP for a full validation); run again after
a failure, it issues only what is missing."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.platypus import LongTable, Spacer, TableStyle
from reportlab.platypus.flowables import Flowable
from simple_history.utils import bulk_create_with_history

from certifier.assessments.enums import BlockStatus
from certifier.assessments.models import BlockDecision
from certifier.certificates.issuance import Context, Declaration, issue_for
from certifier.certificates.models import CertificateKind, VaeRoute
from certifier.core import jobs
from certifier.core.audit import record_event, record_events
from certifier.core.enums import AuditAction, DecisionSource, JobKind, JobStatus
from certifier.core.models import STALLED_AFTER, DomainError, Job, NotAllowed
from certifier.core.pdf import document, paragraph, styles
from certifier.core.text import count
from certifier.exams.documents import long_date
from certifier.juries.signing import sign_pdf
from certifier.pathways.models import Enrolment
from certifier.pathways.rules import display_name
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Block

from .enums import ApplicationStatus, VaeOutcome
from .jury import composition_problems, needs_slot
from .models import VaeCandidacy, VaeDecision, VaeJuryMember, VaeJurySession, VaeMinutes
from .outcome import locked

VAE_JURY = "jury de validation des acquis de l'expérience"
TITLE = "Procès-verbal du jury de validation des acquis de l'expérience"
NOT_ALLOWED = "Seul le président du jury VAE signe son procès-verbal."
GONE = "La session du jury VAE n'existe plus : aucun procès-verbal n'a été signé."
CHANGED = (
    "Les décisions ou la composition du jury ont changé pendant la production du procès-verbal : rien "
    "n'a été signé ni proclamé. Relancez la signature."
)
UNISSUED = (
    "Le procès-verbal est signé et les décisions proclamées, mais les certificats n'ont pas tous été "
    "émis : {reason} Relancez le traitement une fois le problème corrigé (ceux déjà émis le restent)."
)
FONT_SIZE = 8


# --- what the minutes say -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberLine:
    name: str
    capacity: str
    qualified: bool
    president: bool


@dataclass(frozen=True)
class CandidateLine:
    name: str
    route: str  # « Entretien le … » or « Sur dossier seul (D66) »
    outcome: str
    validated: str  # the blocks validated by the jury, by code
    held: str  # the blocks already held before the jury
    proposal: str  # the engine's, when the jury departed from it
    override_reason: str
    argument: str
    vote: str


@dataclass(frozen=True)
class MinutesData:
    """Everything the minutes print, read from the data; compared again before the signature is kept."""

    certification: str
    held_on: date
    place: str
    members: tuple[MemberLine, ...]
    president: MemberLine | None
    candidates: tuple[CandidateLine, ...]


def _vote(decision: VaeDecision) -> str:
    text = (
        f"{count(decision.votes_for, 'voix pour', 'voix pour')}, "
        f"{count(decision.votes_against, 'voix contre', 'voix contre')}, "
        f"{count(decision.abstentions, 'abstention', 'abstentions')}"
    )
    if decision.casting_vote:
        text += " ; égalité départagée par la voix prépondérante du président"
    return text


def _route(candidacy: VaeCandidacy) -> str:
    if not needs_slot(candidacy):
        return "Sur dossier seul"
    assert candidacy.interview_at is not None
    text = f"Entretien le {timezone.localtime(candidacy.interview_at):%d/%m/%Y à %H:%M}"
    if candidacy.interview_requested_at:
        text += f", demandé par le jury : {candidacy.interview_request_reason}"
    return text


def _codes(blocks: dict[str, str], status: str) -> str:
    return ", ".join(code for code, value in blocks.items() if value == status) or "aucun"


def _candidate_line(decision: VaeDecision) -> CandidateLine:
    candidacy = decision.candidacy
    candidate = candidacy.application.candidate
    departs = decision.proposed_status != decision.confirmed_status
    return CandidateLine(
        name=display_name(candidate.birth_name, candidate.usage_name, candidate.first_name),
        route=_route(candidacy),
        outcome=VaeOutcome(decision.confirmed_status).label,
        validated=_codes(decision.blocks, BlockStatus.VALIDATED),
        held=", ".join(
            code
            for code in decision.record.get("capitalised", [])
            if decision.blocks.get(code) != "validated"
        )
        or "aucun",
        proposal=VaeOutcome(decision.proposed_status).label if departs else "",
        override_reason=decision.override_reason,
        argument=decision.argument,
        vote=_vote(decision),
    )


def _member_line(member: VaeJuryMember) -> MemberLine:
    return MemberLine(
        f"{member.first_name} {member.last_name}", member.capacity, member.qualified, member.president
    )


def decisions_of(session: VaeJurySession) -> list[VaeDecision]:
    return list(
        VaeDecision.objects.filter(candidacy__session=session)
        .select_related("candidacy__application__candidate")
        .order_by(
            "candidacy__application__candidate__birth_name",
            "candidacy__application__candidate__first_name",
            "pk",
        )
    )


def minutes_data(session: VaeJurySession) -> MinutesData:
    """The minutes' content of `session`, in four queries whatever the number of candidates."""
    version = session.version
    certification = version.certification
    members = tuple(
        _member_line(member) for member in session.members.order_by("-president", "last_name", "first_name")
    )
    return MinutesData(
        certification=f"{certification.title} ({certification.number}), {version.label}",
        held_on=session.held_on,
        place=session.place,
        members=members,
        president=next((member for member in members if member.president), None),
        candidates=tuple(_candidate_line(decision) for decision in decisions_of(session)),
    )


# --- the PDF ------------------------------------------------------------------------------------


def draw_minutes(data: MinutesData) -> bytes:
    """The minutes as an unsigned PDF (A4, numbered pages)."""
    sheet = styles()
    body, heading, title = sheet["BodyText"], sheet["Heading2"], sheet["Title"]
    small = body.clone("small", fontSize=FONT_SIZE, leading=10)
    story: list[Flowable] = [
        paragraph(TITLE, title),
        paragraph(data.certification, body),
        paragraph(f"Séance du {long_date(data.held_on)}, {data.place}", body),
        paragraph("Composition du jury", heading),
    ]
    rows: list[list[Any]] = [["Membre", "Qualité", "Qualifié pour la certification"]]
    rows += [
        [
            paragraph(member.name + (" (présidence)" if member.president else ""), small),
            paragraph(member.capacity, small),
            "oui" if member.qualified else "non",
        ]
        for member in data.members
    ]
    story.append(_grid(rows, [5.5 * cm, 7.5 * cm, 4 * cm]))
    if data.president:
        story.append(paragraph(f"Présidence du jury (voix prépondérante) : {data.president.name}", body))
    story.append(paragraph(f"Décisions ({count(len(data.candidates), 'candidat', 'candidats')})", heading))
    for line in data.candidates:
        rows = [
            ["Candidat", paragraph(line.name, small)],
            ["Modalité", paragraph(line.route, small)],
            ["Décision du jury", paragraph(line.outcome, small)],
            ["Blocs validés par le jury", paragraph(line.validated, small)],
            ["Blocs déjà acquis", paragraph(line.held, small)],
            ["Motivation", paragraph(line.argument, small)],
            ["Vote", paragraph(line.vote, small)],
        ]
        if line.proposal:
            rows.insert(
                3,
                [
                    "Proposition du moteur",
                    paragraph(
                        f"{line.proposal} — motif de la décision différente : {line.override_reason}", small
                    ),
                ],
            )
        story += [_grid(rows, [4.5 * cm, 12.5 * cm], header=False), Spacer(1, 8)]
    story += [Spacer(1, 12), paragraph("Pour le jury de validation des acquis de l'expérience,", body)]
    if data.president:
        story.append(paragraph(f"{data.president.name}, {data.president.capacity}, présidence du jury", body))
    story.append(paragraph("Signé électroniquement (signature PAdES du certificateur, Ucanss).", small))
    return document(TITLE, story)


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> LongTable:
    grid = LongTable(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    # the header row in bold, or else the first column (label, value)
    bold = ((0, 0), (-1, 0)) if header else ((0, 0), (0, -1))
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
                ("FONTNAME", *bold, "Helvetica-Bold"),
            ]
        )
    )
    return grid


# --- who reads, who signs -----------------------------------------------------------------------


def is_president(user: Any, session: VaeJurySession) -> bool:
    return user.is_authenticated and session.members.filter(user=user, president=True).exists()


def signed_minutes(session: VaeJurySession) -> VaeMinutes | None:
    return VaeMinutes.objects.filter(session=session).select_related("signed_by").first()


def request_name(session: VaeJurySession) -> str:
    return f"vae-minutes-session-{session.pk}.json"


def latest_job(session: VaeJurySession) -> Job | None:
    return Job.objects.filter(kind=JobKind.VAE_MINUTES, file_name=request_name(session)).first()


def _signing(session: VaeJurySession) -> bool:
    alive = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat__gte=timezone.now() - STALLED_AFTER
    )
    return Job.objects.filter(alive, kind=JobKind.VAE_MINUTES, file_name=request_name(session)).exists()


def signing_refusal(actor: Any, session: VaeJurySession) -> str | None:
    """Why the minutes of `session` cannot be signed now, in French; None when they can. Raises
    NotAllowed for anyone but the president."""
    if actor is None or not is_president(actor, session):
        raise NotAllowed(NOT_ALLOWED)
    if VaeMinutes.objects.filter(session=session).exists():
        return "Le procès-verbal de ce jury VAE est déjà signé."
    problems = composition_problems(session)
    if problems:
        return "La composition du jury VAE ne permet pas de signer : " + " ".join(problems)
    candidacies = session.candidacies.count()
    if not candidacies:
        return "Aucun candidat n'est inscrit devant ce jury VAE : il n'y a rien à signer."
    missing = candidacies - VaeDecision.objects.filter(candidacy__session=session).count()
    if missing:
        return (
            f"Le jury n'a pas statué sur {count(missing, 'candidat', 'candidats')} : il statue sur chacun "
            "avant la signature du procès-verbal."
        )
    return None


@transaction.atomic
def do_sign_minutes(actor: Any, session: VaeJurySession) -> Job:
    """D67, D54: the president signs the minutes of the session, in a job that proclaims its decisions
    and issues the certificates."""
    if refusal := signing_refusal(actor, session):
        raise DomainError(refusal)
    if _signing(session):
        raise DomainError("La signature de ce procès-verbal est déjà en cours : attendez qu'elle se termine.")
    payload = json.dumps({"session": session.pk}).encode()
    return jobs.start(JobKind.VAE_MINUTES, actor, ContentFile(payload, name=request_name(session)))


@jobs.runs(JobKind.VAE_MINUTES)
@task()
def sign_minutes(job_id: int) -> None:
    jobs.run(job_id, _work)


def _work(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    with job.file.open("rb") as stored:
        payload = json.load(stored)
    session = (
        VaeJurySession.objects.select_related("version__certification").filter(pk=payload["session"]).first()
    )
    if session is None:
        return jobs.Outcome(GONE, failed=True)
    minutes = signed_minutes(session)
    if minutes is None:  # not signed yet (a job run again after a failed issue skips to the certificates)
        try:
            if refusal := signing_refusal(job.started_by, session):
                return jobs.Outcome(refusal, failed=True)
            data = minutes_data(session)
            signed = sign_pdf(draw_minutes(data), reason=TITLE, location=data.place)
            with transaction.atomic():
                minutes = _keep(job.started_by, session, data, signed)
        except (DomainError, NotAllowed) as refused:  # SigningUnavailable is a DomainError
            return jobs.Outcome(str(refused), failed=True)
    decisions = decisions_of(session)
    details = [f"Empreinte SHA-256 : {minutes.sha256}", f"Décisions : {len(decisions)}"]
    try:
        issued = issue_certificates(job.started_by, session, minutes, decisions)
    except DomainError as refused:  # SigningUnavailable included
        return jobs.Outcome(UNISSUED.format(reason=refused), details, failed=True)
    kinds = [certificate.kind for certificate in issued]
    details += [
        f"CCP émis : {kinds.count(CertificateKind.CCP)}",
        f"CQP émis : {kinds.count(CertificateKind.CQP)}",
    ]
    return jobs.Outcome("Procès-verbal signé : les décisions du jury VAE sont proclamées.", details)


def _keep(actor: Any, session: VaeJurySession, data: MinutesData, signed: bytes) -> VaeMinutes:
    """Under the session's lock: what was drawn is still the data; the minutes kept, the decisions
    proclaimed, the validated blocks written, all audited."""
    session = locked(
        VaeJurySession.objects.select_related("version__certification").filter(pk=session.pk)
    ).get()
    if refusal := signing_refusal(actor, session):
        raise DomainError(refusal)
    if minutes_data(session) != data:
        raise DomainError(CHANGED)
    now = timezone.now()
    digest = hashlib.sha256(signed).hexdigest()
    minutes = VaeMinutes(session=session, sha256=digest, signed_by=actor, signed_at=now)
    minutes.file.save(f"pv-jury-vae-{session.pk}.pdf", ContentFile(signed), save=False)
    try:
        minutes.save()
        decisions = decisions_of(session)
        enrolments = _proclaim(session, decisions)
        written = _write_block_decisions(actor, session, decisions, enrolments, now)
        record_event(
            AuditAction.VAE_MINUTES_SIGNED,
            minutes,
            actor=actor,
            after={
                "session": session.pk,
                "sha256": digest,
                "decisions": {str(d.candidacy.application_id): d.confirmed_status for d in decisions},
                "enrolments": {str(application): enrolment for application, enrolment in enrolments.items()},
                "block_decisions": len(written),
            },
        )
    except Exception:
        minutes.file.delete(save=False)  # nothing kept: no file left without its row
        raise
    return minutes


def _proclaim(session: VaeJurySession, decisions: list[VaeDecision]) -> dict[int, int]:
    """Each application decided, written to the candidate's enrolment in the version, or to one opened
    with the access route VAE at the application's CRFP. Returns the enrolment id by application id."""
    applications = [decision.candidacy.application for decision in decisions]
    existing = dict(
        Enrolment.objects.filter(
            version=session.version,
            candidate_id__in=[application.candidate_id for application in applications],
        ).values_list("candidate_id", "pk")
    )
    enrolments = {}
    for application in applications:
        enrolment_id = existing.get(application.candidate_id)
        if enrolment_id is None:
            enrolment_id = Enrolment.objects.create(
                candidate_id=application.candidate_id,
                version=session.version,
                access_route=AccessRouteKind.VAE,
                training_centre_id=application.training_centre_id,
                start_date=timezone.localdate(application.filed_at or application.created_at),
            ).pk
        application.enrolment_id = enrolment_id
        application.status = ApplicationStatus.DECIDED
        application.save(update_fields=["enrolment", "status"])
        enrolments[application.pk] = enrolment_id
    return enrolments


def _write_block_decisions(
    actor: Any,
    session: VaeJurySession,
    decisions: list[VaeDecision],
    enrolments: dict[int, int],
    signed_at: datetime,
) -> list[BlockDecision]:
    """D18: each block the VAE jury validated joins the table capitalisation reads (source VAE),
    read by the candidate and the employer from the signature."""
    blocks = {block.code: block for block in Block.objects.filter(version=session.version)}
    written = [
        BlockDecision(
            source=DecisionSource.VAE,
            enrolment_id=enrolments[decision.candidacy.application_id],
            block=blocks[code],
            proposed_status=BlockStatus.VALIDATED,
            confirmed_status=BlockStatus.VALIDATED,
            explanation=decision.explanation,
            # the jury's date and place, which the results portal prints (the juries read no vae table)
            record={
                **decision.record,
                "vae_jury": {"held_on": session.held_on.isoformat(), "place": session.place},
            },
            rule_set_id=decision.rule_set_id,
            rule_set_version=decision.rule_set_version,
            rule_set_hash=decision.rule_set_hash,
            decided_by=decision.decided_by,
            shown_from=signed_at,
        )
        for decision in decisions
        for code, status in decision.blocks.items()
        if status == BlockStatus.VALIDATED
    ]
    created: list[BlockDecision] = bulk_create_with_history(
        written, BlockDecision, default_user=actor, default_change_reason="Décision du jury VAE"
    )
    record_events(
        AuditAction.BLOCK_DECISION_CONFIRMED,
        [
            (
                decision,
                None,
                {
                    "source": DecisionSource.VAE.value,
                    "block": decision.block.code,
                    "confirmed_status": decision.confirmed_status,
                    "shown_from": signed_at.isoformat(),
                },
            )
            for decision in created
        ],
        actor=actor,
    )
    return created


# --- the certificates ---------------------------------------------------------------------------


def issue_certificates(
    actor: Any, session: VaeJurySession, minutes: VaeMinutes, decisions: list[VaeDecision]
) -> list[Any]:
    """D59, D67: the certificates each proclaimed decision delivers that its holder does not hold yet
    (one transaction per candidate, in the certificates app): a CCP per block validated, the CQP for a
    full validation."""
    blocks = list(Block.objects.filter(version=session.version).order_by("position", "code"))
    president = session.members.filter(president=True).first()
    issued = []
    for decision in decisions:
        application = decision.candidacy.application
        validated = frozenset(
            code for code, status in decision.blocks.items() if status == BlockStatus.VALIDATED
        )
        certified = decision.confirmed_status == VaeOutcome.FULL
        if not validated and not certified:
            continue
        submitted = application.dossier_submitted_at or minutes.signed_at
        assert application.enrolment_id is not None  # set by the proclamation
        context = Context(
            candidate=application.candidate,
            enrolment_id=application.enrolment_id,
            version=session.version,
            blocks=blocks,
            validated=validated,
            certified=certified,
            jury_date=session.held_on,
            jury_place=session.place,
            president_name=f"{president.first_name} {president.last_name}" if president else "",
            president_capacity=president.capacity if president else "",
            declaration=Declaration(
                access_route=AccessRouteKind.VAE,
                vae_route=VaeRoute.LEAVE if application.vae_leave else VaeRoute.STANDARD,
                assessed_from=min(timezone.localdate(submitted), session.held_on),
                assessed_to=session.held_on,
                public_from=minutes.signed_at,
            ),
            reference={"vae_decision": decision.pk},
            jury_name=VAE_JURY,
        )
        issued += issue_for(context, actor)
    return issued
