"""Excel marking sheets (D50, issue 8 item 6): one evaluation of one session, downloaded, filled in,
uploaded back.

The sheet « Notes » holds the rows the user marks: the key columns (the copy code alone for the
anonymous written exam, D48; the candidate number and name otherwise), locked, and the « Note »
column, the only one that can be typed in. A very hidden sheet, the manifest, carries the session, the
exam and, for each row, the version of its mark at download and a keyed hash (HMAC with the secret
key) of (session, exam, registration, key, version); the registration's id itself is never written, so
the file says nothing the copy code does not.

Reading a sheet back checks the manifest (another exam or session is refused whole), then every row:
a key changed, a row added or removed, a mark changed since the download (the sheet is stale), a cell
that is not a mark. Every bad row is named at once and nothing is written. A sound sheet becomes a
`Plan` (`plan_marks`) shown before anything is written; its entries travel to the confirmation signed
for that user, session and exam, and `do_record_marks` checks them all again.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.worksheet import Worksheet

from certifier.core.excel import append_row, workbook_bytes
from certifier.core.models import DomainError, NotAllowed
from certifier.core.spreadsheets import read_rows
from certifier.people.permissions import has_role

from .evaluations import Exam
from .marks import (
    LEGEND,
    Change,
    Entry,
    MarksRefused,
    Plan,
    cell_text,
    do_record_marks,
    parse_cell,
    plan_marks,
)
from .models import ExamSession, Mark
from .permissions import markable

MAGIC = "certifier-feuille-de-notes-1"
TABLE = "Notes"
LEGEND_SHEET = "Légende"
MANIFEST = "manifeste"
NOTE = "Note"
COPY_CODE = "Code de copie"
CANDIDATE_NUMBER = "N° de candidat"
NAME_HEADERS = ("Nom", "Prénom")
MAX_ROWS = 20_001  # the title row and 20,000 registrations: more than any session holds
MAX_COLUMNS = 16
DIGEST_LENGTH = 32  # hex characters: 128 bits
SALT = "certifier.exams.sheets"
CONFIRMATION_MAX_AGE = 3600  # seconds between the preview and its confirmation

NOT_OURS = (
    "Ce fichier n'est pas une feuille de notes téléchargée depuis la plateforme (son manifeste est "
    "absent ou illisible) : téléchargez la feuille de l'épreuve et saisissez-y les notes."
)
MANIFEST_CHANGED = "Le manifeste de cette feuille a été modifié : téléchargez-la de nouveau."


@dataclass(frozen=True)
class Fault:
    """What is wrong with one row of a sheet; `column` is None when the whole row is at fault."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"Ligne {self.row}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}."


class SheetRefused(DomainError):
    """A sheet refused whole: nothing written; `faults` names every bad row (empty when the sheet
    as a whole is refused, e.g. a sheet of another exam)."""

    def __init__(self, message: str, faults: Sequence[Fault] = ()) -> None:
        super().__init__(message)
        self.faults = sorted(faults, key=lambda fault: fault.row)


@dataclass(frozen=True)
class Line:
    """A row of an uploaded sheet: its number, whose mark it is, what it says, the version seen."""

    row: int
    key: str  # the row's key cell: the copy code, or the candidate number (random, unlike the id)
    registration_id: int
    text: str
    seen_version: int


@dataclass(frozen=True)
class Shown:
    """A change as the preview shows it."""

    row: int
    key: str
    before: str
    after: str


@dataclass(frozen=True)
class Reading:
    """A sound sheet: its lines, and what recording them would change."""

    lines: list[Line]
    plan: Plan
    new: list[Shown]
    changed: list[Shown]


# --- who may use a sheet -----------------------------------------------------------------------


def check_access(actor: Any, session: ExamSession, evaluation: Exam) -> None:
    """D29, D50: the evaluation's responsible role, with rows to mark in this session."""
    if not has_role(actor, evaluation.responsible) or not markable(actor, session, evaluation).exists():
        raise NotAllowed("Aucune note de cette épreuve ne vous est confiée dans cette session.")


def key_headers(evaluation: Exam) -> tuple[str, ...]:
    return (COPY_CODE,) if evaluation.anonymous else (CANDIDATE_NUMBER, *NAME_HEADERS)


def filename(session: ExamSession, evaluation: Exam) -> str:
    """No identity in a file name (D48): the exam and the session's number only."""
    return f"notes-{evaluation.label}-session-{session.pk}.xlsx"


def _digest(*parts: object) -> str:
    value = "|".join(str(part) for part in parts)
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:DIGEST_LENGTH]


def _row_digest(session: ExamSession, evaluation: Exam, registration_id: int, key: str, version: int) -> str:
    return _digest("row", session.pk, evaluation.name, registration_id, key, version)


