"""The minutes (procès-verbal) of the national jury (D54) and the proclamation they carry (D55, D56).

The minutes are drawn from the data (reportlab), signed PAdES by the certifier (`signing`) and their
SHA-256 kept, in a job: the request only names the deliberation and the release time. The job draws
and signs outside any transaction, then, the deliberation locked, checks that what it drew is still
the data (a decision recorded meanwhile fails the job rather than a PV that says otherwise), stores
the minutes and, for the original deliberation, proclaims the session's results: from then on no mark
or decision of the session changes (D55); for the blocks scheme the jury's block decisions join the
table capitalisation reads (D18). Signing an amendment's minutes puts its decisions in force and
tells the certificates app (`signals.decision_amended`)."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_tasks import task
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import LongTable, Paragraph, Spacer, TableStyle
from reportlab.platypus.flowables import Flowable
from simple_history.utils import bulk_create_with_history

from certifier.assessments.enums import CONFIRMED_STATUSES, BlockStatus
from certifier.assessments.models import BlockDecision
from certifier.core import jobs
from certifier.core.audit import record_event, record_events
from certifier.core.enums import AuditAction, DecisionSource, JobKind, JobStatus
from certifier.core.models import STALLED_AFTER, DomainError, Job, NotAllowed
from certifier.core.pdf import document, paragraph, styles
from certifier.core.text import count
from certifier.exams.documents import long_date, session_title
from certifier.exams.models import ExamSession, Registration
from certifier.pathways.rules import display_name
from certifier.people.enums import Role
from certifier.people.permissions import has_role
from certifier.referential.enums import Scheme
from certifier.referential.models import Block

from .deliberation import proposals
from .models import (
    College,
    Conflict,
    Deliberation,
    Jury,
    JuryDecision,
    JuryMember,
    JuryStatus,
    MemberRole,
    Minutes,
)
from .notifications import schedule_results_notices
from .permissions import may_run_sitting, seat_of
from .signals import decision_amended, results_proclaimed
from .signing import SigningUnavailable, sign_pdf
from .sitting import quorum

PROGRESS_EVERY = 250  # candidates between two progress reports
NOT_ALLOWED = "Seuls le président du jury national et l'administrateur national signent le procès-verbal."
GONE = "La délibération n'existe plus : aucun procès-verbal n'a été signé."
CHANGED = (
    "Les décisions ou la feuille de présence ont changé pendant la production du procès-verbal : "
    "rien n'a été signé ni proclamé. Relancez la signature."
)
FONT_SIZE = 8
CELL_PADDING = 6  # reportlab's default, left and right
# the candidates' table, by its number of columns (17 cm: A4 less its margins)
# the candidate number first: 14 characters of the widest glyphs ("WWWW-WWWW-WWWW") fit on one line
NUMBER_WIDTH = 3.9 * cm
COLUMNS = {
    3: [NUMBER_WIDTH, 6.5 * cm, 6.6 * cm],
    4: [NUMBER_WIDTH, 4.6 * cm, 3 * cm, 5.5 * cm],
    5: [NUMBER_WIDTH, 3.7 * cm, 2.8 * cm, 3.3 * cm, 3.3 * cm],
}


# --- what the minutes say -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberLine:
    name: str
    college: str  # « Collège salarié (CFDT) », « Collège employeur », empty for the chair
    capacity: str


@dataclass(frozen=True)
class CandidateLine:
    number: str
    name: str
    decision: str
    blocks: str  # blocks scheme: « validés : B1, B2 ; non validés : B3 »
    departs: bool  # the jury departed from the engine's proposal
    proposal: str
    reason: str
    votes: str  # « 5 pour, 1 contre, 0 abstention », empty when not voted
    amended: str  # in an amendment: the decision it corrects


@dataclass(frozen=True)
class MinutesData:
    """Everything the minutes print, read from the data; compared before the signature is kept."""

    title: str
    certification: str
    session: str
    held_on: date
    place: str
    amendment_reason: str  # empty for the original deliberation
    amends: str  # the original deliberation, for an amendment
    present: tuple[MemberLine, ...]
    chair: MemberLine | None
    quorum: str
    quorum_reached: bool
    candidates: tuple[CandidateLine, ...]

    @property
    def departures(self) -> tuple[CandidateLine, ...]:
        return tuple(line for line in self.candidates if line.departs)


def _member_line(member: JuryMember) -> MemberLine:
    college = ""
    if member.college:
        college = College(member.college).label
        if member.confederation:
            college += f" ({member.confederation})"
    return MemberLine(f"{member.first_name} {member.last_name}", college, member.capacity)


def _blocks_text(blocks: dict[str, str], codes: Sequence[str]) -> str:
    parts = []
    for status, label in (
        (BlockStatus.VALIDATED, "blocs validés"),
        (BlockStatus.NOT_VALIDATED, "non validés"),
    ):
        chosen = [code for code in codes if blocks.get(code) == status]
        if chosen:
            parts.append(f"{label} : {', '.join(chosen)}")
    return " ; ".join(parts)


def _votes(decision: JuryDecision) -> str:
    if decision.votes_for is None:
        return ""
    return (
        f"{count(decision.votes_for, 'voix pour', 'voix pour')}, "
        f"{count(decision.votes_against or 0, 'voix contre', 'voix contre')}, "
        f"{count(decision.abstentions or 0, 'abstention', 'abstentions')}"
    )


def _status_label(status: str) -> str:
    return JuryStatus(status).label


def decisions_of(deliberation: Deliberation) -> QuerySet[JuryDecision]:
    return (
        JuryDecision.objects.filter(deliberation=deliberation)
        .select_related("registration__enrolment__candidate", "amends__deliberation")
        .order_by("registration__candidate_number")
    )


def minutes_data(deliberation: Deliberation) -> MinutesData:
    """The minutes' content of `deliberation`, in a handful of queries whatever the number of candidates."""
    jury = deliberation.jury
    session = jury.session
    version = session.version
    codes = (
        list(
            Block.objects.filter(version=version).order_by("position", "code").values_list("code", flat=True)
        )
        if version.scheme == Scheme.BLOCKS
        else []
    )
    present = sorted(
        deliberation.present.all(), key=lambda member: (member.role, member.college, member.last_name)
    )
    chair = jury.members.filter(role=MemberRole.CHAIR).first()
    reached = quorum(jury, present)
    candidates = []
    for decision in decisions_of(deliberation):
        candidate = decision.registration.enrolment.candidate
        departs = decision.confirmed_status != decision.proposed_status or (
            decision.blocks != decision.proposed_blocks
        )
        proposal = _status_label(decision.proposed_status)
        if codes and decision.proposed_blocks:
            proposal += f" ({_blocks_text(decision.proposed_blocks, codes)})"
        amended = ""
        if decision.amends is not None:
            amended = (
                f"{_status_label(decision.amends.confirmed_status)} "
                f"(délibération du {decision.amends.deliberation.held_on:%d/%m/%Y})"
            )
        candidates.append(
            CandidateLine(
                number=decision.registration.candidate_number,
                name=display_name(candidate.birth_name, candidate.usage_name, candidate.first_name),
                decision=_status_label(decision.confirmed_status)
                + (" (fraude établie)" if decision.fraud else ""),
                blocks=_blocks_text(decision.blocks, codes) if codes else "",
                departs=departs,
                proposal=proposal,
                reason=decision.override_reason,
                votes=_votes(decision),
                amended=amended,
            )
        )
    certification = version.certification
    amends = ""
    if deliberation.amends is not None:
        amends = f"Délibération du {deliberation.amends.held_on:%d/%m/%Y}"
        signed = Minutes.objects.filter(deliberation=deliberation.amends).first()
        if signed is not None:
            amends += f", procès-verbal signé le {timezone.localtime(signed.signed_at):%d/%m/%Y} (SHA-256 {signed.sha256})"
    return MinutesData(
        title=("Procès-verbal rectificatif" if deliberation.is_amendment else "Procès-verbal")
        + " du jury national paritaire",
        certification=f"{certification.title} ({certification.number}), {version.label}",
        session=session_title(session),
        held_on=deliberation.held_on,
        place=deliberation.place,
        amendment_reason=deliberation.reason,
        amends=amends,
        present=tuple(_member_line(member) for member in present if member.votes),
        chair=_member_line(chair) if chair else None,
        quorum=reached.label,
        quorum_reached=reached.reached,
        candidates=tuple(candidates),
    )


