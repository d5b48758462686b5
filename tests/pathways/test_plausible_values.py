"""Issue 7 §1.11: employee numbers, names and dates are plausible, with the same French messages
in the form, the import and the command (one place: pathways/rules.py)."""

from datetime import date

import pytest
from django.urls import reverse

from certifier.core.models import DomainError
from certifier.pathways.forms import EnrolmentForm
from certifier.pathways.importers import import_candidates
from certifier.pathways.models import Candidate, TrainingPath, TrainingSession
from certifier.pathways.rules import (
    birth_date_error,
    date_window_error,
    employee_number_error,
    name_error,
)
from certifier.pathways.services import EnrolmentRefused, do_create_training_session, do_enrol
from tests.pathways.test_import import row, xlsx

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("number", ["A1001", "778899", "CAF-33/2026.01", "M 12_3", "x" * 50])
def test_plausible_employee_numbers(number):
    assert employee_number_error(number) is None


@pytest.mark.parametrize(
    "number", ["A1\r\nSet-Cookie: x", 'A"1', "A'1", "A;1", "Ä1", " ", "", "x" * 51, "A\t1"]
)
def test_employee_numbers_that_would_break_a_file_name_or_a_sheet(number):
    assert employee_number_error(number).startswith("Le matricule ne peut comporter que")


@pytest.mark.parametrize(
    "name", ["Lefèvre", "Le Fèvre-Dupont", "N'Diaye", "Ørsted", "D’Artagnan", "Éloïse Marie"]
)
def test_plausible_names(name):
    assert name_error("Le nom", name) is None


def test_other_first_names_may_be_separated_by_commas():
    assert name_error("Les autres prénoms", "Marie, Louise-Anne", several=True) is None
    assert name_error("Le prénom", "Marie, Louise") is not None
    assert name_error("Les autres prénoms", "Marie, 3", several=True) == (
        "Les autres prénoms : seuls sont acceptés les lettres, les espaces, les virgules entre les prénoms, "
        "les apostrophes et les traits d'union."
    )


@pytest.mark.parametrize("name", ["12345 ###", "=HYPERLINK()", "Jean3", "-Jean", "Jean--", "<b>"])
def test_implausible_names(name):
    assert name_error("Le nom", name) == (
        "Le nom : seuls sont acceptés les lettres, les espaces, les apostrophes et les traits d'union."
    )


@pytest.mark.parametrize(
    ("birth", "plausible"),
    [
        (date(2010, 1, 5), True),  # 16 on the day of entry
        (date(2010, 1, 6), False),  # 15
        (date(1950, 1, 6), True),  # 75
        (date(1950, 1, 5), False),  # 76
        (date(2031, 1, 1), False),
        (date(9999, 12, 31), False),
    ],
)
def test_a_candidate_is_16_to_75_at_entry(birth, plausible):
    assert (birth_date_error(birth, date(2026, 1, 5)) is None) == plausible


def test_dates_of_the_path_lie_between_2000_and_two_years_ahead():
    assert date_window_error("La date", date(2000, 1, 1), TODAY) is None
    assert date_window_error("La date", date(2028, 12, 1), TODAY) is None
    assert date_window_error("La date", date(1, 1, 1), TODAY) == (
        "La date (01/01/0001) n'est pas plausible : elle doit se situer entre le 01/01/2000 et le 01/12/2028."
    )
    assert date_window_error("La date", date(2028, 12, 2), TODAY) is not None


@pytest.mark.django_db
def test_the_service_refuses_implausible_values_field_by_field(users, make_data):
    with pytest.raises(EnrolmentRefused) as raised:
        do_enrol(
            users["crfp_staff"],
            make_data(
                birth_name="12345 ###",
                employee_number="A1\r\n",
                birth_date=date(2031, 1, 1),
                pre_recruitment_date=date(1990, 1, 1),
            ),
        )
    assert set(raised.value.errors) == {"birth_name", "employee_number", "birth_date", "pre_recruitment_date"}
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_the_form_shows_the_same_messages(client_for, organisations, version):
    response = client_for("crfp_staff").post(
        reverse("pathways:enrolment_create"),
        {
            "birth_name": "12345 ###",
            "first_name": "Jules",
            "sex": "M",
            "birth_date": "01/01/9999",
            "birth_insee_code": "33063",
            "employer": organisations["employer"].pk,
            "employee_number": 'P"42',
            "pre_recruitment_date": "2025-10-01",
            "version": version.pk,
            "option": "allocataire",
            "access_route": "continuing_education",
            "training_centre": organisations["crfp"].pk,
            "start_date": "2026-01-12",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"birth_name", "birth_date", "employee_number"}
    assert errors["birth_date"] == [
        "La date de naissance (01/01/9999) n'est pas plausible : le candidat doit avoir entre 16 et 75 ans "
        "à l'entrée en parcours (12/01/2026)."
    ]
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_the_import_reports_them_by_row_and_column(tmp_path, users, organisations, referential):
    bad = row(
        **{
            "SIRET employeur": organisations["employer"].siret,
            "Nom de naissance": "12345 ###",
            "Matricule": "A1\nA2",
            "Date de naissance": "01/01/2031",
        }
    )
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, [bad]).read_bytes())
    assert sorted(error.column for error in report.errors) == [
        "Date de naissance",
        "Matricule",
        "Nom de naissance",
    ]
    assert all(error.line == 2 for error in report.errors)
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_a_session_from_0001_to_9999_is_refused(users, organisations, paths):
    path = TrainingPath.objects.get(kind="pass")
    with pytest.raises(DomainError) as raised:
        do_create_training_session(
            users["crfp_staff"], path, organisations["crfp"], date(1, 1, 1), date(9999, 12, 31)
        )
    assert str(raised.value).startswith("La date de début de la session (01/01/0001) n'est pas plausible")
    assert not TrainingSession.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", ["lea.martin@demo.example", "o'neil@caf.fr", "éloïse.lefèvre@demo.example", "pas-une-adresse"]
)
def test_the_form_and_the_import_agree_on_e_mail_addresses(
    tmp_path, users, organisations, referential, email
):
    form_accepts = not EnrolmentForm({"email": email}, centre_ids=None).has_error("email")
    imported = row(**{"SIRET employeur": organisations["employer"].siret, "Courriel": email})
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, [imported]).read_bytes())
    import_accepts = "Courriel" not in [error.column for error in report.errors]
    assert form_accepts == import_accepts
