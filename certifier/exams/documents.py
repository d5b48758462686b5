"""The documents of an exam session (reportlab): convocations (D47), attendance sheets of the written
exam (no birth date) and the list of copy codes for the written-exam room (D48, national
administrator only).

The whole session's PDF is drawn page by page on one canvas from a database iterator: no flowable
story is kept, and only one CRFP's short rows (number, code, name) are held at a time, for its
attendance sheet and copy-code list drawn after its convocations.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from itertools import groupby
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from certifier.core.pdf import CERTIFIER, MARGIN, PLATFORM
from certifier.pathways.rules import display_name

from .models import ExamSession, Registration, SessionKind

WIDTH, HEIGHT = A4
TEXT_WIDTH = WIDTH - 2 * MARGIN
PROGRESS_EVERY = 100  # convocations between two progress reports
KEEP_NUMBER = (
    "Conservez ce numéro : il vous sera demandé avec votre date de naissance pour consulter vos résultats."
)
CONFIDENTIAL = (
    "Document confidentiel, réservé au CRFP qui organise l'épreuve écrite : ne le remettez pas aux "
    "correcteurs. Reportez sur chaque copie le code de copie de son auteur ; les correcteurs ne "
    "doivent connaître ni le nom ni le numéro de candidat (anonymat de l'épreuve écrite)."
)
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Scope:
    """Whose candidates the documents cover: every CRFP's (`centre_ids` None) or these CRFPs'; and
    whether the copy-code lists are included (D48: the national administrator's documents only)."""

    centre_ids: frozenset[int] | None
    copy_codes: bool


@dataclass(frozen=True)
class Line:
    """What the documents print of one registration (never a birth date)."""

    candidate_number: str
    copy_code: str
    name: str
    centre_id: int
    centre_name: str
    city: str
    region: str


@dataclass(frozen=True)
class Summary:
    convocations: int
    centres: int
    pages: int


def long_date(day: date) -> str:
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def session_title(session: ExamSession) -> str:
    """« Session de décembre 2026 », « Rattrapage 2026 »."""
    if session.kind == SessionKind.CATCH_UP:
        return f"Rattrapage {session.year}"
    return f"Session de {session.get_kind_display().lower()} {session.year}"


def registrations_in(session: ExamSession, scope: Scope) -> Iterator[Line]:
    """The session's registrations in `scope`, CRFP by CRFP, each in alphabetical order."""
    registrations = Registration.objects.filter(session=session)
    if scope.centre_ids is not None:
        registrations = registrations.filter(enrolment__training_centre_id__in=scope.centre_ids)
    rows = registrations.order_by(
        "enrolment__training_centre__name",
        "enrolment__training_centre_id",
        "enrolment__candidate__birth_name",
        "enrolment__candidate__first_name",
        "candidate_number",
    ).values_list(
        "candidate_number",
        "copy_code",
        "enrolment__candidate__birth_name",
        "enrolment__candidate__usage_name",
        "enrolment__candidate__first_name",
        "enrolment__training_centre_id",
        "enrolment__training_centre__name",
        "enrolment__training_centre__city",
        "enrolment__training_centre__region",
    )
    for number, code, birth_name, usage_name, first_name, centre_id, centre, city, region in rows.iterator(
        chunk_size=500
    ):
        yield Line(
            number, code, display_name(birth_name, usage_name, first_name), centre_id, centre, city, region
        )


def count_in(session: ExamSession, scope: Scope) -> int:
    registrations = Registration.objects.filter(session=session)
    if scope.centre_ids is not None:
        registrations = registrations.filter(enrolment__training_centre_id__in=scope.centre_ids)
    return registrations.count()


class _Pages:
    """A canvas drawing A4 pages headed with the certifier's identity, numbered in the footer."""

    def __init__(self, output: BinaryIO, title: str) -> None:
        self.canvas = Canvas(output, pagesize=A4, lang="fr")
        self.canvas.setTitle(title)
        self.canvas.setAuthor(CERTIFIER)
        self.canvas.setCreator(PLATFORM)
        self.count = 0
        self.y = HEIGHT - MARGIN

    def new_page(self) -> None:
        if self.count:
            self.canvas.showPage()
        self.count += 1
        canvas = self.canvas
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, HEIGHT - MARGIN / 2, CERTIFIER)
        canvas.drawString(MARGIN, MARGIN / 2, PLATFORM)
        canvas.drawRightString(WIDTH - MARGIN, MARGIN / 2, f"Page {self.count}")
        canvas.setFillColor(colors.black)
        self.y = HEIGHT - MARGIN

    def text(self, text: str, size: float = 10, bold: bool = False, gap: float = 4) -> None:
        """Wrapped lines of `text` from the current height down."""
        font = "Helvetica-Bold" if bold else "Helvetica"
        self.canvas.setFont(font, size)
        for line in simpleSplit(text, font, size, TEXT_WIDTH):
            self.y -= size * 1.25
            self.canvas.drawString(MARGIN, self.y, line)
        self.y -= gap

    def fact(self, label: str, value: str) -> None:
        """A label in bold, its value wrapped beside it."""
        indent = 4.2 * cm
        self.canvas.setFont("Helvetica-Bold", 10)
        self.canvas.drawString(MARGIN, self.y - 12.5, label)
        self.canvas.setFont("Helvetica", 10)
        for line in simpleSplit(value, "Helvetica", 10, TEXT_WIDTH - indent):
            self.y -= 12.5
            self.canvas.drawString(MARGIN + indent, self.y, line)
        self.y -= 6

    def save(self) -> None:
        if not self.count:
            self.new_page()
        self.canvas.save()


