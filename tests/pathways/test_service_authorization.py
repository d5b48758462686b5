"""Services own authorization (issue 7 §2): whoever calls them (a view, a command, a job), a
person who may not act gets NotAllowed (403), not a business-rule message."""

from datetime import date

import pytest
from django.urls import reverse

from certifier.core.models import NotAllowed
from certifier.pathways.models import TrainingPath
from certifier.pathways.services import (
    ImportedRow,
    do_assign_assessor,
    do_create_training_session,
    do_draw_up_funding_request,
    do_import_enrolments,
    do_record_attendance,
    do_update_enrolment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(users, organisations, enrolments, make_data, paths):
    own, foreign = enrolments["own"], enrolments["foreign"]
    foreign_row = make_data(
        employer=organisations["other_employer"],
        employee_number=foreign.candidate.employee_number,
        birth_name="Pirate",
    )
    return {
        "enrolment edit by the employer": lambda: do_update_enrolment(users["employer_hr"], own, make_data()),
        "attendance by the employer": lambda: do_record_attendance(users["employer_hr"], own, {}),
        "assessor by the tutor": lambda: do_assign_assessor(users["tutor"], own, users["assessor"], None),
        "funding by the tutor": lambda: do_draw_up_funding_request(users["tutor"], own, False),
        "session at another CRFP": lambda: do_create_training_session(
            users["crfp_staff"],
            TrainingPath.objects.get(kind="pass"),
            organisations["other_crfp"],
            date(2026, 3, 2),
            date(2026, 3, 6),
        ),
        "import bypassing the importer's checks": lambda: do_import_enrolments(
            users["crfp_staff"], [ImportedRow(foreign_row, foreign.candidate, None)]
        ),
    }


@pytest.mark.parametrize(
    "call",
    [
        "enrolment edit by the employer",
        "attendance by the employer",
        "assessor by the tutor",
        "funding by the tutor",
        "session at another CRFP",
        "import bypassing the importer's checks",
    ],
)
def test_a_service_refuses_who_may_not_act(calls, call, enrolments):
    foreign = enrolments["foreign"].candidate
    with pytest.raises(NotAllowed):
        calls[call]()
    foreign.refresh_from_db()
    assert foreign.birth_name == "Durand"


def test_the_view_of_a_read_only_enrolment_answers_403(client_for, enrolments):
    url = reverse("pathways:attendance_edit", args=[enrolments["own"].pk])
    response = client_for("employer_hr").get(url)
    assert response.status_code == 403
