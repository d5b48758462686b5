"""D59, D60: issuing the certificates of the national jury's decisions in force.

For each decision in force, a CCP for each block the jury validated (blocks scheme) and the CQP when it
certified the candidate (both schemes; the 2013 marks scheme has no blocks, hence the CQP only). A VAE
jury's outcome (D67) issues the same way: the vae app builds its `Context` and calls `issue_for`.

Numbers are gap-free per kind and year: `CCP-2026-000124`, `CQP-2026-000123` (kind, year of issue, rank
in the year on six digits). The rank is taken from `NumberSequence` under a row lock held by the
transaction that issues the certificate, so a rolled-back issue gives its number back and two jobs at
once get distinct, consecutive numbers. Each candidate's certificates are issued in one transaction:
the rows, their signed Open Badges credential, their signed PDF (its file deleted on rollback) and one
audit row each; a failure loses no number and leaves no half certificate.

The content printed (holder, certification, blocks, jury, president, number, verification link) is
snapshotted at issue into `Certificate.content` and never re-read. Re-running the job issues nothing
twice: a certificate in force for the same holder, certification and block (or CQP) is never issued
again (checked before, and enforced by the `certificate_in_force_once` constraint).

The job starts when the original minutes of a session are signed (`results_proclaimed`), and may be
started again by the national administrator (`manage.py issue_certificates <session>`)."""

import contextlib
import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from certifier.assessments.enums import BlockStatus
from certifier.core import jobs
from certifier.core.audit import record_event
from certifier.core.enums import AuditAction, JobKind
from certifier.core.models import DomainError, Job, NotAllowed
from certifier.core.text import count
from certifier.exams.documents import MONTHS
from certifier.exams.models import ExamSession, Registration
from certifier.juries.deliberation import decisions_in_force
from certifier.juries.models import JuryDecision, JuryMember, JuryStatus, MemberRole
from certifier.juries.signals import results_proclaimed
from certifier.juries.signing import SigningUnavailable
from certifier.pathways.models import Candidate
from certifier.people.enums import Role
from certifier.people.permissions import has_role
from certifier.referential.enums import Scheme
from certifier.referential.models import Block, CertificationVersion

from .credentials import issue_credential
from .documents import Matrix, qr_matrix, render_certificate
from .models import NATIONAL_JURY, Certificate, CertificateKind, NumberSequence

PROGRESS_EVERY = 50  # candidates between two progress reports
# Crockford's base 32: no I, L, O nor U, so a code read aloud or typed is not mistaken
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits of randomness (D61: at least 60)
CODE_GROUP = 4
READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
NOT_ALLOWED = "Seul l'administrateur national relance l'émission des certificats d'une session."
UNSIGNED = (
    "La clé de signature du certificateur n'est pas disponible : les certificats restant à émettre ne "
    "l'ont pas été (ceux déjà émis le restent). Signalez-le à l'administrateur technique, puis relancez "
    "l'émission."
)
KEPT = "Les certificats déjà émis le restent ; relancez l'émission une fois le problème corrigé."
NOT_PROCLAIMED = "Les résultats de cette session ne sont pas proclamés : aucun certificat n'est émis."


# --- numbers and codes --------------------------------------------------------------------------


def format_number(kind: str, year: int, sequence: int) -> str:
    """« CQP-2026-000123 »."""
    return f"{kind.upper()}-{year}-{sequence:06d}"