# --- the PDF ------------------------------------------------------------------------------------


def draw_minutes(data: MinutesData, progress: jobs.Progress | None = None) -> bytes:
    """The minutes as an unsigned PDF (A4, numbered pages, the candidates' table repeated headers)."""
    sheet = styles()
    body, heading, title = sheet["BodyText"], sheet["Heading2"], sheet["Title"]
    small = sheet["BodyText"].clone("small", fontSize=FONT_SIZE, leading=10)
    story: list[Flowable] = [
        paragraph(data.title, title),
        paragraph(data.certification, body),
        paragraph(f"{data.session} — séance du {long_date(data.held_on)}, {data.place}", body),
    ]
    if data.amendment_reason:
        story += [
            paragraph("Rectificatif", heading),
            paragraph(f"Délibération rectifiée : {data.amends}", body),
            paragraph(f"Motif du rectificatif : {data.amendment_reason}", body),
        ]
    story.append(paragraph("Composition et quorum", heading))
    if data.chair:
        story.append(
            paragraph(
                f"Présidence du jury (Ucanss, sans voix délibérative) : {data.chair.name}",
                body,
            )
        )
    rows: list[list[Any]] = [["Membre présent", "Collège", "Qualité"]]
    rows += [
        [paragraph(m.name, small), paragraph(m.college, small), paragraph(m.capacity, small)]
        for m in data.present
    ]
    story += [_grid(rows, [5 * cm, 5 * cm, 7 * cm]), Spacer(1, 6), paragraph(data.quorum, body)]

    total = len(data.candidates)
    story.append(paragraph(f"Décisions ({count(total, 'candidat', 'candidats')})", heading))
    header = ["N° de candidat", "Nom", "Décision du jury"]
    blocks = any(line.blocks for line in data.candidates)
    if blocks:
        header.append("Blocs")
    if data.amendment_reason:
        header.append("Décision rectifiée")
    widths = COLUMNS[len(header)]
    rows = [[_cell(text, width, small) for text, width in zip(header, widths, strict=True)]]
    for done, line in enumerate(data.candidates, start=1):
        texts = [line.number, line.name, line.decision]
        if blocks:
            texts.append(line.blocks)
        if data.amendment_reason:
            texts.append(line.amended)
        rows.append([_cell(text, width, small) for text, width in zip(texts, widths, strict=True)])
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    story.append(_grid(rows, widths))

    story.append(paragraph("Décisions différentes de la proposition du moteur de décision", heading))
    departures = data.departures
    if not departures:
        story.append(paragraph("Le jury a suivi la proposition pour chaque candidat.", body))
    else:
        rows = [["Candidat", "Proposition", "Décision", "Motif", "Vote"]]
        rows += [
            [
                paragraph(f"{line.number} {line.name}", small),
                paragraph(line.proposal, small),
                paragraph(line.decision + (f" ({line.blocks})" if line.blocks else ""), small),
                paragraph(line.reason, small),
                paragraph(line.votes, small),
            ]
            for line in departures
        ]
        story.append(_grid(rows, [3.4 * cm, 3.2 * cm, 3.2 * cm, 4.4 * cm, 2.8 * cm]))

    story += [Spacer(1, 18), paragraph("Pour le jury national paritaire,", body)]
    if data.chair:
        story.append(paragraph(f"{data.chair.name}, pour la présidence du jury", body))
    story.append(paragraph("Signé électroniquement (signature PAdES du certificateur, Ucanss).", small))
    pdf = document(data.title, story)
    if progress:
        progress(total, total)
    return pdf


