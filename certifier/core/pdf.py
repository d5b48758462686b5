"""The building blocks of every PDF the platform hands out (reportlab): styles, paragraphs, tables
and the A4 page carrying the certifier's identity. Each app writes only its document's content."""

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import Flowable

CERTIFIER = "Certificateur : Ucanss et CPNEFP du régime général de sécurité sociale"
PLATFORM = "CQP Gestionnaire conseil de la Sécurité sociale"
MARGIN = 2 * cm


def styles() -> StyleSheet1:
    """`Title`, `Heading2`, `BodyText`, … (a fresh sheet: reportlab's styles are mutable)."""
    return getSampleStyleSheet()


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Paragraphs read markup: the text is escaped (« & » or « < » in a name would break the page)."""
    return Paragraph(escape(text), style)


def table(rows: Sequence[Sequence[object]], header: bool) -> Table:
    """A grid in 9 pt. With `header`, the first and last rows are bold (titles, total), the first
    repeated on every page, and the columns from the third on aligned right (figures); without, the
    first column is bold (label, value)."""
    grid = Table(rows, hAlign="LEFT", repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ]
    else:
        style.append(("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"))
    grid.setStyle(TableStyle(style))
    return grid


def document(title: str, story: list[Flowable]) -> bytes:
    """The PDF of `story` on A4 pages headed with the certifier's identity and numbered in the footer."""
    output = io.BytesIO()
    template = SimpleDocTemplate(
        output,
        pagesize=A4,
        title=title,
        author=CERTIFIER,
        creator=PLATFORM,
        lang="fr",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )
    template.build(story, onFirstPage=_frame, onLaterPages=_frame)
    return output.getvalue()


def _frame(canvas: Canvas, template: SimpleDocTemplate) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.grey)
    canvas.drawString(MARGIN, height - MARGIN / 2, CERTIFIER)
    canvas.drawString(MARGIN, MARGIN / 2, PLATFORM)
    canvas.drawRightString(width - MARGIN, MARGIN / 2, f"Page {template.page}")
    canvas.restoreState()
