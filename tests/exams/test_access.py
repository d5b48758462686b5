"""Who reaches the exam pages: 403 for roles that do not deal with exams, 404 for an unknown session,
and each CRFP sees only its own candidates' registrations."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.exams.models import ExamMarker, ExamSession, Mark, Registration
from certifier.exams.services import do_register
from certifier.pathways.models import Enrolment
from tests.exams.conftest import calendar
from tests.factories import CandidateFactory, EnrolmentFactory
from tests.personas import PERSONAS, SIGNED_IN

pytestmark = pytest.mark.django_db

EXAM_ROLES = {"national_admin", "crfp_staff", "local_jury", "national_jury", "marker"}
PAGES = {
    "session_list": EXAM_ROLES,
    "session_create": {"national_admin"},
}
SESSION_PAGES = {
    "session_detail": EXAM_ROLES,
    "session_register": {"crfp_staff"},
    "local_jury_dates": {"national_admin"},
}


def expected(persona, allowed):
    if persona == "anonymous":
        return 302
    return 200 if persona in allowed else 403


@pytest.fixture
def registered(users, session, enrolments):
    do_register(users["crfp_staff"], session, [enrolments["own"]])
    do_register(None, session, [enrolments["foreign"]])
    ExamMarker.objects.create(session=session, user=users["marker"])
    return session


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix_of_every_exams_view(client_for, registered, persona):
    client = client_for(persona)
    wanted, got = {}, {}
    for name, allowed in PAGES.items():
        wanted[name] = expected(persona, allowed)
        got[name] = client.get(reverse(f"exams:{name}")).status_code
    for name, allowed in SESSION_PAGES.items():
        wanted[name] = expected(persona, allowed)
        got[name] = client.get(reverse(f"exams:{name}", args=[registered.pk])).status_code
        wanted[f"{name} unknown"] = 404 if wanted[name] == 200 else wanted[name]
        got[f"{name} unknown"] = client.get(reverse(f"exams:{name}", args=[registered.pk + 1000])).status_code
    assert got == wanted


@pytest.mark.parametrize(
    ("persona", "sees_own", "sees_foreign"),
    [
        ("national_admin", True, True),
        ("crfp_staff", True, False),
        ("local_jury", True, False),
        ("national_jury", False, False),
        ("marker", False, False),
    ],
)
def test_the_session_shows_each_persona_only_their_candidates(
    client_for, registered, persona, sees_own, sees_foreign
):
    page = client_for(persona).get(reverse("exams:session_detail", args=[registered.pk])).content.decode()
    assert ("MARTIN Léa" in page) == sees_own
    assert ("DURAND Paul" in page) == sees_foreign


def test_only_the_national_admin_sees_copy_codes(client_for, registered):
    code = Registration.objects.get(enrolment__candidate__birth_name="Martin").copy_code
    url = reverse("exams:session_detail", args=[registered.pk])
    shown = {persona: code in client_for(persona).get(url).content.decode() for persona in EXAM_ROLES}
    assert shown == {
        "national_admin": True,
        "crfp_staff": False,
        "local_jury": False,
        "national_jury": False,
        "marker": False,
    }


def test_roles_without_exams_cannot_post(client_for, registered):
    urls = [reverse("exams:session_create"), reverse("exams:session_register", args=[registered.pk])]
    for persona in ("tutor", "employer_hr", "assessor", "candidate", "local_jury", "national_jury"):
        assert [client_for(persona).post(url, {}).status_code for url in urls] == [403, 403]


def test_the_national_admin_creates_a_session_through_the_form(client_for, version):
    data = {
        "version": version.pk,
        "kind": "june",
        "year": 2027,
        **{k: v.isoformat() for k, v in calendar().items()},
    }
    response = client_for("national_admin").post(reverse("exams:session_create"), data)
    assert response.status_code == 302
    late = {**data, "national_jury_date": "2099-01-01"}
    page = client_for("national_admin").post(reverse("exams:session_create"), late).content.decode()
    assert "indiquez le motif de la dérogation" in page


def test_a_crfp_registers_through_the_form_only_its_own_candidates(client_for, session, enrolments):
    url = reverse("exams:session_register", args=[session.pk])
    page = client_for("crfp_staff").get(url).content.decode()
    assert "MARTIN Léa" in page and "DURAND Paul" not in page
    refused = client_for("crfp_staff").post(url, {"enrolments": [enrolments["foreign"].pk]})
    assert refused.status_code == 200
    assert not Registration.objects.exists()
    done = client_for("crfp_staff").post(url, {"enrolments": [enrolments["own"].pk]})
    assert done.status_code == 302
    assert Registration.objects.get().enrolment == enrolments["own"]
    assert "Aucun de vos candidats" in client_for("crfp_staff").get(url).content.decode()


def test_the_session_page_makes_a_bounded_number_of_queries(client_for, users, session, organisations):
    client = client_for("national_admin")
    url = reverse("exams:session_detail", args=[session.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    do_register(None, session, [EnrolmentFactory(training_centre=organisations["crfp"])])
    few = queries()
    do_register(
        None,
        session,
        [
            EnrolmentFactory(candidate=CandidateFactory(), training_centre=organisations["crfp"])
            for _ in range(10)
        ],
    )
    assert Enrolment.objects.count() == 11
    assert queries() == few


def test_the_dashboard_shows_exam_tasks(client_for, users, registered):
    admin = html.unescape(client_for("national_admin").get(reverse("people:home")).content.decode())
    assert "session d'examen" in admin
    assert reverse("exams:session_list") in admin
    crfp = html.unescape(client_for("crfp_staff").get(reverse("people:home")).content.decode())
    assert "candidat inscrit aux examens" in crfp


def test_the_register_page_says_when_registration_is_closed(client_for, session):
    ExamSession.objects.filter(pk=session.pk).update(
        registration_deadline=timezone.localdate() - timedelta(days=1)
    )
    page = client_for("crfp_staff").get(reverse("exams:session_register", args=[session.pk])).content.decode()
    assert "Les inscriptions à cette session sont closes depuis le" in page
    assert '<form method="post"' not in page.split("<main")[-1]


def test_the_session_list_makes_a_bounded_number_of_queries(client_for, make_session):
    client = client_for("crfp_staff")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("exams:session_list")).status_code == 200
        return len(captured)

    make_session()
    few = queries()
    for year in (2031, 2032, 2033):
        make_session(year=year)
    assert queries() == few


def test_a_marker_sees_only_the_sessions_they_were_appointed_to(client_for, registered, make_session):
    other = make_session(year=2031)
    client = client_for("marker")
    assert client.get(reverse("exams:session_detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("exams:session_list")).content.decode()
    assert reverse("exams:session_detail", args=[registered.pk]) in page
    assert reverse("exams:session_detail", args=[other.pk]) not in page


def test_a_crfp_registers_every_remaining_candidate_at_once(client_for, session, organisations, enrolments):
    more = [EnrolmentFactory(training_centre=organisations["crfp"]) for _ in range(3)]
    url = reverse("exams:session_register", args=[session.pk])
    assert "Inscrire les 4 candidats restants" in client_for("crfp_staff").get(url).content.decode()
    assert client_for("crfp_staff").post(url, {"tous": "1"}).status_code == 302
    registered = set(Registration.objects.values_list("enrolment_id", flat=True))
    assert registered == {enrolments["own"].pk, *(enrolment.pk for enrolment in more)}


def test_a_session_whose_marks_are_all_entered_reads_ready_for_the_jury(client_for, users, marks_session):
    ExamSession.objects.filter(pk=marks_session.pk).update(
        registration_deadline=timezone.localdate() - timedelta(days=40),
        written_exam_date=timezone.localdate() - timedelta(days=20),
        oral_start=timezone.localdate() - timedelta(days=19),
        oral_end=timezone.localdate() - timedelta(days=10),
    )
    client = client_for("national_admin")
    assert "Notation" in client.get(reverse("exams:session_list")).content.decode()
    for registration in Registration.objects.filter(session=marks_session):
        for exam in ("cc_common", "cc_option", "written", "oral", "apt"):
            Mark.objects.create(registration=registration, exam=exam, value=Decimal("12"))
    assert "Prête pour le jury" in client.get(reverse("exams:session_list")).content.decode()


def test_a_marker_is_told_how_many_copies_there_are_and_never_who_wrote_them(client_for, marks_session):
    client = client_for("marker")
    listing = client.get(reverse("exams:session_list")).content.decode()
    page = client.get(reverse("exams:session_detail", args=[marks_session.pk])).content.decode()
    assert "2 copies à corriger" in page
    assert reverse("exams:mark_grid", args=[marks_session.pk, "written"]) in page
    assert reverse("exams:mark_grid", args=[marks_session.pk, "oral"]) not in page
    for text in (listing, page):
        assert "MARTIN" not in text and "DURAND" not in text and "CRFP de" not in text


def test_markers_local_juries_and_candidates_find_their_exam_tasks_at_home(client_for, marks_session):
    def home(persona: str) -> str:
        return html.unescape(client_for(persona).get(reverse("people:home")).content.decode())

    assert "copies à noter" in home("marker")
    assert "oral à noter" in home("local_jury")
    assert reverse("exams:own_convocation", args=[marks_session.pk]) in home("candidate")


@pytest.mark.parametrize("persona", sorted(SIGNED_IN))
def test_the_menu_offers_exam_sessions_to_the_roles_that_deal_with_them(client_for, persona):
    page = client_for(persona).get(reverse("people:home")).content.decode()
    menu = page.split('aria-label="Menu principal"')[1].split("</nav>")[0]
    assert (reverse("exams:session_list") in menu) == (persona in EXAM_ROLES)
