"""Demo juries (issue 9), written through the same services as users:
- the CPNEFP's two lists (employees' college by confederation, employers' college);
- December 2025, 2013 scheme: the written copies locked and anonymity lifted, the local jury of the CRFP
  de Bordeaux appointed and its opinions given; the national jury appointed, sitting with one member
  absent and one conflict of interest declared; the proposals adopted but for one candidate, decided
  apart with a reason and a vote; its minutes signed, which proclaims and releases the results; then an
  amendment certifying that candidate and withdrawing, for an established fraud, the CQP of another, with
  its own signed minutes (the certificates issued and revised in between: `certificates.py`);
- June 2026, blocks scheme: its local and national juries appointed, the sitting opened with its
  attendance: the proposals await the jury's deliberation."""

from datetime import date
from typing import Any

from certifier.demo.certificates import issue_demo_certificates, revise_demo_certificates
from certifier.exams.markers import do_lift_anonymity
from certifier.exams.marks import do_lock_marks
from certifier.exams.models import ExamSession, Registration
from certifier.exams.outcome import Status, session_outcome
from certifier.juries.amendments import do_open_amendment
from certifier.juries.composition import (
    ListMemberData,
    LocalMemberData,
    do_add_list_member,
    do_appoint_jury,
    do_appoint_local_member,
    do_declare_conflict,
)
from certifier.juries.deliberation import do_adopt_proposals, do_decide, proposals
from certifier.juries.minutes import do_sign_minutes, sign_minutes
from certifier.juries.models import College, Deliberation, Jury, JuryListMember, JuryStatus
from certifier.juries.services import do_give_opinion
from certifier.juries.signing import configured_files, make_development_certificate
from certifier.juries.sitting import do_open_deliberation, do_record_attendance, voters
from certifier.people.models import Organisation, User

# the members of the national jury of a session: one per confederation and as many employers
SEATS_PER_CONFEDERATION = 1


def load_demo_juries(data: dict[str, Any], exams: dict[str, Any], admin: User) -> None:
    """The juries of the two past demo sessions (see the module's docstring); once, with the sessions."""
    cpnefp = User.objects.get(email=data["cpnefp"])
    lists = _lists(cpnefp, data)
    december, june = ExamSession.objects.filter(national_jury_date__lt=date(2027, 1, 1)).order_by(
        "national_jury_date"
    )
    centre = Organisation.objects.get(name=exams["training_centre"])
    crfp = User.objects.get(email=exams["crfp_staff"])
    for session in (december, june):
        for last_name, first_name, capacity, email in data["local_jury"]:
            do_appoint_local_member(
                crfp, session, LocalMemberData(centre, last_name, first_name, capacity, email)
            )
    _close_written_exam(december, exams, admin)
    _give_opinions(december, User.objects.get(email=exams["local_jury"]))
    chair = User.objects.get(email=data["chair"])
    _deliberate(december, _sit(december, cpnefp, chair, lists, data["place"]), chair)
    _sit(june, cpnefp, chair, lists, data["place"])


def _lists(cpnefp: User, data: dict[str, Any]) -> list[JuryListMember]:
    members: list[JuryListMember] = []
    for confederation, people in data["employees"].items():
        for last_name, first_name, capacity in people:
            email = data["member_account"] if not members else ""
            members.append(
                do_add_list_member(
                    cpnefp,
                    ListMemberData(last_name, first_name, College.EMPLOYEES, capacity, confederation, email),
                )
            )
    for last_name, first_name, capacity in data["employers"]:
        members.append(
            do_add_list_member(cpnefp, ListMemberData(last_name, first_name, College.EMPLOYERS, capacity))
        )
    return members


def _close_written_exam(session: ExamSession, exams: dict[str, Any], admin: User) -> None:
    do_lock_marks(User.objects.get(email=exams["marker"]), session, "written")
    do_lift_anonymity(admin, session)