@dataclass(frozen=True)
class _Session:
    """The session's facts printed on every document, read once."""

    title: str
    certification: str
    written: str
    orals: str

    @classmethod
    def of(cls, session: ExamSession) -> "_Session":
        certification = session.version.certification
        return cls(
            title=session_title(session),
            certification=f"{certification.title} ({certification.number}), {session.version.label}",
            written=long_date(session.written_exam_date),
            orals=f"du {long_date(session.oral_start)} au {long_date(session.oral_end)}",
        )


def _place(line: Line) -> str:
    where = ", ".join(part for part in (line.city, line.region) if part)
    return f"{line.centre_name} ({where})" if where else line.centre_name


def _convocation(pages: _Pages, facts: _Session, line: Line) -> None:
    pages.new_page()
    canvas = pages.canvas
    pages.y -= 0.6 * cm
    pages.text("Convocation aux épreuves de certification", size=18, bold=True, gap=2)
    pages.text(f"{facts.title} — {facts.certification}", size=11, gap=14)
    pages.fact("Candidat", line.name)
    pages.fact("Épreuve écrite", f"le {facts.written}")
    pages.fact(
        "Épreuves orales",
        f"{facts.orals} ; votre CRFP vous précisera le jour et l'heure de votre passage.",
    )
    pages.fact("Lieu", _place(line))
    pages.y -= 0.6 * cm
    box = 3.4 * cm
    canvas.setLineWidth(1.5)
    canvas.rect(MARGIN, pages.y - box, TEXT_WIDTH, box)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawCentredString(WIDTH / 2, pages.y - 0.8 * cm, "Votre numéro de candidat")
    canvas.setFont("Helvetica-Bold", 30)
    canvas.drawCentredString(WIDTH / 2, pages.y - 2.2 * cm, line.candidate_number)
    canvas.setFont("Helvetica", 9)
    canvas.drawCentredString(WIDTH / 2, pages.y - 2.95 * cm, "(chiffres de 2 à 9 et lettres, sans O, I ni L)")
    pages.y -= box + 0.3 * cm
    pages.text(KEEP_NUMBER, size=11, bold=True, gap=12)
    pages.text(
        "Présentez-vous à chaque épreuve muni(e) de la présente convocation et d'une pièce d'identité "
        "en cours de validité. Votre numéro de candidat sera inscrit sur la feuille d'émargement.",
        gap=8,
    )
    pages.text(
        "Vos notes, les observations du jury et la décision vous appartiennent : vous les consulterez "
        "après la proclamation des résultats par le jury national, avec ce numéro et votre date de "
        "naissance."
    )


def _table(
    pages: _Pages,
    heading: Callable[[], None],
    columns: list[tuple[str, float]],
    rows: Iterable[list[str]],
    height: float,
) -> None:
    """A ruled table, its header repeated on each page it runs over; `heading` starts each page."""

    def start() -> None:
        pages.new_page()
        heading()
        _row(pages, [title for title, _ in columns], columns, 18, bold=True)

    start()
    for row in rows:
        if pages.y - height < MARGIN:
            start()
        _row(pages, row, columns, height)


