"""D53, D56: the national jury deliberates: for each candidate it sees the engine's proposal and its
explanation, the local jury's opinion or the assessors' block decisions and the capitalised blocks; it
adopts the proposals of many candidates at once, or decides one candidate, a departure reasoned and
voted; an amendment corrects the decision in force, a favourable one withdrawn only within four months
except for fraud."""

import html
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import AuditAction, DecisionSource
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import ExamSession, Mark, Registration, SessionKind
from certifier.exams.services import do_register
from certifier.juries.deliberation import (
    decisions_in_force,
    do_adopt_proposals,
    do_decide,
    proposals,
    withdrawal_deadline,
)
from certifier.juries.models import Conflict, Deliberation, JuryDecision, JuryStatus, Minutes
from certifier.juries.services import do_give_opinion
from certifier.juries.sitting import do_open_deliberation, do_record_attendance
from tests.exams.conftest import calendar, registration_of
from tests.exams.test_outcome import GOOD, enter, follow_pass, pass_session  # noqa: F401
from tests.factories import EnrolmentFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

VOTERS = 8  # the conftest's jury: eight members drawn from the lists, all present, and the chair


@pytest.fixture(autouse=True)
def lifted(request):
    """The written marks meet their candidates once anonymity is lifted (D48), as when the jury sits."""
    if "marks_session" in request.fixturenames:
        session = request.getfixturevalue("marks_session")
        ExamSession.objects.filter(pk=session.pk).update(anonymity_lifted_at=timezone.now())
        session.refresh_from_db()


@pytest.fixture
def martin(marks_session, follow_pass):  # noqa: F811
    """Certifiable: Pass followed, every mark entered, an average over 10."""
    registration = registration_of(marks_session, "Martin")
    follow_pass(registration)
    enter(marks_session, registration, GOOD)
    return registration


@pytest.fixture
def durand(marks_session):
    """Not certifiable: a written mark of 5 is eliminatory (D28)."""
    registration = registration_of(marks_session, "Durand")
    enter(marks_session, registration, GOOD | {"written": "5"})
    return registration


def depart(users, deliberation, registration, **overrides):
    """Martin not certified against the proposal, reasoned and voted 5 for, 2 against, 1 abstention."""
    values = {
        "status": JuryStatus.NOT_CERTIFIED,
        "blocks": {},
        "reason": "Dossier de Pass incomplet.",
        "votes_for": 5,
        "votes_against": 2,
        "abstentions": 1,
        "comment": "",
        "fraud": False,
    } | overrides
    return do_decide(users["national_jury"], deliberation, registration, **values)


def follow(user, deliberation, registration, status, **overrides):
    values = {
        "blocks": {},
        "reason": "",
        "votes_for": None,
        "votes_against": None,
        "abstentions": None,
        "comment": "",
        "fraud": False,
    } | overrides
    return do_decide(user, deliberation, registration, status, **values)


def sign(deliberation, admin, when=None):
    """The minutes signed (part 3's service does this and proclaims), as the deliberation stands."""
    signed_at = when or timezone.now()
    Minutes.objects.create(
        deliberation=deliberation,
        file="minutes/pv.pdf",
        sha256="0" * 64,
        signed_by=admin,
        signed_at=signed_at,
    )
    if not deliberation.is_amendment:
        ExamSession.objects.filter(pk=deliberation.jury.session_id).update(proclaimed_at=signed_at)
        deliberation.jury.session.refresh_from_db()


def amendment_of(original, admin, reason="Erreur matérielle sur une note."):
    amendment = Deliberation.objects.create(
        jury=original.jury,
        amends=original,
        reason=reason,
        held_on=timezone.localdate(),
        place="Ucanss, Paris",
        opened_by=admin,
    )
    amendment.present.set(original.jury.members.all())
    return amendment


# the reader


