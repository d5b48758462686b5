"""D67, D18: the VAE jury's outcome. The jury validates blocks; the engine proposes the outcome from them and
from the blocks the candidate already holds (full, partial, refusal); always argued, voted, a tie broken by
the president's casting vote; only a member of a validly composed jury decides, and never after the
minutes are signed."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certifier.assessments.services import do_decide_block, do_record_observation
from certifier.core.enums import AuditAction, DecisionSource
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.people.enums import Role
from certifier.referential.models import Block
from certifier.vae.applications import (
    do_add_period,
    do_create_application,
    do_decide_admissibility,
    do_file_application,
)
from certifier.vae.dossier import do_submit_dossier, do_write_entry
from certifier.vae.enums import VaeOutcome
from certifier.vae.jury import (
    do_add_member,
    do_appoint_session,
    do_remove_member,
    do_schedule,
    do_set_interview,
    dossier_only_route,
)
from certifier.vae.models import VaeDecision
from certifier.vae.outcome import do_decide
from tests.assessments.helpers import assessed_method, observation_data
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ARGUMENT = "Expérience confirmée par l'entretien et les pièces du dossier."


def codes(version) -> list[str]:
    return list(
        Block.objects.filter(version=version).order_by("position", "code").values_list("code", flat=True)
    )


def submit(application):
    """The candidate describes one competence of each block and submits her dossier."""
    actor = application.candidate.user
    for block in Block.objects.filter(version=application.version).prefetch_related("competences"):
        do_write_entry(actor, application, block.competences.all()[0], "Mon expérience de ce bloc.")
    return do_submit_dossier(actor, application)


def seat(users, session, user, *, sex, qualified, president=False):
    return do_add_member(
        users["cpnefp"],
        session,
        email=user.email,
        capacity="Présidente du jury VAE" if president else "Professionnel du métier",
        qualified=qualified,
        sex=sex,
        president=president,
    )


@pytest.fixture
def jurors(users, organisations):
    """The `vae_jury` persona (Claire Lambert, who presides) and two more holders of the VAE jury role."""
    president = users["vae_jury"]
    president.first_name, president.last_name = "Claire", "Lambert"
    president.save(update_fields=["first_name", "last_name"])
    people = {"claire": president}
    for key, first_name, last_name in [("bruno", "Bruno", "Morel"), ("chloe", "Chloé", "Faure")]:
        people[key] = MembershipFactory(
            user__email=f"{key}@test.example",
            user__first_name=first_name,
            user__last_name=last_name,
            organisation=organisations["cpnefp"],
            role=Role.VAE_JURY,
        ).user
    return people


@pytest.fixture
def vae_session(users, vae_version, jurors):
    """A session sitting today at Ucanss, Paris: Claire Lambert presides (qualified), Bruno Morel and
    Chloé Faure (qualified) sit."""
    session = do_appoint_session(
        users["cpnefp"], version=vae_version, held_on=timezone.localdate(), place="Ucanss, Paris"
    )
    seat(users, session, jurors["claire"], sex="F", qualified=True, president=True)
    seat(users, session, jurors["bruno"], sex="M", qualified=False)
    seat(users, session, jurors["chloe"], sex="F", qualified=True)
    return session


@pytest.fixture
def candidacy(users, vae_session, admissible_application):
    """Martin Léa's dossier submitted, heard at the opening of today's session (already held)."""
    application = submit(admissible_application)
    opening = timezone.make_aware(datetime.combine(vae_session.held_on, time(0, 0)))
    return do_schedule(users["cpnefp"], vae_session, application, interview_at=opening)


@pytest.fixture
def newcomer(users, organisations, vae_version, vae_session):
    """`newcomer(**application)`: a candidacy of Zoé Roux, never enrolled, employed by the funder if any,
    her dossier submitted (with the application's options given, e.g. `vae_leave=True` or a D66 prior
    certification) and scheduled at the opening of today (00:01, one minute later for each candidate
    already scheduled), or on the dossier alone."""

    def make(**options):
        account = UserFactory(first_name="Zoé", last_name="Roux")
        employer = options.get("funder") or organisations["other_employer"]  # the funder employs her
        candidate = CandidateFactory(birth_name="Roux", first_name="Zoé", employer=employer, user=account)
        application = do_create_application(
            account,
            candidate=candidate,
            version=vae_version,
            training_centre=organisations["crfp"],
            **options,
        )
        today = timezone.localdate()
        do_add_period(
            account,
            application,
            employer_name="CPAM du Rhône",
            job="Gestionnaire conseil",
            start=today - timedelta(days=4 * 365),
            end=today,
            rate=Decimal("100"),
        )
        do_file_application(account, application)
        do_decide_admissibility(users["national_admin"], application, admissible=True, reason="Recevable.")
        application = submit(application)
        slot = None
        if not dossier_only_route(application.prior_certification, application.prior_certification_date):
            taken = vae_session.candidacies.count()
            slot = timezone.make_aware(datetime.combine(vae_session.held_on, time(0, 1 + taken)))
        return do_schedule(users["cpnefp"], vae_session, application, interview_at=slot)

    return make


def decide(actor, candidacy, validated, **overrides):
    every = codes(candidacy.application.version)
    values = {
        "blocks": {code: code in validated for code in every},
        "argument": ARGUMENT,
        "votes_for": 3,
        "votes_against": 0,
        "abstentions": 0,
    } | overrides
    return do_decide(actor, candidacy, **values)


@pytest.fixture
def held_bc01(users, own):
    """The assessor validated BC01 during Martin Léa's training: observed, then confirmed with a reason
    (no criterion scored, the engine had nothing to propose)."""
    block = Block.objects.get(version=own.version, code="RNCP35729BC01")
    do_record_observation(users["assessor"], own, assessed_method(block), observation_data(block))
    return do_decide_block(users["assessor"], own, block, "validated", "Compétences observées en poste.")


# the engine's proposal


def test_every_block_validated_is_a_full_validation_stamped_with_the_rule_set(users, candidacy, vae_version):
    every = codes(vae_version)
    decision = decide(users["vae_jury"], candidacy, every)
    assert decision.proposed_status == decision.confirmed_status == VaeOutcome.FULL
    assert decision.source == DecisionSource.VAE and decision.decided_by == users["vae_jury"]
    assert decision.blocks == dict.fromkeys(every, "validated")
    assert decision.record == {
        "candidate": str(candidacy.application.pk),
        "criteria": {},
        "capitalised": every,
    }
    assert decision.rule_set_id == "rncp35729" and decision.rule_set_hash.startswith("sha256:")
    assert decision.explanation and decision.argument == ARGUMENT
    event = AuditEvent.objects.get(action=AuditAction.VAE_DECISION_RECORDED)
    assert (event.actor, event.object_id, event.before) == (users["vae_jury"], str(decision.pk), None)
    assert event.after["confirmed_status"] == VaeOutcome.FULL


def test_some_blocks_validated_is_a_partial_validation(users, candidacy, vae_version):
    first = codes(vae_version)[:2]
    decision = decide(users["vae_jury"], candidacy, first)
    assert decision.proposed_status == decision.confirmed_status == VaeOutcome.PARTIAL
    assert [code for code, status in decision.blocks.items() if status == "validated"] == first


def test_no_block_validated_is_a_refusal(users, candidacy):
    decision = decide(users["vae_jury"], candidacy, [])
    assert decision.confirmed_status == VaeOutcome.REFUSED
    assert set(decision.blocks.values()) == {"not_validated"}


def test_a_block_already_held_completes_a_full_validation(users, candidacy, vae_version, held_bc01):
    rest = codes(vae_version)[1:]
    decision = decide(users["vae_jury"], candidacy, rest)
    assert decision.confirmed_status == VaeOutcome.FULL
    assert decision.record["capitalised"] == codes(vae_version)


def test_validating_only_a_block_already_held_is_a_refusal(users, candidacy, held_bc01):
    decision = decide(users["vae_jury"], candidacy, ["RNCP35729BC01"])
    assert decision.confirmed_status == VaeOutcome.REFUSED


def test_every_block_is_decided_and_only_the_versions(users, candidacy, vae_version):
    every = codes(vae_version)
    with pytest.raises(DomainError, match="Dites pour chaque bloc"):
        do_decide(
            users["vae_jury"],
            candidacy,
            blocks={every[0]: True},
            argument=ARGUMENT,
            votes_for=3,
            votes_against=0,
            abstentions=0,
        )
    with pytest.raises(DomainError, match="Bloc inconnu de cette certification : BC99"):
        decide(users["vae_jury"], candidacy, [], blocks={**dict.fromkeys(every, True), "BC99": True})
    assert not VaeDecision.objects.exists()


# argued and voted


def test_the_outcome_is_always_argued(users, candidacy):
    with pytest.raises(DomainError, match="toujours motivée"):
        decide(users["vae_jury"], candidacy, [], argument="   ")
    assert not VaeDecision.objects.exists()


@pytest.mark.parametrize(
    ("votes", "casting_vote", "message"),
    [
        ((1, 2, 0), None, "n'a pas la majorité"),
        ((2, 1, 1), None, "le jury compte 3 membres"),
        ((1, 1, 1), None, "la voix prépondérante du président départage"),
        ((1, 1, 1), False, "Le président a voté contre"),
        ((2, 1, 0), True, "ne départage qu'une égalité"),
        ((0, 0, 0), None, "Saisissez le vote"),
        ((-1, 0, 0), None, "positif ou nul"),
    ],
)
def test_a_vote_that_does_not_carry_adopts_nothing(users, candidacy, votes, casting_vote, message):
    votes_for, votes_against, abstentions = votes
    with pytest.raises(DomainError, match=message):
        decide(
            users["vae_jury"],
            candidacy,
            [],
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            casting_vote=casting_vote,
        )
    assert not VaeDecision.objects.exists()


def test_a_tie_is_broken_by_the_presidents_casting_vote(users, candidacy):
    decision = decide(
        users["vae_jury"], candidacy, [], votes_for=1, votes_against=1, abstentions=1, casting_vote=True
    )
    assert decision.casting_vote and (decision.votes_for, decision.votes_against) == (1, 1)


def test_only_the_president_records_a_casting_vote(candidacy, jurors):
    with pytest.raises(DomainError, match="La voix prépondérante est celle du président"):
        decide(jurors["bruno"], candidacy, [], votes_for=1, votes_against=1, abstentions=1, casting_vote=True)
    assert not VaeDecision.objects.exists()


def test_deciding_again_replaces_the_decision_audited_before_and_after(users, candidacy, vae_version, jurors):
    first = decide(users["vae_jury"], candidacy, [])
    again = decide(jurors["bruno"], candidacy, codes(vae_version)[:1], votes_for=2, abstentions=1)
    assert again.pk == first.pk and VaeDecision.objects.count() == 1
    assert again.confirmed_status == VaeOutcome.PARTIAL and again.decided_by == jurors["bruno"]
    changed = AuditEvent.objects.filter(action=AuditAction.VAE_DECISION_RECORDED).order_by("pk").last()
    assert changed.before["confirmed_status"] == VaeOutcome.REFUSED
    assert changed.after["confirmed_status"] == VaeOutcome.PARTIAL and changed.after["votes"] == [2, 0, 1]


def test_the_same_decision_again_writes_nothing(users, candidacy):
    decide(users["vae_jury"], candidacy, [])
    decide(users["vae_jury"], candidacy, [])
    assert AuditEvent.objects.filter(action=AuditAction.VAE_DECISION_RECORDED).count() == 1


# who decides, and when


@pytest.mark.parametrize(
    "persona", ["national_admin", "cpnefp", "crfp_staff", "candidate", "employer_hr", "outsider"]
)
def test_only_a_member_of_the_session_decides(users, candidacy, persona):
    with pytest.raises(NotAllowed):
        decide(users[persona], candidacy, [])
    assert not VaeDecision.objects.exists()


def test_a_vae_juror_of_another_session_does_not_decide(users, candidacy, organisations):
    other = MembershipFactory(organisation=organisations["cpnefp"], role=Role.VAE_JURY).user
    with pytest.raises(NotAllowed):
        decide(other, candidacy, [])


def test_a_jury_whose_composition_is_not_valid_does_not_decide(users, candidacy, vae_session):
    for member in vae_session.members.filter(president=False):
        do_remove_member(users["cpnefp"], member)
    with pytest.raises(DomainError, match="au moins deux membres"):
        decide(users["vae_jury"], candidacy, [], votes_for=1)


def test_the_jury_decides_after_the_interview(users, candidacy, vae_session):
    closing = timezone.make_aware(datetime.combine(vae_session.held_on, time(23, 59)))
    candidacy = do_set_interview(users["cpnefp"], candidacy, closing)
    with pytest.raises(DomainError, match="L'entretien avec le candidat n'a pas encore eu lieu"):
        decide(users["vae_jury"], candidacy, [])
