"""The juries of a session (D19–D22, D51–D56): the local jury's members and opinions, the CPNEFP's lists,
the national joint jury with its members and their conflicts of interest, its deliberations (the
original and its amendments), their decisions and their signed minutes."""

from typing import Any

from django.conf import settings
from django.db import models

from certifier.core.models import ConfirmedDecision
from certifier.exams.models import ExamSession, Registration
from certifier.people.models import Organisation


class LocalOpinion(models.Model):
    """D19, D51: the local jury's opinion of attribution or non-attribution of the CQP for one
    registration; a non-attribution is argued for the national jury. Changed only through
    `services.do_give_opinion`, every change audited."""

    registration = models.OneToOneField(
        Registration, verbose_name="inscription", on_delete=models.PROTECT, related_name="local_opinion"
    )
    favourable = models.BooleanField("avis favorable à l'attribution")
    argument = models.TextField("avis argumenté", blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="donné par", on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField("donné le")

    class Meta:
        verbose_name = "avis du jury local"
        verbose_name_plural = "avis du jury local"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(favourable=True) | ~models.Q(argument=""),
                name="local_opinion_unfavourable_argued",
                violation_error_message="Un avis de non-attribution est argumenté pour le jury national.",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return "Avis favorable" if self.favourable else "Avis défavorable"

    def snapshot(self) -> dict[str, Any]:
        return {"favourable": self.favourable, "argument": self.argument}


class LocalJuryMember(models.Model):
    """D51: a member of the local jury of one CRFP for one session, appointed by that CRFP, with
    their capacity; linked to an account when they sign in to mark the oral and give opinions."""

    session = models.ForeignKey(
        ExamSession, verbose_name="session", on_delete=models.PROTECT, related_name="local_jury_members"
    )
    training_centre = models.ForeignKey(
        Organisation, verbose_name="CRFP", on_delete=models.PROTECT, related_name="+"
    )
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    capacity = models.CharField("qualité", max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="désigné par", on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField("désigné le", auto_now_add=True)

    class Meta:
        verbose_name = "membre du jury local"
        verbose_name_plural = "membres du jury local"
        ordering = ["session", "training_centre", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "training_centre", "last_name", "first_name"],
                name="local_jury_member_once",
                violation_error_message="Cette personne est déjà membre de ce jury local.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.capacity}"


class College(models.TextChoices):
    EMPLOYEES = "employees", "Collège salarié"
    EMPLOYERS = "employers", "Collège employeur"


class JuryListMember(models.Model):
    """D20, D52: a person on one of the two lists validated by the CPNEFP, from which the national joint
    jury of each session is drawn: the employees' college (by trade-union confederation) or the
    employers' college. Withdrawn from the list rather than deleted (past juries keep them)."""

    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    college = models.CharField("collège", max_length=20, choices=College.choices)
    confederation = models.CharField("confédération syndicale", max_length=100, blank=True)
    capacity = models.CharField("qualité", max_length=200)
    email = models.EmailField("adresse électronique", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jury_list_entries",
    )
    active = models.BooleanField("sur la liste", default=True)
    added_at = models.DateTimeField("ajouté le", auto_now_add=True)

    class Meta:
        verbose_name = "membre des listes de la CPNEFP"
        verbose_name_plural = "listes de la CPNEFP"
        ordering = ["college", "confederation", "last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(college=College.EMPLOYERS, confederation="")
                | (models.Q(college=College.EMPLOYEES) & ~models.Q(confederation="")),
                name="jury_list_member_confederation_iff_employees",
                violation_error_message=(
                    "Un membre du collège salarié représente une confédération ; "
                    "un membre du collège employeur n'en représente aucune."
                ),
            ),
            models.UniqueConstraint(
                fields=["last_name", "first_name", "college", "confederation"],
                name="jury_list_member_once",
                violation_error_message="Cette personne figure déjà sur cette liste.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Jury(models.Model):
    """D20, D52: the national joint jury of one exam session, appointed by the CPNEFP from its lists,
    chaired by Ucanss without a deliberative vote. The quorum rule is configurable, by default D52's:
    both colleges present and an absolute majority of the voting members present."""

    session = models.OneToOneField(
        ExamSession, verbose_name="session", on_delete=models.PROTECT, related_name="national_jury"
    )
    place = models.CharField("lieu de réunion", max_length=200)
    quorum_both_colleges = models.BooleanField("quorum : les deux collèges présents", default=True)
    quorum_majority = models.BooleanField(
        "quorum : majorité absolue des membres votants présents", default=True
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="désigné par", on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField("désigné le", auto_now_add=True)

    class Meta:
        verbose_name = "jury national paritaire"
        verbose_name_plural = "jurys nationaux paritaires"

    def __str__(self) -> str:
        return f"Jury national — {self.session}"


class MemberRole(models.TextChoices):
    CHAIR = "chair", "Présidence du jury (Ucanss), sans voix délibérative"
    MEMBER = "member", "Membre"


class JuryMember(models.Model):
    """D52: a seat on the national jury of a session: the chair (Ucanss, no vote) or a voting member drawn
    from the CPNEFP's lists. Name, college and capacity are copied at appointment so the minutes keep
    them whatever the lists become."""

    jury = models.ForeignKey(Jury, verbose_name="jury", on_delete=models.PROTECT, related_name="members")
    role = models.CharField("rôle", max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    list_member = models.ForeignKey(
        JuryListMember,
        verbose_name="membre des listes",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jury_seats",
    )
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150)
    college = models.CharField("collège", max_length=20, choices=College.choices, blank=True)
    confederation = models.CharField("confédération syndicale", max_length=100, blank=True)
    capacity = models.CharField("qualité", max_length=200)

    class Meta:
        verbose_name = "membre du jury national"
        verbose_name_plural = "membres du jury national"
        ordering = ["jury", "role", "college", "confederation", "last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=MemberRole.CHAIR, college="", list_member__isnull=True)
                | (models.Q(role=MemberRole.MEMBER, list_member__isnull=False) & ~models.Q(college="")),
                name="jury_member_chair_or_listed_member",
                violation_error_message=(
                    "Le président (Ucanss) n'appartient à aucun collège ; "
                    "un membre votant est pris sur les listes de la CPNEFP."
                ),
            ),
            models.UniqueConstraint(
                fields=["jury"],
                condition=models.Q(role=MemberRole.CHAIR),
                name="jury_one_chair",
                violation_error_message="Ce jury a déjà son président.",
            ),
            models.UniqueConstraint(
                fields=["jury", "list_member"],
                name="jury_member_once",
                violation_error_message="Cette personne est déjà membre de ce jury.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def votes(self) -> bool:
        """D20: the chair has no deliberative vote."""
        return self.role == MemberRole.MEMBER


class Conflict(models.Model):
    """D52: a member of the national jury declares a conflict of interest with a candidate, and does
    not vote on that candidate."""

    member = models.ForeignKey(
        JuryMember, verbose_name="membre du jury", on_delete=models.PROTECT, related_name="conflicts"
    )
    registration = models.ForeignKey(
        Registration, verbose_name="inscription", on_delete=models.PROTECT, related_name="jury_conflicts"
    )
    reason = models.CharField("nature du lien", max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déclaré par", on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("déclaré le", auto_now_add=True)

    class Meta:
        verbose_name = "conflit d'intérêts"
        verbose_name_plural = "conflits d'intérêts"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "registration"],
                name="conflict_once",
                violation_error_message="Ce conflit d'intérêts est déjà déclaré.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.registration}"


class Deliberation(models.Model):
    """D53–D56: one sitting of the national jury on its session: the original deliberation, or an
    amendment (rectificatif) of it after proclamation, with its reason. Its attendance decides the
    quorum and who may vote; it is closed by its signed minutes (`Minutes`)."""

    jury = models.ForeignKey(
        Jury, verbose_name="jury", on_delete=models.PROTECT, related_name="deliberations"
    )
    amends = models.ForeignKey(
        "self",
        verbose_name="délibération rectifiée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    reason = models.TextField("motif du rectificatif", blank=True)
    held_on = models.DateField("date de la séance")
    place = models.CharField("lieu", max_length=200)
    present = models.ManyToManyField(
        JuryMember, verbose_name="membres présents", blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="ouverte par", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("ouverte le", auto_now_add=True)

    class Meta:
        verbose_name = "délibération du jury national"
        verbose_name_plural = "délibérations du jury national"
        ordering = ["jury", "opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jury"],
                condition=models.Q(amends__isnull=True),
                name="deliberation_one_original",
                violation_error_message="Le jury de cette session a déjà ouvert sa délibération.",
            ),
            models.CheckConstraint(
                condition=models.Q(amends__isnull=True) | ~models.Q(reason=""),
                name="deliberation_amendment_has_a_reason",
                violation_error_message="Un rectificatif énonce son motif.",
            ),
        ]

    def __str__(self) -> str:
        kind = "Rectificatif" if self.amends_id else "Délibération"
        return f"{kind} du {self.held_on:%d/%m/%Y} — {self.jury.session}"

    @property
    def is_amendment(self) -> bool:
        return self.amends_id is not None


class JuryStatus(models.TextChoices):
    CERTIFIED = "certified", "Certifié"
    NOT_CERTIFIED = "not_certified", "Non certifié"
    DEFERRED = "deferred", "Décision reportée"


class JuryDecision(ConfirmedDecision):
    """D53: the national jury's decision on one registration in one deliberation: certified, not
    certified or deferred, and per block validated or not (blocks scheme, `blocks` maps a block's code
    to its status). Following the engine's proposal needs nothing more; departing from it needs a reason
    and the recorded vote. In an amendment, `amends` is the decision it corrects (D56), which stays."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name="délibération", on_delete=models.PROTECT, related_name="decisions"
    )
    registration = models.ForeignKey(
        Registration, verbose_name="inscription", on_delete=models.PROTECT, related_name="jury_decisions"
    )
    proposed_status = models.CharField("proposition du moteur", max_length=20, choices=JuryStatus.choices)
    confirmed_status = models.CharField("décision du jury", max_length=20, choices=JuryStatus.choices)
    proposed_blocks = models.JSONField("blocs proposés", default=dict, blank=True)
    blocks = models.JSONField("blocs décidés", default=dict, blank=True)
    votes_for = models.PositiveSmallIntegerField("voix pour", null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField("voix contre", null=True, blank=True)
    abstentions = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    comment = models.TextField("observations du jury", blank=True)
    amends = models.ForeignKey(
        "self",
        verbose_name="décision rectifiée",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    fraud = models.BooleanField("fraude établie", default=False)

    class Meta:
        verbose_name = "décision du jury national"
        verbose_name_plural = "décisions du jury national"
        ordering = ["deliberation", "registration"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "registration"],
                name="jury_decision_once_per_deliberation",
                violation_error_message="Le jury a déjà statué sur ce candidat dans cette délibération.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(votes_for__isnull=True, votes_against__isnull=True, abstentions__isnull=True)
                    | models.Q(
                        votes_for__isnull=False, votes_against__isnull=False, abstentions__isnull=False
                    )
                ),
                name="jury_decision_vote_whole",
                violation_error_message="Un vote compte les voix pour, contre et les abstentions.",
            ),
            models.CheckConstraint(
                condition=models.Q(proposed_status=models.F("confirmed_status"))
                | (~models.Q(override_reason="") & models.Q(votes_for__isnull=False)),
                name="jury_decision_departure_reasoned_and_voted",
                violation_error_message="Une décision différente de la proposition est motivée et votée.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} : {self.get_confirmed_status_display()}"


class Minutes(models.Model):
    """D54, D55: the minutes (procès-verbal) of a deliberation, generated from the data as a PDF,
    signed electronically (PAdES) by the certifier, with the SHA-256 of the signed file kept. Signing
    the minutes of the original deliberation proclaims the session's results."""

    deliberation = models.OneToOneField(
        Deliberation, verbose_name="délibération", on_delete=models.PROTECT, related_name="minutes"
    )
    file = models.FileField("procès-verbal signé", upload_to="minutes/%Y/")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="signé par", on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField("signé le")

    class Meta:
        verbose_name = "procès-verbal"
        verbose_name_plural = "procès-verbaux"

    def __str__(self) -> str:
        return f"Procès-verbal — {self.deliberation}"


class LookupKind(models.TextChoices):
    NUMBER = "number", "Numéro de candidat"
    ADDRESS = "address", "Adresse IP"


class ResultsLookupCounter(models.Model):
    """D57: the failed lookups of the results portal in a row, for one candidate number or one IP
    address, and until when that number or address is locked. Shared by every web worker (the
    database). The key is a keyed hash of the number or address, never the value typed."""

    kind = models.CharField("objet", max_length=10, choices=LookupKind.choices)
    key = models.CharField("empreinte", max_length=64)
    failures = models.PositiveIntegerField("échecs consécutifs", default=0)
    locked_until = models.DateTimeField("verrouillé jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "compteur d'échecs de consultation des résultats"
        verbose_name_plural = "compteurs d'échecs de consultation des résultats"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="results_lookup_counter_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.failures} échec(s)"
