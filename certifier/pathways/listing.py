"""What the lists show beyond their rows: the enrolments' progress, sorting, export.

The progress reads the block decisions and logbook attestations of the app above (assessments)
through the enrolment's reverse relations, so that pathways does not import it."""

from datetime import date
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from certifier.core.lists import Sorts
from certifier.people.enums import Role
from certifier.people.permissions import has_role, organisation_ids
from certifier.referential.enums import AccessRouteKind
from certifier.referential.models import Block

from .models import AssessorAssignment, Enrolment, TrainingSession

ENROLMENT_SORTS: Sorts = {
    "entree": ["start_date", "sort_name"],
    "nom": ["sort_name", "candidate__first_name"],
    "employeur": ["candidate__employer__name", "sort_name"],
    "crfp": ["training_centre__name", "sort_name"],
    "avancement": ["validated_blocks", "has_assessor", "sort_name"],
}
SESSION_SORTS: Sorts = {
    "debut": ["start_date", "path__position"],
    "parcours": ["path__title", "start_date"],
    "crfp": ["training_centre__name", "start_date"],
}
# ?suivi= value of the list restricted to the candidates without an assessor (linked from the home page).
WITHOUT_ASSESSOR = "sans-evaluateur"
EXPORT_HEADERS = [
    "Candidat",
    "Matricule",
    "Employeur",
    "CRFP",
    "Certification",
    "Option",
    "Voie d'accès",
    "Entrée en parcours",
    "Évaluateur",
    "Blocs validés",
    "Blocs de la certification",
]
LOGBOOK_HEADER = "Attestations du carnet"
# D25: the logbook is the candidate's, read by those who fill it or follow the training, not by the
# employer's HR, whose list shows outcomes only.
LOGBOOK_READERS = (
    Role.NATIONAL_ADMIN,
    Role.CRFP_STAFF,
    Role.TUTOR,
    Role.MANAGER,
    Role.ASSESSOR,
    Role.CANDIDATE,
)
SESSION_HEADERS = ["Parcours", "CRFP", "Début", "Fin", "État"]


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """The number of rows of a correlated queryset, 0 when there are none."""
    return Coalesce(
        Subquery(queryset.order_by().values(group=Value(1)).annotate(n=Count("pk")).values("n")),
        0,
        output_field=IntegerField(),
    )


def with_progress(enrolments: QuerySet[Enrolment], user: Any) -> QuerySet[Enrolment]:
    """Validated blocks (the decision in force for each block, as `user` may read it), blocks of the
    version, attestations that count (signed twice, not withdrawn) and whether an assessor is assigned."""
    decisions, attestations = _model_above("block_decisions"), _model_above("attestations")
    counted_blocks = _count(
        decisions.objects.latest_per_block().filter(enrolment=OuterRef("pk"), confirmed_status="validated")
    )
    released_blocks = _count(
        decisions.objects.latest_per_block(timezone.now()).filter(
            enrolment=OuterRef("pk"), confirmed_status="validated"
        )
    )
    unreleased = _reads_unreleased(user)
    if unreleased is None:  # the national administrator
        validated: Any = counted_blocks
    elif not unreleased:  # a candidate, an employer: a jury's decision from the release time (D55)
        validated = released_blocks
    else:
        validated = Case(When(unreleased, then=counted_blocks), default=released_blocks)
    counted = attestations.objects.filter(
        enrolment=OuterRef("pk"),
        tutor_signed_at__isnull=False,
        manager_signed_at__isnull=False,
        withdrawn_at__isnull=True,
    )
    return enrolments.annotate(
        sort_name=Coalesce(NullIf(F("candidate__usage_name"), Value("")), F("candidate__birth_name")),
        validated_blocks=validated,
        version_blocks=_count(Block.objects.filter(version=OuterRef("version"))),
        counted_attestations=_count(counted),
        has_assessor=Exists(AssessorAssignment.objects.filter(enrolment=OuterRef("pk"))),
    )


def _reads_unreleased(user: Any) -> Q | None:
    """The enrolments whose national jury's block decisions `user` reads before the release time: the
    CRFP's and the assessor's (None: every enrolment, for the national administrator; an empty Q: none)."""
    if has_role(user, Role.NATIONAL_ADMIN):
        return None
    scope = Q()
    if centres := organisation_ids(user, Role.CRFP_STAFF):
        scope |= Q(training_centre_id__in=centres)
    if has_role(user, Role.ASSESSOR):
        scope |= Q(pk__in=AssessorAssignment.objects.filter(assessor=user).values("enrolment_id"))
    return scope


def _model_above(relation: str) -> Any:
    """A model of the app above (assessments), reached by a reverse relation of the enrolment."""
    return Enrolment._meta.get_field(relation).related_model


def without_assessor(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """The enrolments waiting for an assessor: not those by VAE, whose jury assessed the experience."""
    return enrolments.exclude(access_route=AccessRouteKind.VAE).filter(
        ~Exists(AssessorAssignment.objects.filter(enrolment=OuterRef("pk")))
    )


def session_state(session: TrainingSession, today: date) -> str:
    if session.start_date > today:
        return "À venir"
    return "En cours" if session.end_date >= today else "Terminée"


def session_rows(sessions: QuerySet[TrainingSession], today: date) -> list[list[Any]]:
    return [
        [
            session.path.title,
            session.training_centre.name,
            session.start_date,
            session.end_date,
            session_state(session, today),
        ]
        for session in sessions
    ]


def shows_logbook(user: Any) -> bool:
    return has_role(user, *LOGBOOK_READERS)


def export_table(enrolments: QuerySet[Enrolment], logbook: bool) -> tuple[list[str], list[list[Any]]]:
    """The headers and rows of the exported list; the logbook column only for its readers."""
    rows = export_rows(enrolments)
    if logbook:
        return [*EXPORT_HEADERS, LOGBOOK_HEADER], rows
    return EXPORT_HEADERS, [row[:-1] for row in rows]


def export_rows(enrolments: QuerySet[Enrolment]) -> list[list[Any]]:
    rows: Any = enrolments.select_related(
        "candidate__employer", "version__certification", "option", "training_centre"
    )
    return [
        [
            enrolment.candidate.display_name,
            enrolment.candidate.employee_number,
            enrolment.candidate.employer.name,
            enrolment.training_centre.name,
            enrolment.version.certification.number,
            enrolment.option.title if enrolment.option else "",
            enrolment.get_access_route_display(),
            enrolment.start_date,
            "Affecté" if enrolment.has_assessor else "Aucun",
            enrolment.validated_blocks,
            enrolment.version_blocks,
            enrolment.counted_attestations,
        ]
        for enrolment in rows
    ]
