"""The funding request (D41–D43): maximum funded durations × hourly rate, in Decimal; Pass left out
when already funded; one invoice per CRFP that delivers part of the path."""

import base64
import io
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError
from certifier.pathways.models import FundingRate, Module, TrainingPath, TrainingSession
from certifier.pathways.services import do_draw_up_funding_request, do_record_attendance

pytestmark = pytest.mark.django_db


def lines(request):
    return [
        (invoice.training_centre.name, line.path.kind, line.category, line.hours, line.amount)
        for invoice in request.invoices()
        for line in invoice.lines
    ]


def test_the_whole_path_is_funded_at_the_hourly_rate(enrolments, paths):
    request = do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=False)
    bordeaux = "CRFP de Bordeaux"
    assert lines(request) == [
        (bordeaux, "pass", "face_to_face", Decimal(40), Decimal("480.00")),
        (bordeaux, "premss", "face_to_face", Decimal(46), Decimal("552.00")),
        (bordeaux, "premss", "tutored", Decimal(14), Decimal("168.00")),
        (bordeaux, "premss", "evaluation", Decimal(1), Decimal("12.00")),
        (bordeaux, "option", "face_to_face", Decimal(175), Decimal("2100.00")),
        (bordeaux, "option", "tutored", Decimal(35), Decimal("420.00")),
        (bordeaux, "option", "evaluation", Decimal(3), Decimal("36.00")),
    ]
    assert request.hourly_rate == Decimal("12.00")
    assert request.convention_centre.name == bordeaux
    assert sum(invoice.total for invoice in request.invoices()) == Decimal("3768.00")


def test_pass_already_funded_leaves_pass_out_of_the_request(enrolments, paths):
    request = do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=True)
    assert {kind for _, kind, *_ in lines(request)} == {"premss", "option"}
    assert request.invoices()[0].total == Decimal("3288.00")


def test_a_path_delivered_by_several_crfps_gives_one_invoice_each(enrolments, paths, organisations):
    lyon_pass = TrainingSession.objects.create(
        path=TrainingPath.objects.get(kind="pass"),
        training_centre=organisations["other_crfp"],
        start_date=date(2025, 11, 3),
        end_date=date(2025, 11, 28),
    )
    enrolment = enrolments["own"]
    do_record_attendance(
        None, enrolment, {module: lyon_pass for module in Module.objects.filter(path__kind="pass")}
    )
    request = do_draw_up_funding_request(None, enrolment, pass_already_funded=False)
    invoices = {invoice.training_centre.name: invoice.total for invoice in request.invoices()}
    assert invoices == {"CRFP de Lyon": Decimal("480.00"), "CRFP de Bordeaux": Decimal("3288.00")}
    assert request.convention_centre.name == "CRFP de Bordeaux"


def test_the_rate_in_force_at_the_start_of_the_path_applies(enrolments, paths):
    FundingRate.objects.create(effective_from=date(2026, 1, 1), hourly_rate=Decimal("15.35"))
    request = do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=True)
    assert request.hourly_rate == Decimal("15.35")
    assert lines(request)[0][4] == Decimal("706.10")  # 46 h × 15,35 €


def test_without_a_rate_the_request_is_refused_in_french(enrolments, paths):
    FundingRate.objects.all().delete()
    with pytest.raises(
        DomainError, match="Aucun taux horaire de prise en charge n'est applicable au 05/01/2026"
    ):
        do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=False)


def test_a_vae_application_has_no_path_to_fund(enrolments, paths):
    enrolment = enrolments["own"]
    enrolment.access_route = "vae"
    with pytest.raises(DomainError, match="VAE"):
        do_draw_up_funding_request(None, enrolment, pass_already_funded=False)


def test_drawing_up_again_replaces_the_lines_and_is_audited(client_for, users, enrolments, paths):
    url = reverse("pathways:funding_request", args=[enrolments["own"].pk])
    client = client_for("employer_hr")
    assert client.post(url, {}).status_code == 302
    assert client.post(url, {"pass_already_funded": "on"}).status_code == 302
    events = AuditEvent.objects.filter(
        action=AuditAction.FUNDING_REQUEST_DRAWN_UP, actor=users["employer_hr"]
    )
    assert [(event.before, event.after) for event in events.order_by("id")] == [
        (None, {"pass_already_funded": False, "hourly_rate": "12.00", "total": "3768.00"}),
        (
            {"pass_already_funded": False, "hourly_rate": "12.00", "total": "3768.00"},
            {"pass_already_funded": True, "hourly_rate": "12.00", "total": "3288.00"},
        ),
    ]
    page = client.get(url).content.decode()
    assert "Total de la demande : 3\u00a0288,00\u00a0€" in page


def test_the_request_downloads_as_pdf_and_excel(client_for, enrolments, paths):
    do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=False)
    client = client_for("crfp_staff")
    pdf = client.get(reverse("pathways:funding_request_pdf", args=[enrolments["own"].pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("pathways:funding_request_xlsx", args=[enrolments["own"].pk]))
    cells = [
        cell
        for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
        for cell in row
    ]
    assert "MARTIN Léa, matricule M" in next(cell for cell in cells if str(cell).startswith("MARTIN"))
    assert "Gestionnaire conseil allocataire" in cells
    assert Decimal("3768") == Decimal(str(cells[cells.index("Total de la demande") + 4]))
    assert any("titre d'exemple" in str(cell) for cell in cells)


def pdf_text(pdf: bytes) -> str:
    """The text drawn by reportlab: content streams are ASCII85 + Flate, strings in cp1252."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        text += zlib.decompress(base64.a85decode(stream.strip(), adobe=True))
    unescaped = re.sub(rb"\\([0-7]{3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1].isdigit() else m[1], text)
    return unescaped.decode("cp1252").replace("\u00a0", " ")  # paragraphs draw them as spaces


def test_the_pdf_shows_candidate_employer_option_lines_rate_and_total(enrolments, paths):
    from certifier.pathways.documents import funding_request_pdf

    text = pdf_text(funding_request_pdf(do_draw_up_funding_request(None, enrolments["own"], False)))
    for expected in (
        "Demande de prise en charge du parcours de formation",
        "MARTIN Léa, matricule M",
        "CAF de la Gironde (SIRET",
        "Gestionnaire conseil allocataire",
        "Facturation par le CRFP de Bordeaux",
        "Applications tutorées",
        "12,00 € de l'heure",
        "2 100,00 €",
        "Total de la demande : 3 768,00 €",
    ):
        assert expected in text


def test_a_name_with_an_ampersand_does_not_break_the_pdf(enrolments, paths, organisations):
    from certifier.pathways.documents import funding_request_pdf

    organisations["employer"].name = "CAF Gironde & Landes"
    organisations["employer"].save()
    request = do_draw_up_funding_request(None, enrolments["own"], pass_already_funded=False)
    assert "CAF Gironde & Landes" in pdf_text(funding_request_pdf(request))


def test_the_funding_request_save_costs_a_bounded_number_of_queries(
    client_for, enrolments, paths, django_assert_max_num_queries
):
    url = reverse("pathways:funding_request", args=[enrolments["own"].pk])
    client_for("crfp_staff").post(url, {})
    employer = client_for("employer_hr")
    # the same number whatever the number of lines: one bulk insert, one delete
    with django_assert_max_num_queries(21):
        response = employer.post(url, {"pass_already_funded": "on"})
    assert response.status_code == 302
