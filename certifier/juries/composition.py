"""The juries' composition (D20, D51, D52): the CPNEFP's two lists, the national joint jury it appoints
from them for a session, the local jury members each CRFP appoints, the conflicts of interest declared.
Every change is audited; none once the session is proclaimed."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.exams.models import ExamSession, Registration
from certifier.people.enums import OrganisationKind, Role
from certifier.people.models import Organisation
from certifier.people.permissions import get_visible_or_404, has_role, organisation_ids

from .models import (
    College,
    Conflict,
    Jury,
    JuryListMember,
    JuryMember,
    LocalJuryMember,
    MemberRole,
)
from .permissions import seat_of

# D20, D52: three representatives per representative trade-union confederation
SEATS_PER_CONFEDERATION = 3
CHAIR_CAPACITY = "Présidence du jury, Ucanss"
NAME_MAX = 150
CAPACITY_MAX = 200
CONFEDERATION_MAX = 100
PLACE_MAX = 200
REASON_MAX = 300


def may_keep_lists(user: Any) -> bool:
    """D20: the CPNEFP validates the two lists and appoints the national jury from them."""
    return has_role(user, Role.CPNEFP)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _required(value: str, label: str, maximum: int) -> str:
    if not value:
        raise DomainError(f"Indiquez {label}.")
    if len(value) > maximum:
        raise DomainError(
            f"{label[0].upper()}{label[1:]} compte {len(value)} caractères ; {maximum} au plus."
        )
    return value


def _account(
    email: str, role: Role, organisation_kind: OrganisationKind, where: str, org: int | None = None
) -> Any:
    """The account of `email` holding `role` (at `org` when given); a precise refusal otherwise."""
    user = get_user_model().objects.filter(email__iexact=email).first()
    memberships = user.memberships.filter(role=role, organisation__kind=organisation_kind) if user else None
    if memberships is not None and org is not None:
        memberships = memberships.filter(organisation_id=org)
    if memberships is None or not memberships.exists():
        raise DomainError(f"Aucun compte {email} ne détient le rôle « {role.label} » {where}.")
    return user


# the CPNEFP's lists


@dataclass(frozen=True)
class ListMemberData:
    last_name: str
    first_name: str
    college: str
    capacity: str
    confederation: str = ""
    email: str = ""  # optional: the account of a user holding the national jury's role at the CPNEFP


def list_member_snapshot(member: JuryListMember) -> dict[str, Any]:
    return {
        "last_name": member.last_name,
        "first_name": member.first_name,
        "college": member.college,
        "confederation": member.confederation,
        "capacity": member.capacity,
        "email": member.email,
        "user": member.user_id,
        "active": member.active,
    }


@transaction.atomic
def do_add_list_member(actor: Any, data: ListMemberData) -> JuryListMember:
    """D20, D52: the CPNEFP adds a person to the employees' college (for a confederation) or to the
    employers' college; optionally linked to the account they sign in with to sit on the jury."""
    if not may_keep_lists(actor):
        raise NotAllowed("Seule la CPNEFP tient les listes du jury national paritaire.")
    last_name = _required(_clean(data.last_name), "le nom", NAME_MAX)
    first_name = _required(_clean(data.first_name), "le prénom", NAME_MAX)
    capacity = _required(_clean(data.capacity), "la qualité", CAPACITY_MAX)
    if data.college not in College.values:
        raise DomainError("Choisissez le collège salarié ou le collège employeur.")
    confederation = _clean(data.confederation)
    if data.college == College.EMPLOYEES:
        _required(confederation, "la confédération syndicale représentée", CONFEDERATION_MAX)
    elif confederation:
        raise DomainError("Un membre du collège employeur ne représente aucune confédération syndicale.")
    email = _clean(data.email).lower()
    user = _account(email, Role.NATIONAL_JURY, OrganisationKind.CPNEFP, "à la CPNEFP") if email else None
    member = JuryListMember(
        last_name=last_name,
        first_name=first_name,
        college=data.college,
        confederation=confederation,
        capacity=capacity,
        email=email,
        user=user,
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise DomainError(f"{first_name} {last_name} figure déjà sur cette liste.") from error
    record_event(AuditAction.JURY_LIST_MEMBER_ADDED, member, actor=actor, after=list_member_snapshot(member))
    return member


@transaction.atomic
def do_withdraw_list_member(actor: Any, member: JuryListMember) -> JuryListMember:
    """D52: the CPNEFP withdraws a person from its lists; the juries they sat on keep them."""
    if not may_keep_lists(actor):
        raise NotAllowed("Seule la CPNEFP tient les listes du jury national paritaire.")
    member = JuryListMember.objects.select_for_update().get(pk=member.pk)
    if not member.active:
        raise DomainError(f"{member} a déjà été retiré(e) des listes.")
    before = list_member_snapshot(member)
    member.active = False
    member.save(update_fields=["active"])
    record_event(
        AuditAction.JURY_LIST_MEMBER_WITHDRAWN,
        member,
        actor=actor,
        before=before,
        after=list_member_snapshot(member),
    )
    return member


# the national jury of a session


def jury_snapshot(jury: Jury) -> dict[str, Any]:
    members = list(jury.members.all())
    return {
        "place": jury.place,
        "quorum_both_colleges": jury.quorum_both_colleges,
        "quorum_majority": jury.quorum_majority,
        "chair": next((m.user_id for m in members if m.role == MemberRole.CHAIR), None),
        "members": sorted(m.list_member_id for m in members if m.list_member_id is not None),
    }


def composition_refusal(list_members: list[JuryListMember]) -> str | None:
    """D52: why these list members cannot form the voting members of a jury, in French; None if they can."""
    if not list_members:
        return "Choisissez les membres du jury parmi les listes de la CPNEFP."
    if len({member.pk for member in list_members}) != len(list_members):
        return "Une même personne ne siège qu'une fois au jury."
    withdrawn = [str(member) for member in list_members if not member.active]
    if withdrawn:
        return f"{', '.join(withdrawn)} ne figure(nt) plus sur les listes de la CPNEFP."
    employees = [member for member in list_members if member.college == College.EMPLOYEES]
    employers = len(list_members) - len(employees)
    crowded = sorted(
        name
        for name, seats in Counter(member.confederation for member in employees).items()
        if seats > SEATS_PER_CONFEDERATION
    )
    if crowded:
        return (
            f"Le collège salarié compte au plus {SEATS_PER_CONFEDERATION} représentants par confédération "
            f"syndicale : trop de membres pour {', '.join(crowded)}."
        )
    if not employees:
        return "Le jury comprend des membres du collège salarié."
    if employers != len(employees):
        return (
            f"Le collège employeur compte autant de membres que le collège salarié : {len(employees)} "
            f"membres salariés pour {employers} membres employeurs."
        )
    return None


def _chair_refusal(chair_user: Any) -> str | None:
    if chair_user is None or not has_role(chair_user, Role.NATIONAL_ADMIN):
        return "Le jury est présidé par l'Ucanss : choisissez un administrateur national de l'Ucanss."
    return None


def _seat(jury: Jury, member: JuryListMember) -> JuryMember:
    return JuryMember(
        jury=jury,
        role=MemberRole.MEMBER,
        list_member=member,
        user=member.user,
        last_name=member.last_name,
        first_name=member.first_name,
        college=member.college,
        confederation=member.confederation,
        capacity=member.capacity,
    )


def _chair_seat(jury: Jury, user: Any) -> JuryMember:
    return JuryMember(
        jury=jury,
        role=MemberRole.CHAIR,
        user=user,
        last_name=user.last_name or user.email,
        first_name=user.first_name,
        capacity=CHAIR_CAPACITY,
    )


@transaction.atomic
def do_appoint_jury(
    actor: Any,
    session: ExamSession,
    place: str,
    chair_user: Any,
    list_members: Iterable[JuryListMember],
    *,
    quorum_both_colleges: bool | None = None,
    quorum_majority: bool | None = None,
) -> Jury:
    """D20, D52: the CPNEFP appoints the national joint jury of a session from its lists, chaired by a
    national administrator of the Ucanss (no deliberative vote). Appointing again before the deliberation
    is opened replaces the composition (seats kept for those who stay, with their conflicts). The quorum
    rule is D52's unless set otherwise (None keeps the jury's, or the default)."""
    if not may_keep_lists(actor):
        raise NotAllowed("Seule la CPNEFP désigne le jury national paritaire.")
    session = ExamSession.objects.select_for_update().get(pk=session.pk)
    if session.proclaimed:
        raise DomainError(
            "Les résultats de cette session sont proclamés : la composition du jury ne change plus."
        )
    place = _required(_clean(place), "le lieu de réunion du jury", PLACE_MAX)
    refusal = _chair_refusal(chair_user)
    wanted = list(list_members)
    if refusal is None:
        # re-read: a list member withdrawn meanwhile is seen as such
        current = {m.pk: m for m in JuryListMember.objects.filter(pk__in=[m.pk for m in wanted])}
        wanted = [current.get(m.pk, m) for m in wanted]
        refusal = composition_refusal(wanted)
    if refusal:
        raise DomainError(refusal)
    jury = Jury.objects.filter(session=session).first()
    if jury is None:
        rule = Jury(session=session, place=place, appointed_by=actor)
        if quorum_both_colleges is not None:
            rule.quorum_both_colleges = quorum_both_colleges
        if quorum_majority is not None:
            rule.quorum_majority = quorum_majority
        return _create_jury(actor, rule, chair_user, wanted)
    if jury.deliberations.exists():
        raise DomainError("La délibération du jury est ouverte : sa composition ne change plus.")
    before = jury_snapshot(jury)
    seats = {seat.list_member_id: seat for seat in jury.members.filter(role=MemberRole.MEMBER)}
    wanted_ids = {member.pk for member in wanted}
    leaving = [seat.pk for list_id, seat in seats.items() if list_id not in wanted_ids]
    # the conflicts of interest of those who leave go with them, recorded in the audit row
    dropped = Conflict.objects.filter(member_id__in=leaving).order_by("pk")
    before["conflicts_dropped"] = [
        {"member": conflict.member_id, "registration": conflict.registration_id, "reason": conflict.reason}
        for conflict in dropped
    ]
    dropped.delete()
    JuryMember.objects.filter(pk__in=leaving).delete()
    JuryMember.objects.bulk_create([_seat(jury, member) for member in wanted if member.pk not in seats])
    chair = jury.members.filter(role=MemberRole.CHAIR).first()
    if chair is None or chair.user_id != chair_user.pk:
        if chair is not None:
            chair.delete()  # the chair, without a vote, declares no conflict
        _chair_seat(jury, chair_user).save()
    jury.place = place
    if quorum_both_colleges is not None:
        jury.quorum_both_colleges = quorum_both_colleges
    if quorum_majority is not None:
        jury.quorum_majority = quorum_majority
    jury.save(update_fields=["place", "quorum_both_colleges", "quorum_majority"])
    after = jury_snapshot(jury)
    if after != {key: value for key, value in before.items() if key != "conflicts_dropped"}:
        record_event(AuditAction.NATIONAL_JURY_CHANGED, jury, actor=actor, before=before, after=after)
    return jury


def _create_jury(actor: Any, jury: Jury, chair_user: Any, members: list[JuryListMember]) -> Jury:
    try:
        with transaction.atomic():
            jury.save(force_insert=True)
            JuryMember.objects.bulk_create(
                [_chair_seat(jury, chair_user), *(_seat(jury, member) for member in members)]
            )
    except IntegrityError as error:
        raise DomainError(
            "Le jury de cette session vient d'être désigné par ailleurs : rechargez la page."
        ) from error
    record_event(AuditAction.NATIONAL_JURY_APPOINTED, jury, actor=actor, after=jury_snapshot(jury))
    return jury


# the local jury of a CRFP (D51)


@dataclass(frozen=True)
class LocalMemberData:
    training_centre: Organisation
    last_name: str
    first_name: str
    capacity: str
    email: str = ""  # optional: the account of a user holding the local jury's role at that CRFP


def appointing_centre_ids(user: Any) -> set[int]:
    """D51: the CRFPs whose local jury the user appoints."""
    return organisation_ids(user, Role.CRFP_STAFF)


def local_member_snapshot(member: LocalJuryMember) -> dict[str, Any]:
    return {
        "session": member.session_id,
        "training_centre": member.training_centre_id,
        "last_name": member.last_name,
        "first_name": member.first_name,
        "capacity": member.capacity,
        "user": member.user_id,
    }


@transaction.atomic
def do_appoint_local_member(actor: Any, session: ExamSession, data: LocalMemberData) -> LocalJuryMember:
    """D51: a CRFP appoints a member of its local jury for a session, with their capacity."""
    if data.training_centre.pk not in appointing_centre_ids(actor):
        raise NotAllowed("Seul le CRFP désigne les membres de son jury local.")
    session.refuse_when_proclaimed()
    last_name = _required(_clean(data.last_name), "le nom", NAME_MAX)
    first_name = _required(_clean(data.first_name), "le prénom", NAME_MAX)
    capacity = _required(_clean(data.capacity), "la qualité", CAPACITY_MAX)
    email = _clean(data.email).lower()
    user = (
        _account(
            email,
            Role.LOCAL_JURY,
            OrganisationKind.TRAINING_CENTRE,
            f"au {data.training_centre.name}",
            data.training_centre.pk,
        )
        if email
        else None
    )
    member = LocalJuryMember(
        session=session,
        training_centre=data.training_centre,
        last_name=last_name,
        first_name=first_name,
        capacity=capacity,
        user=user,
        appointed_by=actor,
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise DomainError(f"{first_name} {last_name} est déjà membre de ce jury local.") from error
    record_event(
        AuditAction.LOCAL_JURY_MEMBER_APPOINTED, member, actor=actor, after=local_member_snapshot(member)
    )
    return member


@transaction.atomic
def do_remove_local_member(actor: Any, member: LocalJuryMember) -> None:
    """D51: the CRFP withdraws a member of its local jury, until the results are proclaimed."""
    if member.training_centre_id not in appointing_centre_ids(actor):
        raise NotAllowed("Seul le CRFP désigne les membres de son jury local.")
    member.session.refuse_when_proclaimed()
    before = local_member_snapshot(member)
    record_event(AuditAction.LOCAL_JURY_MEMBER_REMOVED, member, actor=actor, before=before)
    member.delete()


# conflicts of interest (D52)


def may_declare_for(actor: Any, member: JuryMember) -> bool:
    """A seated member declares their own conflicts; the national administrator records any member's."""
    if has_role(actor, Role.NATIONAL_ADMIN):
        return True
    return has_role(actor, Role.NATIONAL_JURY) and seat_of(actor, member.jury) == member


@transaction.atomic
def do_declare_conflict(actor: Any, member: JuryMember, registration: Registration, reason: str) -> Conflict:
    """D52: a member of the national jury declares a conflict of interest with a candidate of the
    session, and will not vote on them."""
    if actor is None or not may_declare_for(actor, member):
        raise NotAllowed(
            "Un membre du jury déclare ses propres conflits d'intérêts ; l'administrateur national les enregistre."
        )
    session = ExamSession.objects.select_for_update().get(pk=member.jury.session_id)
    if session.proclaimed:
        raise DomainError(
            "Les résultats de cette session sont proclamés : aucun conflit d'intérêts ne s'y ajoute."
        )
    if registration.session_id != session.pk:
        raise DomainError("Ce candidat n'est pas inscrit à la session de ce jury.")
    if not member.votes:
        raise DomainError("Le président du jury ne vote pas : il n'a pas de conflit d'intérêts à déclarer.")
    reason = _clean(reason)
    if len(reason) > REASON_MAX:
        raise DomainError(f"La nature du lien compte {len(reason)} caractères ; {REASON_MAX} au plus.")
    conflict = Conflict(member=member, registration=registration, reason=reason, declared_by=actor)
    try:
        with transaction.atomic():
            conflict.save()
    except IntegrityError as error:
        raise DomainError(
            f"Le conflit d'intérêts de {member} avec le candidat {registration.candidate_number} est déjà déclaré."
        ) from error
    record_event(
        AuditAction.JURY_CONFLICT_DECLARED,
        conflict,
        actor=actor,
        after={"member": member.pk, "registration": registration.pk, "reason": reason},
    )
    return conflict


# reading


def jury_sessions(user: Any) -> QuerySet[ExamSession]:
    """The sessions whose national jury the user reads: every one for the CPNEFP and the national
    administrator; for a member of the national jury, those of the juries they sit on."""
    sessions = ExamSession.objects.select_related("version__certification")
    if has_role(user, Role.CPNEFP, Role.NATIONAL_ADMIN):
        return sessions
    if has_role(user, Role.NATIONAL_JURY):
        return sessions.filter(pk__in=JuryMember.objects.filter(user=user).values("jury__session"))
    return sessions.none()


def get_jury_session_or_404(user: Any, pk: int) -> ExamSession:
    return get_visible_or_404(jury_sessions(user), pk=pk)


def jury_of(session: ExamSession) -> Jury | None:
    return Jury.objects.filter(session=session).first()
