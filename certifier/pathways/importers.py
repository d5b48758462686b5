"""Bulk import of candidates and their enrolments, from Excel (.xlsx) or CSV (`;`, UTF-8).

Every row is validated first and every error reported with its row and column; nothing is
written unless every row is valid (one transaction). Employers, CRFPs, certifications, accounts
and known candidates are fetched once per import, never once per row. A row matches an existing
candidate on the employer's SIRET and the employee number: importing the same rows again changes
nothing.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import CharField, Prefetch
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from certifier.core.excel import append_row, workbook_bytes
from certifier.core.spreadsheets import SheetRow, SpreadsheetRefused, read_rows
from certifier.people.models import Employer, Organisation, TrainingCentre
from certifier.people.services import Appointments
from certifier.referential.enums import AccessRouteKind, Scheme
from certifier.referential.models import Certification, CertificationVersion, Option

from .enums import Sex
from .models import Candidate, Enrolment
from .permissions import can_change_candidate
from .rules import identity_key, insee_code_error, normalise
from .services import (
    EnrolmentData,
    EnrolmentRefused,
    ImportedRow,
    ImportSummary,
    do_import_enrolments,
    duplicate_errors,
    enrolment_errors,
)
from .services.enrolments import FOREIGN_CANDIDATE

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 24

# The columns of the file, in order: field name → French header.
COLUMNS = {
    "birth_name": "Nom de naissance",
    "usage_name": "Nom d'usage",
    "first_name": "Prénom",
    "other_first_names": "Autres prénoms",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birth_insee_code": "Code INSEE de naissance",
    "email": "Courriel",
    "employer": "SIRET employeur",
    "employee_number": "Matricule",
    "certification": "Certification",
    "option": "Option",
    "access_route": "Voie d'accès",
    "training_centre": "CRFP",
    "tutor_email": "Tuteur (courriel)",
    "manager_email": "Manager (courriel)",
    "pre_recruitment_date": "Date de pré-recrutement",
    "start_date": "Date d'entrée en parcours",
}
HEADERS = list(COLUMNS.values())

ACCESS_ROUTE_LABELS = {
    "Formation continue": AccessRouteKind.CONTINUING_EDUCATION,
    "Contrat de professionnalisation": AccessRouteKind.PROFESSIONAL_CONTRACT,
    "VAE": AccessRouteKind.VAE,
    "Apprentissage": AccessRouteKind.APPRENTICESHIP,
    "Formation initiale": AccessRouteKind.INITIAL_TRAINING,
    "Candidature individuelle": AccessRouteKind.INDIVIDUAL_APPLICATION,
}
ACCESS_ROUTES = {normalise(label): kind for label, kind in ACCESS_ROUTE_LABELS.items()} | {
    normalise(kind.label): kind for kind in AccessRouteKind
}
TEXT_COLUMNS = {"birth_insee_code", "employer", "employee_number"}
SEXES = {"m": Sex.MALE, "masculin": Sex.MALE, "f": Sex.FEMALE, "feminin": Sex.FEMALE}
DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

MAX_LENGTHS = {
    field.name: field.max_length for field in Candidate._meta.fields if isinstance(field, CharField)
}


class ImportRefused(Exception):
    """The file as a whole cannot be read; the message is French."""


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"Ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    summary: ImportSummary | None = None


PROGRESS_EVERY = 500  # rows checked between two progress reports


def import_candidates(
    actor: Any, content: bytes, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Validate every row (outside any transaction), then write them all in one transaction, or nothing.

    `progress(checked, total)` is told, between steps, how many rows have been checked."""
    try:
        lines = _data_lines(read_table(content))
    except ImportRefused as refusal:
        return ImportReport(errors=[RowError(None, None, str(refusal))])
    rows = [_Row(number, cells) for number, cells in lines]
    report = ImportReport(rows=len(rows))
    if progress is not None:
        progress(0, len(rows))
    imported = _Validation(actor, rows).run(progress)
    if progress is not None:
        progress(len(rows), len(rows))
    report.errors = [error for row in rows for error in row.errors]
    if not report.errors:
        try:
            report.summary = do_import_enrolments(actor, imported)
        except EnrolmentRefused as refusal:
            report.errors = [RowError(None, None, str(refusal))]
    return report


def read_table(content: bytes) -> list[SheetRow]:
    """The rows holding a value of the first sheet of a workbook, or of a CSV file, within the
    candidate import's limits: 10 MB, 20,000 candidates under the title row, the 18 columns of the
    model and room for a few notes beside them, 1,000 characters a cell."""
    try:
        return read_rows(content, max_bytes=MAX_BYTES, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS)
    except SpreadsheetRefused as refusal:
        raise ImportRefused(str(refusal)) from None


