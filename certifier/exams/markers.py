"""The written exam's markers and the levée d'anonymat (D48), both acts of the national administrator.

A marker sees copies by copy code only: they must not know the candidates, so no one who holds
another role on the platform (a CRFP's staff, a jury member, an employer, a candidate…) is appointed.
Anonymity is lifted once every copy of the session carries a locked written mark, and only once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from certifier.core.audit import record_event
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError, NotAllowed
from certifier.core.text import count
from certifier.pathways.models import Candidate
from certifier.people.enums import OrganisationKind, Role
from certifier.people.models import Membership, Organisation, User
from certifier.people.permissions import has_role
from certifier.people.services import appoint_by_email, set_password_url

from .evaluations import Exam, evaluation
from .models import ExamMarker, ExamSession, Mark, Registration

WRITTEN = "written"


@dataclass(frozen=True)
class WrittenProgress:
    """Where the written exam of a session stands: copies, marks entered, marks locked."""

    copies: int
    marked: int
    locked: int

    @property
    def not_locked(self) -> int:
        return self.copies - self.locked

    @property
    def complete(self) -> bool:
        """Every copy carries a locked written mark (and there is at least one copy)."""
        return self.copies > 0 and self.locked == self.copies


def can_manage_markers(user: Any) -> bool:
    return has_role(user, Role.NATIONAL_ADMIN)


def written_exam(session: ExamSession) -> Exam:
    found = evaluation(session.version, WRITTEN)
    if found is None:
        raise DomainError("Cette session n'a pas d'épreuve écrite anonyme : elle n'a pas de correcteurs.")
    return found


def written_progress(session: ExamSession) -> WrittenProgress:
    marks = Mark.objects.of_session(session).filter(exam=WRITTEN)
    totals = marks.aggregate(marked=Count("pk"), locked=Count("pk", filter=Q(locked_at__isnull=False)))
    return WrittenProgress(
        copies=Registration.objects.filter(session=session).count(),
        marked=totals["marked"],
        locked=totals["locked"],
    )


def marker_refusal(roles: Iterable[str], *, is_staff: bool, is_candidate: bool) -> str | None:
    """D48: why the holder of `roles` may not mark anonymous copies, in French; None when they may."""
    other = sorted({Role(role).label for role in roles if role != Role.MARKER})
    if is_candidate:
        other.append(Role.CANDIDATE.label)
    if is_staff:
        other.append("équipe technique de la plateforme")
    if not other:
        return None
    return (
        "Cette adresse est celle d'une personne qui exerce un autre rôle sur la plateforme ("
        + ", ".join(sorted(set(other)))
        + ") : un correcteur ne doit pas connaître les candidats."
    )


def marking_over_refusal(session: ExamSession, progress: WrittenProgress) -> str | None:
    if session.anonymity_lifted_at is not None:
        return "L'anonymat de cette session est levé : la correction des copies est terminée."
    if progress.complete:
        return (
            "Toutes les notes de l'épreuve écrite sont verrouillées : la correction des copies est terminée."
        )
    return None


def lift_refusal(session: ExamSession, progress: WrittenProgress) -> str | None:
    """D48: why anonymity cannot be lifted yet, in French; None when it can."""
    if evaluation(session.version, WRITTEN) is None:
        return "Cette session n'a pas d'épreuve écrite anonyme : il n'y a pas d'anonymat à lever."
    if session.anonymity_lifted_at is not None:
        return f"L'anonymat de cette session a déjà été levé le {timezone.localtime(session.anonymity_lifted_at):%d/%m/%Y à %H:%M}."
    if progress.copies == 0:
        return "L'anonymat ne peut être levé : aucun candidat n'est inscrit à cette session."
    if not progress.complete:
        return (
            "L'anonymat ne peut être levé : "
            + count(
                progress.not_locked,
                "copie n'a pas de note verrouillée",
                "copies n'ont pas de note verrouillée",
            )
            + "."
        )
    return None


def _certifier() -> Organisation:
    organisation = Organisation.objects.filter(kind=OrganisationKind.CERTIFIER).order_by("pk").first()
    if organisation is None:
        raise DomainError(
            "L'organisation certificatrice (Ucanss) n'est pas enregistrée : désignation impossible."
        )
    return organisation


@transaction.atomic
def do_appoint_marker(actor: Any, session: ExamSession, email: str) -> ExamMarker:
    """D48: the national administrator appoints a written-exam marker of a session by e-mail; an unknown
    address becomes an invited account."""
    if not can_manage_markers(actor):
        raise NotAllowed("Seul l'administrateur national désigne les correcteurs de l'épreuve écrite.")
    session.refuse_when_proclaimed()
    email = email.strip().lower()
    if not email:
        raise DomainError("Indiquez l'adresse électronique du correcteur.")
    written_exam(session)
    if refusal := marking_over_refusal(session, written_progress(session)):
        raise DomainError(refusal)
    # the account locked while its roles are read: another request cannot make it a CRFP's staff meanwhile
    known = User.objects.select_for_update().filter(email__iexact=email).first()
    candidate = Q(email__iexact=email) | (Q(user=known) if known else Q())
    is_candidate = Candidate.objects.filter(candidate).exists()
    roles = Membership.objects.filter(user=known).values_list("role", flat=True) if known else []
    if refusal := marker_refusal(roles, is_staff=bool(known and known.is_staff), is_candidate=is_candidate):
        raise DomainError(refusal)
    if known is not None and ExamMarker.objects.filter(session=session, user=known).exists():
        raise DomainError("Cette personne corrige déjà cette session.")
    user, invited = appoint_by_email(actor, email, _certifier(), Role.MARKER, send_marker_invitation)
    try:
        with transaction.atomic():
            marker = ExamMarker.objects.create(session=session, user=user, appointed_by=actor)
    except IntegrityError:  # the same person appointed by another request in the meantime
        raise DomainError("Cette personne corrige déjà cette session.") from None
    record_event(
        AuditAction.EXAM_MARKER_APPOINTED,
        marker,
        actor=actor,
        after={
            "session": str(session.pk),
            "user": str(user.pk),
            "email": user.email,
            "invited": str(invited),
        },
    )
    return marker


@transaction.atomic
@transaction.atomic
def do_remove_marker(actor: Any, marker: ExamMarker) -> None:
    """The national administrator withdraws a marker from a session: they no longer see its copies;
    the marks they entered stay, attributed to them."""
    if not can_manage_markers(actor):
        raise NotAllowed("Seul l'administrateur national retire un correcteur.")
    marker.session.refuse_when_proclaimed()
    before = {"session": str(marker.session_id), "email": marker.user.email}
    ExamMarker.objects.filter(pk=marker.pk).delete()
    record_event(AuditAction.EXAM_MARKER_REMOVED, marker, actor=actor, before=before)


def do_lift_anonymity(actor: Any, session: ExamSession) -> ExamSession:
    """D48: the levée d'anonymat, once every copy carries a locked written mark; logged with its counts."""
    if not can_manage_markers(actor):
        raise NotAllowed("Seul l'administrateur national lève l'anonymat de l'épreuve écrite.")
    # the session locked: two administrators lifting at once, the second is told it is done
    locked = ExamSession.objects.select_for_update().get(pk=session.pk)
    locked.refuse_when_proclaimed()
    progress = written_progress(locked)
    if refusal := lift_refusal(locked, progress):
        raise DomainError(refusal)
    locked.anonymity_lifted_at, locked.anonymity_lifted_by = timezone.now(), actor
    locked.save(update_fields=["anonymity_lifted_at", "anonymity_lifted_by"])
    session.anonymity_lifted_at, session.anonymity_lifted_by = locked.anonymity_lifted_at, actor
    record_event(
        AuditAction.ANONYMITY_LIFTED,
        locked,
        actor=actor,
        after={"copies": str(progress.copies), "locked_marks": str(progress.locked)},
    )
    return locked


def send_marker_invitation(user: User) -> None:
    send_mail(
        "Votre compte de correcteur sur la plateforme du CQP Gestionnaire conseil",
        "Bonjour,\n\n"
        "L'Ucanss vous a désigné correcteur de l'épreuve écrite du CQP « Gestionnaire conseil de la "
        "Sécurité sociale ». Les copies vous sont présentées sous un code anonyme. Un compte a été créé "
        f"pour vous, à l'adresse {user.email}.\n\n"
        "Pour choisir votre mot de passe (12 caractères au moins), ouvrez ce lien :\n"
        f"{set_password_url(user)}\n\n"
        "Ce lien ne sert qu'une fois. Si vous n'attendiez pas ce message, ignorez-le.\n",
        None,
        [user.email],
    )