def _cell(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """A table cell: the plain text when it fits its column on one line (drawn fast), else wrapped."""
    if stringWidth(text, "Helvetica-Bold", FONT_SIZE) <= width - 2 * CELL_PADDING:
        return text
    return paragraph(text, style)


def _grid(rows: list[list[Any]], widths: list[float]) -> LongTable:
    grid = LongTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ]
        )
    )
    return grid


# --- who reads, who signs -----------------------------------------------------------------------


def may_read_minutes(user: Any, jury: Jury) -> bool:
    """D54: the national administrator, the CPNEFP and the members of this jury."""
    return has_role(user, Role.NATIONAL_ADMIN, Role.CPNEFP) or seat_of(user, jury) is not None


def get_deliberation_or_404(user: Any, pk: int) -> Deliberation:
    deliberation = get_object_or_404(
        Deliberation.objects.select_related(
            "jury__session__version__certification", "amends", "minutes__signed_by"
        ),
        pk=pk,
    )
    if not may_read_minutes(user, deliberation.jury):
        raise Http404("Ce procès-verbal n'existe pas ou ne vous est pas accessible.")
    return deliberation


def signed_minutes(deliberation: Deliberation) -> Minutes | None:
    return Minutes.objects.filter(deliberation=deliberation).select_related("signed_by").first()


