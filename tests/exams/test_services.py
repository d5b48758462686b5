"""Creating sessions and registering candidates: who may, the guards, all or nothing, the audit."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams import numbers, services
from certifier.exams.models import ExamSession, Registration, SessionKind
from certifier.exams.services import do_create_session, do_register
from certifier.referential.models import CertificationVersion
from tests.exams.conftest import calendar
from tests.factories import CandidateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crfp_enrolments(organisations, enrolments):
    """The `own` enrolment and two more at the personas' CRFP."""
    more = [
        EnrolmentFactory(
            candidate=CandidateFactory(birth_name=name, first_name="Anne"),
            training_centre=organisations["crfp"],
        )
        for name in ("Bernard", "Petit")
    ]
    return [enrolments["own"], *more]


# --- sessions


def test_the_national_admin_creates_a_session_and_it_is_audited(users, session_data):
    session = do_create_session(users["national_admin"], session_data())
    assert session.kind == SessionKind.DECEMBER
    event = AuditEvent.objects.get(action=AuditAction.EXAM_SESSION_CREATED)
    assert event.actor == users["national_admin"]
    assert event.object_id == str(session.pk)


@pytest.mark.parametrize("persona", ["crfp_staff", "local_jury", "national_jury", "cpnefp", "outsider"])
def test_only_the_national_admin_creates_sessions(users, session_data, persona):
    with pytest.raises(NotAllowed):
        do_create_session(users[persona], session_data())
    assert not ExamSession.objects.exists()


def test_a_late_jury_needs_a_derogation_reason(session_data):
    late = calendar()
    late["national_jury_date"] = late["oral_end"] + timedelta(days=40)
    with pytest.raises(DomainError, match="motif de la dérogation"):
        do_create_session(None, session_data(**late))
    session = do_create_session(None, session_data(**late, derogation_reason="Salle indisponible"))
    assert session.derogation_reason == "Salle indisponible"


def test_the_same_half_year_twice_is_refused(session, session_data):
    with pytest.raises(DomainError, match="existe déjà"):
        do_create_session(None, session_data())


def test_a_catch_up_names_a_session_of_the_same_version(session, session_data, referential):
    with pytest.raises(DomainError, match="indique la session"):
        do_create_session(None, session_data(kind=SessionKind.CATCH_UP))
    with pytest.raises(DomainError, match="Seule une session de rattrapage"):
        do_create_session(None, session_data(kind=SessionKind.JUNE, catch_up_of=session))
    other = CertificationVersion.objects.get(certification=referential, code="2013")
    with pytest.raises(DomainError, match="même version"):
        do_create_session(None, session_data(version=other, kind=SessionKind.CATCH_UP, catch_up_of=session))
    catch_up = do_create_session(
        None, session_data(kind=SessionKind.CATCH_UP, catch_up_of=session, **calendar(100))
    )
    assert catch_up.catch_up_of == session


def test_the_database_holds_the_calendar_and_catch_up_rules(version):
    dates = calendar()
    broken = [
        {"kind": SessionKind.CATCH_UP},
        {"registration_deadline": dates["written_exam_date"]},
        {"oral_end": dates["oral_start"] - timedelta(days=1)},
        {"national_jury_date": dates["oral_end"]},
    ]
    for change in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            ExamSession.objects.create(
                **{"version": version, "kind": SessionKind.JUNE, "year": 2026, **dates, **change}
            )


# --- registrations


def test_a_crfp_registers_its_candidates_with_numbers_and_copy_codes(users, session, crfp_enrolments):
    done = do_register(users["crfp_staff"], session, crfp_enrolments)
    assert len(done) == 3
    for registration in Registration.objects.all():
        assert numbers.is_valid(registration.candidate_number)
        assert numbers.is_valid(registration.copy_code)
        assert registration.copy_code != registration.candidate_number
        assert registration.registered_by == users["crfp_staff"]
    events = AuditEvent.objects.filter(action=AuditAction.EXAM_REGISTERED)
    assert events.count() == 3
    assert {event.actor for event in events} == {users["crfp_staff"]}
    assert "copy_code" not in str([event.after for event in events])


@pytest.mark.parametrize("persona", ["national_admin", "local_jury", "employer_hr", "outsider"])
def test_only_a_crfp_registers(users, session, crfp_enrolments, persona):
    with pytest.raises(NotAllowed):
        do_register(users[persona], session, crfp_enrolments)
    assert not Registration.objects.exists()


