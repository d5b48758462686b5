"""The results portal (D24, D25, D55, D57): what a candidate and an employer read of a session's results,
from its release time only, and the lookup by candidate number and date of birth with its lock-out.

Every reader here goes through `ExamSession.results_released(now)`: before that time nothing of the
results is read, not even from the database.

The lock-out counts failed lookups in the database, so that every web worker shares it: a candidate
number is locked for `RESULTS_LOOKUP_LOCK_MINUTES` after `RESULTS_LOOKUP_NUMBER_FAILURES` failures in
a row (a success resets its count), an IP address after `RESULTS_LOOKUP_ADDRESS_FAILURES` failures (a
success does not reset it, or one known pair would let an address try numbers for ever). A lookup is
answered the same whether the number does not exist, the date of birth is wrong, the session's results
are not yet released or the number or address is locked.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.crypto import salted_hmac

from certifier.assessments.enums import BlockStatus
from certifier.assessments.models import BlockDecision
from certifier.core.enums import DecisionSource
from certifier.exams import numbers
from certifier.exams.evaluations import SHOWN_TO_EMPLOYER, Exam, evaluations
from certifier.exams.marks import cell_text
from certifier.exams.models import ExamSession, Mark, MarkStatus, Registration
from certifier.people.enums import Role
from certifier.people.permissions import organisation_ids
from certifier.referential.models import Block

from .deliberation import decisions_in_force
from .models import JuryDecision, JuryStatus, LookupKind, ResultsLookupCounter

LOOKUP_FAILED = (
    "Aucun résultat publié ne correspond à ce numéro de candidat et à cette date de naissance. "
    "Vérifiez-les sur votre convocation : les résultats ne sont consultables qu'à partir de leur date "
    "de publication, et la consultation est suspendue pendant quelques minutes après plusieurs essais "
    "infructueux."
)
# what the results pages read of a decision in force
DECISION_READ = ("confirmed_status", "blocks", "comment")
STATUS_TONES = {JuryStatus.CERTIFIED: "ok", JuryStatus.NOT_CERTIFIED: "err", JuryStatus.DEFERRED: "warn"}


@dataclass(frozen=True)
class MarkLine:
    label: str
    weight: int
    text: str


@dataclass(frozen=True)
class BlockLine:
    code: str
    title: str
    status: str  # BlockStatus label

    @property
    def validated(self) -> bool:
        return self.status == BlockStatus.VALIDATED.label


@dataclass(frozen=True)
class Result:
    """One registration's results as its reader may see them; `released` False: nothing else is set."""

    registration: Registration
    released: bool
    status: JuryStatus | None = None  # None: released, but no decision in force (never proclaimed)
    marks: tuple[MarkLine, ...] = ()
    blocks: tuple[BlockLine, ...] = ()
    comment: str = ""

    @property
    def session(self) -> ExamSession:
        return self.registration.session

    @property
    def validated_blocks(self) -> str:
        return ", ".join(block.code for block in self.blocks if block.validated)

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.status] if self.status else ""


# what the results pages read of a registration and its session: the columns the pages show, not the
# certification's registry texts (a lean page on proclamation morning: on this 2-core machine the
# compilation of each selected column and join is a measurable share of the page's time)
READ = (
    "candidate_number",
    "session__kind",
    "session__year",
    "session__written_exam_date",
    "session__proclaimed_at",
    "session__released_at",
    "session__version__label",
    "session__version__scheme",
    "session__version__rule_set",
    "session__version__certification__number",
)
# and of its candidate, for the employer's list of employees only
NAMES = (
    "enrolment__candidate__birth_name",
    "enrolment__candidate__usage_name",
    "enrolment__candidate__first_name",
)


def _with_relations(registrations: QuerySet[Registration], *, names: bool = False) -> QuerySet[Registration]:
    related = ["session__version__certification", *(["enrolment__candidate"] if names else [])]
    return registrations.select_related(*related).only(*READ, *(NAMES if names else ()))