def request_name(deliberation: Deliberation) -> str:
    return f"minutes-deliberation-{deliberation.pk}.json"


def latest_job(deliberation: Deliberation) -> Job | None:
    return Job.objects.filter(kind=JobKind.MINUTES, file_name=request_name(deliberation)).first()


def _signing(deliberation: Deliberation) -> bool:
    alive = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat__gte=timezone.now() - STALLED_AFTER
    )
    return Job.objects.filter(alive, kind=JobKind.MINUTES, file_name=request_name(deliberation)).exists()


def undecided(deliberation: Deliberation) -> QuerySet[Registration]:
    """The session's registrations without a decision in this deliberation."""
    return Registration.objects.filter(session=deliberation.jury.session_id).exclude(
        jury_decisions__deliberation=deliberation
    )


def signing_refusal(actor: Any, deliberation: Deliberation) -> str | None:
    """Why the minutes of `deliberation` cannot be signed now, in French; None when they can. Raises
    NotAllowed for anyone but the chair and the national administrator."""
    jury = deliberation.jury
    if actor is None or not may_run_sitting(actor, jury):
        raise NotAllowed(NOT_ALLOWED)
    if Minutes.objects.filter(deliberation=deliberation).exists():
        return "Le procès-verbal de cette délibération est déjà signé."
    if (
        not deliberation.is_amendment
        and ExamSession.objects.filter(pk=jury.session_id, proclaimed_at__isnull=False).exists()
    ):
        return "Les résultats de cette session sont déjà proclamés."
    if not jury.members.filter(role=MemberRole.CHAIR).exists():
        return "Le jury n'a pas de président : le procès-verbal porte sa signature, désignez-le d'abord."
    reached = quorum(jury, deliberation.present.all())
    if not reached.reached:
        return f"Le procès-verbal ne peut être signé. {reached.label}"
    if deliberation.is_amendment:
        if not deliberation.decisions.exists():
            return "Ce rectificatif ne compte aucune décision : il n'y a rien à signer."
    else:
        missing = undecided(deliberation).count()
        if missing:
            return (
                f"Le jury n'a pas statué sur {count(missing, 'candidat', 'candidats')} de la session : "
                "il statue sur chacun avant la signature du procès-verbal."
            )
    return _votes_refusal(deliberation)


