"""The only writers of people and organisations: organisations, invited accounts and their roles."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError

from .enums import Role
from .models import Membership, Organisation, User, exclusive_role_refusal
from .rules import appointment_error, same_person_error


@transaction.atomic
def do_update_organisation(actor: Any, organisation: Organisation, values: dict[str, Any]) -> Organisation:
    """Apply validated form values; record before → after of the fields that changed."""
    before, after = apply_changes(organisation, values, actor)
    if after:
        record_event(AuditAction.ORGANISATION_UPDATED, organisation, actor=actor, before=before, after=after)
    return organisation


class AppointmentRefused(DomainError):
    """Found only at write time (another request appointed the same person meanwhile); `field` is
    the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


LABELS = {Role.TUTOR: ("tutor_email", "Le tuteur"), Role.MANAGER: ("manager_email", "Le manager")}


class Appointments:
    """Tutors and managers appointed by e-mail, for one form or a whole import: accounts and roles
    are read once. An unknown address becomes an invited account (no usable password) that receives
    a link to choose its password; every appointed person holds their role at the employer."""

    def __init__(self, actor: Any, emails: Iterable[str]) -> None:
        self.actor = actor
        wanted = {email.lower() for email in emails if email}
        users = User.objects.annotate(lowered=Lower("email")).filter(lowered__in=wanted) if wanted else []
        self.users: dict[str, User] = {user.email.lower(): user for user in users}
        self.roles: dict[int, set[tuple[int, str]]] = {}
        for user_id, organisation_id, role in Membership.objects.filter(
            user__in=[user.pk for user in self.users.values()]
        ).values_list("user_id", "organisation_id", "role"):
            self.roles.setdefault(user_id, set()).add((organisation_id, role))
        self.invited: list[str] = []
        self.newcomers: dict[str, int] = {}  # unknown address → the employer it was first checked for

    def errors(
        self,
        tutor_email: str,
        manager_email: str,
        employer: Organisation,
        candidate_email: str = "",
        candidate_user_id: int | None = None,
    ) -> dict[str, str]:
        """By field: who may not be appointed tutor or manager of a candidate of `employer` — never
        the candidate themselves. An unknown address checked for two employers (two rows of an import)
        is refused the second time."""
        errors: dict[str, str] = {}
        for name, email, label in (
            ("tutor_email", tutor_email, "Le tuteur"),
            ("manager_email", manager_email, "Le manager"),
        ):
            if not email:
                continue
            user = self.users.get(email.lower())
            if email.lower() == candidate_email.lower() or (
                user is not None and candidate_user_id is not None and user.pk == candidate_user_id
            ):
                errors[name] = (
                    f"{label} ne peut pas être le candidat lui-même : le carnet de suivi atteste son travail."
                )
                continue
            if user is None:
                if self.newcomers.setdefault(email.lower(), employer.pk) != employer.pk:
                    errors[name] = (
                        f"{label} doit être une personne de l'organisme employeur du candidat : cette adresse "
                        "est aussi désignée pour un candidat d'un autre employeur."
                    )
                continue
            roles = self.roles.get(user.pk, set())
            if error := appointment_error(label, roles, employer.pk, is_staff=user.is_staff):
                errors[name] = error
        if error := same_person_error(tutor_email, manager_email):
            errors["manager_email"] = error
        return errors

    def appoint(self, email: str, role: Role, employer: Organisation) -> User | None:
        """The account of `email`, invited when unknown, holding `role` at `employer`."""
        if not email:
            return None
        user = self.users.get(email.lower())
        if user is None:
            user = self._invite(email.lower())
            self.users[user.email] = user
        if (employer.pk, role) not in self.roles.setdefault(user.pk, set()):
            self._check_again(user, role, employer)
            _grant_role(self.actor, user, employer, role)
            self.roles[user.pk].add((employer.pk, role))
        return user

    def _check_again(self, user: User, role: Role, employer: Organisation) -> None:
        """The account locked, its roles read again: another request may have appointed the same
        person elsewhere since `errors` read them."""
        locked = User.objects.select_for_update().get(pk=user.pk)
        roles = set(Membership.objects.filter(user=locked).values_list("organisation_id", "role"))
        field, label = LABELS[role]
        if error := appointment_error(label, roles, employer.pk, is_staff=locked.is_staff):
            raise AppointmentRefused(field, error)
        self.roles[user.pk] = roles

    def _invite(self, email: str, send: Callable[[User], None] | None = None) -> User:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email)
        except IntegrityError:  # invited at the same moment by another request
            return User.objects.get(email=email)
        record_event(AuditAction.ACCOUNT_INVITED, user, actor=self.actor, after={"email": email})
        # robust: a mail server down is logged, it does not turn the committed appointment into an error
        transaction.on_commit(lambda: (send or send_invitation)(user), robust=True)
        self.invited.append(email)
        return user


def appoint_by_email(
    actor: Any, email: str, organisation: Organisation, role: Role, send: Callable[[User], None]
) -> tuple[User, bool]:
    """The account of `email` holding `role` at `organisation`, for appointments made outside the
    logbook (written-exam markers): an unknown address becomes an invited account that `send` mails,
    after commit, its link to choose a password. The caller has checked who may be appointed; the
    boolean says whether the account was invited."""
    user = User.objects.filter(email__iexact=email).first()
    invited = user is None
    if user is None:
        user = Appointments(actor, [])._invite(email.lower(), send)
    _grant_role(actor, user, organisation, role)
    return user, invited


def _grant_role(actor: Any, user: User, organisation: Organisation, role: Role) -> None:
    if refusal := exclusive_role_refusal(user.pk, role):
        raise DomainError(refusal)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    except IntegrityError:  # granted at the same moment by another request
        return
    record_event(
        AuditAction.ROLE_GRANTED,
        membership,
        actor=actor,
        after={"role": role, "organisation": organisation.name},
    )


def set_password_url(user: User) -> str:
    """The link of an invitation: valid until the password is set (Django's token generator)."""
    path = reverse(
        "people:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def send_invitation(user: User) -> None:
    send_mail(
        "Votre compte sur la plateforme du CQP Gestionnaire conseil",
        "Bonjour,\n\n"
        "Vous avez été désigné tuteur ou manager d'un candidat au CQP "
        "« Gestionnaire conseil de la Sécurité sociale ». Un compte a été créé pour vous, à l'adresse "
        f"{user.email}.\n\n"
        "Pour choisir votre mot de passe (12 caractères au moins), ouvrez ce lien :\n"
        f"{set_password_url(user)}\n\n"
        "Ce lien ne sert qu'une fois. Si vous n'attendiez pas ce message, ignorez-le.\n",
        None,
        [user.email],
    )