def candidate_registrations(user: Any) -> list[Registration]:
    """D57: a signed-in candidate's own registrations, and only theirs, the latest session first (sorted
    here: the few rows of one candidate cost less to sort than an ORDER BY on a join to compile)."""
    registrations = _with_relations(Registration.objects.filter(enrolment__candidate__user=user)).annotate(
        # D18: whether a VAE jury validated blocks for them (`vae_blocks` reads those only then)
        has_vae_blocks=Exists(
            BlockDecision.objects.filter(
                enrolment__candidate_id=OuterRef("enrolment__candidate_id"), source=DecisionSource.VAE
            )
        )
    )
    return sorted(registrations, key=lambda r: (-r.session.written_exam_date.toordinal(), r.pk))


# D57: the candidate's rendered results are kept in the cache under a key that changes with everything
# they show: the candidate's registrations (their candidate numbers, drawn at random, tell a database
# restored or rebuilt with the same ids apart), whether each session's results are released (and when
# they will be), and the latest signed minutes of each session (an amendment's included). A page kept
# under a key is never stale, so the cache need not be shared between workers to be correct; the key
# names the user: no one is served another's page. The lifetime only bounds the memory used.
RESULTS_CACHE_SECONDS = 15 * 60


# The state the key is drawn from, written out: the ORM took longer to build this query at every request
# than PostgreSQL to run it (once prepared). One row a registration (its latest signed minutes), one a
# block a VAE jury validated (append-only rows, shown from its minutes' signature, D18).
RESULTS_STATE = """
SELECT 'session', r.id, r.candidate_number, s.released_at,
       CASE WHEN s.released_at <= %s THEN 1 ELSE 0 END, MAX(m.id)
  FROM exams_registration r
  JOIN pathways_enrolment e ON e.id = r.enrolment_id
  JOIN pathways_candidate c ON c.id = e.candidate_id
  JOIN exams_examsession s ON s.id = r.session_id
  LEFT JOIN juries_jury j ON j.session_id = s.id
  LEFT JOIN juries_deliberation d ON d.jury_id = j.id
  LEFT JOIN juries_minutes m ON m.deliberation_id = d.id
 WHERE c.user_id = %s
 GROUP BY r.id, r.candidate_number, s.released_at
UNION ALL
SELECT 'vae', b.id, k.code, b.shown_from, CASE WHEN b.shown_from <= %s THEN 1 ELSE 0 END, NULL
  FROM assessments_blockdecision b
  JOIN pathways_enrolment e ON e.id = b.enrolment_id
  JOIN pathways_candidate c ON c.id = e.candidate_id
  JOIN referential_block k ON k.id = b.block_id
 WHERE c.user_id = %s AND b.source = %s
"""


def candidate_results_key(user: Any, now: datetime) -> str:
    """The cache key of the signed-in candidate's results page at `now`, from one query."""
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(RESULTS_STATE, [at, user.pk, at, user.pk, DecisionSource.VAE.value])
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))
    state = ";".join(",".join("" if value is None else str(value) for value in row) for row in rows)
    return f"juries:results:{user.pk}:{hashlib.sha256(state.encode()).hexdigest()}"


@dataclass(frozen=True)
class VaeBlockLine:
    """A block a VAE jury validated (D18, D67), shown next to the results of the exam sessions."""

    code: str
    title: str
    jury_date: date | None

    @property
    def origin(self) -> str:
        if self.jury_date is None:
            return "validé par la VAE"
        return f"validé par la VAE, jury du {self.jury_date:%d/%m/%Y}"