# the candidates a refusal names; the others are counted
NAMED = 10


def _named(decisions: Sequence[JuryDecision]) -> str:
    """« MARTIN Léa (n° …), DURAND Paul (n° …) », the first NAMED of them, the others counted."""
    names = []
    for decision in decisions[:NAMED]:
        candidate = decision.registration.enrolment.candidate
        name = display_name(candidate.birth_name, candidate.usage_name, candidate.first_name)
        names.append(f"{name} (n° {decision.registration.candidate_number})")
    if len(decisions) > NAMED:
        names.append(f"et {count(len(decisions) - NAMED, 'autre', 'autres')}")
    return ", ".join(names)


def _votes_refusal(deliberation: Deliberation) -> str | None:
    """D52: each vote recorded (a departure from the proposal, or an amendment's change from the
    decision in force) counts the members entitled to vote on its candidate as the sitting stands now:
    present, not the chair, not in conflict with them; the attendance or a conflict changed since, the
    jury votes again. In three queries, whatever the number of candidates."""
    voted = list(
        deliberation.decisions.filter(votes_for__isnull=False)
        .select_related("registration__enrolment__candidate")
        .order_by("registration__enrolment__candidate__birth_name", "registration__candidate_number")
    )
    if not voted:
        return None
    voting = {member.pk for member in deliberation.present.all() if member.votes}
    conflicted: dict[int, set[int]] = {}
    for member_id, registration_id in Conflict.objects.filter(
        registration__in=[decision.registration_id for decision in voted], member_id__in=voting
    ).values_list("member_id", "registration_id"):
        conflicted.setdefault(registration_id, set()).add(member_id)
    wrong = [
        decision
        for decision in voted
        if (decision.votes_for or 0) + (decision.votes_against or 0) + (decision.abstentions or 0)
        != len(voting - conflicted.get(decision.registration_id, set()))
    ]
    if not wrong:
        return None
    return (
        "Le vote ne compte plus les membres ayant voix délibérative (la feuille de présence ou un conflit "
        f"d'intérêts a changé depuis) pour {_named(wrong)} : le jury vote à nouveau avant la signature du "
        "procès-verbal."
    )


def outdated_refusal(deliberation: Deliberation) -> str | None:
    """D53: a decision rests on the engine's proposal it was taken on; when a mark or a block decision
    changed since, the jury decides again before the minutes are signed. Runs the engine for every
    candidate decided (in a constant number of queries, about 1.4 s for 2,500 candidates on SQLite):
    the signing request and its job check it, not the minutes page."""
    board = proposals(
        deliberation,
        Registration.objects.filter(pk__in=deliberation.decisions.values("registration_id")),
    )
    stale = [row.decision for row in board.rows if row.outdated and row.decision is not None]
    if not stale:
        return None
    return (
        f"La proposition du moteur a changé depuis la décision du jury pour {_named(stale)} (une note ou "
        "une décision de bloc a été modifiée) : le jury statue à nouveau avant la signature du "
        "procès-verbal."
    )