def test_each_candidate_shows_the_proposal_its_explanation_and_the_local_opinion(
    users, deliberation, martin, durand
):
    do_give_opinion(users["local_jury"], martin, False, "Oral fragile.")
    board = proposals(deliberation)
    rows = {row.registration.pk: row for row in board.rows}
    assert rows[martin.pk].status == JuryStatus.CERTIFIED
    assert rows[martin.pk].outcome.average == "12,95"
    assert rows[martin.pk].opinion.argument == "Oral fragile."
    assert rows[martin.pk].record["marks"]["written"] == "11.50"
    assert rows[martin.pk].record["pass_followed"] is True
    assert rows[durand.pk].status == JuryStatus.NOT_CERTIFIED
    assert rows[durand.pk].outcome.eliminatory == ("épreuve écrite",)
    assert rows[durand.pk].explanation
    assert rows[durand.pk].opinion is None
    assert board.stamp["id"] == "cqp-2013" and board.stamp["hash"].startswith("sha256:")


def test_a_candidate_with_marks_missing_is_proposed_deferred_saying_what_is_awaited(
    deliberation, marks_session
):
    row = proposals(deliberation).by_registration[registration_of(marks_session, "Martin").pk]
    assert row.status == JuryStatus.DEFERRED
    assert row.explanation.startswith("En attente : ")


def test_the_reader_costs_the_same_queries_for_2_or_22_candidates(
    users, deliberation, marks_session, organisations, martin, durand
):
    counts = []
    for added in (0, 20):
        enrolments = [
            EnrolmentFactory(version=marks_session.version, training_centre=organisations["crfp"])
            for _ in range(added)
        ]
        if enrolments:
            do_register(None, marks_session, enrolments)
        do_adopt_proposals(users["national_admin"], deliberation, Registration.objects.filter(pk=martin.pk))
        sitting = Deliberation.objects.select_related("jury__session__version").get(pk=deliberation.pk)
        with CaptureQueriesContext(connection) as queries:
            board = proposals(sitting)
        assert len(board.rows) == 2 + added
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts


# adoption in bulk


def test_adopting_the_proposals_records_one_stamped_decision_each_and_one_audit_event_each(
    users, deliberation, martin, durand
):
    admin = users["national_admin"]
    assert do_adopt_proposals(admin, deliberation, [martin, durand]) == 2
    decisions = {decision.registration_id: decision for decision in JuryDecision.objects.all()}
    assert (
        decisions[martin.pk].confirmed_status == decisions[martin.pk].proposed_status == JuryStatus.CERTIFIED
    )
    assert decisions[durand.pk].confirmed_status == JuryStatus.NOT_CERTIFIED
    decision = decisions[martin.pk]
    assert (decision.source, decision.rule_set_id, decision.decided_by) == (
        DecisionSource.JURY,
        "cqp-2013",
        admin,
    )
    assert decision.record["marks"]["oral"] == "13.00" and decision.explanation
    assert decision.votes_for is None and not decision.override_reason
    events = AuditEvent.objects.filter(action=AuditAction.JURY_PROPOSAL_ADOPTED)
    assert sorted(int(event.object_id) for event in events) == sorted(d.pk for d in decisions.values())
    assert all(event.actor == admin and event.after["confirmed_status"] for event in events)


def test_adopting_again_leaves_the_candidates_already_decided_as_they_are(
    users, deliberation, martin, durand
):
    depart(users, deliberation, martin)
    assert do_adopt_proposals(users["national_admin"], deliberation, [martin, durand]) == 1
    assert JuryDecision.objects.get(registration=martin).confirmed_status == JuryStatus.NOT_CERTIFIED
    assert do_adopt_proposals(users["national_admin"], deliberation, [martin, durand]) == 0


def test_adopting_for_a_candidate_of_another_session_is_refused_and_writes_nothing(
    users, deliberation, martin, session
):
    other = session
    do_register(None, other, [EnrolmentFactory(version=other.version)])
    with pytest.raises(DomainError, match="pas inscrits à cette session"):
        do_adopt_proposals(
            users["national_admin"], deliberation, [martin, Registration.objects.get(session=other)]
        )
    assert not JuryDecision.objects.exists()


