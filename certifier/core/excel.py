"""The one writer of spreadsheets (Excel and CSV) the platform hands out.

A text cell starting with `=`, `+`, `-` or `@` (or a tab / carriage return) would be read as a
formula by Excel or LibreOffice: a candidate named `=HYPERLINK(…)` must stay a name. In .xlsx such a
cell is written as a string with Excel's « quote prefix » (shown as typed, never evaluated); in CSV,
which has no types, it is prefixed with an apostrophe, as OWASP recommends.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row; a formula-like text is kept as text. (No `sheet.max_row` here: it scans every
    cell, which made a 20,000-row export take a minute.)"""
    sheet.append([_text_cell(sheet, value) if is_formula_like(value) else value for value in values])


def _text_cell(sheet: Worksheet, value: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: bold headers, frozen header row, columns sized to their title."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    append_row(sheet, headers)
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 4)
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)


def table_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Semicolon-separated UTF-8 with a byte-order mark: what French Excel opens as is."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["'" + value if is_formula_like(value) else _csv_value(value) for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    return "" if value is None else value
