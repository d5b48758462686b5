"""The files pathways hands out: no formula smuggled into a workbook through a name, and a clean
file name whatever the candidate's employee number holds."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from certifier.pathways.importers import HEADERS
from certifier.pathways.models import Candidate
from certifier.pathways.services import do_draw_up_funding_request
from certifier.people.models import Employer

pytestmark = pytest.mark.django_db


def sheet_xml(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil","x")', "+cmd", "-2+3", "@SUM(1)"])
def test_a_formula_like_name_stays_text_in_the_funding_request_workbook(client_for, enrolments, paths, name):
    enrolment = enrolments["own"]
    Candidate.objects.filter(pk=enrolment.candidate_id).update(birth_name=name, first_name=name)
    Employer.objects.filter(pk=enrolment.candidate.employer_id).update(name=name)
    do_draw_up_funding_request(None, enrolment, pass_already_funded=False)
    response = client_for("crfp_staff").get(reverse("pathways:funding_request_xlsx", args=[enrolment.pk]))
    assert response.status_code == 200
    assert b"<f>" not in sheet_xml(response.content)
    cells = {
        cell.value: cell
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    candidate = cells[f"{name.upper()} {name}, matricule {enrolment.candidate.employee_number}"]
    employer = next(value for value in cells if value.startswith(f"{name} (SIRET"))
    for cell in (candidate, cells[employer]):
        assert (cell.data_type, cell.quotePrefix) == ("s", True)


def test_an_employee_number_with_line_breaks_and_quotes_downloads_under_a_clean_name(
    client_for, enrolments, paths
):
    enrolment = enrolments["own"]
    Candidate.objects.filter(pk=enrolment.candidate_id).update(employee_number='A"1\r\nB;x')
    do_draw_up_funding_request(None, enrolment, pass_already_funded=False)
    client = client_for("crfp_staff")
    for extension in ("pdf", "xlsx"):
        response = client.get(reverse(f"pathways:funding_request_{extension}", args=[enrolment.pk]))
        assert response.status_code == 200
        name = f"prise-en-charge-A-1-B-x.{extension}"
        assert response["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert response.content.startswith(b"PK")


def test_the_import_template_downloads_with_its_headers(client_for, referential):
    response = client_for("crfp_staff").get(reverse("pathways:enrolment_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename=\"modele-import-candidats.xlsx\"; filename*=UTF-8''modele-import-candidats.xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content))["Candidats"]
    assert [cell.value for cell in sheet[1]] == HEADERS