# one candidate


def test_following_the_proposal_needs_no_reason_nor_vote_and_the_same_decision_again_writes_nothing(
    users, deliberation, martin
):
    jury = users["national_jury"]
    decision = follow(jury, deliberation, martin, JuryStatus.CERTIFIED, comment="Félicitations du jury.")
    assert (decision.confirmed_status, decision.comment, decision.decided_by) == (
        JuryStatus.CERTIFIED,
        "Félicitations du jury.",
        jury,
    )
    follow(jury, deliberation, martin, JuryStatus.CERTIFIED, comment="Félicitations du jury. ")
    events = AuditEvent.objects.filter(object_type="juries.JuryDecision")
    assert [event.action for event in events] == [AuditAction.JURY_DECISION_RECORDED]


def test_a_departure_is_recorded_with_its_reason_and_vote(users, deliberation, martin):
    decision = depart(users, deliberation, martin)
    decision.refresh_from_db()
    assert (decision.proposed_status, decision.confirmed_status) == (
        JuryStatus.CERTIFIED,
        JuryStatus.NOT_CERTIFIED,
    )
    assert (decision.votes_for, decision.votes_against, decision.abstentions) == (5, 2, 1)
    assert decision.override_reason == "Dossier de Pass incomplet."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": "  "}, "saisissez le motif"),
        ({"votes_for": None}, "saisissez les voix pour, contre et les abstentions"),
        ({"votes_for": 4}, "Le vote compte 7 voix ; 8 membres présents ont voix délibérative"),
        ({"votes_for": 3, "votes_against": 3, "abstentions": 2}, "n'a pas la majorité des voix exprimées"),
        ({"votes_for": 9, "votes_against": -1, "abstentions": 0}, "positif ou nul"),
        ({"status": "admis"}, "Choisissez « Certifié »"),
        ({"blocks": {"RNCP35729BC01": "validated"}}, "ne concernent que le dispositif par blocs"),
        ({"comment": "x" * 5001}, "5000 au plus"),
    ],
)
def test_a_departure_without_reason_or_carried_vote_is_refused_and_writes_nothing(
    users, deliberation, martin, overrides, message
):
    with pytest.raises(DomainError, match=message):
        depart(users, deliberation, martin, **overrides)
    assert not JuryDecision.objects.exists()
    assert not AuditEvent.objects.filter(object_type="juries.JuryDecision").exists()


def test_a_member_in_conflict_with_the_candidate_does_not_count_among_the_voters(users, deliberation, martin):
    member = deliberation.jury.members.filter(role="member").exclude(user=users["national_jury"]).first()
    Conflict.objects.create(
        member=member, registration=martin, reason="Collègue", declared_by=users["national_admin"]
    )
    with pytest.raises(DomainError, match="7 membres présents ont voix délibérative"):
        depart(users, deliberation, martin)
    assert depart(users, deliberation, martin, abstentions=0).votes_for == 5


def test_re_deciding_before_the_minutes_updates_the_decision_audited_before_and_after(
    users, deliberation, martin
):
    follow(users["national_jury"], deliberation, martin, JuryStatus.CERTIFIED)
    depart(users, deliberation, martin)
    follow(users["national_admin"], deliberation, martin, JuryStatus.CERTIFIED)
    decision = JuryDecision.objects.get()
    assert (decision.confirmed_status, decision.votes_for, decision.override_reason) == (
        JuryStatus.CERTIFIED,
        None,
        "",
    )
    events = list(AuditEvent.objects.filter(object_type="juries.JuryDecision").order_by("pk"))
    assert [event.action for event in events] == [
        AuditAction.JURY_DECISION_RECORDED,
        AuditAction.JURY_DECISION_CHANGED,
        AuditAction.JURY_DECISION_CHANGED,
    ]
    assert events[1].before["confirmed_status"] == JuryStatus.CERTIFIED
    assert events[1].after["confirmed_status"] == JuryStatus.NOT_CERTIFIED
    assert events[1].after["votes"] == [5, 2, 1] and events[1].reason == "Dossier de Pass incomplet."