def vae_blocks(user: Any, registrations: Sequence[Registration], now: datetime) -> list[VaeBlockLine]:
    """D18: the blocks validated by a VAE jury for the signed-in candidate, from the signature of its
    minutes, in the certification's order: no query when their `candidate_registrations` say there is
    none, else one. The jury's date is the one its block decision's record carries (`vae_jury`), the
    juries app reading no table of the vae app."""
    if registrations and not any(
        getattr(registration, "has_vae_blocks", True) for registration in registrations
    ):
        return []
    lines = []
    for code, title, record in (
        BlockDecision.objects.shown(now)
        .filter(
            enrolment__candidate__user=user, source=DecisionSource.VAE, confirmed_status=BlockStatus.VALIDATED
        )
        .order_by("block__version_id", "block__position", "block__code", "pk")
        .values_list("block__code", "block__title", "record")
    ):
        held_on = (record or {}).get("vae_jury", {}).get("held_on")
        lines.append(VaeBlockLine(code, title, date.fromisoformat(held_on) if held_on else None))
    return lines


def get_employer_session_or_404(user: Any, pk: int) -> tuple[ExamSession, list[Registration]]:
    """D25: a session in which the employer HR has employees registered, with those registrations;
    404 for any other session."""
    registrations = list(
        _with_relations(
            Registration.objects.filter(
                session_id=pk,
                enrolment__candidate__employer_id__in=organisation_ids(user, Role.EMPLOYER_HR),
            ),
            names=True,
        ).order_by("enrolment__candidate__birth_name", "enrolment__candidate__first_name", "pk")
    )
    if not registrations:
        raise Http404("Cette page n'existe pas ou ne vous est pas accessible.")
    return registrations[0].session, registrations


def employer_sessions(user: Any, now: datetime) -> QuerySet[ExamSession]:
    """The sessions whose results are released in which the employer HR has employees registered."""
    return (
        ExamSession.objects.filter(
            released_at__lte=now,
            registrations__enrolment__candidate__employer_id__in=organisation_ids(user, Role.EMPLOYER_HR),
        )
        .select_related("version__certification")
        .distinct()
    )


def candidate_results(registrations: Sequence[Registration], now: datetime) -> list[Result]:
    """D24, D57: for the candidate, every mark, the decision in force with its blocks and the jury's
    comments, for each registration whose session's results are released."""
    return _results(registrations, now, employer=False)


def employer_results(registrations: Sequence[Registration], now: datetime) -> list[Result]:
    """D25: for the employer, the outcome (certified or not, blocks validated) and the option's
    continuous-assessment marks only: no other mark, no jury comment."""
    return _results(registrations, now, employer=True)


def _results(registrations: Sequence[Registration], now: datetime, *, employer: bool) -> list[Result]:
    released = [r for r in registrations if r.session.results_released(now)]
    released_ids = {registration.pk for registration in released}
    marks = _marks(released, employer=employer)
    decisions = decisions_in_force(released, only=DECISION_READ) if released else {}
    blocks = _blocks(released, decisions)
    results = []
    for registration in registrations:
        if registration.pk not in released_ids:
            results.append(Result(registration, released=False))
            continue
        decision = decisions.get(registration.pk)
        exams = [
            exam
            for exam in evaluations(registration.session.version)
            if not employer or exam.name in SHOWN_TO_EMPLOYER
        ]
        results.append(
            Result(
                registration,
                released=True,
                status=JuryStatus(decision.confirmed_status) if decision else None,
                marks=tuple(_mark_line(exam, marks[registration.pk].get(exam.name)) for exam in exams),
                blocks=_block_lines(registration, decision, blocks),
                comment="" if employer or decision is None else decision.comment,
            )
        )
    return results


def _marks(registrations: list[Registration], *, employer: bool) -> dict[int, dict[str, Mark]]:
    found: dict[int, dict[str, Mark]] = defaultdict(dict)
    if not registrations:
        return found
    marks = (
        Mark.objects.filter(registration__in=registrations)
        .only("registration_id", "exam", "status", "value")
        .order_by()
    )
    if employer:
        marks = marks.filter(exam__in=SHOWN_TO_EMPLOYER)
    for mark in marks:
        found[mark.registration_id][mark.exam] = mark
    return found


