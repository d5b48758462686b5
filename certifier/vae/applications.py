"""The only writers of VAE applications up to their admissibility (issue 11 §1, §2; D32, D33, D63): the
application created by the candidate or by their CRFP, its experience periods (livret 1), its filing once
the experience reaches three years in full-time equivalent, the national administrator's decision on its
admissibility. Every write is audited in its transaction; e-mails leave after commit."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes, readable, save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.pathways.models import Candidate, Enrolment
from certifier.pathways.rules import (
    birth_date_error,
    employee_number_error,
    identity_key,
    insee_code_error,
    name_error,
)
from certifier.pathways.services.enrolments import open_routes
from certifier.people.enums import OrganisationKind, Role
from certifier.people.models import Organisation, User
from certifier.people.permissions import has_role, organisation_ids
from certifier.people.services import appoint_by_email
from certifier.referential.enums import AccessRouteKind, Scheme
from certifier.referential.models import CertificationVersion

from .enums import ApplicationStatus, PriorCertification
from .models import ExperiencePeriod, VaeApplication
from .notifications import send_admissibility_notice, send_candidate_invitation
from .permissions import follows, may_decide_admissibility, may_file_for_others, require_edit
from .rules import Eligibility, eligibility

MAX_PERIODS = 50
CENT = Decimal("0.01")  # the rate's column keeps two decimals
ONCE_A_YEAR = (
    "Ce candidat a déjà déposé une demande de VAE cette année : une seule demande par année civile. "
    "Une nouvelle demande sera possible l'an prochain."
)
DRAFT_ONLY = "La demande est déposée : elle ne se modifie plus."


@dataclass(frozen=True)
class ApplicationData:
    """What an application says besides its candidate, parsed from a form."""

    version: CertificationVersion
    training_centre: Organisation
    funder: Organisation | None = None
    vae_leave: bool = False
    prior_certification: str = ""
    prior_certification_date: date | None = None


@dataclass(frozen=True)
class CandidateIdentity:
    """Who a CRFP files an application for: enough to find them, or to create them and invite their account."""

    birth_name: str
    first_name: str
    sex: str
    birth_date: date
    birth_insee_code: str
    email: str
    employer: Organisation
    employee_number: str


@dataclass(frozen=True)
class PeriodData:
    employer_name: str
    job: str
    start: date
    end: date
    rate: Decimal


# creating ------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_application(
    actor: Any,
    *,
    candidate: Candidate,
    version: CertificationVersion,
    training_centre: Organisation,
    funder: Organisation | None = None,
    vae_leave: bool = False,
    prior_certification: str = "",
    prior_certification_date: date | None = None,
) -> VaeApplication:
    """A draft application of `candidate`: by the candidate themself, by CRFP staff of `training_centre`
    on their behalf, or by the national administrator. One per candidate and calendar year (D33)."""
    data = ApplicationData(
        version, training_centre, funder, vae_leave, prior_certification, prior_certification_date
    )
    own = candidate.user_id is not None and candidate.user_id == getattr(actor, "pk", None)
    if not own and not (may_file_for_others(actor) and follows(actor, training_centre.pk)):
        raise NotAllowed(
            "Une demande de VAE est créée par le candidat lui-même, par le CRFP qui la suivra ou par "
            "l'administrateur national."
        )
    return _create(actor, candidate, data)


@transaction.atomic
def do_create_application_for(
    actor: Any, identity: CandidateIdentity, data: ApplicationData
) -> tuple[VaeApplication, list[str]]:
    """A CRFP (or the national administrator) files for a person: the candidate known under this identity,
    or a new candidate whose account is invited. Returns the application and the e-mails invited."""
    if not (may_file_for_others(actor) and follows(actor, data.training_centre.pk)):
        raise NotAllowed(
            "Seuls le CRFP qui suivra la demande et l'administrateur national déposent pour un candidat."
        )
    candidate = _candidate_for(actor, identity)
    invited = _open_account(actor, candidate, identity.email)
    return _create(actor, candidate, data), invited


def _create(actor: Any, candidate: Candidate, data: ApplicationData) -> VaeApplication:
    _check_application(data, candidate)
    year = timezone.localdate().year
    if VaeApplication.objects.filter(candidate=candidate, year=year).exists():
        raise DomainError(ONCE_A_YEAR)
    application = VaeApplication(
        candidate=candidate,
        year=year,
        created_by=actor,
        version=data.version,
        training_centre=data.training_centre,
        funder=data.funder,
        vae_leave=data.vae_leave,
        prior_certification=data.prior_certification,
        prior_certification_date=data.prior_certification_date,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # the same candidate's application created meanwhile
        raise DomainError(ONCE_A_YEAR) from None
    after = readable({"candidate": candidate.display_name, "year": year, **_values(data)})
    record_event(AuditAction.VAE_APPLICATION_CREATED, application, actor=actor, after=after)
    return application


def _values(data: ApplicationData) -> dict[str, Any]:
    return {
        "version": data.version,
        "training_centre": data.training_centre,
        "funder": data.funder,
        "vae_leave": data.vae_leave,
        "prior_certification": data.prior_certification,
        "prior_certification_date": data.prior_certification_date,
    }


def _check_application(data: ApplicationData, candidate: Candidate) -> None:
    version = data.version
    if version.scheme != Scheme.BLOCKS or AccessRouteKind.VAE not in open_routes(version.certification):
        raise DomainError(
            f"La VAE n'est pas une voie d'accès ouverte à « {version.label} » : choisissez une version en blocs "
            "de compétences ouverte à la VAE."
        )
    if data.training_centre.kind != OrganisationKind.TRAINING_CENTRE:
        raise DomainError("Le CRFP qui suit la demande doit être un CRFP.")
    if data.funder is not None and data.funder.pk != candidate.employer_id:
        # D25: the funder reads the outcome; no one else's employer may be named to read it
        raise DomainError(
            f"L'employeur qui finance la VAE est celui du candidat ({candidate.employer.name}) : "
            "laissez le champ vide si la démarche n'est pas financée par l'employeur."
        )
    if data.prior_certification and data.prior_certification not in PriorCertification.values:
        raise DomainError("Choisissez la certification antérieure dans la liste.")
    if data.prior_certification and data.prior_certification_date is None:
        raise DomainError("Indiquez la date d'obtention de la certification antérieure.")
    if not data.prior_certification and data.prior_certification_date is not None:
        raise DomainError("Une date d'obtention n'est indiquée qu'avec la certification antérieure obtenue.")
    if data.prior_certification_date is not None and data.prior_certification_date > timezone.localdate():
        raise DomainError(
            "La date d'obtention de la certification antérieure ne peut pas être dans le futur."
        )


def _candidate_for(actor: Any, identity: CandidateIdentity) -> Candidate:
    """The candidate of this identity, or a new one (their identity checked as at enrolment)."""
    key = identity_key(
        identity.birth_name, identity.first_name, identity.birth_date, identity.birth_insee_code
    )
    known = Candidate.objects.filter(identity_key=key).first()
    if known is not None:
        if not _followed_by(actor, known):
            raise NotAllowed(
                "Cette personne est déjà suivie par un autre CRFP : elle dépose elle-même sa demande depuis "
                "son compte, ou l'administrateur national la dépose pour elle."
            )
        return known
    _check_identity(identity)
    if Candidate.objects.filter(
        employer=identity.employer, employee_number=identity.employee_number
    ).exists():
        raise DomainError(
            f"Le matricule {identity.employee_number} chez {identity.employer.name} est celui d'une autre "
            "personne : vérifiez le matricule, le nom, le prénom et la naissance."
        )
    candidate = Candidate(
        birth_name=identity.birth_name,
        first_name=identity.first_name,
        sex=identity.sex,
        birth_date=identity.birth_date,
        birth_insee_code=identity.birth_insee_code,
        email=identity.email,
        employer=identity.employer,
        employee_number=identity.employee_number,
    )
    try:
        with transaction.atomic():
            save_attributed(candidate, actor, "Demande de VAE")
    except IntegrityError:  # the same person created meanwhile
        raise DomainError("Cette personne vient d'être enregistrée par ailleurs : recommencez.") from None
    return candidate


def _followed_by(actor: Any, candidate: Candidate) -> bool:
    """A known person is filed for by the national administrator, or by a CRFP that already follows
    them (an enrolment or a VAE application there): never by a CRFP that could then claim their record."""
    if has_role(actor, Role.NATIONAL_ADMIN):
        return True
    centres = organisation_ids(actor, Role.CRFP_STAFF)
    return (
        Enrolment.objects.filter(candidate=candidate, training_centre_id__in=centres).exists()
        or VaeApplication.objects.filter(candidate=candidate, training_centre_id__in=centres).exists()
    )


def _check_identity(identity: CandidateIdentity) -> None:
    if identity.employer.kind != OrganisationKind.EMPLOYER:
        raise DomainError("L'employeur du candidat doit être un organisme employeur.")
    for label, name in (("Le nom de naissance", identity.birth_name), ("Le prénom", identity.first_name)):
        if error := name_error(label, name):
            raise DomainError(error)
    for error in (
        birth_date_error(identity.birth_date, timezone.localdate()),
        insee_code_error(identity.birth_insee_code),
        employee_number_error(identity.employee_number),
    ):
        if error:
            raise DomainError(error)


def _open_account(actor: Any, candidate: Candidate, email: str) -> list[str]:
    """A candidate without an account gets one at `email`, invited to choose its password."""
    if candidate.user_id is not None:
        return []
    if not email:
        raise DomainError(
            "Indiquez le courriel du candidat : il lui ouvre son compte pour compléter sa demande."
        )
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            "Ce courriel est celui d'un compte existant : indiquez l'adresse du candidat, qui n'a pas encore de "
            "compte (un compte existant est rattaché au candidat par l'administrateur national)."
        )
    user, invited = appoint_by_email(
        actor, email, candidate.employer, Role.CANDIDATE, send_candidate_invitation
    )
    # the new account greets the person by the names of their identity
    user.first_name, user.last_name = candidate.first_name, candidate.usage_name or candidate.birth_name
    user.save(update_fields=["first_name", "last_name"])
    apply_changes(candidate, {"user": user}, actor, "Compte ouvert pour la demande de VAE")
    return [user.email] if invited else []


# changing the draft --------------------------------------------------------------------------------


def _lock(application: VaeApplication) -> None:
    """Lock the application's row and read it again: its status is the one every check sees."""
    VaeApplication.objects.select_for_update().filter(pk=application.pk).values_list("pk").get()
    application.refresh_from_db()


