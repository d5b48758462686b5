"""In Debian's chromium: the exam pages of every role pass axe-core and fit a 390 px screen, the
session form in error included; a CRFP registers a candidate by ticking them, and records marks
from a marking sheet through its preview."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from certifier.exams.evaluations import evaluations
from certifier.exams.models import Mark
from certifier.exams.services import do_register
from certifier.exams.sheets import build_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("motdepasse-test")
    page.get_by_role("button", name="Se connecter").click()


def test_the_exam_pages_pass_axe(page, assert_accessible, users, session, enrolments):
    do_register(None, session, [enrolments["foreign"]])
    sign_in(page, "national_admin@test.example")
    page.goto("/sessions-d-examen/nouvelle/")
    assert_accessible(page)
    page.get_by_role("button", name="Créer la session").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page)
    page.goto("/sessions-d-examen/")
    assert_accessible(page)
    page.get_by_role("link", name=str(session)).click()
    page.get_by_text("DURAND Paul").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()

    sign_in(page, "crfp_staff@test.example")
    page.goto(f"/sessions-d-examen/{session.pk}/")
    page.get_by_role("link", name="Inscrire des candidats").click()
    assert_accessible(page)
    page.get_by_label("MARTIN Léa").check()
    page.get_by_role("button", name="Inscrire les candidats cochés").click()
    page.get_by_text("1 candidat inscrit à la session.").wait_for()
    assert page.get_by_text("DURAND Paul").count() == 0
    assert_accessible(page)


PAGES = {
    "national_admin": [
        "exams:session_detail",
        "exams:local_jury_dates",
        "exams:markers",
        "exams:lift_anonymity",
        "exams:documents",
        "exams:outcome",
        ("exams:mark_grid", "oral"),
    ],
    "crfp_staff": [
        "exams:session_detail",
        "juries:local_opinions",
        "exams:documents",
        "exams:outcome",
        ("exams:mark_grid", "cc_common"),
        ("exams:sheet_upload", "cc_common"),
    ],
    "local_jury": [
        "exams:session_detail",
        "exams:outcome",
        ("exams:mark_grid", "oral"),
        "juries:local_opinions",
    ],
    "national_jury": ["exams:outcome"],
    "marker": ["exams:session_detail", ("exams:sheet_upload", "written")],
}


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_each_roles_exam_pages_pass_axe_and_fit_a_phone(
    narrow_page, assert_accessible, assert_fits, users, marks_session, persona
):
    sign_in(narrow_page, f"{persona}@test.example")
    for name in PAGES[persona]:
        args = [marks_session.pk] if isinstance(name, str) else [marks_session.pk, name[1]]
        narrow_page.goto(reverse(name if isinstance(name, str) else name[0], args=args))
        assert narrow_page.get_by_role("heading", level=1).count() == 1, narrow_page.url
        assert_accessible(narrow_page)
        assert_fits(narrow_page)


def test_a_crfp_fills_a_marking_sheet_previews_it_and_records_it(
    page, assert_accessible, tmp_path, users, marks_session
):
    evaluation = next(item for item in evaluations(marks_session.version) if item.name == "cc_common")
    workbook = load_workbook(io.BytesIO(build_sheet(users["crfp_staff"], marks_session, evaluation)))
    table = workbook["Notes"]
    note = next(cell.column_letter for cell in table[1] if cell.value == "Note")
    table[f"{note}2"] = "13,5"
    filled = tmp_path / "notes.xlsx"
    workbook.save(filled)

    sign_in(page, "crfp_staff@test.example")
    page.goto(reverse("exams:mark_grid", args=[marks_session.pk, "cc_common"]))
    page.get_by_role("link", name="Déposer une feuille complétée").click()
    page.get_by_label("Feuille de notes remplie (.xlsx)").set_input_files(filled)
    page.get_by_role("button", name="Vérifier la feuille").click()
    page.get_by_text("1 nouvelle note", exact=True).wait_for()
    assert_accessible(page)
    assert not Mark.objects.exists()
    page.get_by_role("button", name="Enregistrer :").click()
    page.get_by_text("1 note enregistrée").wait_for()
    assert Mark.objects.get().value == Decimal("13.5")