def _data_lines(table: list[SheetRow]) -> list[tuple[int, list[Any]]]:
    """Check the header, then return the non-empty lines under it."""
    found = [_text(cell) for cell in table[0].cells] if table else []
    while found and not found[-1]:
        found.pop()
    if [normalise(name) for name in found] != [normalise(name) for name in HEADERS]:
        raise ImportRefused(
            "La première ligne doit contenir les colonnes du modèle, dans cet ordre : "
            + ", ".join(f"« {name} »" for name in HEADERS)
            + "."
        )
    lines = [(number, cells) for number, cells in table[1:] if any(_text(cell) for cell in cells)]
    if not lines:
        raise ImportRefused("Le fichier ne contient aucune ligne de candidat sous la ligne des titres.")
    return lines


def _text(value: Any, width: int = 0) -> str:
    """A cell as text: numbers typed in Excel lose their leading zeros, which `width` restores."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and value == int(value):
        return str(int(value)).zfill(width)
    return str(value).strip()


class _Row:
    """One line of the file: its cells by field name, parsed values, and its errors."""

    def __init__(self, line: int, cells: list[Any]) -> None:
        self.line = line
        self.cells = dict(zip(COLUMNS, [*cells, *[None] * len(COLUMNS)], strict=False))
        self.errors: list[RowError] = []

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.line, COLUMNS[name], message))

    def text(self, name: str, required: bool = False, width: int = 0) -> str:
        value = _text(self.cells[name], width)
        if required and not value:
            self.error(name, "valeur obligatoire manquante.")
        max_length = MAX_LENGTHS.get(name)
        if max_length and len(value) > max_length:
            self.error(name, f"valeur trop longue ({max_length} caractères au plus).")
        return value

    def date(self, name: str, required: bool = False) -> date | None:
        value = self.cells[name]
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            if required:
                self.error(name, "date obligatoire manquante (attendu JJ/MM/AAAA).")
            return None
        parsed = _parse_date(text)
        if parsed is None:
            self.error(name, f"date « {text} » invalide (attendu JJ/MM/AAAA).")
        return parsed

    def choice(self, name: str, choices: dict[str, Any], expected: str) -> Any:
        text = self.text(name, required=True)
        value = choices.get(normalise(text))
        if text and value is None:
            self.error(name, f"valeur « {text} » inconnue (attendu : {expected}).")
        return value

    def insee_code(self, name: str) -> str:
        code = self.text(name, required=True, width=5).upper()
        if code and (error := insee_code_error(code)):
            self.error(name, _sentence(error))
        return code

    def email(self, name: str) -> str:
        text = self.text(name).lower()
        if text:
            try:
                validate_email(text)
            except ValidationError:
                self.error(name, f"adresse électronique « {text} » invalide.")
        return text


def _parse_date(text: str) -> date | None:
    match = DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class _Parsed:
    """A row's values once read, before they are matched against the database."""

    row: _Row
    values: dict[str, Any]
    siret: str
    certification: str
    option: str
    centre: str

    def identity(self) -> str | None:
        parts = [self.values[name] for name in ("birth_name", "first_name", "birth_date", "birth_insee_code")]
        return identity_key(*parts) if all(parts) else None