# refusals common to both services


@pytest.mark.parametrize("persona", ["crfp_staff", "local_jury", "cpnefp", "marker", "outsider"])
def test_only_the_jury_and_the_national_administrator_decide(users, deliberation, martin, persona):
    with pytest.raises(NotAllowed):
        follow(users[persona], deliberation, martin, JuryStatus.CERTIFIED)
    with pytest.raises(NotAllowed):
        do_adopt_proposals(users[persona], deliberation, [martin])
    assert not JuryDecision.objects.exists()


def test_a_national_jury_member_not_seated_on_this_jury_is_refused(users, deliberation, martin):
    deliberation.jury.members.filter(user=users["national_jury"]).update(user=None)
    with pytest.raises(NotAllowed):
        do_adopt_proposals(users["national_jury"], deliberation, [martin])


def test_without_quorum_the_jury_cannot_decide_and_is_told_why(users, deliberation, martin):
    employers = deliberation.jury.members.filter(college="employers")
    do_record_attendance(users["national_admin"], deliberation, employers)
    with pytest.raises(DomainError, match="Quorum non atteint : collège salarié absent"):
        do_adopt_proposals(users["national_admin"], deliberation, [martin])
    with pytest.raises(DomainError, match="Quorum non atteint"):
        follow(users["national_admin"], deliberation, martin, JuryStatus.CERTIFIED)


def test_once_the_minutes_are_signed_nothing_changes(users, deliberation, martin, durand):
    do_adopt_proposals(users["national_admin"], deliberation, [martin])
    Minutes.objects.create(
        deliberation=deliberation,
        file="pv.pdf",
        sha256="0" * 64,
        signed_by=users["national_admin"],
        signed_at=timezone.now(),
    )
    with pytest.raises(DomainError, match="procès-verbal de cette délibération est signé"):
        do_adopt_proposals(users["national_admin"], deliberation, [durand])
    with pytest.raises(DomainError, match="procès-verbal de cette délibération est signé"):
        follow(users["national_admin"], deliberation, martin, JuryStatus.CERTIFIED)
    assert JuryDecision.objects.count() == 1


def test_an_original_deliberation_of_a_proclaimed_session_is_refused(
    users, deliberation, martin, marks_session
):
    ExamSession.objects.filter(pk=marks_session.pk).update(proclaimed_at=timezone.now())
    with pytest.raises(DomainError, match="sont proclamés"):
        do_adopt_proposals(users["national_admin"], deliberation, [martin])


def test_deciding_on_a_candidate_of_another_session_is_refused(users, deliberation, session):
    other = session
    do_register(None, other, [EnrolmentFactory(version=other.version)])
    with pytest.raises(DomainError, match="pas inscrit à la session de ce jury"):
        follow(
            users["national_admin"],
            deliberation,
            Registration.objects.get(session=other),
            JuryStatus.CERTIFIED,
        )


# amendments (D56)


@pytest.fixture
def proclaimed(users, deliberation, martin, durand):
    """Martin certified, Durand not, in minutes signed today."""
    do_adopt_proposals(users["national_admin"], deliberation, [martin, durand])
    sign(deliberation, users["national_admin"])
    return deliberation


def test_the_decision_in_force_is_the_latest_signed_one(users, proclaimed, martin, durand):
    amendment = amendment_of(proclaimed, users["national_admin"])
    follow(users["national_admin"], amendment, durand, JuryStatus.NOT_CERTIFIED, comment="Revu.")
    in_force = decisions_in_force(Registration.objects.filter(pk__in=[martin.pk, durand.pk]))
    assert {pk: decision.deliberation_id for pk, decision in in_force.items()} == {
        martin.pk: proclaimed.pk,
        durand.pk: proclaimed.pk,
    }
    sign(amendment, users["national_admin"])
    assert decisions_in_force([durand])[durand.pk].deliberation_id == amendment.pk