def _require_draft(actor: Any, application: VaeApplication) -> None:
    require_edit(actor, application)
    _lock(application)
    if application.status != ApplicationStatus.DRAFT:
        raise DomainError(DRAFT_ONLY)


@transaction.atomic
def do_update_application(actor: Any, application: VaeApplication, data: ApplicationData) -> VaeApplication:
    """Change the funder, the VAE leave or the prior certification of a draft; the version and the CRFP
    stay the ones chosen at creation."""
    _require_draft(actor, application)
    if (data.version.pk, data.training_centre.pk) != (application.version_id, application.training_centre_id):
        raise DomainError("La certification visée et le CRFP se choisissent à la création de la demande.")
    _check_application(data, application.candidate)
    values = _values(data)
    del values["version"], values["training_centre"]
    before, after = apply_changes(application, values, actor)
    if after:
        record_event(
            AuditAction.VAE_APPLICATION_UPDATED, application, actor=actor, before=before, after=after
        )
    return application


def _check_period(data: PeriodData) -> None:
    if not data.employer_name.strip():
        raise DomainError("Indiquez l'employeur de la période.")
    if not data.job.strip():
        raise DomainError("Indiquez l'emploi occupé pendant la période.")
    if data.end < data.start:
        raise DomainError("La fin de la période ne peut pas précéder son début.")
    if data.end > timezone.localdate():
        raise DomainError(
            "La fin de la période ne peut pas être dans le futur : déclarez l'expérience acquise."
        )
    if not 0 < data.rate <= 100:
        raise DomainError("La quotité de travail est comprise entre 0 (exclu) et 100 %.")


