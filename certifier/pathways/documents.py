"""The funding request as documents: PDF and Excel, in French, through the core writers."""

from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.units import cm
from reportlab.platypus import Spacer
from reportlab.platypus.flowables import Flowable

from certifier.core.excel import append_row, workbook_bytes
from certifier.core.pdf import document, paragraph, styles, table

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
    sheet = styles()
    body, heading = sheet["BodyText"], sheet["Heading2"]
    invoices = request.invoices()
    story: list[Flowable] = [
        paragraph(TITLE, sheet["Title"]),
        table([[label, paragraph(value, body)] for label, value in facts(request)], header=False),
    ]
    for invoice in invoices:
        story += [
            Spacer(1, 0.4 * cm),
            paragraph(f"Facturation par le {invoice.training_centre.name}", heading),
            table(_pdf_rows(invoice), header=True),
        ]
    story += [
        Spacer(1, 0.4 * cm),
        paragraph(f"Total de la demande : {format_euros(total(invoices))}", heading),
        paragraph(MAXIMA_NOTE, body),
    ]
    if has_example_hours(invoices):
        story.append(paragraph(EXAMPLE_NOTE, body))
    return document(TITLE, story)


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


def funding_request_xlsx(request: FundingRequest) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Prise en charge"
    append_row(sheet, [TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in facts(request):
        append_row(sheet, [label, value])
    invoices = request.invoices()
    for invoice in invoices:
        append_row(sheet, [])
        append_row(sheet, [f"Facturation par le {invoice.training_centre.name}"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        append_row(sheet, LINE_HEADERS)
        for line in invoice.lines:
            append_row(
                sheet,
                [line.path.title, line.get_category_display(), line.hours, line.hourly_rate, line.amount],
            )
            _money(sheet, sheet.max_row)
        append_row(sheet, ["Sous-total", None, None, None, invoice.total])
        _money(sheet, sheet.max_row)
    append_row(sheet, [])
    append_row(sheet, ["Total de la demande", None, None, None, total(invoices)])
    _money(sheet, sheet.max_row)
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    append_row(sheet, [MAXIMA_NOTE])
    if has_example_hours(invoices):
        append_row(sheet, [EXAMPLE_NOTE])
    for letter, width in zip("ABCDE", (34, 60, 10, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(workbook)


def _money(sheet: Worksheet, row: int) -> None:
    for column in (4, 5):
        sheet.cell(row=row, column=column).number_format = '#,##0.00 "€"'
