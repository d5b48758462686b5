"""D52, D53, D56 (security review): only the members present at the sitting record its decisions (the
national administrator keeps the record); a member does not decide on a candidate they declared a
conflict of interest with; in an amendment, any change from the decision in force is reasoned and voted
by the decision itself."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certifier.core.enums import JobStatus
from certifier.core.models import DomainError, NotAllowed
from certifier.exams.models import Registration
from certifier.exams.services import do_register
from certifier.juries.composition import do_declare_conflict
from certifier.juries.deliberation import do_adopt_proposals
from certifier.juries.minutes import do_sign_minutes, outdated_refusal, signing_refusal
from certifier.juries.models import Deliberation, JuryDecision, JuryStatus, Minutes
from certifier.juries.sitting import do_record_attendance
from tests.exams.conftest import registration_of
from tests.exams.test_outcome import GOOD, enter, follow_pass, pass_session  # noqa: F401
from tests.factories import EnrolmentFactory
from tests.juries.minutes_fixtures import sign as sign_minutes
from tests.juries.test_deliberation import (  # noqa: F401
    amendment_of,
    depart,
    durand,
    follow,
    lifted,
    martin,
    sign,
)

pytestmark = pytest.mark.django_db


def seat(users, deliberation):
    """The `national_jury` persona's seat (Bernard Alice, employees' college)."""
    return deliberation.jury.members.get(user=users["national_jury"])


@pytest.fixture
def absent(users, deliberation):
    """Everyone present but the `national_jury` persona and the chair: the quorum is still reached."""
    do_record_attendance(
        users["national_admin"],
        deliberation,
        deliberation.jury.members.exclude(pk=seat(users, deliberation).pk).exclude(role="chair"),
    )
    return deliberation


@pytest.fixture
def in_conflict(users, deliberation, martin):  # noqa: F811
    """The `national_jury` persona declared a conflict of interest with Martin."""
    do_declare_conflict(users["national_jury"], seat(users, deliberation), martin, "Collègue de travail")
    return deliberation


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def page_url(deliberation) -> str:
    return reverse("juries:deliberation", args=[deliberation.pk])


def decide_url(deliberation, registration) -> str:
    return reverse("juries:decide", args=[deliberation.pk, registration.pk])


# A. presence and conflicts


def test_a_member_absent_from_the_sitting_records_no_decision(users, absent, martin, durand):  # noqa: F811
    with pytest.raises(NotAllowed, match="membres présents à la séance"):
        follow(users["national_jury"], absent, martin, JuryStatus.CERTIFIED)
    with pytest.raises(NotAllowed, match="membres présents à la séance"):
        do_adopt_proposals(users["national_jury"], absent, [martin, durand])
    assert not JuryDecision.objects.exists()


def test_the_national_administrator_keeps_the_record_absent_from_the_sheet(
    users,
    absent,
    martin,  # noqa: F811
):
    decision = follow(users["national_admin"], absent, martin, JuryStatus.CERTIFIED)
    assert decision.decided_by == users["national_admin"]


def test_a_member_in_conflict_with_a_candidate_does_not_decide_on_them(
    users,
    in_conflict,
    martin,  # noqa: F811
    durand,  # noqa: F811
):
    with pytest.raises(NotAllowed, match="conflit d'intérêts avec ce candidat"):
        follow(users["national_jury"], in_conflict, martin, JuryStatus.CERTIFIED)
    with pytest.raises(NotAllowed, match="conflit d'intérêts avec ce candidat"):
        depart(users, in_conflict, martin, abstentions=0)
    assert not JuryDecision.objects.exists()
    assert follow(users["national_jury"], in_conflict, durand, JuryStatus.NOT_CERTIFIED).pk
    assert follow(users["national_admin"], in_conflict, martin, JuryStatus.CERTIFIED).pk


def test_adopting_in_bulk_leaves_out_the_candidates_the_member_is_in_conflict_with(
    users,
    in_conflict,
    martin,  # noqa: F811
    durand,  # noqa: F811
):
    assert do_adopt_proposals(users["national_jury"], in_conflict, [martin, durand]) == 1
    assert list(JuryDecision.objects.values_list("registration_id", flat=True)) == [durand.pk]
    assert do_adopt_proposals(users["national_admin"], in_conflict, [martin, durand]) == 1


def test_the_pages_offer_an_absent_member_nothing_to_decide(client_for, absent, martin):  # noqa: F811
    client = client_for("national_jury")
    page = text_of(client.get(page_url(absent)))
    assert "Vous n'êtes pas inscrit présent à cette séance" in page
    assert 'name="inscriptions"' not in page and "Adopter la proposition" not in page
    detail = text_of(client.get(decide_url(absent, martin)))
    assert "Enregistrer la décision" not in detail
    assert "seuls les membres présents" in detail
    client.post(decide_url(absent, martin), {"status": "certified"})
    client.post(page_url(absent), {"portee": "cochees", "inscriptions": [str(martin.pk)]})
    assert not JuryDecision.objects.exists()


def test_the_pages_offer_a_member_in_conflict_only_the_other_candidates(
    client_for,
    in_conflict,
    martin,  # noqa: F811
    durand,  # noqa: F811
):
    client = client_for("national_jury")
    page = text_of(client.get(page_url(in_conflict)))
    assert f'value="{durand.pk}"' in page and f'value="{martin.pk}"' not in page
    assert "conflit d'intérêts déclaré : vous ne statuez pas" in page
    assert "Adopter la proposition pour les 1 candidat à statuer de ce filtre" in page
    detail = text_of(client.get(decide_url(in_conflict, martin)))
    assert "Enregistrer la décision" not in detail
    assert "Vous avez déclaré un conflit d'intérêts avec ce candidat" in detail
    refused = client.post(decide_url(in_conflict, martin), {"status": "certified"}, follow=True)
    assert "conflit d'intérêts avec ce candidat" in text_of(refused)
    assert not JuryDecision.objects.exists()
    response = client.post(
        page_url(in_conflict),
        {"portee": "cochees", "inscriptions": [str(martin.pk), str(durand.pk)], "filtre": "tous"},
        follow=True,
    )
    assert (
        "Proposition adoptée pour 1 candidat. 1 candidat laissé aux autres membres : vous avez déclaré un "
        "conflit d'intérêts avec lui." in text_of(response)
    )
    assert list(JuryDecision.objects.values_list("registration_id", flat=True)) == [durand.pk]


def test_adopting_every_candidate_of_the_filter_leaves_out_the_member_s_conflicts(
    client_for,
    in_conflict,
    martin,  # noqa: F811
    durand,  # noqa: F811
):
    response = client_for("national_jury").post(
        page_url(in_conflict), {"portee": "filtre", "filtre": "a-statuer"}, follow=True
    )
    assert "Proposition adoptée pour 1 candidat." in text_of(response)
    assert list(JuryDecision.objects.values_list("registration_id", flat=True)) == [durand.pk]


# B. an amendment changes the decision in force only reasoned and voted


@pytest.fixture
def departed_and_proclaimed(users, deliberation, martin, durand):  # noqa: F811
    """Martin certifiable but not certified (reasoned, voted 5-2-1), Durand as proposed; minutes signed."""
    depart(users, deliberation, martin)
    do_adopt_proposals(users["national_admin"], deliberation, [durand])
    sign(deliberation, users["national_admin"])
    return deliberation


def test_an_amendment_undoing_a_voted_departure_needs_its_own_reason_and_vote(
    users,
    departed_and_proclaimed,
    martin,  # noqa: F811
):
    amendment = amendment_of(departed_and_proclaimed, users["national_admin"])
    with pytest.raises(DomainError, match="Une décision qui change la décision en vigueur est motivée"):
        follow(users["national_admin"], amendment, martin, JuryStatus.CERTIFIED)
    with pytest.raises(DomainError, match="change la décision en vigueur est votée : saisissez les voix"):
        follow(users["national_admin"], amendment, martin, JuryStatus.CERTIFIED, reason="Dossier complété.")
    with pytest.raises(DomainError, match="la décision en vigueur est maintenue"):
        depart(users, amendment, martin, status=JuryStatus.CERTIFIED, votes_for=3, votes_against=4)
    assert not JuryDecision.objects.filter(deliberation=amendment).exists()
    decision = depart(users, amendment, martin, status=JuryStatus.CERTIFIED, reason="Dossier complété.")
    assert (decision.confirmed_status, decision.override_reason, decision.votes_for) == (
        JuryStatus.CERTIFIED,
        "Dossier complété.",
        5,
    )


def test_an_amendment_keeping_a_departure_in_force_states_and_votes_it_again(
    users,
    departed_and_proclaimed,
    martin,  # noqa: F811
):
    amendment = amendment_of(departed_and_proclaimed, users["national_admin"])
    with pytest.raises(DomainError, match="différente de la proposition est motivée"):
        follow(users["national_admin"], amendment, martin, JuryStatus.NOT_CERTIFIED, comment="Revu.")
    assert depart(users, amendment, martin).override_reason == "Dossier de Pass incomplet."


def test_an_amendment_changing_a_decision_the_engine_now_proposes_is_still_voted(
    users,
    departed_and_proclaimed,
    durand,  # noqa: F811
):
    """Durand, not certified as proposed, certified by the amendment: a change from the decision in
    force (and from the proposal)."""
    amendment = amendment_of(departed_and_proclaimed, users["national_admin"])
    with pytest.raises(DomainError, match="change la décision en vigueur est motivée"):
        follow(users["national_admin"], amendment, durand, JuryStatus.DEFERRED)
    decision = depart(users, amendment, durand, status=JuryStatus.DEFERRED, reason="Note à vérifier.")
    assert decision.votes_for == 5


def test_the_amendment_page_says_a_decision_changes_the_one_in_force(
    client_for,
    users,
    departed_and_proclaimed,
    martin,  # noqa: F811
):
    amendment = amendment_of(departed_and_proclaimed, users["national_admin"])
    depart(users, amendment, martin, status=JuryStatus.CERTIFIED, reason="Dossier complété.")
    page = text_of(client_for("national_admin").get(page_url(amendment)))
    assert "<strong>change la décision en vigueur</strong> : Dossier complété." in page
    detail = text_of(client_for("national_admin").get(decide_url(amendment, martin)))
    assert "ou de la décision en vigueur" in detail


# C, D. the minutes are signed only on votes and proposals that still hold


@pytest.fixture
def voted(users, decided):
    """Every candidate decided as proposed, then Martin (proposed deferred: nothing entered) not
    certified, reasoned and voted by the 8 members entitled to."""
    lea = registration_of(decided.jury.session, "Martin")
    depart(users, decided, lea, votes_for=6, votes_against=1, abstentions=1)
    return decided


def test_signing_refuses_while_a_vote_no_longer_counts_the_members_present(
    users, voted, django_capture_on_commit_callbacks
):
    admin = users["national_admin"]
    do_record_attendance(admin, voted, voted.jury.members.exclude(last_name="Michel"))
    refusal = signing_refusal(admin, voted)
    assert refusal is not None and "MARTIN Léa" in refusal and "le jury vote à nouveau" in refusal
    with pytest.raises(DomainError, match="MARTIN Léa"):
        do_sign_minutes(admin, voted)
    lea = registration_of(voted.jury.session, "Martin")
    depart(users, voted, lea, votes_for=5, votes_against=1, abstentions=1)
    assert signing_refusal(admin, voted) is None
    assert sign_minutes(admin, voted, django_capture_on_commit_callbacks).status == JobStatus.DONE


def test_signing_refuses_while_a_vote_counts_a_member_since_in_conflict(users, voted):
    lea = registration_of(voted.jury.session, "Martin")
    employer = voted.jury.members.get(last_name="Moreau")
    do_declare_conflict(users["national_admin"], employer, lea, "Même organisme")
    with pytest.raises(DomainError, match="la feuille de présence ou un conflit d'intérêts a changé"):
        do_sign_minutes(users["national_admin"], voted)
    assert not Minutes.objects.exists()


def test_the_signing_checks_cost_the_same_queries_for_2_or_22_votes(
    users, lifted_session, deliberation, organisations
):
    counts = []
    for added in (0, 20):
        if added:
            do_register(
                None,
                lifted_session,
                [
                    EnrolmentFactory(version=lifted_session.version, training_centre=organisations["crfp"])
                    for _ in range(added)
                ],
            )
        everyone = list(Registration.objects.filter(session=lifted_session))
        for registration in everyone:
            depart(users, deliberation, registration, status=JuryStatus.NOT_CERTIFIED)
        sitting = Deliberation.objects.select_related("jury__session__version").get(pk=deliberation.pk)
        with CaptureQueriesContext(connection) as page:
            assert signing_refusal(users["national_admin"], sitting) is None
        with CaptureQueriesContext(connection) as request:
            assert outdated_refusal(sitting) is None
        counts.append((len(page), len(request)))
    assert counts[0] == counts[1], counts


@pytest.fixture
def marked_since(users, decided, follow_pass):  # noqa: F811
    """Martin decided deferred as proposed (nothing entered), then his Pass and marks entered: the
    engine now proposes him certified."""
    session = decided.jury.session
    lea = registration_of(session, "Martin")
    follow_pass(lea)
    enter(session, lea, GOOD)
    return lea


def test_signing_refuses_while_a_decision_rests_on_a_proposal_since_changed(
    users, decided, marked_since, django_capture_on_commit_callbacks
):
    admin = users["national_admin"]
    with pytest.raises(DomainError, match=r"La proposition du moteur a changé .* pour MARTIN Léa"):
        do_sign_minutes(admin, decided)
    assert not Minutes.objects.exists()
    follow(admin, decided, marked_since, JuryStatus.CERTIFIED)
    assert sign_minutes(admin, decided, django_capture_on_commit_callbacks).status == JobStatus.DONE


def test_a_proposal_changed_after_the_signing_was_asked_fails_the_job(
    users,
    decided,
    follow_pass,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    admin = users["national_admin"]
    with django_capture_on_commit_callbacks() as callbacks:
        job = do_sign_minutes(admin, decided)
    session = decided.jury.session
    lea = registration_of(session, "Martin")
    follow_pass(lea)
    enter(session, lea, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "MARTIN Léa" in job.outcome
    assert not Minutes.objects.exists()