def _period_values(data: PeriodData) -> dict[str, Any]:
    return {
        "employer_name": data.employer_name.strip(),
        "job": data.job.strip(),
        "start": data.start,
        "end": data.end,
        "rate": data.rate.quantize(CENT),
    }


def _described(period: ExperiencePeriod) -> dict[str, Any]:
    return {
        "period": period.pk,
        "employer_name": period.employer_name,
        "job": period.job,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "rate": str(period.rate),
    }


@transaction.atomic
def do_add_period(
    actor: Any,
    application: VaeApplication,
    *,
    employer_name: str,
    job: str,
    start: date,
    end: date,
    rate: Decimal,
) -> ExperiencePeriod:
    """D63: one more period of experience in the livret 1 of a draft."""
    data = PeriodData(employer_name, job, start, end, rate)
    _require_draft(actor, application)
    _check_period(data)
    if application.periods.count() >= MAX_PERIODS:
        raise DomainError(f"Une demande compte au plus {MAX_PERIODS} périodes : regroupez les plus courtes.")
    period = ExperiencePeriod.objects.create(application=application, **_period_values(data))
    record_event(AuditAction.VAE_EXPERIENCE_CHANGED, application, actor=actor, after=_described(period))
    return period


@transaction.atomic
def do_change_period(
    actor: Any,
    period: ExperiencePeriod,
    *,
    employer_name: str,
    job: str,
    start: date,
    end: date,
    rate: Decimal,
) -> ExperiencePeriod:
    data = PeriodData(employer_name, job, start, end, rate)
    _require_draft(actor, period.application)
    _check_period(data)
    before = _described(period)
    for name, value in _period_values(data).items():
        setattr(period, name, value)
    period.save()
    after = _described(period)
    if after != before:
        record_event(
            AuditAction.VAE_EXPERIENCE_CHANGED, period.application, actor=actor, before=before, after=after
        )
    return period


