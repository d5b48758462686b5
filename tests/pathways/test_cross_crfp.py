"""Issue 7 §1.1: a CRFP never changes, nor enrols, another CRFP's candidate, whatever the way in
(import, form, command), and the refusal discloses nothing about that candidate or that CRFP."""

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from certifier.pathways.importers import import_candidates
from certifier.pathways.models import Candidate, Enrolment
from certifier.people.models import Membership
from certifier.referential.enums import Scheme
from certifier.referential.models import Certification, CertificationVersion
from tests.factories import EnrolmentFactory
from tests.pathways.test_import import csv_file, row, xlsx

pytestmark = pytest.mark.django_db

LEAKS = ("Lyon", "Durand", "Paul")


@pytest.fixture
def foreign(enrolments):
    return enrolments["foreign"]


@pytest.fixture
def pirate_row(organisations, foreign):
    """The foreign candidate's employer and employee number, under another identity, at Bordeaux."""
    return row(
        **{
            "SIRET employeur": organisations["other_employer"].siret,
            "Matricule": foreign.candidate.employee_number,
            "Nom de naissance": "Pirate",
            "Prénom": "Jean",
            "Tuteur (courriel)": "complice@test.example",
        }
    )


def snapshot():
    """Every candidate, enrolment and role, field by field."""
    return (
        [model_to_dict(candidate) for candidate in Candidate.objects.order_by("pk")],
        [model_to_dict(enrolment) for enrolment in Enrolment.objects.order_by("pk")],
        sorted(Membership.objects.values_list("user__email", "organisation_id", "role")),
    )


def assert_untouched_and_silent(before, messages):
    assert snapshot() == before
    text = " ".join(messages)
    assert text
    for leak in LEAKS:
        assert leak not in text


def test_an_import_row_naming_another_crfps_candidate_is_refused_without_disclosure(
    tmp_path, users, foreign, pirate_row
):
    before = snapshot()
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, [pirate_row]).read_bytes())
    assert [(error.line, error.column) for error in report.errors] == [(2, "Matricule")]
    assert report.errors[0].message.startswith("ce matricule désigne, chez cet employeur, un candidat")
    assert_untouched_and_silent(before, [str(error) for error in report.errors])


def test_the_refusal_holds_for_a_candidate_enrolled_in_another_certification(
    tmp_path, users, organisations, foreign, pirate_row
):
    other = Certification.objects.create(number="RNCP99999", title="Autre certification")
    foreign.version = CertificationVersion.objects.create(
        certification=other, code="v1", label="Version 1", scheme=Scheme.BLOCKS
    )
    foreign.option = None
    foreign.save()
    before = snapshot()
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, [pirate_row]).read_bytes())
    assert [error.column for error in report.errors] == ["Matricule"]
    assert_untouched_and_silent(before, [str(error) for error in report.errors])


def test_one_foreign_row_refuses_the_whole_file(tmp_path, users, organisations, pirate_row):
    good = row(**{"SIRET employeur": organisations["employer"].siret})
    before = snapshot()
    report = import_candidates(users["crfp_staff"], xlsx(tmp_path, [good, pirate_row]).read_bytes())
    assert [error.line for error in report.errors] == [3]
    assert_untouched_and_silent(before, [str(error) for error in report.errors])


def test_the_command_run_for_a_crfp_refuses_the_foreign_row(tmp_path, users, pirate_row):
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_candidates", str(csv_file(tmp_path, [pirate_row])), "--user", "crfp_staff@test.example"
        )
    assert "Ligne 2, colonne « Matricule »" in str(raised.value)
    assert_untouched_and_silent(before, [str(raised.value)])


def test_the_national_administrator_may_update_any_candidate(tmp_path, users, foreign, pirate_row):
    report = import_candidates(
        users["national_admin"], xlsx(tmp_path, [pirate_row | {"CRFP": "Lyon"}]).read_bytes()
    )
    assert report.errors == []
    foreign.candidate.refresh_from_db()
    assert foreign.candidate.birth_name == "Pirate"


def test_the_form_refuses_another_crfps_candidate_without_disclosure(
    client_for, organisations, version, foreign
):
    before = snapshot()
    response = client_for("crfp_staff").post(
        reverse("pathways:enrolment_create"),
        {
            "birth_name": "Pirate",
            "first_name": "Jean",
            "sex": "M",
            "birth_date": "14/02/1999",
            "birth_insee_code": "33063",
            "employer": organisations["other_employer"].pk,
            "employee_number": foreign.candidate.employee_number,
            "pre_recruitment_date": "2025-10-01",
            "version": version.pk,
            "option": "allocataire",
            "access_route": "continuing_education",
            "training_centre": organisations["crfp"].pk,
            "tutor_email": "complice@test.example",
            "start_date": "2026-01-12",
        },
    )
    assert response.status_code == 200
    errors = [str(error) for errors in response.context["form"].errors.values() for error in errors]
    assert "employee_number" in response.context["form"].errors
    assert_untouched_and_silent(before, errors)


def test_editing_a_candidate_shared_with_another_crfp_is_refused(client_for, users, organisations, own):
    # the same person also follows a path at Lyon (an earlier version of the certification)
    EnrolmentFactory(
        candidate=own.candidate,
        version=own.version.certification.versions.get(code="2013"),
        option=None,
        training_centre=organisations["other_crfp"],
    )
    before = snapshot()
    form = client_for("crfp_staff").get(reverse("pathways:enrolment_edit", args=[own.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client_for("crfp_staff").post(
        reverse("pathways:enrolment_edit", args=[own.pk]), data | {"birth_name": "Autrenom"}
    )
    assert response.status_code == 200
    errors = [str(error) for error in response.context["form"].non_field_errors()]
    assert errors == [
        "Ce candidat suit aussi un parcours dans un autre CRFP : seul l'administrateur national peut "
        "modifier son identité ou son emploi."
    ]
    assert_untouched_and_silent(before, errors)


def test_another_crfps_enrolment_cannot_be_edited_through_the_form(client_for, foreign):
    response = client_for("crfp_staff").post(reverse("pathways:enrolment_edit", args=[foreign.pk]), {})
    assert response.status_code == 404