def _header_digest(session_id: object, exam: object, count: object) -> str:
    return _digest("sheet", session_id, exam, count)


# --- download ----------------------------------------------------------------------------------


def _registrations(actor: Any, session: ExamSession, evaluation: Exam) -> list[tuple[Any, ...]]:
    """(id, key cells…) of the rows the actor marks: by copy code for the anonymous written exam (an
    order that says nothing of the candidate), by name otherwise."""
    rows = markable(actor, session, evaluation)
    if evaluation.anonymous:
        return list(rows.order_by("copy_code").values_list("pk", "copy_code"))
    named = rows.order_by(
        "enrolment__candidate__birth_name", "enrolment__candidate__first_name", "candidate_number"
    ).values_list(
        "pk",
        "candidate_number",
        "enrolment__candidate__usage_name",
        "enrolment__candidate__birth_name",
        "enrolment__candidate__first_name",
    )
    return [(pk, number, (usage or birth).upper(), first) for pk, number, usage, birth, first in named]


def _marks(actor: Any, session: ExamSession, evaluation: Exam) -> dict[int, Mark]:
    return {
        mark.registration_id: mark
        for mark in Mark.objects.filter(
            registration__in=markable(actor, session, evaluation), exam=evaluation.name
        ).only("registration_id", "status", "value", "version")
    }


def build_sheet(actor: Any, session: ExamSession, evaluation: Exam) -> bytes:
    """The marking sheet of the rows the actor marks, with their current marks."""
    check_access(actor, session, evaluation)
    registrations = _registrations(actor, session, evaluation)
    marks = _marks(actor, session, evaluation)
    workbook = Workbook()
    workbook.properties.creator = "Certifier"
    workbook.properties.title = f"Notes — {evaluation.short_label}"
    workbook.security = WorkbookProtection(lockStructure=True)
    table = workbook.active
    assert table is not None
    table.title = TABLE
    headers = (*key_headers(evaluation), NOTE)
    append_row(table, headers)
    manifest_rows: list[list[Any]] = []
    for number, (registration_id, *keys) in enumerate(registrations, start=2):
        mark = marks.get(registration_id)
        version = mark.version if mark else 0
        append_row(table, [*keys, cell_text(mark.status, mark.value) if mark else ""])
        manifest_rows.append(
            [number, version, _row_digest(session, evaluation, registration_id, keys[0], version)]
        )
    _dress_table(table, headers, len(registrations))
    _write_legend(workbook.create_sheet(LEGEND_SHEET), evaluation)
    manifest = workbook.create_sheet(MANIFEST)
    manifest.sheet_state = "veryHidden"
    count = len(manifest_rows)
    append_row(
        manifest,
        [MAGIC, session.pk, evaluation.name, count, _header_digest(session.pk, evaluation.name, count)],
    )
    for row in manifest_rows:
        append_row(manifest, row)
    _protect(manifest)
    return workbook_bytes(workbook)


def _protect(sheet: Worksheet) -> None:
    """Sheet protection on, without a password: nobody types in a locked cell by mistake; columns
    may still be widened. (Tampering on purpose is caught by the manifest's hashes.)"""
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.enable()


def _dress_table(sheet: Worksheet, headers: Sequence[str], rows: int) -> None:
    note = len(headers)
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = max(16, len(header) + 4)
    unlocked = Protection(locked=False)
    for row in range(2, rows + 2):
        cell = sheet.cell(row=row, column=note)
        cell.protection = unlocked
        cell.number_format = "@"  # typed as text: « 12,5 » stays « 12,5 », « =… » is no formula
    sheet.freeze_panes = "A2"
    _protect(sheet)


def _write_legend(sheet: Worksheet, evaluation: Exam) -> None:
    lines = [
        f"Feuille de notes — {evaluation.short_label}",
        "",
        "Saisissez les notes dans la colonne « Note » de la feuille « Notes » ; les autres colonnes sont verrouillées.",
        LEGEND,
        "Une cellule laissée vide ne change rien ; une note déjà saisie ne peut pas être effacée.",
        "N'ajoutez, ne supprimez ni ne déplacez aucune ligne : la feuille serait refusée.",
        "Si une note est modifiée sur la plateforme après le téléchargement, la feuille est refusée : "
        "téléchargez-la de nouveau.",
        "Au dépôt, la plateforme montre les notes nouvelles et modifiées avant de les enregistrer.",
    ]
    for line in lines:
        append_row(sheet, [line])
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    _protect(sheet)


# --- upload ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Manifest:
    session_id: Any
    exam: Any
    rows: list[tuple[int, int, str]]  # (row, version, digest)


