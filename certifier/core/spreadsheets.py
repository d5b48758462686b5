"""The one reader of the spreadsheets users upload: Excel (.xlsx) or CSV (UTF-8, `;`-separated).

A file is hostile until read. Every limit is checked before parsing where the file says how big it
is (its size, the zip directory, the count of XML elements of a part, the sheet's `<dimension>`), and
again while parsing, because a file can lie: reading stops at the first row, column or cell beyond a
limit. XML is parsed as a stream of events (lxml's parser target: no tree is built, no DTD loaded, no
entity expanded, no network), so memory stays flat whatever the content. Any refusal is a
`SpreadsheetRefused` with a French message naming the limit and where it was met; a damaged file is
refused the same way, never with a traceback.

`read_rows` returns the rows that hold a value, with their number in the sheet; each importer
chooses its own limits with keyword arguments.
"""

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from posixpath import dirname, join, normpath
from typing import Any, NamedTuple

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from .models import DomainError

MEGABYTE = 1024 * 1024
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STRICT_RELATIONSHIP = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
# Any damage to an archive or to its XML surfaces as one of these.
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    etree.XMLSyntaxError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    ValueError,
    IndexError,
    ArithmeticError,
)


class SpreadsheetRefused(DomainError):
    """The file cannot be read within its limits; the message is French and says where."""


class SheetRow(NamedTuple):
    number: int
    cells: list[Any]


@dataclass(frozen=True)
class Limits:
    """Defaults for an import of up to 20,000 rows under a title row; each import narrows them to
    its own table (the candidate import reads 24 columns at most, for its 18).

    A workbook of 20,000 candidates holds 15 to 20 MB of sheet XML and a few MB of shared strings, so
    32 MB a part leaves room; no field of the platform takes more than 1,000 characters (Excel allows
    32,767 in a cell). Parsing costs grow with rows × columns: the narrower, the faster a refusal.
    """

    max_bytes: int = 10 * MEGABYTE
    max_rows: int = 20_001
    max_columns: int = 64
    max_cell_length: int = 1_000
    max_members: int = 100
    max_part: int = 32 * MEGABYTE
    max_uncompressed: int = 64 * MEGABYTE


def read_rows(content: bytes, **limits: int) -> list[SheetRow]:
    """The rows holding a value of the first sheet of a workbook, or of a CSV file.

    Keyword arguments override the `Limits` defaults (e.g. `max_rows=5_001`).
    """
    chosen = Limits(**limits)
    if len(content) > chosen.max_bytes:
        raise SpreadsheetRefused(
            f"Le fichier dépasse la taille maximale de {_megabytes(chosen.max_bytes)} : découpez-le en "
            "plusieurs fichiers."
        )
    if content.startswith(b"PK\x03\x04"):
        return _Workbook(content, chosen).rows()
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetRefused(
            "Le fichier est un classeur Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou CSV."
        )
    return _read_csv(content, chosen)


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}".replace(".", ",").replace(",0", "") + " Mo"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _check_row(number: int, limits: Limits, place: str) -> None:
    if number > limits.max_rows:
        raise SpreadsheetRefused(
            f"{place} dépasse {_number(limits.max_rows)} lignes (ligne des titres comprise ; ligne "
            f"{_number(number)} atteinte) : supprimez les lignes vides en fin de feuille ou découpez le "
            "fichier en plusieurs fichiers."
        )


def _check_column(row: int, column: int, limits: Limits, place: str) -> None:
    if column > limits.max_columns:
        raise SpreadsheetRefused(
            f"{place} dépasse {limits.max_columns} colonnes à la ligne {row} (colonne "
            f"{_letter(column)} atteinte) : supprimez les colonnes en trop."
        )


def _check_length(length: int, row: int, column: int, limits: Limits, sheet: str = "") -> None:
    if length > limits.max_cell_length:
        where = f" de la feuille « {sheet} »" if sheet else ""
        raise SpreadsheetRefused(
            f"La cellule de la ligne {row}, colonne {_letter(column)}{where} dépasse "
            f"{_number(limits.max_cell_length)} caractères."
        )