def test_an_amendment_references_the_decision_in_force_and_leaves_it_readable(users, proclaimed, martin):
    original = JuryDecision.objects.get(registration=martin)
    amendment = amendment_of(proclaimed, users["national_admin"])
    board = proposals(amendment)
    assert board.by_registration[martin.pk].in_force == original
    decision = depart(users, amendment, martin, reason="Note d'oral mal reportée.")
    assert decision.amends == original
    original.refresh_from_db()
    assert original.confirmed_status == JuryStatus.CERTIFIED
    assert AuditEvent.objects.filter(
        action=AuditAction.JURY_DECISION_AMENDED, object_id=str(decision.pk)
    ).exists()


def test_an_amendment_decides_candidate_by_candidate(users, proclaimed, martin):
    with pytest.raises(DomainError, match="candidat par candidat"):
        do_adopt_proposals(
            users["national_admin"], amendment_of(proclaimed, users["national_admin"]), [martin]
        )


def test_withdrawing_a_certification_after_four_months_is_refused_unless_fraud(users, deliberation, martin):
    do_adopt_proposals(users["national_admin"], deliberation, [martin])
    sign(deliberation, users["national_admin"], timezone.now() - timedelta(days=125))
    amendment = amendment_of(deliberation, users["national_admin"])
    with pytest.raises(DomainError, match="dans les quatre mois de sa signature, sauf fraude"):
        depart(users, amendment, martin)
    assert depart(users, amendment, martin, fraud=True).fraud


def test_withdrawing_a_certification_within_four_months_is_allowed(users, deliberation, martin):
    do_adopt_proposals(users["national_admin"], deliberation, [martin])
    sign(deliberation, users["national_admin"], timezone.now() - timedelta(days=100))
    assert depart(users, amendment_of(deliberation, users["national_admin"]), martin).confirmed_status == (
        JuryStatus.NOT_CERTIFIED
    )


def test_four_months_after_a_signature_on_the_31st_is_the_end_of_a_shorter_month():
    signed = timezone.now().replace(year=2026, month=10, day=31)
    assert (
        withdrawal_deadline(signed).year,
        withdrawal_deadline(signed).month,
        withdrawal_deadline(signed).day,
    ) == (
        2027,
        2,
        28,
    )


# the blocks scheme: per-block decisions, capitalised blocks (D18)


@pytest.fixture
def blocks_deliberation(users, make_national_jury, session, own):
    do_register(None, session, [own])
    jury = make_national_jury(session)
    opened = do_open_deliberation(users["national_admin"], jury, session.national_jury_date, jury.place)
    do_record_attendance(users["national_admin"], opened, jury.members.all())
    return opened


@pytest.fixture
def earlier_bc01(users, make_national_jury, make_session, own):
    """`own` had BC01 validated by the national jury of an earlier, proclaimed session."""
    earlier = make_session(kind=SessionKind.JUNE, **calendar(-200))
    do_register(None, earlier, [own])
    jury = make_national_jury(earlier)
    admin = users["national_admin"]
    held = Deliberation.objects.create(
        jury=jury, held_on=earlier.national_jury_date, place="Paris", opened_by=admin
    )
    JuryDecision.objects.create(
        source=DecisionSource.JURY,
        deliberation=held,
        registration=Registration.objects.get(session=earlier),
        proposed_status=JuryStatus.NOT_CERTIFIED,
        confirmed_status=JuryStatus.NOT_CERTIFIED,
        blocks={"RNCP35729BC01": "validated", "RNCP35729BC02": "not_validated"},
        explanation="",
        record={},
        rule_set_id="rncp35729",
        rule_set_version=1,
        rule_set_hash="sha256:0",
        decided_by=admin,
    )
    sign(held, admin, timezone.now() - timedelta(days=150))
    return held


