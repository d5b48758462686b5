"""D46: a catch-up session accepts only the candidates of the caught-up session who were not certified
there, as the national jury decided at the proclamation or, later, in a signed amendment."""

import pytest

from certifier.core.models import DomainError
from certifier.exams.models import Registration, SessionKind
from certifier.exams.permissions import registrable
from certifier.exams.services import do_register
from certifier.juries.amendments import do_open_amendment
from certifier.juries.deliberation import do_adopt_proposals, do_decide, proposals
from certifier.juries.minutes import _write_certified
from certifier.juries.models import JuryDecision, JuryStatus
from certifier.juries.sitting import do_record_attendance
from tests.exams.conftest import calendar, registration_of

from .minutes_fixtures import sign

pytestmark = pytest.mark.django_db

REASON = "Le jury retient les compétences démontrées à l'oral."


def certify(users, deliberation, name):
    """The jury certifies `name`, departing from the engine's proposal with a reason and a vote."""
    registration = registration_of(deliberation.jury.session, name)
    assert proposals(deliberation).by_registration[registration.pk].status != JuryStatus.CERTIFIED
    return do_decide(
        users["national_jury"],
        deliberation,
        registration,
        JuryStatus.CERTIFIED,
        {},
        REASON,
        6,
        1,
        1,
        "",
        False,
    )


@pytest.fixture
def catch_up(make_session, marks_session, marks_version):
    return make_session(
        version=marks_version, kind=SessionKind.CATCH_UP, catch_up_of=marks_session, **calendar(10)
    )


@pytest.fixture
def martin_certified(users, lifted_session, deliberation, django_capture_on_commit_callbacks):
    """Martin Léa certified by the jury (a departure, voted), Durand Paul as the engine proposes; signed."""
    certify(users, deliberation, "Martin")
    do_adopt_proposals(users["national_jury"], deliberation, [registration_of(lifted_session, "Durand")])
    job = sign(users["national_admin"], deliberation, django_capture_on_commit_callbacks)
    assert job.status == "done", job.outcome
    return deliberation


def enrolment_of(session, name):
    return registration_of(session, name).enrolment


def test_a_registration_says_whether_the_jury_certified_it_from_the_proclamation(
    users, lifted_session, deliberation, django_capture_on_commit_callbacks
):
    certify(users, deliberation, "Martin")
    do_adopt_proposals(users["national_jury"], deliberation, [registration_of(lifted_session, "Durand")])
    assert set(Registration.objects.values_list("certified", flat=True)) == {None}
    sign(users["national_admin"], deliberation, django_capture_on_commit_callbacks)
    assert registration_of(lifted_session, "Martin").certified is True
    assert registration_of(lifted_session, "Durand").certified is False


def test_a_catch_up_refuses_a_candidate_certified_at_the_caught_up_session(
    users, martin_certified, catch_up, lifted_session
):
    martin, durand = enrolment_of(lifted_session, "Martin"), enrolment_of(lifted_session, "Durand")
    with pytest.raises(DomainError, match="MARTIN Léa a été certifié à la session rattrapée"):
        do_register(None, catch_up, [martin, durand])
    assert not catch_up.registrations.exists()  # all or nothing
    (registration,) = do_register(None, catch_up, [durand])
    assert registration.enrolment == durand and registration.certified is None


def test_the_catch_up_registration_form_offers_only_the_not_certified(
    users, lifted_session, deliberation, catch_up, django_capture_on_commit_callbacks
):
    martin = enrolment_of(lifted_session, "Martin")  # the CRFP persona's candidate
    assert list(registrable(users["crfp_staff"], catch_up)) == [martin]
    certify(users, deliberation, "Martin")
    do_adopt_proposals(users["national_jury"], deliberation, [registration_of(lifted_session, "Durand")])
    sign(users["national_admin"], deliberation, django_capture_on_commit_callbacks)
    assert not registrable(users["crfp_staff"], catch_up).exists()


def test_a_deferred_candidate_is_accepted_in_the_catch_up(
    users, lifted_session, deliberation, catch_up, django_capture_on_commit_callbacks
):
    martin = registration_of(lifted_session, "Martin")
    proposal = proposals(deliberation).by_registration[martin.pk]
    status = JuryStatus.DEFERRED
    departs = proposal.status != status
    do_decide(
        users["national_jury"],
        deliberation,
        martin,
        status,
        {},
        REASON if departs else "",
        6 if departs else None,
        0 if departs else None,
        2 if departs else None,
        "",
        False,
    )
    do_adopt_proposals(users["national_jury"], deliberation, [registration_of(lifted_session, "Durand")])
    sign(users["national_admin"], deliberation, django_capture_on_commit_callbacks)
    assert registration_of(lifted_session, "Martin").certified is False
    registered = do_register(None, catch_up, [martin.enrolment, enrolment_of(lifted_session, "Durand")])
    assert len(registered) == 2


def test_an_amendment_certifying_a_candidate_after_the_catch_up_was_created_closes_it_to_them(
    users, proclaimed, catch_up, lifted_session, django_capture_on_commit_callbacks
):
    durand = enrolment_of(lifted_session, "Durand")
    assert registration_of(lifted_session, "Durand").certified is False
    amendment = do_open_amendment(
        users["national_admin"], lifted_session, "Erreur matérielle : la note d'oral était mal reportée."
    )
    do_record_attendance(users["national_admin"], amendment, proclaimed.jury.members.all())
    certify(users, amendment, "Durand")
    # not in force before its minutes are signed
    assert registration_of(lifted_session, "Durand").certified is False
    sign(users["national_admin"], amendment, django_capture_on_commit_callbacks)
    assert registration_of(lifted_session, "Durand").certified is True
    assert registration_of(lifted_session, "Martin").certified is False  # not amended: unchanged
    with pytest.raises(DomainError, match="DURAND Paul a été certifié à la session rattrapée"):
        do_register(None, catch_up, [durand])
    do_register(None, catch_up, [enrolment_of(lifted_session, "Martin")])


def test_the_flags_are_written_in_one_update_per_value(
    users, lifted_session, deliberation, django_assert_num_queries
):
    certify(users, deliberation, "Martin")
    do_adopt_proposals(users["national_jury"], deliberation, [registration_of(lifted_session, "Durand")])
    decisions = list(JuryDecision.objects.filter(deliberation=deliberation))
    with django_assert_num_queries(2):
        _write_certified(decisions)
    with django_assert_num_queries(1):
        _write_certified([decision for decision in decisions if decision.confirmed_status == "certified"])
