"""Issue 7 §1.4: a write that loses a race against an identical one ends in one row and the same
French refusal as its pre-check, never in a 500. The race is simulated: the conflicting row is
written, then the service runs with its pre-check blind to it (as if it had checked just before)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from certifier.core.models import DomainError
from certifier.pathways.models import (
    AssessorAssignment,
    Attendance,
    Candidate,
    FundingRequest,
    Module,
    TrainingSession,
)
from certifier.pathways.services import (
    EnrolmentRefused,
    ImportedRow,
    assessors,
    do_assign_assessor,
    do_draw_up_funding_request,
    do_enrol,
    do_import_enrolments,
    do_record_attendance,
    enrolments,
    funding,
    training,
)
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_one_assessor_for_every_block_cannot_be_stored_twice(own, users):
    # the fixture assigned the assessor to every block: a NULL block must not escape the constraint
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessorAssignment.objects.create(enrolment=own, assessor=users["assessor"], block=None)


def test_one_person_cannot_be_stored_as_two_candidates(own, organisations):
    twin = own.candidate
    with pytest.raises(IntegrityError), transaction.atomic():
        CandidateFactory(
            birth_name=twin.birth_name.upper(),
            first_name=twin.first_name,
            birth_date=twin.birth_date,
            birth_insee_code=twin.birth_insee_code,
            employer=organisations["other_employer"],
        )


def test_an_assessor_assigned_meanwhile_gets_the_french_refusal(monkeypatch, own, users):
    monkeypatch.setattr(assessors, "_already_assigned", lambda *args: False)
    with pytest.raises(DomainError) as raised:
        do_assign_assessor(users["crfp_staff"], own, users["assessor"], None)
    assert str(raised.value).endswith("est déjà affecté à ce candidat pour tous les blocs.")
    assert AssessorAssignment.objects.filter(enrolment=own).count() == 1


def test_a_candidate_enrolled_meanwhile_gets_the_french_refusal(monkeypatch, users, make_data):
    do_enrol(users["crfp_staff"], make_data())
    real = enrolments._duplicates_in_database
    calls = []

    def blind_the_first_time(*args):
        calls.append(args)
        return {} if len(calls) == 1 else real(*args)

    monkeypatch.setattr(enrolments, "_duplicates_in_database", blind_the_first_time)
    with pytest.raises(EnrolmentRefused) as raised:
        do_enrol(users["crfp_staff"], make_data())
    assert raised.value.errors["employee_number"] == (
        "Un candidat portant le matricule A1001 chez CAF de la Gironde est déjà inscrit."
    )
    assert Candidate.objects.filter(employee_number="A1001").count() == 1


def test_the_same_person_enrolled_meanwhile_under_another_number_is_refused(monkeypatch, users, make_data):
    do_enrol(users["crfp_staff"], make_data())
    real = enrolments._duplicates_in_database
    calls = []

    def blind_the_first_time(*args):
        calls.append(args)
        return {} if len(calls) == 1 else real(*args)

    monkeypatch.setattr(enrolments, "_duplicates_in_database", blind_the_first_time)
    with pytest.raises(EnrolmentRefused) as raised:
        do_enrol(users["crfp_staff"], make_data(employee_number="B2002"))
    assert list(raised.value.errors) == ["birth_name"]
    assert Candidate.objects.count() == 1


def test_a_funding_request_drawn_up_meanwhile_gets_the_french_refusal(monkeypatch, own, paths, users):
    do_draw_up_funding_request(users["crfp_staff"], own, pass_already_funded=False)
    monkeypatch.setattr(funding, "_existing_request", lambda enrolment: None)
    with pytest.raises(DomainError) as raised:
        do_draw_up_funding_request(users["employer_hr"], own, pass_already_funded=True)
    assert str(raised.value) == funding.CONCURRENT_REQUEST
    request = FundingRequest.objects.get(enrolment=own)
    assert not request.pass_already_funded


def test_an_attendance_recorded_meanwhile_gets_the_french_refusal(
    monkeypatch, own, paths, organisations, users
):
    module = Module.objects.filter(path__kind="pass").first()
    session = TrainingSession.objects.create(
        path=module.path,
        training_centre=organisations["crfp"],
        start_date=date(2026, 1, 12),
        end_date=date(2026, 1, 16),
    )
    do_record_attendance(users["crfp_staff"], own, {module: session})
    monkeypatch.setattr(training, "_attendances", lambda enrolment: {})
    with pytest.raises(DomainError) as raised:
        do_record_attendance(users["crfp_staff"], own, {module: session})
    assert str(raised.value) == training.CONCURRENT_ATTENDANCE
    assert Attendance.objects.filter(enrolment=own, module=module).count() == 1


def test_an_import_racing_a_form_is_refused_whole_in_french(users, make_data):
    checked = [
        ImportedRow(make_data(employee_number=number, first_name=name), None, None)
        for number, name in (("A1001", "Zoé"), ("A1002", "Inès"))
    ]
    do_enrol(users["crfp_staff"], make_data(employee_number="A1002", birth_name="Autre"))  # meanwhile
    with pytest.raises(EnrolmentRefused) as raised:
        do_import_enrolments(users["crfp_staff"], checked)
    assert raised.value.errors == {"employee_number": enrolments.CONCURRENT_IMPORT}
    assert list(Candidate.objects.values_list("employee_number", flat=True)) == ["A1002"]