def test_a_block_validated_in_an_earlier_proclaimed_session_is_capitalised(
    blocks_deliberation, earlier_bc01, own
):
    row = proposals(blocks_deliberation).rows[0]
    assert row.capitalised == {"RNCP35729BC01": "validé par le jury national"}
    assert row.blocks == {"RNCP35729BC01": "validated"}
    assert "bloc RNCP35729BC01 : capitalisé" in row.explanation


def test_a_block_departing_from_the_proposal_needs_a_reason_and_a_vote(users, blocks_deliberation, own):
    registration = Registration.objects.get(session=blocks_deliberation.jury.session)
    with pytest.raises(DomainError, match="saisissez le motif"):
        follow(
            users["national_admin"],
            blocks_deliberation,
            registration,
            JuryStatus.DEFERRED,
            blocks={"RNCP35729BC01": "validated"},
        )
    decision = depart(
        users,
        blocks_deliberation,
        registration,
        status=JuryStatus.DEFERRED,
        blocks={"RNCP35729BC01": "validated"},
    )
    assert decision.blocks == {"RNCP35729BC01": "validated"} and decision.proposed_blocks == {}


def test_certified_needs_every_block_validated(users, blocks_deliberation, own):
    registration = Registration.objects.get(session=blocks_deliberation.jury.session)
    with pytest.raises(DomainError, match="chaque bloc est validé"):
        depart(
            users,
            blocks_deliberation,
            registration,
            status=JuryStatus.CERTIFIED,
            blocks={"RNCP35729BC01": "validated"},
        )
    with pytest.raises(DomainError, match="Bloc inconnu"):
        depart(
            users, blocks_deliberation, registration, status=JuryStatus.DEFERRED, blocks={"BC99": "validated"}
        )


# the pages

PAGE_READERS = {"national_admin", "national_jury"}


def page_url(deliberation, **query) -> str:
    url = reverse("juries:deliberation", args=[deliberation.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def decide_url(deliberation, registration) -> str:
    return reverse("juries:decide", args=[deliberation.pk, registration.pk])


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_the_deliberation_and_a_candidate(client_for, deliberation, martin, persona):
    for url in (page_url(deliberation), decide_url(deliberation, martin)):
        response = client_for(persona).get(url)
        if persona in PAGE_READERS:
            assert response.status_code == 200
        elif persona == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 403


def test_a_national_jury_member_not_seated_on_this_jury_does_not_find_it(
    client_for, users, deliberation, martin
):
    deliberation.jury.members.filter(user=users["national_jury"]).update(user=None)
    client = client_for("national_jury")
    assert client.get(page_url(deliberation)).status_code == 404
    assert client.get(decide_url(deliberation, martin)).status_code == 404


def test_the_page_shows_the_quorum_each_proposal_its_explanation_and_the_local_opinion(
    client_for, users, deliberation, martin, durand
):
    do_give_opinion(users["local_jury"], martin, False, "Oral très insuffisant.")
    page = text_of(client_for("national_jury").get(page_url(deliberation)))
    assert "Quorum atteint : 8 membres votants présents sur 8." in page
    assert "total 129,5 sur 200, moyenne 12,95 sur 20" in page
    assert "notes éliminatoires : épreuve écrite" in page
    assert "Oral très insuffisant." in page
    assert "0 candidat statué sur 2 candidats." in page


def test_the_filters_show_who_is_left_to_decide_and_the_departures(
    client_for, users, deliberation, martin, durand
):
    depart(users, deliberation, martin)
    client = client_for("national_admin")
    left = text_of(client.get(page_url(deliberation, filtre="a-statuer")))
    assert "DURAND" in left and "MARTIN" not in left
    departures = text_of(client.get(page_url(deliberation, filtre="differentes")))
    assert "MARTIN" in departures and "DURAND" not in departures
    assert "vote : 5 pour, 2 contre, 1 abstention" in departures
    assert "DURAND" in text_of(client.get(page_url(deliberation, filtre="inconnu")))


def test_the_jury_adopts_the_proposals_of_the_ticked_candidates(client_for, deliberation, martin, durand):
    response = client_for("national_jury").post(
        page_url(deliberation),
        {"portee": "cochees", "inscriptions": [str(martin.pk)], "filtre": "tous"},
        follow=True,
    )
    assert "Proposition adoptée pour 1 candidat." in text_of(response)
    assert list(JuryDecision.objects.values_list("registration_id", flat=True)) == [martin.pk]


def test_the_jury_adopts_the_proposals_of_every_undecided_candidate_of_the_filter(
    client_for, users, deliberation, martin, durand
):
    depart(users, deliberation, martin)
    response = client_for("national_jury").post(
        page_url(deliberation), {"portee": "filtre", "filtre": "a-statuer"}
    )
    assert response.status_code == 302
    assert JuryDecision.objects.get(registration=durand).confirmed_status == JuryStatus.NOT_CERTIFIED
    assert JuryDecision.objects.get(registration=martin).confirmed_status == JuryStatus.NOT_CERTIFIED


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"portee": "cochees", "inscriptions": ["abc"]}, "illisible"),
        ({"portee": "cochees", "inscriptions": ["999999"]}, "ne sont pas inscrits à cette session"),
        ({"portee": "cochees"}, "cochez au moins un candidat"),
        ({}, "Choisissez les candidats"),
    ],
)
def test_a_bad_selection_is_refused_in_french_and_writes_nothing(
    client_for, deliberation, martin, posted, message
):
    response = client_for("national_admin").post(page_url(deliberation), posted, follow=True)
    assert message in text_of(response)
    assert not JuryDecision.objects.exists()


