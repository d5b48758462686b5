"""The VAE jury (D65, D66): the sessions the CPNEFP appoints, their members, the candidacies scheduled
before them with an interview slot or on the dossier alone, and the interviews the jury asks for.
Every change is audited; the composition is fixed once the jury has decided, the schedule once its
minutes are signed."""

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.pathways.enums import Sex
from certifier.pathways.models import Enrolment
from certifier.people.enums import OrganisationKind, Role
from certifier.people.models import Membership
from certifier.people.permissions import get_visible_or_404, has_role
from certifier.referential.enums import AccessRouteKind, Scheme
from certifier.referential.models import CertificationVersion

from .enums import ApplicationStatus, PriorCertification
from .models import VaeApplication, VaeCandidacy, VaeJuryMember, VaeJurySession

# D35, D66: holders of a prior certification obtained from June 2009 to December 2013 inclusive
DOSSIER_ONLY_FROM = date(2009, 6, 1)
DOSSIER_ONLY_TO = date(2013, 12, 31)
PLACE_MAX = 200
CAPACITY_MAX = 200
REASON_MAX = 2000
IMBALANCED = "composition déséquilibrée entre femmes et hommes"
CPNEFP_ONLY = "Seule la CPNEFP désigne le jury VAE et inscrit les candidats devant lui."


