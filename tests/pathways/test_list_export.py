"""The enrolment list's progress column, its sorting and its export: the export holds what the list
shows (same scope, filters and order), every page of it, and nothing else."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certifier.pathways.models import AssessorAssignment, TrainingPath
from certifier.pathways.services import do_create_training_session, do_load_training_paths
from tests.factories import CandidateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

LIST = reverse("pathways:enrolment_list")


def names_in_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return [row[0] for row in rows[1:]]


def names_in_xlsx(response):
    assert response["Content-Disposition"].startswith('attachment; filename="inscriptions.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def bordeaux(organisations, enrolments):
    """Three more enrolments at the personas' CRFP, named so that their order is known."""
    made = {}
    for name, start in (("Abadie", "2026-02-01"), ("Zola", "2026-01-10"), ("Martel", "2026-03-01")):
        made[name] = EnrolmentFactory(
            candidate=CandidateFactory(birth_name=name, employer=organisations["employer"]),
            training_centre=organisations["crfp"],
            start_date=start,
        )
    return made


@pytest.mark.parametrize("persona", ["crfp_staff", "employer_hr", "tutor", "assessor", "candidate"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_export_never_holds_an_enrolment_outside_the_users_scope(
    client_for, enrolments, persona, extension
):
    response = client_for(persona).get(LIST, {"format": extension})
    names = names_in_csv(response) if extension == "csv" else names_in_xlsx(response)
    assert enrolments["own"].candidate.display_name in names
    assert enrolments["foreign"].candidate.display_name not in names


def test_the_export_keeps_the_filters_and_the_order_of_the_list(client_for, bordeaux):
    client = client_for("crfp_staff")
    assert names_in_csv(client.get(LIST, {"format": "csv", "tri": "nom"})) == [
        "ABADIE " + bordeaux["Abadie"].candidate.first_name,
        "MARTEL " + bordeaux["Martel"].candidate.first_name,
        "MARTIN Léa",
        "ZOLA " + bordeaux["Zola"].candidate.first_name,
    ]
    assert names_in_csv(client.get(LIST, {"format": "csv", "q": "zola"})) == [
        "ZOLA " + bordeaux["Zola"].candidate.first_name
    ]


def test_the_export_holds_every_page(client_for, organisations, enrolments):
    for _ in range(101):
        EnrolmentFactory(training_centre=organisations["crfp"])
    assert len(names_in_csv(client_for("crfp_staff").get(LIST, {"format": "csv"}))) == 102


def test_sorting_by_a_column_announces_it_and_a_second_click_reverses_it(client_for, bordeaux):
    client = client_for("crfp_staff")
    page = client.get(LIST, {"tri": "entree"}).content.decode()
    assert page.index("ZOLA") < page.index("MARTEL")
    assert '<th scope="col" aria-sort="ascending"><a href="?tri=-entree">Entrée en parcours' in page
    reversed_page = client.get(LIST, {"tri": "-entree"}).content.decode()
    assert reversed_page.index("MARTEL") < reversed_page.index("ZOLA")
    assert 'aria-sort="descending"' in reversed_page


def test_an_unknown_sort_falls_back_to_the_latest_entries_first(client_for, bordeaux):
    page = client_for("crfp_staff").get(LIST, {"tri": "password"}).content.decode()
    assert page.index("MARTEL") < page.index("ABADIE") < page.index("ZOLA")


def test_the_status_columns_say_the_progress_and_the_assessor_in_words(client_for, bordeaux, enrolments):
    page = client_for("crfp_staff").get(LIST, {"q": "Martin"}).content.decode()
    blocks = enrolments["own"].version.blocks.count()
    assert f"0 bloc validé sur {blocks}" in page
    assert "0 attestation" in page
    assert '<span class="badge badge-ok">Affecté</span>' in page
    abadie = client_for("crfp_staff").get(LIST, {"q": "Abadie"}).content.decode()
    assert '<span class="badge badge-warn">Aucun</span>' in abadie


def test_sorting_by_progress_puts_the_candidates_without_an_assessor_first(client_for, bordeaux):
    AssessorAssignment.objects.create(
        enrolment=bordeaux["Abadie"], assessor=AssessorAssignment.objects.first().assessor
    )
    page = client_for("crfp_staff").get(LIST, {"tri": "avancement"}).content.decode()
    assert page.index("MARTEL") < page.index("ABADIE")
    assert page.index("ZOLA") < page.index("MARTIN")


@pytest.fixture
def sessions(organisations, users, referential):
    do_load_training_paths()
    today = timezone.localdate()
    made = {}
    for kind, start, end in (
        ("pass", today - timedelta(days=60), today - timedelta(days=30)),
        ("premss", today - timedelta(days=2), today + timedelta(days=2)),
        ("option", today + timedelta(days=30), today + timedelta(days=40)),
    ):
        path = TrainingPath.objects.filter(kind=kind).first()
        made[kind] = do_create_training_session(users["crfp_staff"], path, organisations["crfp"], start, end)
    return made


def test_the_session_list_says_each_sessions_state_and_sorts_by_start(client_for, sessions):
    client = client_for("crfp_staff")
    page = client.get(reverse("pathways:session_list")).content.decode()
    assert page.index("À venir") < page.index("En cours") < page.index("Terminée")  # latest first
    assert '<span class="badge badge-info">En cours</span>' in page
    ascending = client.get(reverse("pathways:session_list"), {"tri": "debut"}).content.decode()
    assert ascending.index("Terminée") < ascending.index("À venir")


def test_the_session_export_holds_the_sessions_in_the_order_shown(client_for, sessions):
    response = client_for("crfp_staff").get(
        reverse("pathways:session_list"), {"tri": "debut", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Parcours", "CRFP", "Début", "Fin", "État"]
    assert [row[4] for row in rows[1:]] == ["Terminée", "En cours", "À venir"]


@pytest.mark.parametrize(
    ("persona", "sees_logbook"), [("crfp_staff", True), ("tutor", True), ("employer_hr", False)]
)
def test_the_employers_hr_never_sees_logbook_figures_in_the_list_or_its_export(
    client_for, enrolments, persona, sees_logbook
):
    client = client_for(persona)
    assert ("Carnet de suivi" in client.get(LIST).content.decode()) is sees_logbook
    header = client.get(LIST, {"format": "csv"}).content.decode("utf-8-sig").splitlines()[0]
    assert ("Attestations du carnet" in header) is sees_logbook
