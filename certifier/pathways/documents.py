"""The funding request as documents: PDF (reportlab) and Excel (openpyxl), in French."""

import io
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from .models import FundingRequest, Invoice
from .rules import format_euros, format_hours

TITLE = "Demande de prise en charge du parcours de formation"
LINE_HEADERS = ["Parcours", "Nature", "Heures", "Taux horaire", "Montant"]
MAXIMA_NOTE = (
    "Durées maximales de prise en charge fixées nationalement : face-à-face pédagogique 40 h pour Pass "
    "et 46 h pour Prem'ss ; applications tutorées 14 h pour Prem'ss ; évaluation 1 h pour Prem'ss ; "
    "pour l'option, les durées fixées par la caisse nationale concernée."
)
EXAMPLE_NOTE = "Les durées de l'option sont données à titre d'exemple : elles restent à confirmer par la caisse nationale."


def facts(request: FundingRequest) -> list[tuple[str, str]]:
    enrolment = request.enrolment
    candidate = enrolment.candidate
    certification = enrolment.version.certification
    return [
        ("Candidat", f"{candidate.display_name}, matricule {candidate.employee_number}"),
        ("Organisme employeur", f"{candidate.employer.name} (SIRET {candidate.employer.siret})"),
        ("Certification", f"{certification.title} ({certification.number}) — {enrolment.version.label}"),
        ("Option", enrolment.option.title if enrolment.option else "—"),
        ("Voie d'accès", enrolment.get_access_route_display()),
        ("Date d'entrée en parcours", f"{enrolment.start_date:%d/%m/%Y}"),
        ("Convention établie par", request.convention_centre.name),
        ("Taux horaire", f"{format_euros(request.hourly_rate)} de l'heure"),
        (
            "Pass déjà pris en charge",
            "Oui : la demande ne couvre que Prem'ss et l'option" if request.pass_already_funded else "Non",
        ),
        ("Établie le", f"{timezone.localtime(request.drawn_up_at):%d/%m/%Y}"),
    ]


def has_example_hours(invoices: list[Invoice]) -> bool:
    return any(line.path.is_example for invoice in invoices for line in invoice.lines)


def total(invoices: list[Invoice]) -> Decimal:
    return sum((invoice.total for invoice in invoices), Decimal(0))


def funding_request_pdf(request: FundingRequest) -> bytes:
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading2"]
    invoices = request.invoices()
    story: list[Flowable] = [
        _paragraph(TITLE, styles["Title"]),
        _table([[label, _paragraph(value, body)] for label, value in facts(request)], header=False),
    ]
    for invoice in invoices:
        story += [
            Spacer(1, 0.4 * cm),
            _paragraph(f"Facturation par le {invoice.training_centre.name}", heading),
            _table(_pdf_rows(invoice), header=True),
        ]
    story += [
        Spacer(1, 0.4 * cm),
        _paragraph(f"Total de la demande : {format_euros(total(invoices))}", heading),
        _paragraph(MAXIMA_NOTE, body),
    ]
    if has_example_hours(invoices):
        story.append(_paragraph(EXAMPLE_NOTE, body))
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        title=TITLE,
        author="Certifier",
        lang="fr",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    document.build(story)
    return output.getvalue()


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Paragraphs read markup: the text is escaped (« & » in a name would break the page)."""
    return Paragraph(escape(text), style)


def _pdf_rows(invoice: Invoice) -> list[list[str]]:
    rows = [LINE_HEADERS]
    rows += [
        [
            line.path.title,
            line.get_category_display(),
            format_hours(line.hours),
            format_euros(line.hourly_rate),
            format_euros(line.amount),
        ]
        for line in invoice.lines
    ]
    rows.append(["Sous-total", "", "", "", format_euros(invoice.total)])
    return rows


def _table(rows: Sequence[Sequence[object]], header: bool) -> Table:
    table = Table(rows, hAlign="LEFT", repeatRows=1 if header else 0)
    style = [
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
    table.setStyle(TableStyle(style))
    return table


def funding_request_xlsx(request: FundingRequest) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Prise en charge"
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in facts(request):
        sheet.append([label, value])
    invoices = request.invoices()
    for invoice in invoices:
        sheet.append([])
        sheet.append([f"Facturation par le {invoice.training_centre.name}"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(LINE_HEADERS)
        for line in invoice.lines:
            sheet.append(
                [line.path.title, line.get_category_display(), line.hours, line.hourly_rate, line.amount]
            )
            _money(sheet, sheet.max_row)
        sheet.append(["Sous-total", None, None, None, invoice.total])
        _money(sheet, sheet.max_row)
    sheet.append([])
    sheet.append(["Total de la demande", None, None, None, total(invoices)])
    _money(sheet, sheet.max_row)
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([MAXIMA_NOTE])
    if has_example_hours(invoices):
        sheet.append([EXAMPLE_NOTE])
    for letter, width in zip("ABCDE", (34, 60, 10, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _money(sheet: Worksheet, row: int) -> None:
    for column in (4, 5):
        sheet.cell(row=row, column=column).number_format = '#,##0.00 "€"'