def _read_manifest(content: bytes) -> _Manifest:
    """The manifest sheet. `read_rows` reads the first sheet only, so the hidden one is read with
    openpyxl (defusedxml installed), once `read_rows` has checked the archive's sizes."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception:  # a hostile or damaged file: whatever openpyxl raises, it is refused
        raise SheetRefused(NOT_OURS) from None
    try:
        if MANIFEST not in workbook.sheetnames:
            raise SheetRefused(NOT_OURS)
        values = workbook[MANIFEST].iter_rows(max_row=MAX_ROWS, max_col=5, values_only=True)
        header = next(values, None)
        if not header or header[0] != MAGIC or len(header) < 5:
            raise SheetRefused(NOT_OURS)
        session_id, exam, count, digest = header[1:5]
        if not constant_time_compare(str(digest), _header_digest(session_id, exam, count)):
            raise SheetRefused(MANIFEST_CHANGED)
        rows: list[tuple[int, int, str]] = []
        for row, version, row_digest, *_ in values:
            if not (type(row) is int and type(version) is int and isinstance(row_digest, str)):
                raise SheetRefused(MANIFEST_CHANGED)
            rows.append((row, version, row_digest))
    except SheetRefused:
        raise
    except Exception:
        raise SheetRefused(NOT_OURS) from None
    finally:
        workbook.close()
    if count != len(rows):
        raise SheetRefused(MANIFEST_CHANGED)
    return _Manifest(session_id, exam, rows)


def _text(value: Any) -> str:
    """A cell as the text a mark is parsed from; a number read from Excel's binary floating point
    (12.300000000000001) is brought back to the two decimals typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        rounded = number.quantize(Decimal("0.01"))
        if abs(number - rounded) < Decimal("1e-9"):
            number = rounded.normalize()
        return f"{number:f}"
    return str(value).strip()


def read_sheet(actor: Any, session: ExamSession, evaluation: Exam, content: bytes) -> Reading:
    """Checks an uploaded sheet whole; writes nothing. SheetRefused names every bad row."""
    check_access(actor, session, evaluation)
    table = {row.number: row.cells for row in read_rows(content, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)}
    manifest = _read_manifest(content)
    if manifest.session_id != session.pk or manifest.exam != evaluation.name:
        raise SheetRefused(
            "Cette feuille concerne une autre épreuve ou session : téléchargez la feuille de l'épreuve "
            f"« {evaluation.label} » de cette session et saisissez-y les notes."
        )
    headers = (*key_headers(evaluation), NOTE)
    found = [_text(cell) for cell in table.pop(1, [])][: len(headers)]
    if tuple(found) != headers:
        raise SheetRefused(
            f"La première feuille du classeur doit être la feuille « {TABLE} » téléchargée, avec en "
            f"ligne 1 les titres : {', '.join(headers)}. Téléchargez la feuille de nouveau."
        )
    lines, faults = _lines(actor, session, evaluation, manifest, table)
    if faults:
        raise SheetRefused(_refused(faults), faults)
    plan = _plan(actor, session, evaluation, lines)
    keys = {line.registration_id: line for line in lines}
    return Reading(
        lines=[line for line in lines if line.text],
        plan=plan,
        new=[_shown(change, keys, evaluation) for change in plan.new],
        changed=[_shown(change, keys, evaluation) for change in plan.changed],
    )


def _refused(faults: Sequence[Fault]) -> str:
    rows = len({fault.row for fault in faults})
    what = "1 ligne à corriger" if rows == 1 else f"{rows} lignes à corriger"
    return f"La feuille est refusée, aucune note n'a été enregistrée : {what}."


def _lines(
    actor: Any,
    session: ExamSession,
    evaluation: Exam,
    manifest: _Manifest,
    table: dict[int, list[Any]],
) -> tuple[list[Line], list[Fault]]:
    key_column = key_headers(evaluation)[0]
    note = len(key_headers(evaluation))
    registrations = _registration_ids(actor, session, evaluation)
    versions = {pk: mark.version for pk, mark in _marks(actor, session, evaluation).items()}
    lines: list[Line] = []
    faults: list[Fault] = []
    rows_of: dict[int, int] = {}
    for row, version, digest in manifest.rows:
        cells = table.pop(row, None)
        if cells is None:
            faults.append(
                Fault(row, None, "la ligne a été vidée ou supprimée depuis le téléchargement de la feuille")
            )
            continue
        key = _text(cells[0])
        registration_id = registrations.get(key)
        if registration_id is None or not constant_time_compare(
            digest, _row_digest(session, evaluation, registration_id, key, version)
        ):
            faults.append(
                Fault(
                    row,
                    key_column,
                    f"« {key} » n'est pas la valeur téléchargée (colonne modifiée, ou ligne qui ne vous est "
                    "plus confiée) : téléchargez la feuille de nouveau",
                )
            )
            continue
        if registration_id in rows_of:
            faults.append(
                Fault(row, key_column, f"« {key} » figure déjà à la ligne {rows_of[registration_id]}")
            )
            continue
        rows_of[registration_id] = row
        if versions.get(registration_id, 0) != version:
            faults.append(
                Fault(
                    row,
                    None,
                    "la note a été modifiée depuis le téléchargement de la feuille : téléchargez-la de nouveau",
                )
            )
        text = _text(cells[note]) if len(cells) > note else ""
        try:
            parse_cell(text)
        except ValueError as error:
            faults.append(Fault(row, NOTE, str(error)))
        lines.append(Line(row, key, registration_id, text, version))
    faults.extend(
        Fault(
            row,
            None,
            "ligne ajoutée après le téléchargement de la feuille : seules les lignes téléchargées sont lues",
        )
        for row in sorted(table)
    )
    return lines, faults


