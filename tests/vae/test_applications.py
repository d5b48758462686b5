"""Issue 11 §1, §2; D32, D33, D63: the services of a VAE application up to its admissibility — who acts, one
application a year, the livret 1 while drafted, the filing refused short of three years FTE, the reasoned
admissibility, and refused writes leave nothing behind."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.pathways.models import Candidate
from certifier.people.enums import Role
from certifier.referential.models import AccessRoute
from certifier.vae.applications import (
    MAX_PERIODS,
    ApplicationData,
    CandidateIdentity,
    do_add_period,
    do_change_period,
    do_create_application,
    do_create_application_for,
    do_decide_admissibility,
    do_file_application,
    do_remove_period,
    do_update_application,
)
from certifier.vae.enums import ApplicationStatus, PriorCertification
from certifier.vae.models import ExperiencePeriod, VaeApplication

pytestmark = pytest.mark.django_db


def create(actor, candidate, organisations, version, **overrides):
    values = {"candidate": candidate, "version": version, "training_centre": organisations["crfp"]}
    return do_create_application(actor, **(values | overrides))


def identity(organisations, **overrides) -> CandidateIdentity:
    values = {
        "birth_name": "Nguyen",
        "first_name": "Thi",
        "sex": "F",
        "birth_date": date(1985, 6, 2),
        "birth_insee_code": "33063",
        "email": "thi.nguyen@test.example",
        "employer": organisations["employer"],
        "employee_number": "V2001",
    }
    return CandidateIdentity(**(values | overrides))


def period(actor, application, **overrides):
    today = timezone.localdate()
    values = {
        "employer_name": "CAF",
        "job": "Technicienne",
        "start": today - timedelta(days=100),
        "end": today,
        "rate": Decimal(100),
    }
    return do_add_period(actor, application, **(values | overrides))


# creating


def test_the_candidate_creates_their_own_application_for_this_year_and_it_is_audited(
    users, organisations, vae_version, vae_candidate
):
    application = create(users["candidate"], vae_candidate, organisations, vae_version)
    assert (application.status, application.year, application.created_by) == (
        ApplicationStatus.DRAFT,
        timezone.localdate().year,
        users["candidate"],
    )
    event = AuditEvent.objects.get(action=AuditAction.VAE_APPLICATION_CREATED)
    assert (event.actor, event.object_id) == (users["candidate"], str(application.pk))


@pytest.mark.parametrize("persona", ["crfp_staff", "national_admin"])
def test_the_crfp_and_the_admin_create_on_the_candidates_behalf(
    users, organisations, vae_version, vae_candidate, persona
):
    assert create(users[persona], vae_candidate, organisations, vae_version).candidate == vae_candidate


@pytest.mark.parametrize("persona", ["employer_hr", "tutor", "cpnefp", "vae_jury", "outsider"])
def test_others_may_not_create_an_application(users, organisations, vae_version, vae_candidate, persona):
    with pytest.raises(NotAllowed):
        create(users[persona], vae_candidate, organisations, vae_version)
    assert not VaeApplication.objects.exists()


def test_a_crfp_may_not_file_at_another_crfp(users, organisations, vae_version, vae_candidate):
    with pytest.raises(NotAllowed):
        create(
            users["crfp_staff"],
            vae_candidate,
            organisations,
            vae_version,
            training_centre=organisations["other_crfp"],
        )


def test_a_candidate_may_not_file_for_someone_else(users, organisations, vae_version, enrolments):
    with pytest.raises(NotAllowed):
        create(users["candidate"], enrolments["foreign"].candidate, organisations, vae_version)


def test_one_application_per_candidate_and_calendar_year(
    users, organisations, vae_version, draft_application
):
    """D33, even once the first one is declared inadmissible."""
    with pytest.raises(DomainError, match="une seule demande par année civile"):
        create(users["crfp_staff"], draft_application.candidate, organisations, vae_version)
    assert VaeApplication.objects.count() == 1


def test_the_database_refuses_a_second_application_the_same_year(users, vae_candidate, draft_application):
    """The unique constraint guards the race the check cannot see."""
    with pytest.raises(IntegrityError), transaction.atomic():
        VaeApplication.objects.create(
            candidate=vae_candidate,
            version=draft_application.version,
            year=draft_application.year,
            training_centre=draft_application.training_centre,
            created_by=users["candidate"],
        )


def test_an_application_created_meanwhile_is_refused_with_the_same_message(
    users, organisations, vae_version, draft_application, monkeypatch
):
    """A race: the check saw no application, the unique constraint refuses the second one."""
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(DomainError, match="une seule demande par année civile"):
        create(users["candidate"], draft_application.candidate, organisations, vae_version)
    monkeypatch.undo()
    assert VaeApplication.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.VAE_APPLICATION_CREATED).count() == 1


def test_an_application_of_last_year_does_not_prevent_this_years(
    users, organisations, vae_version, draft_application
):
    VaeApplication.objects.filter(pk=draft_application.pk).update(year=draft_application.year - 1)
    assert create(users["candidate"], draft_application.candidate, organisations, vae_version).pk


def test_vae_must_be_an_open_access_route_of_the_certification(
    users, organisations, vae_version, vae_candidate
):
    AccessRoute.objects.filter(certification=vae_version.certification, kind="vae").update(is_open=False)
    with pytest.raises(DomainError, match="La VAE n'est pas une voie d'accès ouverte"):
        create(users["candidate"], vae_candidate, organisations, vae_version)


@pytest.mark.parametrize("funder", ["other_crfp", "other_employer"])
def test_the_funder_is_the_candidates_employer(users, organisations, vae_version, vae_candidate, funder):
    with pytest.raises(
        DomainError, match=r"L'employeur qui finance la VAE est celui du candidat \(CAF de la Gironde\)"
    ):
        create(users["candidate"], vae_candidate, organisations, vae_version, funder=organisations[funder])
    assert not VaeApplication.objects.exists()


def test_a_prior_certification_needs_its_date_and_a_date_needs_it(
    users, organisations, vae_version, vae_candidate
):
    with pytest.raises(DomainError, match="date d'obtention"):
        create(
            users["candidate"],
            vae_candidate,
            organisations,
            vae_version,
            prior_certification=PriorCertification.TAM_TAM,
        )
    with pytest.raises(DomainError, match="qu'avec la certification antérieure"):
        create(
            users["candidate"],
            vae_candidate,
            organisations,
            vae_version,
            prior_certification_date=date(2010, 5, 1),
        )
    application = create(
        users["candidate"],
        vae_candidate,
        organisations,
        vae_version,
        prior_certification=PriorCertification.TAM_TAM,
        prior_certification_date=date(2010, 5, 1),
    )
    assert application.prior_certification == PriorCertification.TAM_TAM


# the CRFP files for a person


def test_the_crfp_files_for_a_new_person_whose_account_is_invited(
    users, organisations, vae_version, django_capture_on_commit_callbacks
):
    data = ApplicationData(vae_version, organisations["crfp"])
    with django_capture_on_commit_callbacks(execute=True):
        application, invited = do_create_application_for(users["crfp_staff"], identity(organisations), data)
    candidate = application.candidate
    assert invited == ["thi.nguyen@test.example"]
    assert candidate.user.email == "thi.nguyen@test.example"
    assert (candidate.user.first_name, candidate.user.last_name) == ("Thi", "Nguyen")
    assert candidate.user.memberships.filter(
        role=Role.CANDIDATE, organisation=organisations["employer"]
    ).exists()
    assert [message.to for message in mail.outbox] == [["thi.nguyen@test.example"]]
    assert "demande de validation des acquis" in mail.outbox[0].body


def test_the_crfp_finds_a_known_person_by_their_identity(users, organisations, vae_version, vae_candidate):
    known = identity(
        organisations,
        birth_name="MARTIN",
        first_name="lea",
        birth_date=vae_candidate.birth_date,
        birth_insee_code=vae_candidate.birth_insee_code,
        employee_number="other",
    )
    data = ApplicationData(vae_version, organisations["crfp"])
    application, invited = do_create_application_for(users["crfp_staff"], known, data)
    assert (application.candidate, invited) == (vae_candidate, [])
    assert Candidate.objects.count() == 2


def the_identity_of(candidate, organisations, **overrides) -> CandidateIdentity:
    return identity(
        organisations,
        birth_name=candidate.birth_name,
        first_name=candidate.first_name,
        birth_date=candidate.birth_date,
        birth_insee_code=candidate.birth_insee_code,
        **overrides,
    )


def test_a_crfp_may_not_file_for_a_person_another_crfp_follows_nor_claim_their_record(
    users, organisations, vae_version, enrolments
):
    foreign = enrolments["foreign"].candidate
    data = ApplicationData(vae_version, organisations["crfp"])
    claim = the_identity_of(foreign, organisations, email=users["crfp_staff"].email)
    with pytest.raises(NotAllowed, match="déjà suivie par un autre CRFP"):
        do_create_application_for(users["crfp_staff"], claim, data)
    foreign.refresh_from_db()
    assert foreign.user is None and not VaeApplication.objects.exists()
    assert not users["crfp_staff"].memberships.filter(role=Role.CANDIDATE).exists()


def test_the_national_administrator_files_for_a_person_any_crfp_follows(
    users, organisations, vae_version, enrolments
):
    foreign = enrolments["foreign"].candidate
    data = ApplicationData(vae_version, organisations["crfp"])
    application, invited = do_create_application_for(
        users["national_admin"],
        the_identity_of(foreign, organisations, email="paul.durand@test.example"),
        data,
    )
    assert application.candidate == foreign and invited == ["paul.durand@test.example"]


def test_a_new_persons_account_is_never_an_existing_account(users, organisations, vae_version):
    data = ApplicationData(vae_version, organisations["crfp"])
    for email in (users["crfp_staff"].email, users["employer_hr"].email.upper()):
        with pytest.raises(DomainError, match="celui d'un compte existant"):
            do_create_application_for(users["crfp_staff"], identity(organisations, email=email), data)
    assert not Candidate.objects.filter(birth_name="Nguyen").exists()


def test_the_employee_number_of_another_person_is_refused(users, organisations, vae_version, vae_candidate):
    data = ApplicationData(vae_version, organisations["crfp"])
    clash = identity(organisations, employee_number=vae_candidate.employee_number)
    with pytest.raises(DomainError, match="celui d'une autre personne"):
        do_create_application_for(users["crfp_staff"], clash, data)
    assert not Candidate.objects.filter(birth_name="Nguyen").exists()


def test_an_implausible_identity_is_refused(users, organisations, vae_version):
    data = ApplicationData(vae_version, organisations["crfp"])
    with pytest.raises(DomainError):
        do_create_application_for(
            users["crfp_staff"], identity(organisations, birth_insee_code="ABCDE"), data
        )
    assert not Candidate.objects.filter(birth_name="Nguyen").exists()


def test_the_candidate_may_not_use_the_identity_form(users, organisations, vae_version):
    with pytest.raises(NotAllowed):
        do_create_application_for(
            users["candidate"], identity(organisations), ApplicationData(vae_version, organisations["crfp"])
        )


# the draft


def test_the_draft_details_change_and_the_change_is_audited(users, organisations, draft_application):
    data = ApplicationData(draft_application.version, draft_application.training_centre, None, True)
    do_update_application(users["crfp_staff"], draft_application, data)
    draft_application.refresh_from_db()
    assert (draft_application.funder, draft_application.vae_leave) == (None, True)
    event = AuditEvent.objects.get(action=AuditAction.VAE_APPLICATION_UPDATED)
    assert event.after == {"funder": None, "vae_leave": True}


def test_the_version_and_crfp_stay_those_chosen_at_creation(users, organisations, draft_application):
    data = ApplicationData(draft_application.version, organisations["other_crfp"])
    with pytest.raises(DomainError, match="se choisissent à la création"):
        do_update_application(users["national_admin"], draft_application, data)


def test_a_period_is_added_changed_and_removed_each_audited(users, draft_application):
    added = period(users["candidate"], draft_application, rate=Decimal("80.5"))
    do_change_period(
        users["crfp_staff"],
        added,
        employer_name="CAF",
        job="Gestionnaire",
        start=added.start,
        end=added.end,
        rate=Decimal(60),
    )
    do_remove_period(users["candidate"], added)
    events = AuditEvent.objects.filter(
        action=AuditAction.VAE_EXPERIENCE_CHANGED, object_id=str(draft_application.pk)
    )
    # the fixture's two periods, then added, changed, removed
    assert events.count() == 5
    changed = events.order_by("pk")[3]
    assert (changed.before["rate"], changed.after["rate"], changed.after["job"]) == (
        "80.50",
        "60.00",
        "Gestionnaire",
    )
    assert not ExperiencePeriod.objects.filter(pk=added.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": date(2024, 5, 2), "end": date(2024, 5, 1)}, "précéder son début"),
        ({"end": date.today() + timedelta(days=400)}, "dans le futur"),
        ({"rate": Decimal(0)}, "quotité"),
        ({"rate": Decimal("100.01")}, "quotité"),
        ({"job": "  "}, "emploi occupé"),
    ],
)
def test_an_invalid_period_is_refused_and_nothing_is_written(users, draft_application, overrides, message):
    before = draft_application.periods.count()
    with pytest.raises(DomainError, match=message):
        period(users["candidate"], draft_application, **overrides)
    assert draft_application.periods.count() == before


def test_at_most_fifty_periods(users, draft_application):
    for _ in range(MAX_PERIODS - draft_application.periods.count()):
        period(users["candidate"], draft_application)
    with pytest.raises(DomainError, match="au plus 50 périodes"):
        period(users["candidate"], draft_application)


@pytest.mark.parametrize("persona", ["employer_hr", "cpnefp", "vae_jury", "tutor"])
def test_only_the_candidate_their_crfp_and_the_admin_change_the_livret(users, draft_application, persona):
    with pytest.raises(NotAllowed):
        period(users[persona], draft_application)
    with pytest.raises(NotAllowed):
        do_remove_period(users[persona], draft_application.periods.first())


def test_another_crfp_may_not_change_the_livret(users, organisations, draft_application):
    draft_application.training_centre = organisations["other_crfp"]
    draft_application.save()
    with pytest.raises(NotAllowed):
        period(users["crfp_staff"], draft_application)


# filing


def test_filing_moves_the_draft_on_with_its_date_and_is_audited(users, draft_application):
    filed = do_file_application(users["candidate"], draft_application)
    assert filed.status == ApplicationStatus.FILED
    assert filed.filed_at is not None
    event = AuditEvent.objects.get(action=AuditAction.VAE_APPLICATION_FILED)
    assert event.after["fte_days"] == "1825"


def test_filing_is_refused_with_the_eligibility_sentence_when_short(
    users, organisations, vae_version, vae_candidate
):
    application = create(users["candidate"], vae_candidate, organisations, vae_version)
    today = timezone.localdate()
    period(users["candidate"], application, start=today - timedelta(days=4 * 365 - 1), rate=Decimal(50))
    with pytest.raises(
        DomainError, match="2 ans en équivalent temps plein sur les 8 dernières années ; il en faut 3"
    ):
        do_file_application(users["candidate"], application)
    application.refresh_from_db()
    assert (application.status, application.filed_at) == (ApplicationStatus.DRAFT, None)
    assert not AuditEvent.objects.filter(action=AuditAction.VAE_APPLICATION_FILED).exists()


def test_experience_older_than_eight_years_does_not_count(users, organisations, vae_version, vae_candidate):
    application = create(users["candidate"], vae_candidate, organisations, vae_version)
    period(
        users["candidate"],
        application,
        start=date(2000, 1, 1),
        end=timezone.localdate() - timedelta(days=8 * 366),
    )
    with pytest.raises(DomainError, match="0 an "):
        do_file_application(users["candidate"], application)


def test_a_filed_application_is_no_longer_changed(users, filed_application):
    with pytest.raises(DomainError, match="ne se modifie plus"):
        period(users["candidate"], filed_application)
    with pytest.raises(DomainError, match="ne se modifie plus"):
        do_remove_period(users["candidate"], filed_application.periods.first())
    with pytest.raises(DomainError, match="ne se modifie plus"):
        do_file_application(users["candidate"], filed_application)


# admissibility


def test_the_admin_declares_admissible_with_a_reason_audited_and_mailed(
    users, filed_application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decided = do_decide_admissibility(
            users["national_admin"], filed_application, admissible=True, reason="  Cinq ans dans l'emploi.  "
        )
    assert (
        decided.status,
        decided.admissible,
        decided.admissibility_reason,
        decided.admissibility_decided_by,
    ) == (
        ApplicationStatus.ADMISSIBLE,
        True,
        "Cinq ans dans l'emploi.",
        users["national_admin"],
    )
    event = AuditEvent.objects.get(action=AuditAction.VAE_ADMISSIBILITY_DECIDED)
    assert (event.before, event.after["status"]) == ({"status": "filed"}, "admissible")
    assert [message.to for message in mail.outbox] == [[users["candidate"].email]]
    assert mail.outbox[0].subject == "Votre demande de VAE est recevable"


def test_the_admin_declares_inadmissible(users, filed_application):
    decided = do_decide_admissibility(
        users["national_admin"],
        filed_application,
        admissible=False,
        reason="Emplois sans rapport avec le CQP.",
    )
    assert (decided.status, decided.admissible) == (ApplicationStatus.INADMISSIBLE, False)


def test_admissibility_needs_a_reason(users, filed_application):
    with pytest.raises(DomainError, match="Motivez"):
        do_decide_admissibility(users["national_admin"], filed_application, admissible=True, reason="   ")
    filed_application.refresh_from_db()
    assert filed_application.status == ApplicationStatus.FILED


@pytest.mark.parametrize("persona", ["cpnefp", "crfp_staff", "candidate", "vae_jury"])
def test_only_the_admin_decides_admissibility(users, filed_application, persona):
    with pytest.raises(NotAllowed):
        do_decide_admissibility(users[persona], filed_application, admissible=True, reason="Oui.")


def test_admissibility_is_decided_once_and_only_on_a_filed_application(users, draft_application):
    with pytest.raises(DomainError, match="Seule une demande déposée"):
        do_decide_admissibility(users["national_admin"], draft_application, admissible=True, reason="Oui.")
    do_file_application(users["candidate"], draft_application)
    do_decide_admissibility(users["national_admin"], draft_application, admissible=True, reason="Oui.")
    with pytest.raises(DomainError, match="Seule une demande déposée"):
        do_decide_admissibility(users["national_admin"], draft_application, admissible=False, reason="Non.")


def test_the_fixtures_give_an_admissible_application(admissible_application):
    assert admissible_application.status == ApplicationStatus.ADMISSIBLE