def _letter(column: int) -> str:
    return get_column_letter(min(column, 18_278))  # XFD, Excel's last column, is 16,384


def _has_value(cells: list[Any]) -> bool:
    return any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells)


# --- CSV -----------------------------------------------------------------------------------------

NOT_UTF8 = (
    "Le fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV encodé en UTF-8{where} : "
    "enregistrez-le au format .xlsx, ou au format « CSV UTF-8 (délimité par des points-virgules) »."
)
CSV_FILE = "Le fichier CSV"
OTHER_SEPARATORS = {",": "des virgules", "\t": "des tabulations"}


def _read_csv(content: bytes, limits: Limits) -> list[SheetRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        where = f" (caractère illisible à la ligne {line})"
        raise SpreadsheetRefused(NOT_UTF8.format(where=where)) from None
    if "\x00" in text:
        raise SpreadsheetRefused(NOT_UTF8.format(where=""))
    # The csv module refuses a field over its process-wide limit (128 KB) with an English error; the
    # limit is raised to the largest file accepted so that a long cell gets our precise message.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_bytes))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    rows: list[SheetRow] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            _check_row(number, limits, CSV_FILE)
            _check_column(number, min(len(cells), limits.max_columns + 1), limits, CSV_FILE)
            for column, cell in enumerate(cells, start=1):
                _check_length(len(cell), number, column, limits)
            if _has_value(cells):
                if not rows:
                    _check_separator(number, cells)
                rows.append(SheetRow(number, cells))
    except csv.Error:
        raise SpreadsheetRefused(
            f"Le fichier CSV est mal formé à la ligne {reader.line_num} : vérifiez ses guillemets."
        ) from None
    return rows


def _check_separator(number: int, cells: list[str]) -> None:
    if len(cells) == 1:
        for separator, name in OTHER_SEPARATORS.items():
            if separator in cells[0]:
                raise SpreadsheetRefused(
                    f"Les colonnes du fichier CSV sont séparées par {name} (ligne {number}) : le "
                    "séparateur attendu est le point-virgule « ; ». Enregistrez le fichier au format "
                    "« CSV UTF-8 (délimité par des points-virgules) »."
                )


# --- Excel ---------------------------------------------------------------------------------------

NOT_A_WORKBOOK = (
    "Le fichier n'est pas un classeur Excel (.xlsx) lisible : enregistrez-le de nouveau au format .xlsx."
)
SHARED_STRINGS = "la table des textes partagés"
CHUNK = 64 * 1024
MOST_FOUND = 65_000  # sheets, relations, cell formats of a workbook: Excel allows 64,000 formats


class _Reader:
    """An XML part read as a stream of events (lxml's parser target): no tree is ever built, so
    memory stays flat whatever the part holds, known elements or not. No DTD is loaded nor any
    entity expanded; a document declaring a type is refused outright."""

    def read(self, content: bytes) -> None:
        parser = etree.XMLParser(
            target=self,  # type: ignore[arg-type]  # parsed from bytes, lxml hands str tags and text
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
        )
        for start in range(0, len(content), CHUNK):
            parser.feed(content[start : start + CHUNK])
        parser.close()

    def doctype(self, *declaration: Any) -> None:
        raise ValueError("a document type declaration, never found in a workbook")

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class _Elements(_Reader):
    """The attributes of the elements named `names`, with the name of their parent."""

    def __init__(self, *names: str) -> None:
        self.names = set(names)
        self.found: list[tuple[str, str, dict[str, str]]] = []
        self.path: list[str] = []

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]  # inlined: called for every element
        if name in self.names:
            if len(self.found) == MOST_FOUND:
                raise ValueError(f"more than {MOST_FOUND} {name} elements")
            self.found.append((name, self.path[-1] if self.path else "", dict(attributes)))
        self.path.append(name)

    def end(self, tag: str) -> None:
        self.path.pop()