def next_number(kind: str, year: int) -> tuple[int, str]:
    """The next rank of `kind` in `year` and its number, taken under the sequence's row lock: call it in
    the transaction that issues the certificate (a rollback gives the rank back)."""
    sequence = NumberSequence.objects.select_for_update().filter(kind=kind, year=year).first()
    if sequence is None:  # the year's first: created once, a concurrent creation tolerated
        try:
            with transaction.atomic():
                NumberSequence.objects.create(kind=kind, year=year)
        except IntegrityError:
            pass
        sequence = NumberSequence.objects.select_for_update().get(kind=kind, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, format_number(kind, year, sequence.last)


def new_code() -> str:
    """A verification code: 16 characters of Crockford's base 32 drawn by `secrets` (80 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """« 7K3M-Q9XD-2B4T-HN6R »: the code as printed and read."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(text: str) -> str | None:
    """The stored form of a verification code typed or read (any case, dashes and spaces ignored, I and
    L read as 1, O as 0); None when it cannot be one."""
    code = "".join(str(text or "").split()).replace("-", "").upper().translate(READ_AS)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def verification_url(code: str) -> str:
    """The public verification page of a certificate, from the platform's public address (never the
    request's host)."""
    return settings.SITE_URL + reverse("certificates:verify", args=[code])


# --- what a certificate says --------------------------------------------------------------------


def day_text(day: date) -> str:
    """« 1er décembre 2026 », « 12 mars 2026 »."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Declaration:
    """What the release and the declaration to the CPF need (D55, D62), frozen on the certificate."""

    access_route: str  # AccessRouteKind
    assessed_from: date  # the first and last day of the assessment (exams, or the VAE dossier and jury)
    assessed_to: date
    public_from: datetime  # the release time of the decision
    option: str = ""
    vae_route: str = ""  # VaeRoute, for a VAE only


@dataclass(frozen=True)
class Context:
    """One decision delivering certificates, by the national jury (`decision`) or a VAE jury (the vae
    app builds it): its holder, the version's blocks in order (none under the 2013 scheme), the blocks it
    validates (a CCP each), whether the CQP is delivered, its jury's date, place and president."""

    candidate: Candidate
    enrolment_id: int
    version: CertificationVersion  # with its certification
    blocks: Sequence[Block]
    validated: frozenset[str]
    certified: bool
    jury_date: date
    jury_place: str
    president_name: str
    president_capacity: str
    declaration: Declaration
    reference: dict[str, int]  # the decision, for the journal: {"decision": pk} or {"vae_decision": pk}
    decision: JuryDecision | None = None
    jury_name: str = NATIONAL_JURY


def holder(candidate: Candidate) -> dict[str, str]:
    """The holder as the registry names them: birth name, usage name, first names; and the line printed."""
    first_names = " ".join(part for part in (candidate.first_name, candidate.other_first_names) if part)
    name = f"{first_names} {(candidate.usage_name or candidate.birth_name).upper()}"
    if candidate.usage_name and candidate.usage_name.upper() != candidate.birth_name.upper():
        name += f", {'née' if candidate.sex == 'F' else 'né'} {candidate.birth_name.upper()}"
    return {
        "birth_name": candidate.birth_name,
        "usage_name": candidate.usage_name,
        "first_names": first_names,
        "name": name,
    }


def snapshot(
    context: Context, kind: str, number: str, code: str, issued_on: date, block: Block | None
) -> dict[str, Any]:
    """The frozen content of a certificate: everything it prints, nothing else (no birth date, no mark)."""
    version = context.version
    certification = version.certification
    content: dict[str, Any] = {
        "kind": kind,
        "kind_label": CertificateKind(kind).label,
        "number": number,
        "holder": holder(context.candidate),
        "certification": {
            "title": certification.title,
            "rncp_code": certification.number,
            "version": version.code,
            "version_label": version.label,
        },
        "jury_date": context.jury_date.isoformat(),
        "jury_date_text": day_text(context.jury_date),
        "jury_place": context.jury_place,
        "president": {"name": context.president_name, "capacity": context.president_capacity},
        "issued_on": issued_on.isoformat(),
        "issued_on_text": day_text(issued_on),
        "verification_code": grouped(code),
        "verification_url": verification_url(code),
    }
    if context.jury_name != NATIONAL_JURY:
        content["jury"] = context.jury_name
    if block is not None:
        content["block"] = {"code": block.code, "title": block.title}
    else:
        content["blocks"] = [{"code": b.code, "title": b.title} for b in context.blocks]
    return content


# --- issuing ------------------------------------------------------------------------------------


def wanted(context: Context) -> list[tuple[str, Block | None]]:
    """The certificates a decision delivers: (kind, block) — the CCPs of the validated blocks, in the
    version's order, then the CQP when the candidate is certified."""
    chosen: list[tuple[str, Block | None]] = [
        (CertificateKind.CCP, block) for block in context.blocks if block.code in context.validated
    ]
    if context.certified:
        chosen.append((CertificateKind.CQP, None))
    return chosen


def contexts(decisions: Iterable[JuryDecision]) -> list[Context]:
    """Each national jury decision with its version's blocks and its jury's chair, in a few queries."""
    loaded = list(
        JuryDecision.objects.filter(pk__in=[decision.pk for decision in decisions])
        .select_related(
            "registration__enrolment__candidate",
            "registration__enrolment__option",
            "registration__session",
            "deliberation__jury__session__version__certification",
        )
        .order_by("registration__candidate_number", "pk")
    )
    versions = {d.deliberation.jury.session.version_id for d in loaded}
    blocks: dict[int, list[Block]] = {version: [] for version in versions}
    for block in Block.objects.filter(version__in=versions, version__scheme=Scheme.BLOCKS).order_by(
        "position", "code"
    ):
        blocks[block.version_id].append(block)
    chairs = {
        member.jury_id: member
        for member in JuryMember.objects.filter(
            jury__in={d.deliberation.jury_id for d in loaded}, role=MemberRole.CHAIR
        )
    }
    return [_jury_context(d, blocks[d.deliberation.jury.session.version_id], chairs) for d in loaded]


def _jury_context(decision: JuryDecision, blocks: list[Block], chairs: dict[int, JuryMember]) -> Context:
    deliberation = decision.deliberation
    session = decision.registration.session
    enrolment = decision.registration.enrolment
    chair = chairs.get(deliberation.jury_id)
    return Context(
        candidate=enrolment.candidate,
        enrolment_id=enrolment.pk,
        version=deliberation.jury.session.version,
        blocks=blocks,
        validated=frozenset(
            code for code, status in decision.blocks.items() if status == BlockStatus.VALIDATED
        ),
        certified=decision.confirmed_status == JuryStatus.CERTIFIED,
        jury_date=deliberation.held_on,
        jury_place=deliberation.place,
        president_name=f"{chair.first_name} {chair.last_name}" if chair else "",
        president_capacity=chair.capacity if chair else "",
        declaration=Declaration(
            access_route=enrolment.access_route,
            assessed_from=min(session.written_exam_date, session.oral_start),
            assessed_to=max(session.written_exam_date, session.oral_end),
            # issued once proclaimed: the session's release time is set (D55)
            public_from=session.released_at or timezone.now(),
            option=enrolment.option.title if enrolment.option else "",
        ),
        reference={"decision": decision.pk},
        decision=decision,
    )


def _in_force(context: Context) -> set[tuple[str, str]]:
    return set(
        Certificate.objects.filter(
            candidate_id=context.candidate.pk,
            rncp_code=context.version.certification.number,
            revoked_at__isnull=True,
        ).values_list("kind", "block_code")
    )


def issue_for(context: Context, actor: Any = None) -> list[Certificate]:
    """The certificates `context`'s decision delivers and its holder does not hold yet, in one
    transaction: numbered, credential and PDF signed, audited. Nothing issued when all are held. What
    does not depend on the number (codes, QR codes) is prepared first, so the numbers' lock is held the
    shortest time."""
    held = _in_force(context)  # read before the transaction: the constraint refuses a concurrent issue
    missing = [
        (kind, block, new_code())
        for kind, block in wanted(context)
        if (kind, block.code if block else "") not in held
    ]
    if not missing:
        return []
    codes = {code: qr_matrix(verification_url(code)) for _, _, code in missing}
    stored: list[Certificate] = []  # each certificate whose PDF file is written, for a rollback
    try:
        with transaction.atomic():
            for kind, block, code in missing:
                _issue(context, kind, block, code, codes[code], actor, stored)
    except Exception:
        for certificate in stored:  # nothing kept: no file left without its row
            certificate.pdf.delete(save=False)
        raise
    return stored


def _issue(
    context: Context,
    kind: str,
    block: Block | None,
    code: str,
    qr: Matrix,
    actor: Any,
    stored: list[Certificate],
) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    sequence, number = next_number(kind, today.year)
    declaration = context.declaration
    certificate = Certificate.objects.create(
        kind=kind,
        year=today.year,
        sequence=sequence,
        number=number,
        verification_code=code,
        candidate_id=context.candidate.pk,
        enrolment_id=context.enrolment_id,
        decision=context.decision,
        rncp_code=context.version.certification.number,
        block_code=block.code if block else "",
        content=snapshot(context, kind, number, code, today, block),
        issued_at=now,
        public_from=declaration.public_from,
        access_route=declaration.access_route,
        vae_route=declaration.vae_route,
        assessed_from=declaration.assessed_from,
        assessed_to=declaration.assessed_to,
        valid_from=context.jury_date,
        option=declaration.option,
    )
    certificate.credential = issue_credential(certificate)
    signed = render_certificate(certificate.content, qr)
    certificate.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    certificate.pdf.save(f"{number}.pdf", ContentFile(signed), save=False)
    stored.append(certificate)
    certificate.save(update_fields=["credential", "pdf", "pdf_sha256"])
    record_event(
        AuditAction.CERTIFICATE_ISSUED,
        certificate,
        actor=actor,
        after={"number": number, **context.reference, "sha256": certificate.pdf_sha256},
    )


def issue_certificates_for(
    decisions: Iterable[JuryDecision], actor: Any = None, progress: jobs.Progress | None = None
) -> list[Certificate]:
    """D59: the certificates the decisions (in force) deliver that their holders do not hold yet, one
    transaction per candidate; a candidate whose certificates a concurrent job issued meanwhile is
    skipped (the constraint refused the second issue, its transaction rolled back whole)."""
    issued: list[Certificate] = []
    loaded = contexts(decisions)
    for done, context in enumerate(loaded, start=1):
        # issued by another job at the same moment: that job's certificates stand
        with contextlib.suppress(IntegrityError):
            issued += issue_for(context, actor)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, len(loaded))
    return issued