def _entries(lines: Sequence[Line]) -> list[Entry]:
    return [Entry(line.registration_id, line.text, line.seen_version) for line in lines]


def _as_sheet_faults(refused: MarksRefused, lines: Sequence[Line]) -> SheetRefused:
    rows = {line.registration_id: line.row for line in lines}
    faults = [Fault(rows[registration], NOTE, message) for registration, message in refused.faults.items()]
    return SheetRefused(_refused(faults), faults)


def _plan(actor: Any, session: ExamSession, evaluation: Exam, lines: Sequence[Line]) -> Plan:
    try:
        return plan_marks(actor, session, evaluation.name, _entries(lines))
    except MarksRefused as refused:
        raise _as_sheet_faults(refused, lines) from None


def _shown(change: Change, lines: dict[int, Line], evaluation: Exam) -> Shown:
    registration = change.registration
    key = registration.copy_code if evaluation.anonymous else registration.candidate_number
    return Shown(lines[registration.pk].row, key, change.before, change.cell.text)


# --- confirmation ------------------------------------------------------------------------------


def _salt(actor: Any, session: ExamSession, evaluation: Exam) -> str:
    return f"{SALT}.confirm:{actor.pk}:{session.pk}:{evaluation.name}"


def sign_lines(actor: Any, session: ExamSession, evaluation: Exam, lines: Sequence[Line]) -> str:
    """The lines of a previewed sheet, signed for this user, session and exam; named by their key
    cells, never by registration ids (readable in the token, their order would hint at names, D48)."""
    payload = [[line.row, line.key, line.text, line.seen_version] for line in lines]
    return signing.dumps(payload, salt=_salt(actor, session, evaluation), compress=True)


def unsign_lines(actor: Any, session: ExamSession, evaluation: Exam, token: str) -> list[Line]:
    try:
        payload = signing.loads(token, salt=_salt(actor, session, evaluation), max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            "La vérification de la feuille date de plus d'une heure : déposez la feuille de nouveau."
        ) from None
    except signing.BadSignature:
        raise DomainError(
            "La confirmation ne correspond à aucune feuille déposée : déposez la feuille de nouveau."
        ) from None
    registrations = _registration_ids(actor, session, evaluation)
    if any(key not in registrations for _, key, _, _ in payload):  # a row no longer confided to the user
        raise DomainError("Une ligne de la feuille ne vous est plus confiée : déposez la feuille de nouveau.")
    return [
        Line(int(row), str(key), registrations[key], str(text), int(version))
        for row, key, text, version in payload
    ]


def _registration_ids(actor: Any, session: ExamSession, evaluation: Exam) -> dict[str, int]:
    """The rows the actor marks, by their key cell: copy code or candidate number."""
    field = "copy_code" if evaluation.anonymous else "candidate_number"
    return dict(markable(actor, session, evaluation).values_list(field, "pk"))


def do_record_sheet(actor: Any, session: ExamSession, evaluation: Exam, lines: Sequence[Line]) -> Plan:
    """Records a previewed sheet all or nothing (`do_record_marks` checks every line again: a mark
    changed since the preview refuses the whole sheet)."""
    check_access(actor, session, evaluation)
    try:
        return do_record_marks(actor, session, evaluation.name, _entries(lines))
    except MarksRefused as refused:
        raise _as_sheet_faults(refused, lines) from None


def already_recorded(actor: Any, session: ExamSession, evaluation: Exam, lines: Sequence[Line]) -> bool:
    """Whether the marks of a previewed sheet are the marks of now: a confirmation sent twice (the
    browser's Back, a double click) is then told so rather than refused as stale."""
    marks = _marks(actor, session, evaluation)
    typed = [(line, parse_cell(line.text)) for line in lines]
    return any(cell for _, cell in typed) and all(
        cell is None
        or (
            (mark := marks.get(line.registration_id)) is not None
            and (mark.status, mark.value) == (cell.status, cell.value)
        )
        for line, cell in typed
    )