def _locked(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`select_for_update` of the queryset's own rows (PostgreSQL refuses FOR UPDATE across an outer join)."""
    if connection.features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def may_appoint(user: Any) -> bool:
    """D22, D65: the CPNEFP appoints the VAE jury and schedules its candidates."""
    return has_role(user, Role.CPNEFP)


def vae_versions() -> QuerySet[CertificationVersion]:
    """The versions a VAE jury can sit for: blocks schemes whose certification opens the VAE route."""
    return (
        CertificationVersion.objects.filter(
            scheme=Scheme.BLOCKS,
            certification__access_routes__kind=AccessRouteKind.VAE,
            certification__access_routes__is_open=True,
        )
        .select_related("certification")
        .order_by("certification__number", "valid_from", "pk")
    )


def sessions_visible_to(user: Any) -> QuerySet[VaeJurySession]:
    """The CPNEFP and the national administrator every session; a VAE jury member the sessions they sit in."""
    sessions = VaeJurySession.objects.select_related("version__certification")
    if has_role(user, Role.CPNEFP, Role.NATIONAL_ADMIN):
        return sessions.all()
    if has_role(user, Role.VAE_JURY):
        # a subquery rather than a join: counting the members of the sessions stays right
        return sessions.filter(pk__in=VaeJuryMember.objects.filter(user=user).values("session_id"))
    return sessions.none()


def get_session_or_404(user: Any, pk: int) -> VaeJurySession:
    return get_visible_or_404(sessions_visible_to(user), pk=pk)


def has_decision(session: VaeJurySession) -> bool:
    return session.candidacies.filter(decision__isnull=False).exists()


def is_signed(session: VaeJurySession) -> bool:
    return hasattr(session, "minutes")


def dossier_only_route(prior_certification: str, obtained_on: date | None) -> bool:
    """D35, D66: a holder of Tam Tam, Vadémécaf, Oméga+, Sm'pro or Startech obtained between June 2009 and
    December 2013 (both months included) is decided on the dossier alone."""
    return (
        prior_certification in PriorCertification.values
        and obtained_on is not None
        and DOSSIER_ONLY_FROM <= obtained_on <= DOSSIER_ONLY_TO
    )


# the composition (D65)


def composition_problems(session: VaeJurySession) -> list[str]:
    """D65: why this jury cannot sit, in French; empty when it can."""
    members = list(session.members.all())
    problems = []
    if len(members) < 2:
        problems.append(f"Le jury VAE compte au moins deux membres ; il en compte {len(members)}.")
    if not any(member.qualified for member in members):
        problems.append("Au moins un membre du jury VAE est qualifié pour la certification.")
    if not any(member.president for member in members):
        problems.append(
            "Le jury VAE n'a pas de président (voix prépondérante) : désignez-le parmi ses membres."
        )
    return problems


def composition_warnings(session: VaeJurySession) -> list[str]:
    """D65 « balanced between women and men where possible »: a warning, never a refusal."""
    sexes = {member.sex for member in session.members.all()}
    if len(sexes) != 1:
        return []
    who = "des femmes" if sexes == {Sex.FEMALE} else "des hommes"
    return [f"Tous les membres sont {who} : {IMBALANCED}. Rééquilibrez-la si possible."]


def links(member: VaeJuryMember, application: VaeApplication) -> list[str]:
    """D65 « no member linked to the candidate or who accompanied them »: the reasons why this member is
    linked to the application's candidate, in French; empty when they are not."""
    user_id = member.user_id
    if user_id is None:
        return []
    candidate = application.candidate
    reasons = []
    if candidate.user_id == user_id:
        reasons.append("c'est le compte du candidat lui-même")
    if application.accompanier_id == user_id or _accompanied(user_id, application):
        reasons.append("il ou elle accompagne ou a accompagné le candidat dans sa démarche de VAE")
    roles = set()
    for tutor_id, manager_id in Enrolment.objects.filter(candidate=candidate).values_list(
        "tutor_id", "manager_id"
    ):
        if tutor_id == user_id:
            roles.add("tuteur ou tutrice")
        if manager_id == user_id:
            roles.add("manager")
    reasons.extend(f"il ou elle est {role} du candidat" for role in sorted(roles))
    if Membership.objects.filter(user_id=user_id, organisation_id=candidate.employer_id).exists():
        reasons.append(f"il ou elle appartient à son organisme employeur ({candidate.employer.name})")
    if Membership.objects.filter(user_id=user_id, organisation_id=application.training_centre_id).exists():
        reasons.append("il ou elle appartient au CRFP qui suit sa demande")
    return reasons


def _accompanied(user_id: int, application: VaeApplication) -> bool:
    """An accompanier named then removed still accompanied the candidate: the audit keeps every naming."""
    return AuditEvent.objects.filter(
        action=AuditAction.VAE_ACCOMPANIER_NAMED,
        object_type=VaeApplication._meta.label,
        object_id=str(application.pk),
        after__accompanier=user_id,
    ).exists()


def link_refusals(session: VaeJurySession, application: VaeApplication) -> list[str]:
    """D65: why members of the session may not sit for this application's candidate; empty when none is
    linked to them."""
    return [refusal for member in session.members.all() if (refusal := _link_refusal(member, application))]


def _link_refusal(member: VaeJuryMember, application: VaeApplication) -> str | None:
    reasons = links(member, application)
    if not reasons:
        return None
    return (
        f"{member.first_name} {member.last_name} ne peut pas siéger au jury VAE de "
        f"{application.candidate.display_name} : {' ; '.join(reasons)}."
    )


def session_snapshot(session: VaeJurySession) -> dict[str, Any]:
    return {
        "version": session.version_id,
        "held_on": session.held_on.isoformat(),
        "place": session.place,
        "members": [
            {
                "user": member.user_id,
                "name": f"{member.first_name} {member.last_name}",
                "sex": member.sex,
                "capacity": member.capacity,
                "qualified": member.qualified,
                "president": member.president,
            }
            for member in session.members.order_by("pk")
        ],
    }


def _refuse_unless_composable(actor: Any, session: VaeJurySession) -> VaeJurySession:
    """The CPNEFP changes the members until the jury decides or signs; returns the session locked."""
    if not may_appoint(actor):
        raise NotAllowed(CPNEFP_ONLY)
    session = _locked(VaeJurySession.objects.filter(pk=session.pk)).get()
    if is_signed(session):
        raise DomainError("Le procès-verbal de ce jury VAE est signé : sa composition ne change plus.")
    if has_decision(session):
        raise DomainError("Ce jury VAE a déjà statué sur un candidat : sa composition ne change plus.")
    return session


@transaction.atomic
def do_appoint_session(
    actor: Any, *, version: CertificationVersion, held_on: date, place: str
) -> VaeJurySession:
    """D22, D65: the CPNEFP appoints a VAE jury session for a certification version, on a date to come."""
    if not may_appoint(actor):
        raise NotAllowed(CPNEFP_ONLY)
    if not vae_versions().filter(pk=version.pk).exists():
        raise DomainError(f"La VAE n'est pas ouverte pour « {version} » : aucun jury VAE n'y siège.")
    place = _clean(place)
    if not place:
        raise DomainError("Indiquez le lieu de la séance.")
    if len(place) > PLACE_MAX:
        raise DomainError(f"Le lieu compte {len(place)} caractères ; {PLACE_MAX} au plus.")
    if held_on < timezone.localdate():
        raise DomainError("La date de la séance est passée : choisissez aujourd'hui ou une date à venir.")
    session = VaeJurySession.objects.create(version=version, held_on=held_on, place=place, appointed_by=actor)
    record_event(AuditAction.VAE_JURY_APPOINTED, session, actor=actor, after=session_snapshot(session))
    return session


@transaction.atomic
def do_add_member(
    actor: Any,
    session: VaeJurySession,
    *,
    email: str,
    capacity: str,
    qualified: bool,
    sex: str,
    president: bool = False,
) -> VaeJuryMember:
    """D65: the CPNEFP seats a holder of the VAE jury role; their name is copied from the account so the
    minutes keep it. Refused when the member is linked to a candidate already scheduled."""
    session = _refuse_unless_composable(actor, session)
    email = _clean(email).lower()
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if (
        user is None
        or not user.memberships.filter(
            role=Role.VAE_JURY, organisation__kind=OrganisationKind.CPNEFP
        ).exists()
    ):
        raise DomainError(
            f"Aucun compte {email or '(adresse vide)'} ne détient le rôle « {Role.VAE_JURY.label} »."
        )
    if not (user.last_name and user.first_name):
        raise DomainError(f"Le compte {email} n'indique pas les nom et prénom que portera le procès-verbal.")
    capacity = _clean(capacity)
    if not capacity:
        raise DomainError("Indiquez la qualité du membre.")
    if len(capacity) > CAPACITY_MAX:
        raise DomainError(f"La qualité compte {len(capacity)} caractères ; {CAPACITY_MAX} au plus.")
    if sex not in Sex.values:
        raise DomainError("Indiquez le sexe du membre (équilibre entre femmes et hommes, D65).")
    if session.members.filter(user=user).exists():
        raise DomainError(f"{user.first_name} {user.last_name} siège déjà à ce jury VAE.")
    if president and session.members.filter(president=True).exists():
        raise DomainError("Ce jury VAE a déjà son président.")
    before = session_snapshot(session)
    member = VaeJuryMember(
        session=session,
        user=user,
        last_name=user.last_name,
        first_name=user.first_name,
        sex=sex,
        capacity=capacity,
        qualified=qualified,
        president=president,
    )
    for candidacy in session.candidacies.select_related("application__candidate__employer"):
        refusal = _link_refusal(member, candidacy.application)
        if refusal:
            raise DomainError(refusal)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise DomainError(
            "Ce jury VAE a déjà son président." if president else f"{member} siège déjà à ce jury VAE."
        ) from error
    record_event(
        AuditAction.VAE_JURY_CHANGED, session, actor=actor, before=before, after=session_snapshot(session)
    )
    return member


@transaction.atomic
def do_remove_member(actor: Any, member: VaeJuryMember) -> None:
    session = _refuse_unless_composable(actor, member.session)
    before = session_snapshot(session)
    VaeJuryMember.objects.filter(pk=member.pk, session=session).delete()
    record_event(
        AuditAction.VAE_JURY_CHANGED, session, actor=actor, before=before, after=session_snapshot(session)
    )


# the candidacies (D65, D66)


def candidacy_snapshot(candidacy: VaeCandidacy) -> dict[str, Any]:
    return {
        "session": candidacy.session_id,
        "application": candidacy.application_id,
        "dossier_only": candidacy.dossier_only,
        "interview_at": candidacy.interview_at.isoformat() if candidacy.interview_at else None,
        "interview_requested_by": candidacy.interview_requested_by_id,
        "interview_request_reason": candidacy.interview_request_reason,
    }


def _refuse_unless_schedulable(actor: Any, session: VaeJurySession) -> VaeJurySession:
    if not may_appoint(actor):
        raise NotAllowed(CPNEFP_ONLY)
    session = _locked(VaeJurySession.objects.filter(pk=session.pk)).get()
    if is_signed(session):
        raise DomainError(
            "Le procès-verbal de ce jury VAE est signé : ses candidats et entretiens ne changent plus."
        )
    return session


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _slot_refusal(
    session: VaeJurySession, interview_at: datetime, candidacy: VaeCandidacy | None = None
) -> str | None:
    if timezone.localtime(interview_at).date() != session.held_on:
        return f"L'entretien a lieu le jour de la séance, le {session.held_on:%d/%m/%Y}."
    others = session.candidacies.filter(interview_at=interview_at)
    if candidacy is not None:
        others = others.exclude(pk=candidacy.pk)
    if others.exists():
        return f"Un autre candidat a déjà un entretien à {timezone.localtime(interview_at):%H:%M} : choisissez un autre horaire."
    return None


@transaction.atomic
def do_schedule(
    actor: Any, session: VaeJurySession, application: VaeApplication, *, interview_at: datetime | None = None
) -> VaeCandidacy:
    """D65, D66: the CPNEFP schedules a submitted dossier before a session of its version: an interview slot
    on the session's day, or the dossier alone for the holders of D66 (unless the jury asks, see
    `do_request_interview`). No member may be linked to the candidate."""
    session = _refuse_unless_schedulable(actor, session)
    application = _locked(
        VaeApplication.objects.filter(pk=application.pk).select_related("candidate__employer")
    ).get()
    if application.status != ApplicationStatus.DOSSIER_SUBMITTED:
        raise DomainError(
            f"Le dossier de {application.candidate.display_name} n'est pas déposé "
            f"(état : {application.get_status_display()}) : il ne peut pas encore passer devant le jury VAE."
        )
    if application.version_id != session.version_id:
        raise DomainError("Cette demande vise une autre certification que celle de ce jury VAE.")
    if VaeCandidacy.objects.filter(application=application).exists():
        raise DomainError(f"{application.candidate.display_name} est déjà inscrit(e) devant un jury VAE.")
    for member in session.members.all():
        refusal = _link_refusal(member, application)
        if refusal:
            raise DomainError(refusal)
    dossier_only = dossier_only_route(application.prior_certification, application.prior_certification_date)
    if dossier_only and interview_at is not None:
        raise DomainError(
            "Ce candidat est jugé sur son dossier seul : l'entretien n'est fixé que si le jury le demande."
        )
    if not dossier_only:
        if interview_at is None:
            raise DomainError("Indiquez l'heure de l'entretien avec le jury VAE.")
        interview_at = _aware(interview_at)
        refusal = _slot_refusal(session, interview_at)
        if refusal:
            raise DomainError(refusal)
    try:
        with transaction.atomic():
            candidacy = VaeCandidacy.objects.create(
                session=session, application=application, dossier_only=dossier_only, interview_at=interview_at
            )
    except IntegrityError as error:
        raise DomainError(
            f"{application.candidate.display_name} est déjà inscrit(e) devant un jury VAE."
        ) from error
    record_event(
        AuditAction.VAE_CANDIDACY_SCHEDULED, candidacy, actor=actor, after=candidacy_snapshot(candidacy)
    )
    return candidacy


def may_request_interview(user: Any, candidacy: VaeCandidacy) -> bool:
    """D66: a member of the session or the CPNEFP asks for an interview."""
    return may_appoint(user) or (
        user.is_authenticated and candidacy.session.members.filter(user=user).exists()
    )


def _lock_candidacy(candidacy: VaeCandidacy) -> VaeCandidacy:
    candidacy = _locked(VaeCandidacy.objects.filter(pk=candidacy.pk)).get()
    if hasattr(candidacy, "decision"):
        raise DomainError("Le jury VAE a déjà statué sur ce candidat.")
    return candidacy


@transaction.atomic
def do_request_interview(actor: Any, candidacy: VaeCandidacy, reason: str) -> VaeCandidacy:
    """D35, D66: the jury (one of its members) or the CPNEFP asks to hear a candidate decided on the
    dossier alone; who, when and why are recorded."""
    if not may_request_interview(actor, candidacy):
        raise NotAllowed("Seuls les membres de ce jury VAE et la CPNEFP demandent un entretien.")
    session = _locked(VaeJurySession.objects.filter(pk=candidacy.session_id)).get()
    if is_signed(session):
        raise DomainError("Le procès-verbal de ce jury VAE est signé : aucun entretien ne s'y ajoute.")
    candidacy = _lock_candidacy(candidacy)
    if not candidacy.dossier_only:
        raise DomainError(
            "Ce candidat a déjà un entretien : seul un candidat jugé sur dossier en demande un."
        )
    if candidacy.interview_requested_at is not None:
        raise DomainError("Un entretien a déjà été demandé pour ce candidat.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez pourquoi le jury souhaite entendre le candidat.")
    if len(reason) > REASON_MAX:
        raise DomainError(f"Le motif compte {len(reason)} caractères ; {REASON_MAX} au plus.")
    before = candidacy_snapshot(candidacy)
    candidacy.interview_requested_by = actor
    candidacy.interview_requested_at = timezone.now()
    candidacy.interview_request_reason = reason
    candidacy.save(
        update_fields=["interview_requested_by", "interview_requested_at", "interview_request_reason"]
    )
    record_event(
        AuditAction.VAE_INTERVIEW_REQUESTED,
        candidacy,
        actor=actor,
        before=before,
        after=candidacy_snapshot(candidacy),
        reason=reason,
    )
    return candidacy


def needs_slot(candidacy: VaeCandidacy) -> bool:
    """An interview is held unless the candidate is decided on the dossier alone and nobody asked for one."""
    return not candidacy.dossier_only or candidacy.interview_requested_at is not None


@transaction.atomic
def do_set_interview(actor: Any, candidacy: VaeCandidacy, interview_at: datetime) -> VaeCandidacy:
    """The CPNEFP sets (or moves) the interview slot of a candidacy heard by the jury."""
    session = _refuse_unless_schedulable(actor, candidacy.session)
    candidacy = _lock_candidacy(candidacy)
    interview_at = _aware(interview_at)
    if not needs_slot(candidacy):
        raise DomainError(
            "Ce candidat est jugé sur son dossier seul : l'entretien n'est fixé que si le jury le demande."
        )
    refusal = _slot_refusal(session, interview_at, candidacy)
    if refusal:
        raise DomainError(refusal)
    before = candidacy_snapshot(candidacy)
    candidacy.interview_at = interview_at
    candidacy.save(update_fields=["interview_at"])
    record_event(
        AuditAction.VAE_CANDIDACY_SCHEDULED,
        candidacy,
        actor=actor,
        before=before,
        after=candidacy_snapshot(candidacy),
    )
    return candidacy


def schedulable_applications(session: VaeJurySession) -> QuerySet[VaeApplication]:
    """The submitted dossiers of the session's version not yet before a jury."""
    return (
        VaeApplication.objects.filter(
            version_id=session.version_id, status=ApplicationStatus.DOSSIER_SUBMITTED, candidacy__isnull=True
        )
        .select_related("candidate")
        .order_by("dossier_submitted_at", "pk")
    )