def _mark_line(exam: Exam, mark: Mark | None) -> MarkLine:
    if mark is None:
        text = "sans note"
    elif mark.status == MarkStatus.MARKED:
        text = f"{cell_text(mark.status, mark.value)} sur 20"
    else:
        text = mark.get_status_display()
    return MarkLine(exam.short_label, exam.weight, text)


def _blocks(
    registrations: list[Registration], decisions: dict[int, JuryDecision]
) -> dict[tuple[int, str], Block]:
    """The blocks named by the decisions, by (version id, code), in one query (none for the 2013 scheme)."""
    wanted = {
        (registration.session.version_id, code)
        for registration in registrations
        if registration.pk in decisions
        for code in decisions[registration.pk].blocks
    }
    if not wanted:
        return {}
    found = Block.objects.filter(
        version_id__in={version for version, _ in wanted}, code__in={code for _, code in wanted}
    ).only("version_id", "code", "title", "position")
    return {(block.version_id, block.code): block for block in found}


def _block_lines(
    registration: Registration, decision: JuryDecision | None, blocks: dict[tuple[int, str], Block]
) -> tuple[BlockLine, ...]:
    if decision is None:
        return ()
    version = registration.session.version_id
    lines = []
    for code, status in decision.blocks.items():
        block = blocks.get((version, code))
        label = BlockStatus(status).label if status in BlockStatus.values else status
        lines.append((block.position if block else 0, BlockLine(code, block.title if block else "", label)))
    return tuple(line for _, line in sorted(lines, key=lambda item: (item[0], item[1].code)))


# the lookup by candidate number and date of birth, and its lock-out


def _key(kind: LookupKind, value: str) -> str:
    """A keyed hash of a typed number or an address: the counters never keep the value itself."""
    return salted_hmac(f"certifier.juries.portal.{kind}", value, algorithm="sha256").hexdigest()


def _counter(kind: LookupKind, value: str) -> ResultsLookupCounter:
    counter, _ = ResultsLookupCounter.objects.select_for_update().get_or_create(
        kind=kind, key=_key(kind, value)
    )
    return counter


def _fail(counter: ResultsLookupCounter, limit: int, now: datetime) -> None:
    counter.failures += 1
    if counter.failures >= limit:
        counter.failures = 0
        counter.locked_until = now + timedelta(minutes=settings.RESULTS_LOOKUP_LOCK_MINUTES)
    counter.save(update_fields=["failures", "locked_until"])


def lookup(typed_number: str, birth_date: date, address: str, now: datetime) -> Registration | None:
    """D57: the registration of a candidate number (as typed: spaces, dashes and case free) and a date
    of birth whose session's results are released at `now`; None for any failure, counted, or while the
    number or the address is locked. Attempts on one number are serialised by its counter's row lock,
    so parallel guesses cannot overrun the limit."""
    number = numbers.canonical(typed_number) or numbers.normalise(typed_number)
    with transaction.atomic():
        # always the number's row first, then the address's: two lookups never wait on each other in a cycle
        by_number = _counter(LookupKind.NUMBER, number)
        by_address = _counter(LookupKind.ADDRESS, address)
        if any(c.locked_until is not None and c.locked_until > now for c in (by_number, by_address)):
            return None
        registration = (
            _with_relations(Registration.objects.filter(candidate_number=number))
            .filter(enrolment__candidate__birth_date=birth_date)
            .first()
        )
        if registration is None or not registration.session.results_released(now):
            _fail(by_number, settings.RESULTS_LOOKUP_NUMBER_FAILURES, now)
            _fail(by_address, settings.RESULTS_LOOKUP_ADDRESS_FAILURES, now)
            return None
        if by_number.failures:
            by_number.failures = 0
            by_number.save(update_fields=["failures"])
        return registration