# --- the job ------------------------------------------------------------------------------------


def request_name(session: ExamSession) -> str:
    return f"certificates-session-{session.pk}.json"


def start_issuing(actor: Any, session: ExamSession) -> Job:
    """The job issuing the certificates of the session's decisions in force, started on commit."""
    payload = {"session": session.pk}
    return jobs.start(
        JobKind.CERTIFICATES, actor, ContentFile(json.dumps(payload).encode(), name=request_name(session))
    )


@transaction.atomic
def do_issue_certificates(actor: Any, session: ExamSession) -> Job:
    """The national administrator starts again the issue of a session's certificates (after a failure):
    what is already issued is not issued again."""
    if actor is None or not has_role(actor, Role.NATIONAL_ADMIN):
        raise NotAllowed(NOT_ALLOWED)
    if not ExamSession.objects.filter(pk=session.pk, proclaimed_at__isnull=False).exists():
        raise DomainError(NOT_PROCLAIMED)
    return start_issuing(actor, session)


@receiver(results_proclaimed)
def issue_on_proclamation(sender: Any, session: ExamSession, actor: Any, **kwargs: Any) -> None:
    start_issuing(actor, session)


@jobs.runs(JobKind.CERTIFICATES)
@task()
def issue_certificates(job_id: int) -> None:
    jobs.run(job_id, _issue_session)


