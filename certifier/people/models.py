from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .enums import ROLE_ORGANISATION_KINDS, Branch, OrganisationKind, Role
from .rules import siret_error


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


def validate_siret(value: str) -> None:
    error = siret_error(value)
    if error:
        raise ValidationError(error)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: Any) -> "OrganisationQuerySet":
        # Imported here: the permission layer imports django.contrib.auth views, which need User registered.
        from .permissions import has_role, organisation_ids

        if has_role(user, Role.NATIONAL_ADMIN, Role.CPNEFP):
            return self.all()
        return self.filter(pk__in=organisation_ids(user))


class Organisation(models.Model):
    """Ucanss, the CPNEFP, a CRFP or an employer body of the Régime général."""

    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    branch = models.CharField("branche", max_length=10, choices=Branch.choices, blank=True)
    region = models.CharField("région", max_length=100, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    staff_size = models.PositiveIntegerField("effectif", null=True, blank=True)

    history = HistoricalRecords()
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="organisation_unique_siret"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=OrganisationKind.EMPLOYER) | models.Q(branch=""),
                name="organisation_branch_only_for_employers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == OrganisationKind.EMPLOYER and not self.branch:
            raise ValidationError({"branch": "La branche est obligatoire pour un organisme employeur."})
        if self.kind in (OrganisationKind.EMPLOYER, OrganisationKind.CERTIFIER) and not self.siret:
            raise ValidationError({"siret": "Le SIRET est obligatoire pour cette organisation."})


class Membership(models.Model):
    """A role a user holds within an organisation."""

    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "rôle"
        verbose_name_plural = "rôles"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"

    def clean(self) -> None:
        allowed = ROLE_ORGANISATION_KINDS[self.role]
        if self.organisation_id and self.organisation.kind not in allowed:
            raise ValidationError(
                {
                    "organisation": f"Le rôle « {self.get_role_display()} » ne peut pas être exercé dans cette organisation."
                }
            )
        if self.user_id and (refusal := exclusive_role_refusal(self.user_id, Role(self.role))):
            raise ValidationError({"role": refusal})


def exclusive_role_refusal(user_id: int, role: Role) -> str | None:
    """D48: a written-exam marker holds no other role, so that they never meet a candidate's identity."""
    held = set(Membership.objects.filter(user_id=user_id).exclude(role=role).values_list("role", flat=True))
    if held and Role.MARKER in {*held, role}:
        return "Un correcteur de l'épreuve écrite n'exerce aucun autre rôle sur la plateforme (anonymat des copies)."
    return None


class EmployerManager(models.Manager[Organisation]):
    def get_queryset(self) -> models.QuerySet[Organisation]:
        return super().get_queryset().filter(kind=OrganisationKind.EMPLOYER)


class TrainingCentreManager(models.Manager[Organisation]):
    def get_queryset(self) -> models.QuerySet[Organisation]:
        return super().get_queryset().filter(kind=OrganisationKind.TRAINING_CENTRE)


class Employer(Organisation):
    objects = EmployerManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = "organisme employeur"
        verbose_name_plural = "organismes employeurs"


class TrainingCentre(Organisation):
    objects = TrainingCentreManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = "CRFP"
        verbose_name_plural = "CRFP"