class _SharedStrings(_Reader):
    """The table of shared strings; each kept to one character over the cell limit, which is enough
    to refuse it when a cell uses it."""

    def __init__(self, limits: Limits) -> None:
        self.most = limits.max_rows * limits.max_columns  # one string a cell at most
        self.keep = limits.max_cell_length + 1
        self.limits = limits
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.length = 0
        self.text = False  # inside a <t> of the string (not of a phonetic hint)
        self.hint = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]  # inlined: called for every element
        if name == "si":
            if len(self.strings) == self.most:
                raise SpreadsheetRefused(
                    f"La table des textes partagés compte plus de {_number(self.most)} textes, plus que "
                    f"{_number(self.limits.max_rows)} lignes de {self.limits.max_columns} colonnes n'ont de "
                    "cellules : ce n'est pas un classeur ordinaire."
                )
            self.parts, self.length = [], 0
        elif name == "rPh":
            self.hint = True
        elif name == "t":
            self.text = not self.hint

    def data(self, text: str) -> None:
        if self.text and self.length < self.keep:
            self.parts.append(text[: self.keep - self.length])
            self.length += len(text)

    def end(self, tag: str) -> None:
        name = tag.rpartition("}")[2]  # inlined: called for every element
        if name == "t":
            self.text = False
        elif name == "rPh":
            self.hint = False
        elif name == "si":
            self.strings.append("".join(self.parts))


