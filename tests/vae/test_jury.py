"""D65, D66: the VAE jury the CPNEFP appoints (two members at least, one qualified, a president, women and
men balanced where possible, nobody linked to the candidate) and the candidacies it hears or decides on
the dossier alone."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.people.enums import Role
from certifier.referential.models import Block
from certifier.vae.jury import (
    IMBALANCED,
    composition_problems,
    composition_warnings,
    do_add_member,
    do_appoint_session,
    do_remove_member,
    do_request_interview,
    do_schedule,
    do_set_interview,
    dossier_only_route,
    links,
)
from certifier.vae.models import VaeCandidacy, VaeJuryMember, VaeJurySession
from certifier.vae.outcome import do_decide
from tests.factories import MembershipFactory
from tests.vae import jury_fixtures
from tests.vae.jury_fixtures import HELD_ON, seat, slot

pytestmark = pytest.mark.django_db

jurors = jury_fixtures.jurors
session = jury_fixtures.session
composed = jury_fixtures.composed
submitted = jury_fixtures.submitted


# D66: the dossier-only route


@pytest.mark.parametrize(
    ("obtained_on", "dossier_only"),
    [
        (date(2009, 5, 31), False),
        (date(2009, 6, 1), True),
        (date(2011, 3, 15), True),
        (date(2013, 12, 31), True),
        (date(2014, 1, 1), False),
    ],
)
def test_holders_of_june_2009_to_december_2013_are_decided_on_the_dossier_alone(obtained_on, dossier_only):
    assert dossier_only_route("vademecaf", obtained_on) is dossier_only


def test_the_dossier_only_route_needs_both_the_certification_and_its_date():
    assert dossier_only_route("", date(2010, 1, 1)) is False
    assert dossier_only_route("tam_tam", None) is False


# the session


def test_the_cpnefp_appoints_a_session_and_it_is_audited(users, session, vae_version):
    assert (session.version, session.held_on, session.place, session.appointed_by) == (
        vae_version,
        HELD_ON,
        "Ucanss, Paris",
        users["cpnefp"],
    )
    event = AuditEvent.objects.get(action=AuditAction.VAE_JURY_APPOINTED)
    assert (event.actor, event.object_id, event.after["place"]) == (
        users["cpnefp"],
        str(session.pk),
        "Ucanss, Paris",
    )


@pytest.mark.parametrize("persona", ["national_admin", "vae_jury", "crfp_staff", "candidate", "outsider"])
def test_only_the_cpnefp_appoints_a_vae_jury(users, vae_version, persona):
    with pytest.raises(NotAllowed):
        do_appoint_session(users[persona], version=vae_version, held_on=HELD_ON, place="Paris")
    assert not VaeJurySession.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "place", "message"),
    [
        (date.today() - timedelta(days=1), "Paris", "La date de la séance est passée"),
        (HELD_ON, "   ", "Indiquez le lieu"),
        (HELD_ON, "x" * 201, "201 caractères ; 200 au plus"),
    ],
)
def test_a_session_in_the_past_or_without_a_place_is_refused(users, vae_version, held_on, place, message):
    with pytest.raises(DomainError, match=message):
        do_appoint_session(users["cpnefp"], version=vae_version, held_on=held_on, place=place)
    assert not VaeJurySession.objects.exists()


def test_a_session_sits_today(users, vae_version):
    session = do_appoint_session(
        users["cpnefp"], version=vae_version, held_on=timezone.localdate(), place="Lyon"
    )
    assert session.held_on == timezone.localdate()


# the members (D65)


def test_a_member_is_named_from_their_account_and_the_change_is_audited(users, session, jurors):
    member = seat(users, session, " Anne@Test.example ", president=True)
    assert (member.user, member.last_name, member.first_name, member.president, member.qualified) == (
        jurors["anne"],
        "Petit",
        "Anne",
        True,
        True,
    )
    event = AuditEvent.objects.get(action=AuditAction.VAE_JURY_CHANGED)
    assert (event.before["members"], [m["name"] for m in event.after["members"]]) == ([], ["Anne Petit"])


@pytest.mark.parametrize("persona", ["national_jury", "tutor", "outsider", "cpnefp"])
def test_an_account_without_the_vae_jury_role_is_refused(users, session, persona):
    with pytest.raises(DomainError, match="ne détient le rôle « Jury VAE »"):
        seat(users, session, f"{persona}@test.example")
    assert not VaeJuryMember.objects.exists()


def test_a_jury_has_one_president(users, session, jurors):
    seat(users, session, "anne@test.example", president=True)
    with pytest.raises(DomainError, match="a déjà son président"):
        seat(users, session, "bruno@test.example", sex="M", president=True)
    assert session.members.count() == 1


def test_the_same_person_sits_once(users, session, jurors):
    seat(users, session, "anne@test.example")
    with pytest.raises(DomainError, match="Anne Petit siège déjà"):
        seat(users, session, "anne@test.example")


@pytest.mark.parametrize("persona", ["national_admin", "vae_jury", "outsider"])
def test_only_the_cpnefp_changes_the_members(users, composed, persona):
    member = composed.members.first()
    with pytest.raises(NotAllowed):
        do_add_member(
            users[persona], composed, email="chloe@test.example", capacity="x", qualified=True, sex="F"
        )
    with pytest.raises(NotAllowed):
        do_remove_member(users[persona], member)
    assert composed.members.count() == 2


def test_the_cpnefp_removes_a_member_and_it_is_audited(users, composed, jurors):
    bruno = composed.members.get(user=jurors["bruno"])
    do_remove_member(users["cpnefp"], bruno)
    assert list(composed.members.values_list("last_name", flat=True)) == ["Petit"]
    event = AuditEvent.objects.filter(action=AuditAction.VAE_JURY_CHANGED).latest("pk")
    assert (len(event.before["members"]), len(event.after["members"])) == (2, 1)


def test_an_empty_jury_has_every_problem(session):
    assert composition_problems(session) == [
        "Le jury VAE compte au moins deux membres ; il en compte 0.",
        "Au moins un membre du jury VAE est qualifié pour la certification.",
        "Le jury VAE n'a pas de président (voix prépondérante) : désignez-le parmi ses membres.",
    ]


def test_a_jury_of_one_member_is_too_small(users, session, jurors):
    seat(users, session, "anne@test.example", president=True)
    assert composition_problems(session) == ["Le jury VAE compte au moins deux membres ; il en compte 1."]


def test_a_jury_without_a_qualified_member_cannot_sit(users, session, jurors):
    seat(users, session, "anne@test.example", qualified=False, president=True)
    seat(users, session, "bruno@test.example", sex="M", qualified=False)
    assert composition_problems(session) == [
        "Au moins un membre du jury VAE est qualifié pour la certification."
    ]


def test_a_jury_without_a_president_cannot_sit(users, session, jurors):
    seat(users, session, "anne@test.example")
    seat(users, session, "bruno@test.example", sex="M")
    assert composition_problems(session) == [
        "Le jury VAE n'a pas de président (voix prépondérante) : désignez-le parmi ses membres."
    ]


def test_a_valid_jury_has_no_problem_and_mixed_has_no_warning(composed):
    assert (composition_problems(composed), composition_warnings(composed)) == ([], [])


def test_a_jury_of_women_only_is_warned_not_refused(users, session, jurors):
    seat(users, session, "anne@test.example", president=True)
    seat(users, session, "chloe@test.example")
    assert composition_problems(session) == []
    [warning] = composition_warnings(session)
    assert IMBALANCED in warning and "des femmes" in warning


# the candidacies (D65, D66)


def test_a_submitted_dossier_is_scheduled_with_an_interview_slot_and_audited(users, composed, submitted):
    application = submitted()
    candidacy = do_schedule(users["cpnefp"], composed, application, interview_at=slot(9, 30))
    assert (candidacy.session, candidacy.dossier_only, candidacy.interview_at) == (
        composed,
        False,
        slot(9, 30),
    )
    event = AuditEvent.objects.get(action=AuditAction.VAE_CANDIDACY_SCHEDULED)
    assert (event.actor, event.after["application"], event.after["dossier_only"]) == (
        users["cpnefp"],
        application.pk,
        False,
    )


def test_a_dossier_not_yet_submitted_is_not_scheduled(users, composed, admissible_application):
    with pytest.raises(DomainError, match="n'est pas déposé"):
        do_schedule(users["cpnefp"], composed, admissible_application, interview_at=slot(9))
    assert not VaeCandidacy.objects.exists()


@pytest.mark.parametrize("persona", ["national_admin", "vae_jury", "crfp_staff"])
def test_only_the_cpnefp_schedules(users, composed, submitted, persona):
    application = submitted()
    with pytest.raises(NotAllowed):
        do_schedule(users[persona], composed, application, interview_at=slot(9))


def test_an_application_is_scheduled_once(users, composed, submitted, vae_version):
    application = submitted()
    do_schedule(users["cpnefp"], composed, application, interview_at=slot(9))
    later = do_appoint_session(
        users["cpnefp"], version=vae_version, held_on=HELD_ON + timedelta(days=7), place="Lyon"
    )
    with pytest.raises(DomainError, match="déjà inscrit"):
        do_schedule(
            users["cpnefp"], later, application, interview_at=slot(9, day=HELD_ON + timedelta(days=7))
        )


def test_an_interview_is_required_and_held_on_the_session_day(users, composed, submitted):
    application = submitted()
    with pytest.raises(DomainError, match="Indiquez l'heure de l'entretien"):
        do_schedule(users["cpnefp"], composed, application)
    with pytest.raises(DomainError, match="le jour de la séance"):
        do_schedule(
            users["cpnefp"], composed, application, interview_at=slot(9, day=HELD_ON + timedelta(days=1))
        )
    assert not VaeCandidacy.objects.exists()


def test_two_candidates_are_not_heard_at_the_same_time(users, composed, submitted):
    do_schedule(users["cpnefp"], composed, submitted(), interview_at=slot(10))
    other = submitted(other=True)
    with pytest.raises(DomainError, match="déjà un entretien à 10:00"):
        do_schedule(users["cpnefp"], composed, other, interview_at=slot(10))
    assert do_schedule(users["cpnefp"], composed, other, interview_at=slot(11)).interview_at == slot(11)


@pytest.mark.parametrize(
    ("obtained_on", "dossier_only"),
    [
        (date(2009, 5, 31), False),
        (date(2009, 6, 1), True),
        (date(2013, 12, 31), True),
        (date(2014, 1, 1), False),
    ],
)
def test_the_schedule_follows_the_dossier_only_route(users, composed, submitted, obtained_on, dossier_only):
    application = submitted(prior_certification="tam_tam", obtained_on=obtained_on)
    candidacy = do_schedule(
        users["cpnefp"], composed, application, interview_at=None if dossier_only else slot(14)
    )
    assert (candidacy.dossier_only, candidacy.interview_at is None) == (dossier_only, dossier_only)


def test_no_interview_slot_for_a_dossier_only_candidate_unless_the_jury_asks(users, composed, submitted):
    application = submitted(prior_certification="startech", obtained_on=date(2012, 2, 1))
    with pytest.raises(DomainError, match="dossier seul"):
        do_schedule(users["cpnefp"], composed, application, interview_at=slot(9))
    candidacy = do_schedule(users["cpnefp"], composed, application)
    with pytest.raises(DomainError, match="que si le jury le demande"):
        do_set_interview(users["cpnefp"], candidacy, slot(9))


def test_a_member_asks_for_an_interview_which_is_recorded_then_set(users, composed, submitted, jurors):
    candidacy = do_schedule(
        users["cpnefp"], composed, submitted(prior_certification="omega_plus", obtained_on=date(2010, 9, 1))
    )
    do_request_interview(jurors["bruno"], candidacy, "  Le dossier ne dit rien de l'accueil téléphonique. ")
    candidacy.refresh_from_db()
    assert (candidacy.interview_requested_by, candidacy.interview_request_reason) == (
        jurors["bruno"],
        "Le dossier ne dit rien de l'accueil téléphonique.",
    )
    assert candidacy.interview_requested_at is not None and candidacy.dossier_only
    event = AuditEvent.objects.get(action=AuditAction.VAE_INTERVIEW_REQUESTED)
    assert (event.actor, event.reason) == (
        jurors["bruno"],
        "Le dossier ne dit rien de l'accueil téléphonique.",
    )
    do_set_interview(users["cpnefp"], candidacy, slot(15))
    candidacy.refresh_from_db()
    assert candidacy.interview_at == slot(15)
    with pytest.raises(DomainError, match="déjà été demandé"):
        do_request_interview(users["cpnefp"], candidacy, "Encore.")


def test_an_interview_request_needs_a_reason_and_a_dossier_only_candidate(users, composed, submitted, jurors):
    heard = do_schedule(users["cpnefp"], composed, submitted(other=True), interview_at=slot(9))
    with pytest.raises(DomainError, match="a déjà un entretien"):
        do_request_interview(jurors["anne"], heard, "Pourquoi pas.")
    alone = do_schedule(
        users["cpnefp"], composed, submitted(prior_certification="sm_pro", obtained_on=date(2011, 1, 1))
    )
    with pytest.raises(DomainError, match="Indiquez pourquoi"):
        do_request_interview(jurors["anne"], alone, "  ")
    assert not AuditEvent.objects.filter(action=AuditAction.VAE_INTERVIEW_REQUESTED).exists()


@pytest.mark.parametrize("persona", ["vae_jury", "national_admin", "candidate"])
def test_only_the_sessions_members_and_the_cpnefp_ask_for_an_interview(users, composed, submitted, persona):
    candidacy = do_schedule(
        users["cpnefp"], composed, submitted(prior_certification="tam_tam", obtained_on=date(2010, 1, 1))
    )
    with pytest.raises(NotAllowed):
        do_request_interview(users[persona], candidacy, "Je souhaite l'entendre.")


def test_moving_an_interview_onto_another_ones_slot_is_refused(users, composed, submitted):
    first = do_schedule(users["cpnefp"], composed, submitted(), interview_at=slot(9))
    second = do_schedule(users["cpnefp"], composed, submitted(other=True), interview_at=slot(10))
    with pytest.raises(DomainError, match="déjà un entretien à 09:00"):
        do_set_interview(users["cpnefp"], second, slot(9))
    assert do_set_interview(users["cpnefp"], first, slot(9)).interview_at == slot(9)


# D65: nobody linked to the candidate


def vae_jury_role(user, organisations):
    MembershipFactory(user=user, organisation=organisations["cpnefp"], role=Role.VAE_JURY)
    return user


def test_the_accompanier_cannot_sit_for_the_candidate(users, organisations, composed, submitted, jurors):
    application = submitted(accompanier="chloe@test.example")
    seat(users, composed, "chloe@test.example")
    with pytest.raises(DomainError) as refused:
        do_schedule(users["cpnefp"], composed, application, interview_at=slot(9))
    assert str(refused.value) == (
        "Chloé Faure ne peut pas siéger au jury VAE de MARTIN Léa : il ou elle accompagne ou a accompagné le "
        "candidat dans sa démarche de VAE."
    )
    assert not VaeCandidacy.objects.exists()


def test_a_former_accompanier_cannot_sit_for_the_candidate_either(users, composed, submitted, jurors):
    application = submitted(accompanier="chloe@test.example")
    application.accompanier = None
    application.save(update_fields=["accompanier"])  # as if removed before the dossier was submitted
    seat(users, composed, "chloe@test.example")
    with pytest.raises(DomainError, match="accompagne ou a accompagné le candidat"):
        do_schedule(users["cpnefp"], composed, application, interview_at=slot(9))


def test_the_staff_of_the_crfp_following_the_application_is_linked(users, organisations, submitted):
    staff = vae_jury_role(users["crfp_staff"], organisations)
    assert links(VaeJuryMember(user=staff), submitted()) == [
        "il ou elle appartient au CRFP qui suit sa demande"
    ]


def test_a_link_arising_after_scheduling_stops_the_decision(
    users, organisations, composed, submitted, jurors
):
    candidacy = do_schedule(
        users["cpnefp"], composed, submitted(prior_certification="tam_tam", obtained_on=date(2012, 5, 1))
    )
    MembershipFactory(user=jurors["bruno"], organisation=organisations["employer"], role=Role.TUTOR)
    codes = Block.objects.filter(version=composed.version).values_list("code", flat=True)
    with pytest.raises(DomainError, match="Bruno Morel ne peut pas siéger au jury VAE de MARTIN Léa"):
        do_decide(
            jurors["anne"],
            candidacy,
            blocks=dict.fromkeys(codes, True),
            argument="Le dossier établit chaque compétence.",
            votes_for=2,
            votes_against=0,
            abstentions=0,
        )


def test_a_member_linked_to_a_candidate_already_scheduled_is_refused(
    users, organisations, composed, submitted
):
    do_schedule(users["cpnefp"], composed, submitted(), interview_at=slot(9))
    vae_jury_role(users["tutor"], organisations)
    with pytest.raises(DomainError, match="ne peut pas siéger au jury VAE de MARTIN Léa") as refused:
        seat(users, composed, "tutor@test.example")
    assert "tuteur ou tutrice du candidat" in str(refused.value)
    assert "appartient à son organisme employeur (CAF de la Gironde)" in str(refused.value)
    assert composed.members.count() == 2


def test_a_linked_member_refuses_the_scheduling_of_that_candidate_only(
    users, organisations, composed, submitted
):
    vae_jury_role(users["employer_hr"], organisations)
    seat(users, composed, "employer_hr@test.example", sex="M")
    with pytest.raises(DomainError, match="appartient à son organisme employeur"):
        do_schedule(users["cpnefp"], composed, submitted(), interview_at=slot(9))
    assert do_schedule(users["cpnefp"], composed, submitted(other=True), interview_at=slot(9)).pk


def test_the_links_of_a_member_name_every_reason(users, organisations, submitted, own):
    application = submitted()
    manager = vae_jury_role(users["manager"], organisations)
    candidate = vae_jury_role(users["candidate"], organisations)
    assert links(VaeJuryMember(user=manager), application) == [
        "il ou elle est manager du candidat",
        "il ou elle appartient à son organisme employeur (CAF de la Gironde)",
    ]
    assert links(VaeJuryMember(user=candidate), application)[0] == "c'est le compte du candidat lui-même"
    assert links(VaeJuryMember(user=users["vae_jury"]), application) == []


# once the jury decides


def test_the_composition_is_fixed_once_the_jury_has_decided(users, composed, submitted, jurors):
    candidacy = do_schedule(
        users["cpnefp"], composed, submitted(prior_certification="tam_tam", obtained_on=date(2012, 5, 1))
    )
    codes = Block.objects.filter(version=composed.version).values_list("code", flat=True)
    do_decide(
        jurors["anne"],
        candidacy,
        blocks=dict.fromkeys(codes, True),
        argument="Le dossier établit chaque compétence.",
        votes_for=2,
        votes_against=0,
        abstentions=0,
    )
    with pytest.raises(DomainError, match="a déjà statué sur un candidat : sa composition ne change plus"):
        seat(users, composed, "chloe@test.example")
    with pytest.raises(DomainError, match="sa composition ne change plus"):
        do_remove_member(users["cpnefp"], composed.members.get(user=jurors["bruno"]))
    with pytest.raises(DomainError, match="a déjà statué sur ce candidat"):
        do_request_interview(jurors["bruno"], candidacy, "Trop tard.")
    assert composed.members.count() == 2
    later = do_schedule(users["cpnefp"], composed, submitted(other=True), interview_at=slot(11))
    assert later.session == composed
