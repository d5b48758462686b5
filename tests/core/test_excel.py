"""Every spreadsheet the platform writes keeps formula-like text as text (issue 7 §1.3)."""

import io

import pytest
from openpyxl import load_workbook

from certifier.core.downloads import attachment, safe_filename
from certifier.core.excel import table_csv, table_xlsx

HOSTILE = ['=HYPERLINK("http://x","clic")', "+33 1 02", "-2+3", "@SUM(A1)", "Dupont"]


def test_formula_like_text_is_written_as_text_in_xlsx():
    content = table_xlsx("Candidats", ["Nom"], [[value] for value in HOSTILE])
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [sheet.cell(row=row, column=1) for row in range(2, 2 + len(HOSTILE))]
    assert [cell.value for cell in cells] == HOSTILE
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.quotePrefix for cell in cells] == [True, True, True, True, False]


def test_formula_like_text_is_prefixed_in_csv():
    lines = table_csv(["Nom"], [[value] for value in HOSTILE]).decode("utf-8-sig").splitlines()
    assert lines[1:] == ['"\'=HYPERLINK(""http://x"",""clic"")"', "'+33 1 02", "'-2+3", "'@SUM(A1)", "Dupont"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("prise-en-charge-A\r\nSet-Cookie: x.pdf", "prise-en-charge-A-Set-Cookie-x.pdf"),
        ('liste "élèves".xlsx', "liste-eleves-.xlsx".replace("-.", ".")),
        ("../../etc/passwd", "etc-passwd"),
        ("\r\n.pdf", "document.pdf"),
    ],
)
def test_download_names_are_plain_ascii(name, expected):
    assert safe_filename(name) == expected


def test_attachment_header_cannot_be_split():
    response = attachment(b"x", "prise-en-charge-12\r\n34.pdf", "application/pdf")
    assert "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    assert 'filename="prise-en-charge-12-34.pdf"' in response["Content-Disposition"]