def _issue_session(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    with job.file.open("rb") as stored:
        payload = json.load(stored)
    return issue_session(payload["session"], job.started_by, progress)


def issue_session(session_id: int, actor: Any, progress: jobs.Progress) -> jobs.Outcome:
    """The work of the job: the certificates of every decision in force of a proclaimed session."""
    session = ExamSession.objects.filter(pk=session_id, proclaimed_at__isnull=False).first()
    if session is None:
        return jobs.Outcome(NOT_PROCLAIMED, failed=True)
    decisions = list(decisions_in_force(Registration.objects.filter(session=session)).values())
    progress(0, len(decisions))
    try:
        issued = issue_certificates_for(decisions, actor, progress)
    except SigningUnavailable:
        return jobs.Outcome(UNSIGNED, failed=True)
    except DomainError as refused:
        return jobs.Outcome(f"{refused} {KEPT}", failed=True)
    progress(len(decisions), len(decisions))
    kinds = [certificate.kind for certificate in issued]
    details = [
        f"CQP émis : {kinds.count(CertificateKind.CQP)}",
        f"CCP émis : {kinds.count(CertificateKind.CCP)}",
        f"Décisions du jury examinées : {len(decisions)}",
    ]
    if not issued:
        return jobs.Outcome("Aucun certificat à émettre : chacun est déjà délivré.", details)
    return jobs.Outcome(
        f"{count(len(issued), 'certificat émis et signé', 'certificats émis et signés')}.", details
    )
