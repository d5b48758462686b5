"""D50, D55: once the results are proclaimed, every writing service of the exams and of the juries refuses
on the session, and its marks, decisions and juries are the same after every refused write."""

from datetime import timedelta

import pytest
from django.db.models import Model

from certifier.assessments.models import BlockDecision
from certifier.core.models import DomainError
from certifier.exams.evaluations import evaluation
from certifier.exams.markers import do_appoint_marker, do_lift_anonymity, do_remove_marker
from certifier.exams.marks import Entry, do_lock_marks, do_record_marks, do_unlock_marks
from certifier.exams.models import ExamMarker, ExamSession, LocalJuryDate, Mark, Registration
from certifier.exams.services import do_register, do_set_local_jury_dates
from certifier.exams.sheets import Line, build_sheet, do_record_sheet, read_sheet
from certifier.juries.composition import (
    LocalMemberData,
    do_appoint_jury,
    do_appoint_local_member,
    do_declare_conflict,
    do_remove_local_member,
)
from certifier.juries.deliberation import do_adopt_proposals, do_decide
from certifier.juries.minutes import do_sign_minutes
from certifier.juries.models import (
    Conflict,
    Deliberation,
    JuryDecision,
    JuryMember,
    JuryStatus,
    LocalJuryMember,
    LocalOpinion,
    Minutes,
)
from certifier.juries.services import do_give_opinion
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from tests.exams.conftest import registration_of
from tests.exams.test_outcome import GOOD, enter, follow_pass, pass_session  # noqa: F401
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

# refused because the results are proclaimed, or because the deliberation's minutes are signed
REFUSED = r"^Les résultats de cette session sont proclamés|^Le procès-verbal de cette (séance|délibération) est (déjà )?signé"
# every table a write on the session could change
KEPT: list[type[Model]] = [
    Mark,
    Registration,
    ExamMarker,
    LocalJuryDate,
    LocalOpinion,
    LocalJuryMember,
    JuryMember,
    Conflict,
    Deliberation,
    JuryDecision,
    Minutes,
    BlockDecision,
]


def state(session: ExamSession) -> dict[str, object]:
    rows: dict[str, object] = {model.__name__: sorted(map(repr, model.objects.values())) for model in KEPT}
    rows["session"] = ExamSession.objects.filter(pk=session.pk).values().get()
    rows["present"] = sorted(
        Deliberation.present.through.objects.values_list("deliberation_id", "jurymember_id")
    )
    return rows


@pytest.fixture
def before_proclamation(users, lifted_session, organisations, follow_pass):  # noqa: F811
    """Marks, an opinion and a local jury member recorded while the session is open."""
    martin = registration_of(lifted_session, "Martin")
    follow_pass(martin)
    enter(lifted_session, martin, GOOD)
    do_give_opinion(users["local_jury"], martin, True, "")
    member = do_appoint_local_member(
        users["crfp_staff"],
        lifted_session,
        LocalMemberData(organisations["crfp"], "Garnier", "Lucie", "Formatrice"),
    )
    return member


@pytest.fixture
def frozen(users, lifted_session, before_proclamation, proclaimed):
    """The session proclaimed; the objects the fixtures hold read again, as a request would."""
    for session in (proclaimed.jury.session, lifted_session, before_proclamation.session):
        session.refresh_from_db()
        assert session.proclaimed
    return proclaimed


def writes(users, organisations, deliberation, local_member):
    """Every writing service of the exams and the juries, called on the proclaimed session."""
    session = ExamSession.objects.get(pk=deliberation.jury.session_id)
    admin, crfp = users["national_admin"], users["crfp_staff"]
    martin = registration_of(session, "Martin")
    cc_common = evaluation(session.version, "cc_common")
    mark = Mark.objects.get(registration=martin, exam="oral")
    sheet = build_sheet(crfp, session, cc_common)
    jury = deliberation.jury
    member = jury.members.filter(college="employees").first()
    return {
        "record marks": lambda: do_record_marks(None, session, "oral", [Entry(martin.pk, "4", mark.version)]),
        "lock marks": lambda: do_lock_marks(None, session, "oral"),
        "unlock marks": lambda: do_unlock_marks(admin, session, "oral", "Correction."),
        "upload a sheet": lambda: read_sheet(crfp, session, cc_common, sheet),
        "record a sheet": lambda: do_record_sheet(
            crfp, session, cc_common, [Line(2, martin.candidate_number, martin.pk, "3", 1)]
        ),
        "appoint a marker": lambda: do_appoint_marker(admin, session, "nouveau.correcteur@test.example"),
        "remove a marker": lambda: do_remove_marker(admin, ExamMarker.objects.get(session=session)),
        "lift anonymity": lambda: do_lift_anonymity(admin, session),
        "register": lambda: do_register(
            crfp,
            session,
            [EnrolmentFactory(version=session.version, training_centre=organisations["crfp"])],
        ),
        "local jury dates": lambda: do_set_local_jury_dates(
            admin, session, {organisations["crfp"]: session.oral_end + timedelta(days=1)}
        ),
        "local opinion": lambda: do_give_opinion(users["local_jury"], martin, False, "Revu."),
        "appoint a local jury member": lambda: do_appoint_local_member(
            crfp, session, LocalMemberData(organisations["crfp"], "Roux", "Marc", "Manager")
        ),
        "remove a local jury member": lambda: do_remove_local_member(crfp, local_member),
        "appoint the national jury": lambda: do_appoint_jury(
            users["cpnefp"],
            session,
            "Paris",
            admin,
            [seat.list_member for seat in jury.members.filter(college="employers")],
        ),
        "declare a conflict": lambda: do_declare_conflict(admin, member, martin, "Collègue direct."),
        "record attendance": lambda: do_record_attendance(admin, deliberation, jury.members.all()[:2]),
        "open the deliberation again": lambda: do_open_deliberation(
            admin, jury, session.national_jury_date, "Paris"
        ),
        "adopt proposals": lambda: do_adopt_proposals(admin, deliberation, [martin]),
        "decide on the original": lambda: do_decide(
            admin, deliberation, martin, JuryStatus.NOT_CERTIFIED, {}, "Revu.", 5, 1, 2, "", False
        ),
        "sign again": lambda: do_sign_minutes(admin, deliberation),
    }


WRITES = [
    "record marks",
    "lock marks",
    "unlock marks",
    "upload a sheet",
    "record a sheet",
    "appoint a marker",
    "remove a marker",
    "lift anonymity",
    "register",
    "local jury dates",
    "local opinion",
    "appoint a local jury member",
    "remove a local jury member",
    "appoint the national jury",
    "declare a conflict",
    "record attendance",
    "open the deliberation again",
    "adopt proposals",
    "decide on the original",
    "sign again",
]


@pytest.mark.parametrize("write", WRITES)
def test_every_write_on_a_proclaimed_session_is_refused_and_changes_nothing(
    users, organisations, before_proclamation, frozen, write
):
    call = writes(users, organisations, frozen, before_proclamation)[write]
    session = frozen.jury.session
    before = state(session)
    with pytest.raises(DomainError, match=REFUSED):
        call()
    assert state(session) == before


def test_the_list_covers_every_write(users, organisations, before_proclamation, frozen):
    assert sorted(writes(users, organisations, frozen, before_proclamation)) == sorted(WRITES)
