"""The written exam's markers and the levée d'anonymat (D48): who may be appointed, who appoints, when
anonymity may be lifted, and who reaches the two pages."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.markers import do_appoint_marker, do_lift_anonymity
from certifier.exams.marks import Entry, do_lock_marks, do_record_marks
from certifier.exams.models import ExamMarker, ExamSession, Registration, SessionKind
from certifier.people.enums import Role
from certifier.people.models import Membership
from tests.factories import CandidateFactory, UserFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db


def mark_written(marker, session, text="12,5"):
    """The marker enters the written mark of every copy of the session."""
    entries = [
        Entry(pk, text, 0) for pk in Registration.objects.filter(session=session).values_list("pk", flat=True)
    ]
    do_record_marks(marker, session, "written", entries)


def events(action):
    return list(AuditEvent.objects.filter(action=action))


# -- appointing markers -------------------------------------------------------------------------


def test_the_national_admin_appoints_an_account_holding_no_role(users, organisations, marks_session):
    person = UserFactory(email="correctrice@test.example")
    marker = do_appoint_marker(users["national_admin"], marks_session, "Correctrice@Test.example ")
    assert (marker.user, marker.session, marker.appointed_by) == (
        person,
        marks_session,
        users["national_admin"],
    )
    assert Membership.objects.filter(
        user=person, role=Role.MARKER, organisation=organisations["ucanss"]
    ).exists()
    [event] = events(AuditAction.EXAM_MARKER_APPOINTED)
    assert event.actor == users["national_admin"]
    assert event.after["session"] == str(marks_session.pk)


def test_an_unknown_address_becomes_an_invited_marker_mailed_after_commit(
    users, marks_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        marker = do_appoint_marker(users["national_admin"], marks_session, "nouveau.correcteur@test.example")
    assert marker.user.email == "nouveau.correcteur@test.example"
    assert not marker.user.has_usable_password()
    assert marker.user.memberships.get().role == Role.MARKER
    [message] = mail.outbox
    assert message.to == ["nouveau.correcteur@test.example"]
    assert "correcteur de l'épreuve écrite" in message.body
    assert settings.SITE_URL.rstrip("/") in message.body
    assert len(events(AuditAction.EXAM_MARKER_APPOINTED)) == 1
    assert len(events(AuditAction.ACCOUNT_INVITED)) == 1


def test_a_marker_of_another_session_keeps_their_one_role(users, marks_session, make_session, marks_version):
    other = make_session(version=marks_version, year=2027)
    do_appoint_marker(users["national_admin"], other, "marker@test.example")
    assert ExamMarker.objects.filter(user=users["marker"]).count() == 2
    assert users["marker"].memberships.count() == 1
    assert not events(AuditAction.ROLE_GRANTED)


@pytest.mark.parametrize(
    "persona",
    [
        "national_admin",
        "cpnefp",
        "crfp_staff",
        "employer_hr",
        "tutor",
        "manager",
        "assessor",
        "local_jury",
        "national_jury",
        "vae_jury",
        "candidate",
    ],
)
def test_a_person_holding_another_role_is_never_a_marker(users, marks_session, persona):
    with pytest.raises(DomainError, match=r"autre rôle.*ne doit pas connaître les candidats"):
        do_appoint_marker(users["national_admin"], marks_session, users[persona].email.upper())
    assert not ExamMarker.objects.filter(user=users[persona]).exists()
    assert not Membership.objects.filter(user=users[persona], role=Role.MARKER).exists()


def test_a_candidate_without_an_account_is_never_a_marker(users, marks_session):
    CandidateFactory(email="candidate.sans.compte@test.example")
    with pytest.raises(DomainError, match="Candidat"):
        do_appoint_marker(users["national_admin"], marks_session, "candidate.sans.compte@test.example")
    assert not ExamMarker.objects.filter(user__email="candidate.sans.compte@test.example").exists()


def test_a_platform_staff_account_is_never_a_marker(users, marks_session):
    UserFactory(email="technique@test.example", is_staff=True)
    with pytest.raises(DomainError, match="équipe technique"):
        do_appoint_marker(users["national_admin"], marks_session, "technique@test.example")


def test_a_person_already_marking_the_session_is_refused(users, marks_session):
    with pytest.raises(DomainError, match="corrige déjà cette session"):
        do_appoint_marker(users["national_admin"], marks_session, "marker@test.example")


@pytest.mark.parametrize("persona", ["crfp_staff", "marker", "national_jury", "outsider"])
def test_only_the_national_admin_appoints_markers(users, marks_session, persona):
    with pytest.raises(NotAllowed):
        do_appoint_marker(users[persona], marks_session, "quelquun@test.example")
    assert not ExamMarker.objects.filter(user__email="quelquun@test.example").exists()


def test_no_marker_is_appointed_once_every_written_mark_is_locked(users, marks_session):
    mark_written(users["marker"], marks_session)
    do_appoint_marker(users["national_admin"], marks_session, "avant@test.example")  # not locked yet
    do_lock_marks(users["marker"], marks_session, "written")
    with pytest.raises(DomainError, match="verrouillées"):
        do_appoint_marker(users["national_admin"], marks_session, "apres@test.example")


def test_no_marker_is_appointed_once_anonymity_is_lifted(users, marks_session):
    mark_written(users["marker"], marks_session)
    do_lock_marks(users["marker"], marks_session, "written")
    do_lift_anonymity(users["national_admin"], marks_session)
    with pytest.raises(DomainError, match="anonymat de cette session est levé"):
        do_appoint_marker(users["national_admin"], marks_session, "apres@test.example")


def test_a_blocks_scheme_session_has_no_markers(users, session):
    with pytest.raises(DomainError, match="pas d'épreuve écrite anonyme"):
        do_appoint_marker(users["national_admin"], session, "correcteur@test.example")


# -- lifting anonymity ---------------------------------------------------------------------------


def test_anonymity_stays_until_every_copy_has_a_written_mark(users, marks_session):
    with pytest.raises(
        DomainError, match="L'anonymat ne peut être levé : 2 copies n'ont pas de note verrouillée"
    ):
        do_lift_anonymity(users["national_admin"], marks_session)
    durand = Registration.objects.get(session=marks_session, enrolment__candidate__birth_name="Durand")
    do_record_marks(users["marker"], marks_session, "written", [Entry(durand.pk, "ABS", 0)])
    do_lock_marks(users["marker"], marks_session, "written")
    with pytest.raises(DomainError, match="1 copie n'a pas de note verrouillée"):
        do_lift_anonymity(users["national_admin"], marks_session)
    assert ExamSession.objects.get(pk=marks_session.pk).anonymity_lifted_at is None


def test_anonymity_stays_while_entered_marks_are_not_locked(users, marks_session):
    mark_written(users["marker"], marks_session)
    with pytest.raises(DomainError, match="2 copies n'ont pas de note verrouillée"):
        do_lift_anonymity(users["national_admin"], marks_session)


def test_anonymity_is_lifted_once_every_written_mark_is_locked_logged_and_only_once(users, marks_session):
    mark_written(users["marker"], marks_session)
    do_lock_marks(users["marker"], marks_session, "written")
    do_lift_anonymity(users["national_admin"], marks_session)
    lifted = ExamSession.objects.get(pk=marks_session.pk)
    assert lifted.anonymity_lifted_at is not None
    assert lifted.anonymity_lifted_by == users["national_admin"]
    [event] = events(AuditAction.ANONYMITY_LIFTED)
    assert (event.actor, event.object_id) == (users["national_admin"], str(marks_session.pk))
    assert event.after == {"copies": "2", "locked_marks": "2"}
    with pytest.raises(DomainError, match="déjà été levé"):
        do_lift_anonymity(users["national_admin"], lifted)
    assert len(events(AuditAction.ANONYMITY_LIFTED)) == 1


@pytest.mark.parametrize("persona", ["crfp_staff", "marker", "national_jury", "local_jury"])
def test_only_the_national_admin_lifts_anonymity(users, marks_session, persona):
    mark_written(users["marker"], marks_session)
    do_lock_marks(users["marker"], marks_session, "written")
    with pytest.raises(NotAllowed):
        do_lift_anonymity(users[persona], marks_session)
    assert ExamSession.objects.get(pk=marks_session.pk).anonymity_lifted_at is None


def test_a_session_without_written_exam_or_candidates_has_nothing_to_lift(
    users, session, make_session, marks_version
):
    with pytest.raises(DomainError, match="pas d'épreuve écrite anonyme"):
        do_lift_anonymity(users["national_admin"], session)
    empty = make_session(version=marks_version, kind=SessionKind.JUNE, year=2030)
    with pytest.raises(DomainError, match="aucun candidat"):
        do_lift_anonymity(users["national_admin"], empty)


# -- the pages -----------------------------------------------------------------------------------


def expected(persona):
    if persona == "anonymous":
        return 302
    return 200 if persona == "national_admin" else 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["markers", "lift_anonymity"])
def test_access_matrix_of_the_marker_pages(client_for, marks_session, persona, page):
    client = client_for(persona)
    url = reverse(f"exams:{page}", args=[marks_session.pk])
    unknown = reverse(f"exams:{page}", args=[marks_session.pk + 1000])
    wanted = expected(persona)
    assert client.get(url).status_code == wanted
    assert client.get(unknown).status_code == (404 if wanted == 200 else wanted)
    post = {"email": "intrus@test.example"}
    assert client.post(url, post).status_code == (302 if wanted == 200 else wanted)


def test_the_markers_page_lists_the_markers_and_appoints_by_email(client_for, users, marks_session):
    client = client_for("national_admin")
    url = reverse("exams:markers", args=[marks_session.pk])
    response = client.post(url, {"email": "nouvelle@test.example"}, follow=True)
    page = response.content.decode()
    assert "nouvelle@test.example est désigné correcteur" in page
    assert "marker@test.example" in page
    assert "2 correcteurs désignés" in page


@pytest.mark.parametrize(
    ("email", "error"),
    [("pas-une-adresse", "Saisissez une adresse"), ("crfp_staff@test.example", "autre rôle")],
)
def test_a_refused_appointment_is_told_on_the_field(client_for, marks_session, email, error):
    response = client_for("national_admin").post(
        reverse("exams:markers", args=[marks_session.pk]), {"email": email}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert ExamMarker.objects.filter(session=marks_session).count() == 1


def test_the_markers_page_reads_a_bounded_number_of_queries(client_for, users, marks_session):
    client = client_for("national_admin")
    url = reverse("exams:markers", args=[marks_session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(4):
        do_appoint_marker(users["national_admin"], marks_session, f"correcteur{index}@test.example")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_lift_page_explains_what_is_missing_and_offers_no_button(client_for, users, marks_session):
    mark_written(users["marker"], marks_session)
    page = (
        client_for("national_admin")
        .get(reverse("exams:lift_anonymity", args=[marks_session.pk]))
        .content.decode()
    )
    assert (
        "2 copies n&#x27;ont pas de note verrouillée" in page
        or "2 copies n'ont pas de note verrouillée" in page
    )
    assert "Lever l&#x27;anonymat</button>" not in page and "Lever l'anonymat</button>" not in page
    assert "MARTIN" not in page


def test_the_lift_page_lifts_then_shows_the_copy_codes_of_the_candidates(client_for, users, marks_session):
    mark_written(users["marker"], marks_session)
    do_lock_marks(users["marker"], marks_session, "written")
    client = client_for("national_admin")
    url = reverse("exams:lift_anonymity", args=[marks_session.pk])
    assert "Lever l" in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert "L&#x27;anonymat de l&#x27;épreuve écrite est levé." in page
    for registration in Registration.objects.filter(session=marks_session).select_related(
        "enrolment__candidate"
    ):
        assert registration.copy_code in page
        assert registration.candidate_number in page
        assert registration.enrolment.candidate.display_name in page
    again = client.post(url, follow=True).content.decode()
    assert "déjà été levé" in again
    assert len(events(AuditAction.ANONYMITY_LIFTED)) == 1


def test_a_refused_lift_is_told_and_changes_nothing(client_for, marks_session):
    client = client_for("national_admin")
    page = client.post(reverse("exams:lift_anonymity", args=[marks_session.pk]), follow=True).content.decode()
    assert "2 copies n&#x27;ont pas de note verrouillée" in page
    assert ExamSession.objects.get(pk=marks_session.pk).anonymity_lifted_at is None


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_national_admin_withdraws_a_marker_who_then_sees_the_session_no_more(
    client_for, users, marks_session, persona
):
    marker = ExamMarker.objects.get(session=marks_session)
    url = reverse("exams:remove_marker", args=[marks_session.pk, marker.pk])
    response = client_for(persona).post(url)
    if persona == "national_admin":
        assert response.status_code == 302
        assert not ExamMarker.objects.filter(pk=marker.pk).exists()
        event = AuditEvent.objects.get(action=AuditAction.EXAM_MARKER_REMOVED)
        assert event.before["email"] == users["marker"].email
        detail = reverse("exams:session_detail", args=[marks_session.pk])
        assert client_for("marker").get(detail).status_code == 404
    else:
        assert response.status_code in (302, 403) and ExamMarker.objects.filter(pk=marker.pk).exists()
        assert (response.status_code == 302) == (persona == "anonymous")