def _give_opinions(session: ExamSession, local_jury: User) -> None:
    """D51: favourable where the marks make the candidate certifiable, argued otherwise."""
    outcome = session_outcome(session, Registration.objects.filter(session=session))
    for candidate in outcome.candidates:
        favourable = candidate.status == Status.CERTIFIED
        argument = (
            ""
            if favourable
            else "Le jury local constate : " + (candidate.explanation or "; ".join(candidate.waiting_for))
        )
        do_give_opinion(local_jury, candidate.registration, favourable, argument)


def _sit(
    session: ExamSession, cpnefp: User, chair: User, lists: list[JuryListMember], place: str
) -> Deliberation:
    """The jury appointed from the lists, its sitting opened with every member present but one."""
    seats: dict[str, int] = {}
    chosen = []
    for member in lists:
        if (
            member.college == College.EMPLOYEES
            and seats.get(member.confederation, 0) < SEATS_PER_CONFEDERATION
        ):
            seats[member.confederation] = seats.get(member.confederation, 0) + 1
            chosen.append(member)
    employers = [member for member in lists if member.college == College.EMPLOYERS]
    chosen += employers[: len(chosen)]
    jury = do_appoint_jury(cpnefp, session, place, chair, chosen)
    deliberation = do_open_deliberation(chair, jury, session.national_jury_date, place)
    do_record_attendance(chair, deliberation, list(jury.members.all())[:-1])
    return deliberation


def _deliberate(session: ExamSession, deliberation: Deliberation, chair: User) -> None:
    jury: Jury = deliberation.jury
    board = proposals(deliberation)
    # the last candidate did not follow the Pass (D28): the jury defers its decision until the centre
    # sends the attendance sheets, by a vote of the members present
    apart = board.rows[-1].registration
    seated = jury.members.filter(user__isnull=False, role="member").first()
    if seated is not None:
        do_declare_conflict(
            seated.user, seated, board.rows[0].registration, "Collègue de travail du candidat"
        )
    entitled = len(voters(deliberation, apart))
    do_decide(
        chair,
        deliberation,
        apart,
        JuryStatus.DEFERRED,
        None,
        "Les feuilles d'émargement du Pass n'ont pas été transmises par le CRFP ; le jury reporte sa décision.",
        entitled - 1,
        0,
        1,
        "Le jury statuera au vu des feuilles d'émargement du Pass.",
        False,
    )
    do_adopt_proposals(chair, deliberation, [row.registration for row in board.rows])
    _sign(chair, deliberation)
    issue_demo_certificates(session, chair)
    # the sheets arrive: the amendment delivers the CQP to the candidate, by a new vote
    amendment = do_open_amendment(
        chair,
        session,
        "Feuilles d'émargement du Pass reçues du CRFP de Bordeaux après la séance : le jury statue sur la "
        "décision reportée. Fraude signalée par le CRFP sur un dossier certifié.",
    )
    do_record_attendance(chair, amendment, list(jury.members.all()))
    entitled = len(voters(amendment, apart))
    do_decide(
        chair,
        amendment,
        apart,
        JuryStatus.CERTIFIED,
        None,
        "Suivi du Pass attesté par les feuilles d'émargement ; les notes satisfont aux conditions du CQP.",
        entitled,
        0,
        0,
        "",
        False,
    )
    # the CRFP reports that a certified candidate's Pass attendance sheets were forged: fraud established
    cheat = next(
        row.registration
        for row in board.rows[1:-1]
        if deliberation.decisions.get(registration=row.registration).confirmed_status == JuryStatus.CERTIFIED
    )
    do_decide(
        chair,
        amendment,
        cheat,
        JuryStatus.NOT_CERTIFIED,
        None,
        "Feuilles d'émargement du Pass falsifiées, établi par l'enquête du CRFP de Bordeaux : fraude.",
        len(voters(amendment, cheat)),
        0,
        0,
        "Décision de certification retirée pour fraude établie.",
        True,
    )
    _sign(chair, amendment)
    revise_demo_certificates(amendment, chair)


def _sign(chair: User, deliberation: Deliberation) -> None:
    """The minutes signed by the demo's development certificate, in this process rather than by the
    worker: the amendment needs the proclamation first."""
    make_development_certificate(configured_files())
    job = do_sign_minutes(chair, deliberation)
    sign_minutes.call(job.pk)
