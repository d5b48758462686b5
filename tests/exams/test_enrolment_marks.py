"""D25 on the enrolment page: the CRFP and the national administrator read every mark, the employer
only the option's continuous assessments and only from the session's release time (D55), the tutor,
manager, assessor and candidate none (the candidate reads theirs on the results portal)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import ExamSession
from certifier.pathways.models import AssessorAssignment, Enrolment
from tests.exams.conftest import registration_of
from tests.personas import SEES_OWN

pytestmark = pytest.mark.django_db

ALL = {"Contrôles continus de l'option", "14,5 sur 20", "9 sur 20", "Absent non justifié", "non saisie"}
SEEN = {
    "national_admin": ALL,
    "crfp_staff": ALL,
    "employer_hr": {"Contrôles continus de l'option", "14,5 sur 20"},
}


@pytest.fixture
def marked(users, marks_session):
    own = registration_of(marks_session, "Martin")
    Enrolment.objects.filter(pk=own.enrolment_id).update(tutor=users["tutor"], manager=users["manager"])
    AssessorAssignment.objects.create(enrolment_id=own.enrolment_id, assessor=users["assessor"])
    do_record_marks(users["crfp_staff"], marks_session, "cc_option", [Entry(own.pk, "14,5", 0)])
    do_record_marks(users["marker"], marks_session, "written", [Entry(own.pk, "9", 0)])
    do_record_marks(users["local_jury"], marks_session, "oral", [Entry(own.pk, "ABS", 0)])
    ExamSession.objects.filter(pk=marks_session.pk).update(anonymity_lifted_at=timezone.now())
    return own


def release(session, at):
    ExamSession.objects.filter(pk=session.pk).update(proclaimed_at=at - timedelta(hours=1), released_at=at)


def test_the_written_mark_stays_anonymous_on_the_page_until_anonymity_is_lifted(client_for, marked):
    url = reverse("pathways:enrolment_detail", args=[marked.enrolment_id])
    ExamSession.objects.filter(pk=marked.session_id).update(anonymity_lifted_at=None)
    page = client_for("crfp_staff").get(url).content.decode().replace("&#x27;", "'")
    assert "9 sur 20" not in page and "anonyme jusqu'à la levée d'anonymat" in page


@pytest.mark.parametrize("persona", sorted(SEES_OWN))
def test_each_reader_of_the_enrolment_sees_the_marks_d25_allows(client_for, marked, persona):
    release(marked.session, timezone.now())
    page = client_for(persona).get(reverse("pathways:enrolment_detail", args=[marked.enrolment_id]))
    assert page.status_code == 200
    text = page.content.decode().replace("&#x27;", "'")
    assert {shown for shown in ALL if shown in text} == SEEN.get(persona, set())
    assert ("Notes d'examen" in text) == (persona in SEEN)


@pytest.mark.parametrize("released_in", [None, timedelta(minutes=5)])
def test_the_employer_reads_no_mark_before_the_release_time(client_for, marked, released_in):
    if released_in is not None:
        release(marked.session, timezone.now() + released_in)
    for persona, shown in (("employer_hr", False), ("crfp_staff", True)):
        page = client_for(persona).get(reverse("pathways:enrolment_detail", args=[marked.enrolment_id]))
        text = page.content.decode().replace("&#x27;", "'")
        assert ("14,5 sur 20" in text) is shown
        assert ("Notes d'examen" in text) is shown


def test_the_enrolment_page_reads_its_marks_in_two_queries(client_for, marked, django_assert_max_num_queries):
    release(marked.session, timezone.now())
    client = client_for("employer_hr")
    url = reverse("pathways:enrolment_detail", args=[marked.enrolment_id])
    client.get(url)
    with django_assert_max_num_queries(40) as captured:
        client.get(url)
    assert sum("exams_" in query["sql"] for query in captured.captured_queries) == 2