@transaction.atomic
def do_sign_minutes(actor: Any, deliberation: Deliberation, release_at: datetime | None = None) -> Job:
    """D54, D55: the chair (or the national administrator) signs the minutes of the deliberation, in a
    job; signing the original's proclaims the session's results, released to candidates and employers
    at `release_at` (now when not given; never before the proclamation)."""
    if refusal := signing_refusal(actor, deliberation) or outdated_refusal(deliberation):
        raise DomainError(refusal)
    if _signing(deliberation):
        raise DomainError("La signature de ce procès-verbal est déjà en cours : attendez qu'elle se termine.")
    now = timezone.now()
    if release_at is not None and deliberation.is_amendment:
        raise DomainError("Un rectificatif ne change pas la date de publication des résultats de la session.")
    if release_at is not None and release_at < now.replace(second=0, microsecond=0):
        raise DomainError(
            "La publication des résultats ne peut précéder leur proclamation : choisissez maintenant ou plus tard."
        )
    payload = {"deliberation": deliberation.pk, "release_at": release_at.isoformat() if release_at else None}
    job = jobs.start(
        JobKind.MINUTES, actor, ContentFile(json.dumps(payload).encode(), name=request_name(deliberation))
    )
    record_event(
        AuditAction.MINUTES_SIGNING_REQUESTED, deliberation, actor=actor, after={"job": job.pk, **payload}
    )
    return job


@jobs.runs(JobKind.MINUTES)
@task()
def sign_minutes(job_id: int) -> None:
    jobs.run(job_id, _sign)