def test_the_page_costs_the_same_queries_for_2_or_22_candidates(
    client_for, deliberation, marks_session, organisations, martin, durand
):
    client = client_for("national_jury")
    counts = []
    for added in (0, 20):
        if added:
            do_register(
                None,
                marks_session,
                [
                    EnrolmentFactory(version=marks_session.version, training_centre=organisations["crfp"])
                    for _ in range(added)
                ],
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(deliberation)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_candidate_decided_on_its_page_returns_to_the_list(client_for, deliberation, martin):
    response = client_for("national_jury").post(
        decide_url(deliberation, martin),
        {
            "status": "not_certified",
            "reason": "Dossier de Pass incomplet.",
            "votes_for": "6",
            "votes_against": "1",
            "abstentions": "1",
            "comment": "Le jury vous encourage à vous représenter.",
        },
    )
    assert response.status_code == 302 and response.url.endswith(f"#candidat-{martin.pk}")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"La décision sur {martin.enrolment.candidate.display_name} "
        f"(candidat n° {martin.candidate_number}) est enregistrée."
    ]
    decision = JuryDecision.objects.get()
    assert (decision.confirmed_status, decision.votes_for, decision.comment) == (
        JuryStatus.NOT_CERTIFIED,
        6,
        "Le jury vous encourage à vous représenter.",
    )


def test_a_departure_without_its_vote_is_said_on_the_page_and_writes_nothing(
    client_for, deliberation, martin
):
    response = client_for("national_jury").post(
        decide_url(deliberation, martin), {"status": "not_certified", "reason": "Motif."}
    )
    assert "saisissez les voix pour, contre et les abstentions" in text_of(response)
    assert not JuryDecision.objects.exists()


def test_a_candidate_of_another_session_is_not_found(client_for, deliberation, session):
    do_register(None, session, [EnrolmentFactory(version=session.version)])
    other = Registration.objects.get(session=session)
    assert client_for("national_admin").get(decide_url(deliberation, other)).status_code == 404