def test_a_crfp_cannot_register_another_crfps_candidate_and_nothing_is_registered(users, session, enrolments):
    with pytest.raises(NotAllowed):
        do_register(users["crfp_staff"], session, [enrolments["own"], enrolments["foreign"]])
    assert not Registration.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXAM_REGISTERED).exists()


def test_all_or_nothing_with_every_refused_candidate_named(
    users, session, crfp_enrolments, referential, organisations
):
    do_register(users["crfp_staff"], session, crfp_enrolments[:1])
    other_version = EnrolmentFactory(
        candidate=CandidateFactory(birth_name="Roux", first_name="Marc"),
        version=CertificationVersion.objects.get(certification=referential, code="2013"),
        option=None,
        training_centre=organisations["crfp"],
    )
    with pytest.raises(DomainError) as refused:
        do_register(users["crfp_staff"], session, [*crfp_enrolments, other_version])
    message = str(refused.value)
    assert message.startswith("Aucun candidat n'a été inscrit")
    assert "MARTIN Léa est déjà inscrit à cette session" in message
    assert "ROUX Marc n'est pas inscrit à la version de la certification de cette session" in message
    assert "BERNARD" not in message
    assert Registration.objects.count() == 1


def test_no_registration_after_the_deadline(users, session, crfp_enrolments):
    ExamSession.objects.filter(pk=session.pk).update(
        registration_deadline=timezone.localdate() - timedelta(days=1)
    )
    session.refresh_from_db()
    with pytest.raises(DomainError, match="closes depuis le"):
        do_register(users["crfp_staff"], session, crfp_enrolments)


def test_the_system_loads_a_past_sessions_registrations_after_the_deadline(session, crfp_enrolments):
    ExamSession.objects.filter(pk=session.pk).update(
        registration_deadline=timezone.localdate() - timedelta(days=1)
    )
    session.refresh_from_db()
    assert len(do_register(None, session, crfp_enrolments)) == 3


def test_an_empty_choice_is_refused(users, session):
    with pytest.raises(DomainError, match="au moins un candidat"):
        do_register(users["crfp_staff"], session, [])


def test_a_catch_up_accepts_only_candidates_of_the_caught_up_session(users, make_session, crfp_enrolments):
    first = make_session()
    do_register(users["crfp_staff"], first, crfp_enrolments[:1])
    catch_up = make_session(kind=SessionKind.CATCH_UP, catch_up_of=first, **calendar(100))
    with pytest.raises(DomainError, match="BERNARD Anne n'était pas inscrit à la session rattrapée"):
        do_register(users["crfp_staff"], catch_up, crfp_enrolments[:2])
    (registration,) = do_register(users["crfp_staff"], catch_up, crfp_enrolments[:1])
    assert registration.candidate_number != Registration.objects.get(session=first).candidate_number


def test_a_drawn_number_already_taken_is_drawn_again(users, session, crfp_enrolments, monkeypatch):
    (first,) = do_register(users["crfp_staff"], session, crfp_enrolments[:1])
    fresh = iter([first.candidate_number, first.copy_code, numbers.draw(), numbers.draw()])
    monkeypatch.setattr(numbers, "draw", lambda: next(fresh))
    (second,) = do_register(users["crfp_staff"], session, crfp_enrolments[1:2])
    assert {second.candidate_number, second.copy_code}.isdisjoint({first.candidate_number, first.copy_code})


def test_the_database_refuses_a_copy_code_equal_to_the_number_or_a_second_registration(session, own):
    number = numbers.draw()
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(session=session, enrolment=own, candidate_number=number, copy_code=number)
    Registration.objects.create(
        session=session, enrolment=own, candidate_number=number, copy_code=numbers.draw()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            session=session, enrolment=own, candidate_number=numbers.draw(), copy_code=numbers.draw()
        )


def test_a_session_has_one_catch_up(session, session_data):
    do_create_session(None, session_data(kind=SessionKind.CATCH_UP, catch_up_of=session, **calendar(100)))
    with pytest.raises(DomainError, match="déjà sa session de rattrapage"):
        do_create_session(None, session_data(kind=SessionKind.CATCH_UP, catch_up_of=session, **calendar(100)))


def test_a_candidate_registered_meanwhile_gets_the_french_refusal(
    users, session, crfp_enrolments, monkeypatch
):
    # the race is simulated: the other request's registration is written, the guard is blind to it
    do_register(users["crfp_staff"], session, crfp_enrolments[:1])
    monkeypatch.setattr(services, "_refusals", lambda *args: [])
    with pytest.raises(DomainError, match="vient d'être inscrit"):
        do_register(users["crfp_staff"], session, crfp_enrolments)
    assert Registration.objects.count() == 1