def _row(
    pages: _Pages, cells: list[str], columns: list[tuple[str, float]], height: float, bold: bool = False
) -> None:
    font = "Helvetica-Bold" if bold else "Helvetica"
    canvas = pages.canvas
    canvas.setLineWidth(0.5)
    canvas.setFont(font, 9)
    x = MARGIN
    for cell, (_, width) in zip(cells, columns, strict=True):
        canvas.rect(x, pages.y - height, width, height)
        fitted = simpleSplit(cell, font, 9, width - 8)
        if fitted:
            canvas.drawString(x + 4, pages.y - 12, fitted[0])
        x += width
    pages.y -= height


def _attendance(pages: _Pages, facts: _Session, centre: Line, lines: list[Line]) -> None:
    def heading() -> None:
        pages.text("Feuille d'émargement — épreuve écrite", size=14, bold=True, gap=2)
        pages.text(f"{facts.title} — {facts.certification}", size=9, gap=2)
        pages.text(f"Le {facts.written} — {_place(centre)}", size=9, gap=8)

    columns = [
        ("N° de candidat", 3.4 * cm),
        ("Nom et prénom", 7.2 * cm),
        ("Signature", TEXT_WIDTH - 10.6 * cm),
    ]
    _table(pages, heading, columns, ([line.candidate_number, line.name, ""] for line in lines), 0.95 * cm)
    pages.y -= 0.4 * cm
    if pages.y < MARGIN + 2 * cm:
        pages.new_page()
    pages.text(f"Candidats convoqués : {len(lines)}    Présents : ........    Absents : ........", gap=6)
    pages.text("Nom et signature du ou des surveillants :")


def _copy_codes(pages: _Pages, facts: _Session, centre: Line, lines: list[Line]) -> None:
    def heading() -> None:
        pages.text("Liste des codes de copie — épreuve écrite", size=14, bold=True, gap=2)
        pages.text(f"{facts.title} — {facts.certification}", size=9, gap=2)
        pages.text(f"Le {facts.written} — {_place(centre)}", size=9, gap=4)
        pages.text(CONFIDENTIAL, size=9, bold=True, gap=8)

    columns = [
        ("Code de copie", 3.6 * cm),
        ("N° de candidat", 3.6 * cm),
        ("Nom et prénom", TEXT_WIDTH - 7.2 * cm),
    ]
    rows = ([line.copy_code, line.candidate_number, line.name] for line in lines)
    _table(pages, heading, columns, rows, 0.6 * cm)


def write_session_documents(
    output: BinaryIO, session: ExamSession, scope: Scope, progress: Progress | None = None
) -> Summary:
    """The PDF of the session's documents in `scope`, CRFP by CRFP: each candidate's convocation,
    then the CRFP's attendance sheet, then (national administrator) its copy-code list."""
    facts = _Session.of(session)
    total = count_in(session, scope)
    pages = _Pages(output, f"Documents — {facts.title}")
    done = centres = 0
    for _, group in groupby(registrations_in(session, scope), key=lambda line: line.centre_id):
        lines = []
        for line in group:
            _convocation(pages, facts, line)
            lines.append(line)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
        centres += 1
        _attendance(pages, facts, lines[0], lines)
        if scope.copy_codes:
            _copy_codes(pages, facts, lines[0], lines)
    pages.save()
    if progress is not None:
        progress(done, total)
    return Summary(convocations=done, centres=centres, pages=pages.count)


def convocation_pdf(registration: Registration) -> bytes:
    """One candidate's convocation, on one page."""
    session = registration.session
    enrolment = registration.enrolment
    candidate, centre = enrolment.candidate, enrolment.training_centre
    line = Line(
        registration.candidate_number,
        registration.copy_code,
        candidate.display_name,
        centre.pk,
        centre.name,
        centre.city,
        centre.region,
    )
    output = BytesIO()
    facts = _Session.of(session)
    pages = _Pages(output, f"Convocation — {facts.title}")
    _convocation(pages, facts, line)
    pages.save()
    return output.getvalue()