class _Sheet(_Reader):
    """The rows of a sheet, refused at the first row, column or cell beyond the limits."""

    def __init__(self, name: str, strings: list[str], dates: set[int], epoch: datetime, limits: Limits):
        self.name = name
        self.strings = strings
        self.dates = dates
        self.epoch = epoch
        self.limits = limits
        self.place = f"La feuille « {name} »"
        self.rows: list[SheetRow] = []
        self.number = 0
        self.cells: list[Any] = []
        self.kind: str | None = None  # the type of the cell being read (t), None between cells
        self.style = "0"
        self.parts: list[str] = []
        self.length = 0
        self.text = False  # inside the cell's <v>, or a <t> of its inline string
        self.hint = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]  # inlined: called for every element
        if name == "c":
            self._start_cell(attributes)
        elif name == "v" or (name == "t" and not self.hint):
            self.text = self.kind is not None
        elif name == "rPh":
            self.hint = True
        elif name == "row":
            self._start_row(attributes.get("r"))
        elif name == "dimension":
            self._check_dimension(attributes.get("ref", ""))

    def data(self, text: str) -> None:
        if self.text:
            self.parts.append(text)
            self.length += len(text)
            if self.length > self.limits.max_cell_length:  # refused before the rest is read
                _check_length(self.length, self.number, self._column(), self.limits, self.name)

    def end(self, tag: str) -> None:
        name = tag.rpartition("}")[2]  # inlined: called for every element
        if name in ("v", "t"):
            self.text = False
        elif name == "rPh":
            self.hint = False
        elif name == "c" and self.kind is not None:
            self._end_cell()
        elif name == "row":
            if _has_value(self.cells):
                self.rows.append(SheetRow(self.number, self.cells))
            self.cells = []

    def _start_row(self, reference: str | None) -> None:
        number = int(reference) if reference else self.number + 1
        if number <= self.number:
            raise ValueError("rows out of order")
        _check_row(number, self.limits, self.place)
        self.number, self.cells = number, []

    def _check_dimension(self, ref: str) -> None:
        """`A1:R20001`: the sheet announces its extent before its rows; a lie is caught while reading."""
        match = CELL_REFERENCE.fullmatch(ref.rsplit(":", 1)[-1])
        if match is None:
            return
        rows, column = int(match[2]), _column_index(match[1])
        if rows > self.limits.max_rows:
            raise SpreadsheetRefused(
                f"{self.place} compte {_number(rows)} lignes (au plus {_number(self.limits.max_rows)}, "
                "ligne des titres comprise) : supprimez les lignes vides en fin de feuille ou découpez "
                "le fichier en plusieurs fichiers."
            )
        if column > self.limits.max_columns:
            raise SpreadsheetRefused(
                f"{self.place} s'étend jusqu'à la colonne {match[1]} (au plus "
                f"{self.limits.max_columns} colonnes, jusqu'à {_letter(self.limits.max_columns)}) : "
                "supprimez les colonnes en trop."
            )

    def _start_cell(self, attributes: dict[str, str]) -> None:
        if self.number == 0:
            self._start_row(None)  # a cell outside any row: read as the first row
        reference = attributes.get("r")
        if reference:
            match = CELL_REFERENCE.fullmatch(reference)
            if match is None or int(match[2]) != self.number:
                raise ValueError(f"bad cell reference {reference}")
            column = _column_index(match[1])
        else:
            column = len(self.cells) + 1
        _check_column(self.number, column, self.limits, self.place)
        if column <= len(self.cells):
            raise ValueError("cells out of order")
        self.cells.extend([None] * (column - len(self.cells) - 1))
        self.kind, self.style = attributes.get("t", "n"), attributes.get("s", "0")
        self.parts, self.length = [], 0

    def _column(self) -> int:
        return len(self.cells) + 1

    def _end_cell(self) -> None:
        self.cells.append(self._value(self.kind, "".join(self.parts)) if self.parts else None)
        self.kind = None

    def _value(self, kind: str | None, raw: str) -> Any:
        if kind == "s":
            index = int(raw)
            if not 0 <= index < len(self.strings):
                raise IndexError("no such shared string")
            text = self.strings[index]
            _check_length(len(text), self.number, self._column(), self.limits, self.name)
            return text
        if kind in ("str", "e", "inlineStr"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            return datetime.fromisoformat(raw.strip())
        return self._number(raw, int(self.style))

    def _number(self, raw: str, style: int) -> int | Decimal | date | datetime:
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise ValueError(f"bad number {raw[:20]}") from None
        if not value.is_finite():
            raise ValueError("bad number")
        if style in self.dates:
            moment = from_excel(float(value), self.epoch)
            if not isinstance(moment, datetime):
                return value
            return moment.date() if moment.time() == datetime.min.time() else moment
        return int(value) if value == value.to_integral_value() else value


class _Workbook:
    def __init__(self, content: bytes, limits: Limits) -> None:
        self.content = content
        self.limits = limits
        self.where = "le classeur"

    def rows(self) -> list[SheetRow]:
        try:
            with zipfile.ZipFile(io.BytesIO(self.content)) as archive:
                self.archive = archive
                self._check_directory()
                return self._read()
        except SpreadsheetRefused:
            raise
        except DAMAGED:
            raise SpreadsheetRefused(
                f"Le fichier est endommagé ou tronqué ({self.where} est illisible) : enregistrez-le de "
                "nouveau au format .xlsx à partir du modèle."
            ) from None

    def _check_directory(self) -> None:
        members = self.archive.infolist()
        if len(members) > self.limits.max_members:
            raise SpreadsheetRefused(
                f"Le classeur contient {_number(len(members))} fichiers internes (au plus "
                f"{self.limits.max_members}) : ce n'est pas un classeur ordinaire."
            )
        total = sum(member.file_size for member in members)
        if total > self.limits.max_uncompressed:
            raise SpreadsheetRefused(
                f"Le classeur occupe {_megabytes(total)} une fois décompressé (au plus "
                f"{_megabytes(self.limits.max_uncompressed)}) : découpez-le en plusieurs fichiers."
            )

    def _parse(self, name: str, what: str, reader: _Reader) -> None:
        """Parse a part of the archive, refused before reading when it declares too large a size.

        zipfile never yields more than the declared size and checks the CRC at the end, so a part
        that lies about its size is cut there and reported as damaged."""
        self.where = what
        size = self.archive.getinfo(name).file_size
        if size > self.limits.max_part:
            raise SpreadsheetRefused(
                f"{what[0].upper()}{what[1:]} occupe {_megabytes(size)} une fois décompressé (au plus "
                f"{_megabytes(self.limits.max_part)}) : découpez le fichier en plusieurs fichiers."
            )
        content = self.archive.read(name)
        # A sheet holds an element a row and at most three a cell (c, is, t or c, v); the other parts
        # (styles, relations…) a few thousand at most. Counted in C, before any is parsed.
        most = self.limits.max_rows * (3 * self.limits.max_columns + 1) + 10_000
        opened = content.count(b"<") - content.count(b"</") - content.count(b"<?") - content.count(b"<!")
        if opened > most:
            raise SpreadsheetRefused(
                f"{what[0].upper()}{what[1:]} contient plus de {_number(most)} éléments XML, plus "
                f"que {_number(self.limits.max_rows)} lignes de {self.limits.max_columns} colonnes "
                "n'en demandent : ce n'est pas un classeur ordinaire."
            )
        reader.read(content)

    def _elements(self, part: str, *names: str) -> list[tuple[str, str, dict[str, str]]]:
        elements = _Elements(*names)
        self._parse(part, "le classeur", elements)
        return elements.found

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Relation id → (type, part name) of a part."""
        folder, base = dirname(part), part.rsplit("/", 1)[-1]
        rels = join(folder, "_rels", base + ".rels")
        if rels not in self.archive.NameToInfo:
            return {}
        relations = {}
        for _, _, attributes in self._elements(rels, "Relationship"):
            target = attributes.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else normpath(join(folder, target))
            relations[attributes.get("Id", "")] = (attributes.get("Type", ""), target)
        return relations

    def _read(self) -> list[SheetRow]:
        office = [part for kind, part in self._relations("").values() if kind.endswith("/officeDocument")]
        if not office:
            raise SpreadsheetRefused(NOT_A_WORKBOOK)
        relations = self._relations(office[0])
        date1904 = False
        sheets = []
        for name, _, attributes in self._elements(office[0], "workbookPr", "sheet"):
            if name == "workbookPr":
                date1904 = attributes.get("date1904") in ("1", "true")
            else:
                relation = attributes.get(RELATIONSHIP) or attributes.get(STRICT_RELATIONSHIP) or ""
                sheets.append((attributes.get("name") or "1", relation))
        if not sheets or sheets[0][1] not in relations:
            raise SpreadsheetRefused(NOT_A_WORKBOOK)
        name, relation = sheets[0]
        by_kind = {kind.rsplit("/", 1)[-1]: part for kind, part in relations.values()}
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        sheet = _Sheet(
            name,
            self._shared_strings(by_kind.get("sharedStrings")),
            self._date_styles(by_kind.get("styles")),
            epoch,
            self.limits,
        )
        self._parse(relations[relation][1], f"la feuille « {name} »", sheet)
        return sheet.rows

    def _shared_strings(self, part: str | None) -> list[str]:
        if part is None or part not in self.archive.NameToInfo:
            return []
        strings = _SharedStrings(self.limits)
        self._parse(part, SHARED_STRINGS, strings)
        return strings.strings

    def _date_styles(self, part: str | None) -> set[int]:
        """Indexes of the cell formats that show a number as a date."""
        if part is None or part not in self.archive.NameToInfo:
            return set()
        formats = dict(BUILTIN_FORMATS)
        dates = set()
        index = 0
        for name, parent, attributes in self._elements(part, "numFmt", "xf"):
            if name == "numFmt":
                formats[int(attributes.get("numFmtId", "0"))] = attributes.get("formatCode", "")
            elif parent == "cellXfs":
                if is_date_format(formats.get(int(attributes.get("numFmtId", "0")), "")):
                    dates.add(index)
                index += 1
        return dates


@cache
def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index
