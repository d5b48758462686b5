"""The one spreadsheet reader: values and row numbers as typed, and every bomb refused early with a
French message saying which limit was met and where — through the reader and the candidate import."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from certifier.core.spreadsheets import SheetRow, SpreadsheetRefused, read_rows
from certifier.pathways.importers import HEADERS, ImportRefused, import_candidates, read_table
from certifier.pathways.models import Candidate

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(
    sheet_data: str, *, shared: list[str] | None = None, dimension: str = "", prolog: str = ""
) -> bytes:
    """A minimal .xlsx written by hand, so that a test can build what no spreadsheet program would."""
    rels = [f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>']
    parts = {
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": f'{prolog}<worksheet xmlns="{MAIN}">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{sheet_data}</sheetData></worksheet>",
    }
    if shared is not None:
        rels.append(f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>')
        items = "".join(f"<si><t>{text}</t></si>" for text in shared)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{RELS}">{"".join(rels)}</Relationships>'
    return archive(parts)


def archive(parts: dict[str, str | bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in parts.items():
            zipped.writestr(name, content)
    return output.getvalue()


def refusal(content: bytes, **limits: int) -> str:
    with pytest.raises(SpreadsheetRefused) as refused:
        read_rows(content, **limits)
    return str(refused.value)


def test_a_workbook_reads_as_typed_with_its_row_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", None, "Prénom"])
    sheet.append([date(1990, 1, 2), 12.5, 7, True, "  "])
    sheet.append([])
    sheet.append([None, None, "Zoé"])
    sheet["A5"] = datetime(2020, 1, 1, 10, 30)
    output = io.BytesIO()
    book.save(output)
    assert read_rows(output.getvalue()) == [
        SheetRow(1, ["Nom", None, "Prénom"]),
        SheetRow(2, [date(1990, 1, 2), Decimal("12.5"), 7, True, "  "]),
        SheetRow(4, [None, None, "Zoé"]),
        SheetRow(5, [datetime(2020, 1, 1, 10, 30)]),
    ]


def test_shared_and_inline_strings_and_sparse_cells_are_read():
    data = (
        '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><r><t>Ma</t></r><r><t>rtin</t></r>'
        '</is></c></row><row r="3"><c t="s"><v>0</v></c><c><v>0042</v></c></row>'
    )
    assert read_rows(workbook(data, shared=["Léa", "Nom"])) == [
        SheetRow(1, ["Nom", None, "Martin"]),
        SheetRow(3, ["Léa", 42]),
    ]


def test_a_csv_file_reads_with_or_without_byte_order_mark():
    rows = [SheetRow(1, ["Nom", "Prénom"]), SheetRow(3, ["Martin", "Léa"])]
    assert read_rows("Nom;Prénom\n;\nMartin;Léa\n".encode()) == rows
    assert read_rows("\ufeffNom;Prénom\r\n;\r\nMartin;Léa\r\n".encode()) == rows


# --- Bombs, refused before parsing --------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_anything_else():
    assert refusal(b"x" * (10 * 1024 * 1024 + 1)) == (
        "Le fichier dépasse la taille maximale de 10 Mo : découpez-le en plusieurs fichiers."
    )


def test_shared_strings_too_large_once_uncompressed_are_refused_from_the_zip_directory():
    bomb = workbook('<row r="1"><c t="s"><v>0</v></c></row>', shared=["x" * 1000] * 1200)  # 1.2 MB
    assert len(bomb) < 20_000
    assert refusal(bomb, max_part=1024 * 1024) == (
        "La table des textes partagés occupe 1,2 Mo une fois décompressé (au plus 1 Mo) : découpez le "
        "fichier en plusieurs fichiers."
    )


def test_more_shared_strings_than_the_sheet_may_have_cells_are_refused():
    bomb = workbook('<row r="1"><c t="s"><v>0</v></c></row>', shared=["a", "b", "c", "d", "e"])
    assert read_rows(bomb, max_rows=1, max_columns=5) == [SheetRow(1, ["a"])]
    assert refusal(bomb, max_rows=2, max_columns=2) == (
        "La table des textes partagés compte plus de 4 textes, plus que 2 lignes de 2 colonnes n'ont de "
        "cellules : ce n'est pas un classeur ordinaire."
    )


def test_a_part_of_more_elements_than_the_limits_need_is_refused_before_they_are_parsed():
    bomb = workbook('<row r="1"><c>' + "<x/>" * 30_000 + "</c></row>")
    assert refusal(bomb, max_rows=100, max_columns=10) == (
        "La feuille « Feuil1 » contient plus de 13\u00a0100 éléments XML, plus que 100 lignes de 10 colonnes "
        "n'en demandent : ce n'est pas un classeur ordinaire."
    )
    assert read_rows(workbook('<row r="1"><c><v>1</v></c></row>'), max_rows=1, max_columns=1) == [
        SheetRow(1, [1])
    ]


def test_a_workbook_too_large_once_uncompressed_is_refused():
    bomb = archive({"_rels/.rels": "", "a.bin": b"\0" * (2 * 1024 * 1024 + 1)})
    assert refusal(bomb, max_uncompressed=2 * 1024 * 1024) == (
        "Le classeur occupe 2 Mo une fois décompressé (au plus 2 Mo) : découpez-le en plusieurs fichiers."
    )


def test_a_workbook_of_too_many_parts_is_refused():
    bomb = archive({f"part{index}.xml": "" for index in range(101)})
    assert refusal(bomb) == (
        "Le classeur contient 101 fichiers internes (au plus 100) : ce n'est pas un classeur ordinaire."
    )


def test_a_sheet_announcing_too_many_rows_or_columns_is_refused_before_its_rows():
    assert refusal(workbook("", dimension="A1:R1048576")) == (
        "La feuille « Feuil1 » compte 1\u00a0048\u00a0576 lignes (au plus 20\u00a0001, ligne des titres "
        "comprise) : supprimez les lignes vides en fin de feuille ou découpez le fichier en plusieurs fichiers."
    )
    assert refusal(workbook("", dimension="A1:XFD2")) == (
        "La feuille « Feuil1 » s'étend jusqu'à la colonne XFD (au plus 64 colonnes, jusqu'à BL) : "
        "supprimez les colonnes en trop."
    )


# --- Bombs, refused while streaming (the file lies or says nothing) -------------------------------


def test_a_row_of_too_many_cells_stops_at_the_first_column_beyond_the_limit():
    bomb = workbook('<row r="1">' + "<c><v>1</v></c>" * 100_000 + "</row>", dimension="A1:B2")
    assert refusal(bomb) == (
        "La feuille « Feuil1 » dépasse 64 colonnes à la ligne 1 (colonne BM atteinte) : supprimez les "
        "colonnes en trop."
    )


def test_empty_rows_beyond_the_limit_stop_the_reading_at_the_first_one():
    bomb = workbook("".join(f'<row r="{number}"/>' for number in range(1, 30_001)), dimension="A1")
    assert refusal(bomb) == (
        "La feuille « Feuil1 » dépasse 20\u00a0001 lignes (ligne des titres comprise ; ligne 20\u00a0002 "
        "atteinte) : supprimez les lignes vides en fin de feuille ou découpez le fichier en plusieurs fichiers."
    )
    far = workbook('<row r="1"><c><v>1</v></c></row><row r="900000"><c><v>1</v></c></row>')
    assert "ligne 900\u00a0000 atteinte" in refusal(far)


def test_a_long_cell_names_its_row_and_column():
    long_text = "x" * 1001
    inline = workbook(
        f'<row r="2"><c r="C2" t="inlineStr"><is><t>{long_text}</t></is></c></row>',
    )
    assert (
        refusal(inline)
        == "La cellule de la ligne 2, colonne C de la feuille « Feuil1 » dépasse 1\u00a0000 caractères."
    )
    shared = workbook('<row r="4"><c r="B4" t="s"><v>0</v></c></row>', shared=[long_text])
    assert (
        refusal(shared)
        == "La cellule de la ligne 4, colonne B de la feuille « Feuil1 » dépasse 1\u00a0000 caractères."
    )
    assert read_rows(shared, max_cell_length=2000) == [SheetRow(4, [None, long_text])]


@pytest.mark.parametrize(
    "content",
    [
        workbook('<row r="1"><c><v>1</v></c></row>')[:-60],  # the zip cut short
        archive({"_rels/.rels": "<Relationships"}),  # XML cut short
        workbook('<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v>'),  # a truncated sheet
        workbook('<row r="1"><c t="s"><v>7</v></c></row>', shared=["a"]),  # no such shared string
        workbook('<row r="1"><c t="s"><v>-1</v></c></row>', shared=["a"]),
        workbook('<row r="1"><c><v>abc</v></c></row>'),
        workbook('<row r="2"/><row r="1"/>'),  # rows out of order
        workbook('<row r="1"><c r="B1"/><c r="A1"/></row>'),  # cells out of order
        b"PK\x03\x04 not really a zip",
        archive({"_rels/.rels": "<Relationships>" + "<Relationship/>" * 65_001 + "</Relationships>"}),
    ],
)
def test_a_damaged_workbook_is_refused_in_french(content):
    assert refusal(content).startswith("Le fichier est endommagé ou tronqué (")


def test_the_truncated_sheet_is_named():
    truncated = workbook('<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v>')
    assert refusal(truncated) == (
        "Le fichier est endommagé ou tronqué (la feuille « Feuil1 » est illisible) : enregistrez-le de "
        "nouveau au format .xlsx à partir du modèle."
    )


def test_no_entity_is_ever_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    bomb = workbook('<row r="1"><c t="inlineStr"><is><t>&c;</t></is></c></row>', prolog=laughs)
    assert refusal(bomb).startswith("Le fichier est endommagé ou tronqué (la feuille « Feuil1 »")
    external = '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    assert refusal(
        workbook('<row r="1"><c t="inlineStr"><is><t>&e;</t></is></c></row>', prolog=external)
    ).startswith("Le fichier est endommagé ou tronqué (la feuille « Feuil1 »")


# --- CSV -------------------------------------------------------------------------------------------


def test_a_comma_or_tab_separated_file_is_told_to_use_semicolons():
    assert refusal("Nom,Prénom\nMartin,Léa\n".encode()) == (
        "Les colonnes du fichier CSV sont séparées par des virgules (ligne 1) : le séparateur attendu est "
        "le point-virgule « ; ». Enregistrez le fichier au format « CSV UTF-8 (délimité par des "
        "points-virgules) »."
    )
    assert "séparées par des tabulations (ligne 2)" in refusal("\nNom\tPrénom\n".encode())


def test_a_131_kb_csv_cell_names_its_row_and_column():
    content = ("Nom;Prénom\nMartin;" + "x" * 131 * 1024 + "\n").encode()
    assert refusal(content) == "La cellule de la ligne 2, colonne B dépasse 1\u00a0000 caractères."


def test_csv_rows_and_columns_beyond_the_limits_are_refused_where_they_start():
    assert refusal(b"a;b\n" * 6, max_rows=5) == (
        "Le fichier CSV dépasse 5 lignes (ligne des titres comprise ; ligne 6 atteinte) : supprimez les "
        "lignes vides en fin de feuille ou découpez le fichier en plusieurs fichiers."
    )
    assert refusal(b"a\n" + b";" * 2_000_000) == (
        "Le fichier CSV dépasse 64 colonnes à la ligne 2 (colonne BM atteinte) : supprimez les colonnes en trop."
    )


def test_other_encodings_and_old_excel_files_get_their_own_message():
    assert refusal("Nom;Prénom\n".encode("latin-1")) == (
        "Le fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV encodé en UTF-8 (caractère "
        "illisible à la ligne 1) : enregistrez-le au format .xlsx, ou au format « CSV UTF-8 (délimité par "
        "des points-virgules) »."
    )
    assert refusal(b"\xd0\xcf\x11\xe0 old binary .xls") == (
        "Le fichier est un classeur Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou CSV."
    )


# --- Through the candidate import ------------------------------------------------------------------


def test_the_candidate_import_accepts_20000_candidates_and_refuses_one_more():
    header = ";".join(HEADERS) + "\n"
    assert len(read_table((header + "a;\n" * 20_000).encode())) == 20_001
    with pytest.raises(ImportRefused, match="Le fichier CSV dépasse 20\u00a0001 lignes"):
        read_table((header + "a;\n" * 20_001).encode())
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADERS)
    rows = "".join(f'<row r="{number}"><c><v>1</v></c></row>' for number in range(2, 20_002))
    assert len(read_table(workbook(f'<row r="1">{cells}</row>{rows}'))) == 20_001


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            workbook('<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v>'),
            "Le fichier est endommagé ou tronqué (la feuille « Feuil1 » est illisible)",
        ),
        (
            workbook('<row r="1">' + "<c><v>1</v></c>" * 100_000 + "</row>"),
            "La feuille « Feuil1 » dépasse 24 colonnes à la ligne 1 (colonne Y atteinte)",
        ),
        (
            workbook("".join(f'<row r="{number}"/>' for number in range(1, 30_001))),
            "La feuille « Feuil1 » dépasse 20\u00a0001 lignes",
        ),
        (
            workbook('<row r="1"><c t="s"><v>0</v></c></row>', shared=["x" * 1000] * 34_000),
            "La table des textes partagés occupe 32,9 Mo une fois décompressé (au plus 32 Mo)",
        ),
        (
            (";".join(HEADERS) + "\n" + "x" * 131 * 1024 + "\n").encode(),
            "La cellule de la ligne 2, colonne A dépasse 1\u00a0000 caractères.",
        ),
        (",".join(HEADERS).encode(), "Les colonnes du fichier CSV sont séparées par des virgules (ligne 1)"),
    ],
)
def test_the_candidate_import_reports_a_refused_file_and_writes_nothing(users, referential, content, message):
    report = import_candidates(users["crfp_staff"], content)
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith(message)
    assert report.summary is None
    assert not Candidate.objects.exists()


def test_a_bomb_posted_to_the_web_import_ends_in_the_french_message_never_a_500(
    client_for, referential, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for("crfp_staff")
    truncated = workbook('<row r="1"><c><v>1</v></c></row><row r="2"><c><v>2</v>')
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pathways:enrolment_import"), {"file": SimpleUploadedFile("bombe.xlsx", truncated)}
        )
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    assert (
        "Le fichier est endommagé ou tronqué (la feuille « Feuil1 » est illisible)" in page.content.decode()
    )
    assert not Candidate.objects.exists()