def _sign(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    with job.file.open("rb") as stored:
        payload = json.load(stored)
    deliberation = (
        Deliberation.objects.select_related("jury__session__version__certification", "amends")
        .filter(pk=payload["deliberation"])
        .first()
    )
    if deliberation is None:
        return jobs.Outcome(GONE, failed=True)
    actor = job.started_by
    try:
        if refusal := signing_refusal(actor, deliberation) or outdated_refusal(deliberation):
            return jobs.Outcome(refusal, failed=True)
        data = minutes_data(deliberation)
        progress(0, len(data.candidates))
        signed = sign_pdf(
            draw_minutes(data, progress),
            reason=f"{data.title} — {data.session}",
            location=data.place,
        )
    except (NotAllowed, SigningUnavailable) as refused:
        return jobs.Outcome(str(refused), failed=True)
    release_at = datetime.fromisoformat(payload["release_at"]) if payload["release_at"] else None
    try:
        with transaction.atomic():
            minutes = _keep(actor, deliberation, data, signed, release_at)
    except (DomainError, NotAllowed) as refused:  # decided meanwhile, or the signer lost the right
        return jobs.Outcome(str(refused), failed=True)
    details = [f"Empreinte SHA-256 : {minutes.sha256}", f"Décisions : {len(data.candidates)}"]
    if not deliberation.is_amendment:
        session = ExamSession.objects.get(pk=deliberation.jury.session_id)
        assert session.released_at is not None
        details.append(f"Résultats publiés le {timezone.localtime(session.released_at):%d/%m/%Y à %H:%M}")
        return jobs.Outcome("Procès-verbal signé : les résultats de la session sont proclamés.", details)
    return jobs.Outcome("Procès-verbal du rectificatif signé : ses décisions sont en vigueur.", details)


def _keep(
    actor: Any, deliberation: Deliberation, data: MinutesData, signed: bytes, release_at: datetime | None
) -> Minutes:
    """Under the deliberation's lock: what was drawn is still the data; the minutes kept, the session
    proclaimed (original), the jury's block decisions written (blocks scheme), all audited."""
    locked = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
    if refusal := signing_refusal(actor, locked):
        raise DomainError(refusal)
    if minutes_data(locked) != data:
        raise DomainError(CHANGED)
    now = timezone.now()
    digest = hashlib.sha256(signed).hexdigest()
    session = ExamSession.objects.select_for_update().get(pk=deliberation.jury.session_id)
    minutes = Minutes(deliberation=locked, sha256=digest, signed_by=actor, signed_at=now)
    stamp = "rectificatif" if locked.is_amendment else "pv"
    minutes.file.save(
        f"{stamp}-session-{session.pk}-deliberation-{locked.pk}.pdf", ContentFile(signed), save=False
    )
    try:
        minutes.save()
        record_event(
            AuditAction.MINUTES_SIGNED,
            minutes,
            actor=actor,
            after={"deliberation": locked.pk, "sha256": digest, "decisions": len(data.candidates)},
        )
        decisions = list(
            JuryDecision.objects.filter(deliberation=locked).select_related("registration", "amends")
        )
        if not locked.is_amendment:
            before = {"proclaimed_at": None, "released_at": None}
            session.proclaimed_at = now
            session.released_at = max(release_at, now) if release_at else now
            session.save(update_fields=["proclaimed_at", "released_at"])
            after = {"proclaimed_at": now.isoformat(), "released_at": session.released_at.isoformat()}
            record_event(AuditAction.RESULTS_PROCLAIMED, session, actor=actor, before=before, after=after)
            transaction.on_commit(lambda: schedule_results_notices(session))
            transaction.on_commit(
                lambda: results_proclaimed.send_robust(ExamSession, session=session, actor=actor)
            )
        _write_certified(decisions)
        if session.version.scheme == Scheme.BLOCKS:
            _write_block_decisions(actor, session, decisions)
        if locked.is_amendment:
            amended = [(decision.amends, decision) for decision in decisions]
            transaction.on_commit(lambda: _announce(amended))
    except Exception:
        minutes.file.delete(save=False)  # nothing kept: no file left without its row
        raise
    return minutes


def _announce(amended: list[tuple[JuryDecision | None, JuryDecision]]) -> None:
    for old, new in amended:
        decision_amended.send(sender=JuryDecision, old=old, new=new)


def _write_certified(decisions: list[JuryDecision]) -> None:
    """D46: each registration decided says whether the jury certified it (a catch-up session takes only
    the others), in one UPDATE per value; an amendment's decisions overwrite the original's."""
    for certified in (True, False):
        chosen = [
            decision.registration_id
            for decision in decisions
            if (decision.confirmed_status == JuryStatus.CERTIFIED) is certified
        ]
        if chosen:
            Registration.objects.filter(pk__in=chosen).update(certified=certified)


def _write_block_decisions(actor: Any, session: ExamSession, decisions: list[JuryDecision]) -> None:
    """D18: the jury's decided blocks join the table capitalisation reads, as the jury's (source JURY),
    read by the candidate and the employer from the session's release time (D55)."""
    blocks = {block.code: block for block in Block.objects.filter(version=session.version)}
    enrolments = dict(
        Registration.objects.filter(pk__in=[d.registration_id for d in decisions]).values_list(
            "pk", "enrolment_id"
        )
    )
    written = []
    for decision in decisions:
        for code, status in decision.blocks.items():
            if status not in CONFIRMED_STATUSES or code not in blocks:
                continue
            # a block the engine had nothing to propose on (no confirmed decision yet) is « en cours »
            proposed = decision.proposed_blocks.get(code, BlockStatus.INCOMPLETE)
            written.append(
                BlockDecision(
                    source=DecisionSource.JURY,
                    enrolment_id=enrolments[decision.registration_id],
                    block=blocks[code],
                    proposed_status=proposed,
                    confirmed_status=status,
                    override_reason=""
                    if proposed == status
                    else (decision.override_reason or "Décision du jury national"),
                    explanation=decision.explanation,
                    record=decision.record,
                    rule_set_id=decision.rule_set_id,
                    rule_set_version=decision.rule_set_version,
                    rule_set_hash=decision.rule_set_hash,
                    decided_by=decision.decided_by,
                    shown_from=session.released_at,
                )
            )
    created = bulk_create_with_history(
        written,
        BlockDecision,
        batch_size=500,
        default_user=actor,
        default_change_reason="Décision du jury national",
    )
    record_events(
        AuditAction.BLOCK_DECISION_CONFIRMED,
        [
            (
                decision,
                None,
                {
                    "source": DecisionSource.JURY.value,
                    "block": decision.block.code,
                    "confirmed_status": decision.confirmed_status,
                    "shown_from": session.released_at.isoformat() if session.released_at else None,
                },
            )
            for decision in created
        ],
        actor=actor,
    )
