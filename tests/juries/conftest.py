"""The exam fixtures, for the juries' tests; the CPNEFP's lists, a national jury and its sitting."""

import pytest

from certifier.juries.composition import ListMemberData, do_add_list_member, do_appoint_jury
from certifier.juries.models import College
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from tests.exams.conftest import (  # noqa: F401
    make_session,
    marks_session,
    marks_version,
    session,
    session_data,
)
from tests.juries.minutes_fixtures import (  # noqa: F401
    decided,
    lifted_session,
    proclaimed,
    signing_files,
    signing_settings,
)

# the employees' college: two representatives of each of two confederations; the employers', as many
EMPLOYEES = [
    ("Bernard", "Alice", "CFDT"),
    ("Petit", "Hugo", "CFDT"),
    ("Robert", "Chloé", "CGT"),
    ("Richard", "Louis", "CGT"),
]
EMPLOYERS = [("Moreau", "Inès"), ("Simon", "Jules"), ("Laurent", "Emma"), ("Michel", "Noah")]


@pytest.fixture
def jury_lists(users):
    """The CPNEFP's lists: 4 employees' members (CFDT ×2, CGT ×2; Bernard Alice is the `national_jury`
    persona's account) and 4 employers' members, in that order."""
    cpnefp = users["cpnefp"]
    members = [
        do_add_list_member(
            cpnefp,
            ListMemberData(
                last_name=last,
                first_name=first,
                college=College.EMPLOYEES,
                confederation=confederation,
                capacity=f"Représentant(e) {confederation}",
                email="national_jury@test.example" if index == 0 else "",
            ),
        )
        for index, (last, first, confederation) in enumerate(EMPLOYEES)
    ]
    members += [
        do_add_list_member(
            cpnefp,
            ListMemberData(
                last_name=last,
                first_name=first,
                college=College.EMPLOYERS,
                capacity="Directeur(trice) de caisse",
            ),
        )
        for last, first in EMPLOYERS
    ]
    return members


@pytest.fixture
def make_national_jury(users, jury_lists):
    """`make_national_jury(session)`: the jury of that session, every list member seated, chaired by the
    national administrator persona."""

    def make(exam_session, members=None):
        return do_appoint_jury(
            users["cpnefp"],
            exam_session,
            "Ucanss, Paris",
            users["national_admin"],
            jury_lists if members is None else members,
        )

    return make


@pytest.fixture
def national_jury(make_national_jury, marks_session):  # noqa: F811
    return make_national_jury(marks_session)


@pytest.fixture
def deliberation(users, national_jury):
    """The deliberation of `national_jury` opened on the session's jury date, every member present."""
    admin = users["national_admin"]
    opened = do_open_deliberation(
        admin, national_jury, national_jury.session.national_jury_date, national_jury.place
    )
    do_record_attendance(admin, opened, national_jury.members.all())
    return opened