def test_once_the_minutes_are_signed_the_pages_are_read_only(client_for, users, proclaimed, martin):
    client = client_for("national_jury")
    page = text_of(client.get(page_url(proclaimed)))
    assert "procès-verbal de cette séance est signé" in page and 'name="inscriptions"' not in page
    assert 'name="status"' not in text_of(client.get(decide_url(proclaimed, martin)))
    client.post(decide_url(proclaimed, martin), {"status": "not_certified"})
    assert JuryDecision.objects.get(registration=martin).confirmed_status == JuryStatus.CERTIFIED


def test_an_amendment_has_no_adoption_in_bulk_and_shows_the_decision_in_force(
    client_for, users, proclaimed, martin
):
    amendment = amendment_of(proclaimed, users["national_admin"])
    page = text_of(client_for("national_admin").get(page_url(amendment)))
    assert "Rectificatif de la délibération du jury national" in page
    assert 'name="portee"' not in page and "Décision en vigueur" in page
    assert "décision en vigueur inchangée" in page and "à statuer" not in page
    assert 'name="status"' in text_of(client_for("national_admin").get(decide_url(amendment, martin)))


def test_a_blocks_candidate_is_decided_block_by_block(client_for, blocks_deliberation, earlier_bc01):
    registration = Registration.objects.get(session=blocks_deliberation.jury.session)
    client = client_for("national_admin")
    page = text_of(client.get(decide_url(blocks_deliberation, registration)))
    assert "capitalisé (validé par le jury national, avant cette session)" in page
    response = client.post(
        decide_url(blocks_deliberation, registration),
        {"status": "deferred", "bloc_RNCP35729BC01": "validated"},
    )
    assert response.status_code == 302
    assert JuryDecision.objects.get(deliberation=blocks_deliberation).blocks == {"RNCP35729BC01": "validated"}


def test_a_decision_taken_on_a_proposal_since_changed_is_flagged(
    client_for, users, deliberation, marks_session, martin
):
    do_adopt_proposals(users["national_admin"], deliberation, [martin])
    mark = Mark.objects.get(registration=martin, exam="written")
    do_record_marks(None, marks_session, "written", [Entry(martin.pk, "5", mark.version)])
    row = proposals(deliberation).by_registration[martin.pk]
    assert row.outdated and not row.departs
    page = text_of(client_for("national_jury").get(decide_url(deliberation, martin)))
    assert "La proposition du moteur a changé depuis cette décision" in page


def test_adopting_2_or_22_proposals_writes_the_decisions_and_their_audit_in_one_insert_each(
    users, deliberation, marks_session, organisations, martin
):
    do_register(
        None,
        marks_session,
        [
            EnrolmentFactory(version=marks_session.version, training_centre=organisations["crfp"])
            for _ in range(20)
        ],
    )
    with CaptureQueriesContext(connection) as queries:
        assert do_adopt_proposals(users["national_admin"], deliberation, Registration.objects.all()) == 22
    inserts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("INSERT")]
    assert len([sql for sql in inserts if "juries_jurydecision" in sql]) == 1
    assert len([sql for sql in inserts if "core_auditevent" in sql]) == 1


def test_a_decision_recorded_by_another_member_at_the_same_moment_is_answered_in_french(
    users, deliberation, martin, monkeypatch
):
    def taken(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: jury_decision_once_per_deliberation")

    monkeypatch.setattr(JuryDecision, "save", taken)
    with pytest.raises(DomainError, match="Un autre membre du jury vient de statuer sur ce candidat"):
        follow(users["national_jury"], deliberation, martin, JuryStatus.CERTIFIED)
    monkeypatch.setattr(JuryDecision.objects, "bulk_create", taken)
    with pytest.raises(DomainError, match="vient de statuer sur certains de ces candidats"):
        do_adopt_proposals(users["national_jury"], deliberation, [martin])
    assert not AuditEvent.objects.filter(object_type="juries.JuryDecision").exists()
