"""The PDF building blocks: escaped paragraphs, tables, and A4 pages carrying the certifier's identity."""

import base64
import re
import zlib

from reportlab.platypus import PageBreak

from certifier.core.pdf import CERTIFIER, PLATFORM, document, paragraph, styles, table


def drawn_text(pdf: bytes) -> str:
    """The text reportlab draws: content streams are ASCII85 + Flate, strings in cp1252."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        text += zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
    unescaped = re.sub(rb"\\([0-7]{3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1].isdigit() else m[1], text)
    return unescaped.decode("cp1252")


def test_a_document_is_a_pdf_with_the_certifiers_identity_on_every_page():
    sheet = styles()
    pdf = document(
        "Relevé de décisions",
        [
            paragraph("Relevé de décisions", sheet["Title"]),
            paragraph("Martin & fils <SARL>", sheet["BodyText"]),
            PageBreak(),
            table([["Bloc", "Décision"], ["Bloc 1", "Acquis"]], header=True),
        ],
    )
    assert pdf.startswith(b"%PDF-")
    text = drawn_text(pdf)
    assert "(Martin & fils <) Tj (SARL) Tj (>)" in text  # escaped, not read as a <SARL> tag
    assert text.count(CERTIFIER) == 2
    assert text.count(PLATFORM) == 2
    assert "Page 1" in text and "Page 2" in text
    assert "Acquis" in text


def test_a_label_value_table_holds_paragraphs():
    body = styles()["BodyText"]
    pdf = document("Fiche", [table([["Candidat", paragraph("DURAND Zoé", body)]], header=False)])
    assert "DURAND Zoé" in drawn_text(pdf)