class _Validation:
    """Parse every row, fetch what they refer to in bulk, then apply the enrolment rules."""

    def __init__(self, actor: Any, rows: list[_Row]) -> None:
        self.actor = actor
        self.parsed = [_parse(row) for row in rows]
        self.seen_numbers: dict[tuple[str, str], int] = {}
        self.seen_identities: dict[str, int] = {}

    def run(self, progress: Callable[[int, int], None] | None = None) -> list[ImportedRow]:
        for parsed in self.parsed:
            self._check_file_duplicates(parsed)
        self._fetch()
        imported = []
        for checked, parsed in enumerate(self.parsed, start=1):
            if (row := self._resolve(parsed)) is not None:
                imported.append(row)
            if progress is not None and checked % PROGRESS_EVERY == 0:
                progress(checked, len(self.parsed))
        return imported

    def _fetch(self) -> None:
        sirets = {parsed.siret for parsed in self.parsed}
        self.employers = {employer.siret: employer for employer in Employer.objects.filter(siret__in=sirets)}
        self.centres = _centre_index(TrainingCentre.objects.all())
        versions = CertificationVersion.objects.select_related("certification").prefetch_related("options")
        certifications = Certification.objects.filter(
            number__in={parsed.certification.upper() for parsed in self.parsed}
        ).prefetch_related(Prefetch("versions", queryset=versions), "access_routes")
        self.certifications = {certification.number: certification for certification in certifications}
        self.versions = {
            version.pk: version
            for certification in certifications
            for version in certification.versions.all()
        }
        numbers = {parsed.values["employee_number"] for parsed in self.parsed}
        employers = [employer.pk for employer in self.employers.values()]
        candidates = Candidate.objects.filter(employer_id__in=employers, employee_number__in=numbers)
        self.by_number = {
            (candidate.employer_id, candidate.employee_number): candidate for candidate in candidates
        }
        keys = {key for parsed in self.parsed if (key := parsed.identity())}
        self.by_identity = {
            candidate.identity_key: candidate for candidate in Candidate.objects.filter(identity_key__in=keys)
        }
        enrolments = Enrolment.objects.filter(
            candidate__in=[candidate.pk for candidate in self.by_number.values()]
        ).select_related("version")
        self.enrolments = {
            (enrolment.candidate_id, enrolment.version.certification_id): enrolment
            for enrolment in enrolments
        }
        self.candidate_centres: dict[int, set[int]] = {}
        for enrolment in enrolments:
            self.candidate_centres.setdefault(enrolment.candidate_id, set()).add(enrolment.training_centre_id)
        self.appointments = Appointments(
            self.actor,
            [parsed.values[name] for parsed in self.parsed for name in ("tutor_email", "manager_email")],
        )

    def _resolve(self, parsed: _Parsed) -> ImportedRow | None:
        row, values = parsed.row, parsed.values
        employer = self.employers.get(parsed.siret)
        if parsed.siret and employer is None:
            row.error("employer", f"aucun organisme employeur n'a le SIRET « {parsed.siret} ».")
        centre = self.centres.get(normalise(parsed.centre)) or self.centres.get(
            normalise(f"CRFP de {parsed.centre}")
        )
        if parsed.centre and centre is None:
            row.error("training_centre", f"CRFP « {parsed.centre} » inconnu.")
        certification = self.certifications.get(parsed.certification.upper())
        if parsed.certification and certification is None:
            row.error("certification", f"certification « {parsed.certification} » inconnue.")
        if row.errors or employer is None or centre is None or certification is None:
            return None
        candidate = self.by_number.get((employer.pk, values["employee_number"]))
        enrolment = self.enrolments.get((candidate.pk, certification.pk)) if candidate else None
        if enrolment:
            version: CertificationVersion | None = self.versions[enrolment.version_id]
        else:
            version = _applicable_version(certification, values["start_date"])
        if version is None:
            row.error(
                "start_date",
                f"aucune version de la certification {certification.number} n'est applicable au "
                f"{values['start_date']:%d/%m/%Y}.",
            )
            return None
        option = _option(row, version, parsed.option)
        if row.errors:
            return None
        # The file has no column for the post: an update keeps the one entered in the form.
        post = candidate.post if candidate else ""
        data = EnrolmentData(
            **values, post=post, employer=employer, training_centre=centre, version=version, option=option
        )
        self._check(row, data, certification, candidate, enrolment)
        return None if row.errors else ImportedRow(data, candidate, enrolment)

    def _check(
        self,
        row: _Row,
        data: EnrolmentData,
        certification: Certification,
        candidate: Candidate | None,
        enrolment: Enrolment | None,
    ) -> None:
        if candidate and not can_change_candidate(
            self.actor, self.candidate_centres.get(candidate.pk, set())
        ):
            row.error("employee_number", _sentence(FOREIGN_CANDIDATE))
            return
        routes = {route.kind for route in certification.access_routes.all() if route.is_open}
        options = {option.pk for option in data.version.options.all()}
        errors = enrolment_errors(self.actor, data, routes, options, enrolment)
        same_identity = self.by_identity.get(data.identity_key())
        errors |= duplicate_errors(data, None, same_identity if same_identity != candidate else None)
        errors |= self.appointments.errors(
            data.tutor_email,
            data.manager_email,
            data.employer,
            data.email,
            candidate.user_id if candidate else None,
        )
        for name, message in errors.items():
            row.error(name, _sentence(message))

    def _check_file_duplicates(self, parsed: _Parsed) -> None:
        row = parsed.row
        number_key = (parsed.siret, parsed.values["employee_number"])
        if (first := self.seen_numbers.setdefault(number_key, row.line)) != row.line:
            row.error("employee_number", f"même SIRET employeur et même matricule qu'à la ligne {first}.")
        identity = parsed.identity()
        if identity and (first := self.seen_identities.setdefault(identity, row.line)) != row.line:
            row.error(
                "birth_name",
                f"même personne (nom de naissance, prénom, date et lieu de naissance) qu'à la ligne {first}.",
            )