@transaction.atomic
def do_remove_period(actor: Any, period: ExperiencePeriod) -> None:
    application = period.application
    _require_draft(actor, application)
    before = _described(period)
    period.delete()
    record_event(AuditAction.VAE_EXPERIENCE_CHANGED, application, actor=actor, before=before)


# filing and admissibility --------------------------------------------------------------------------


def eligibility_of(application: VaeApplication, reference: date | None = None) -> Eligibility:
    """D32: the application's experience at `reference`: its filing date once filed, today while drafted."""
    if reference is None:
        filed = application.filed_at
        reference = timezone.localdate(filed) if filed is not None else timezone.localdate()
    periods = [(period.start, period.end, period.rate) for period in application.periods.all()]
    return eligibility(periods, reference)


@transaction.atomic
def do_file_application(actor: Any, application: VaeApplication) -> VaeApplication:
    """D63: the draft goes to the national administrator once the experience reaches three years in
    full-time equivalent over the eight years before today."""
    _require_draft(actor, application)
    today = timezone.localdate()
    result = eligibility_of(application, today)
    if not result.eligible:
        raise DomainError(f"La demande ne peut pas être déposée : {result.text}.")
    application.status = ApplicationStatus.FILED
    application.filed_at = timezone.now()
    application.save(update_fields=["status", "filed_at"])
    after = {"status": application.status, "fte_days": str(result.fte_days), "eligibility": result.text}
    record_event(
        AuditAction.VAE_APPLICATION_FILED,
        application,
        actor=actor,
        before={"status": ApplicationStatus.DRAFT},
        after=after,
    )
    return application


@transaction.atomic
def do_decide_admissibility(
    actor: Any, application: VaeApplication, *, admissible: bool, reason: str
) -> VaeApplication:
    """D63: the national administrator declares a filed application admissible or not, with a reason; the
    candidate is told by e-mail."""
    if not may_decide_admissibility(actor):
        raise NotAllowed("Seul l'administrateur national décide de la recevabilité d'une demande de VAE.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Motivez la décision de recevabilité : le motif est communiqué au candidat.")
    _lock(application)
    if application.status != ApplicationStatus.FILED:
        raise DomainError("Seule une demande déposée, en attente de recevabilité, reçoit cette décision.")
    application.status = ApplicationStatus.ADMISSIBLE if admissible else ApplicationStatus.INADMISSIBLE
    application.admissible = admissible
    application.admissibility_reason = reason
    application.admissibility_decided_by = actor
    application.admissibility_decided_at = timezone.now()
    application.save(
        update_fields=[
            "status",
            "admissible",
            "admissibility_reason",
            "admissibility_decided_by",
            "admissibility_decided_at",
        ]
    )
    after = {"status": application.status, "admissible": admissible, "reason": reason}
    record_event(
        AuditAction.VAE_ADMISSIBILITY_DECIDED,
        application,
        actor=actor,
        before={"status": ApplicationStatus.FILED},
        after=after,
    )
    pk = application.pk
    transaction.on_commit(lambda: send_admissibility_notice(pk), robust=True)
    return application