def _parse(row: _Row) -> _Parsed:
    values = {
        "birth_name": row.text("birth_name", required=True),
        "usage_name": row.text("usage_name"),
        "first_name": row.text("first_name", required=True),
        "other_first_names": row.text("other_first_names"),
        "sex": row.choice("sex", SEXES, "M ou F"),
        "birth_date": row.date("birth_date", required=True),
        "birth_insee_code": row.insee_code("birth_insee_code"),
        "email": row.email("email"),
        "employee_number": row.text("employee_number", required=True),
        "access_route": row.choice("access_route", ACCESS_ROUTES, ", ".join(ACCESS_ROUTE_LABELS)),
        "tutor_email": row.email("tutor_email"),
        "manager_email": row.email("manager_email"),
        "pre_recruitment_date": row.date("pre_recruitment_date"),
        "start_date": row.date("start_date", required=True),
    }
    return _Parsed(
        row=row,
        values=values,
        siret=row.text("employer", required=True, width=14),
        certification=row.text("certification", required=True),
        option=row.text("option"),
        centre=row.text("training_centre", required=True),
    )


def _sentence(message: str) -> str:
    """Rule messages are sentences; in a report they follow « Ligne n, colonne c : »."""
    return message[0].lower() + message[1:] if message[:2] != message[:2].upper() else message


def _centre_index(centres: Any) -> dict[str, Organisation]:
    """CRFPs by name (« CRFP de Bordeaux ») or by city (« Bordeaux »)."""
    index: dict[str, Organisation] = {}
    for centre in centres:
        if centre.city:
            index.setdefault(normalise(centre.city), centre)
        index[normalise(centre.name)] = centre
    return index


def _applicable_version(certification: Certification, start: date) -> CertificationVersion | None:
    """The version whose validity covers the start date; the registry scheme (blocks) before an
    earlier scheme kept for the candidates already enrolled under it (D5)."""
    covering = [
        version
        for version in certification.versions.all()
        if (version.valid_from is None or version.valid_from <= start)
        and (version.valid_until is None or start <= version.valid_until)
    ]
    covering.sort(key=lambda version: (version.scheme == Scheme.BLOCKS, version.valid_from or date.min))
    return covering[-1] if covering else None


def _option(row: _Row, version: CertificationVersion, text: str) -> Option | None:
    options = list(version.options.all())
    if not text:
        return None
    for option in options:
        if normalise(text) in (normalise(option.title), normalise(option.code)):
            return option
    titles = ", ".join(option.title for option in options) or "aucune"
    row.error(
        "option", f"option « {text} » inconnue pour cette certification (options possibles : {titles})."
    )
    return None


def template_workbook() -> bytes:
    """The file to fill in: the columns in order, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Candidats"
    append_row(sheet, HEADERS)
    for index, (name, header) in enumerate(COLUMNS.items(), start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(16, len(header) + 4)
        if name in TEXT_COLUMNS:  # Excel would drop the leading zeros of a number
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Consignes")
    for line in INSTRUCTIONS:
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 120
    return workbook_bytes(workbook)


INSTRUCTIONS = [
    "Une ligne par candidat, sous la ligne des titres de la feuille « Candidats ». Ne modifiez pas les titres.",
    "Dates au format JJ/MM/AAAA (ou cellules de type date).",
    "Sexe : M ou F. Code INSEE de naissance : commune de naissance, ou 99 suivi du code du pays.",
    "SIRET employeur : 14 chiffres. Le SIRET et le matricule identifient le candidat : un nouvel import les met à jour.",
    "Certification : numéro de fiche, par exemple RNCP35729. Option : intitulé ou code de l'option.",
    "Voie d'accès : " + ", ".join(ACCESS_ROUTE_LABELS) + ".",
    "CRFP : nom (« CRFP de Bordeaux ») ou ville (« Bordeaux »).",
    "Tuteur et manager : adresse électronique ; un compte est créé pour une adresse inconnue.",
    "Fichier CSV accepté : séparateur « ; », encodage UTF-8. Au plus : 10 Mo, 20 000 candidats, "
    "1 000 caractères par cellule.",
    "Aucune ligne n'est enregistrée tant qu'une seule ligne comporte une erreur.",
]
