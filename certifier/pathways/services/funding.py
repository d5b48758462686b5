"""Funding requests to the OPCO (D41–D43)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction

from certifier.core.audit import record_event
from certifier.core.changes import save_attributed
from certifier.core.enums import AuditAction
from certifier.core.models import DomainError
from certifier.referential.enums import AccessRouteKind

from ..enums import PathKind
from ..models import Enrolment, FundingLine, FundingRate, FundingRequest, TrainingPath
from ..permissions import require_funding
from ..rules import CENT, PathFunding, delivering_centre, funding_lines

CONCURRENT_REQUEST = (
    "La demande de prise en charge de ce candidat vient d'être établie par une autre personne : "
    "consultez-la avant de la modifier."
)


def applicable_rate(day: date) -> FundingRate:
    rate = FundingRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rate is None:
        raise DomainError(
            f"Aucun taux horaire de prise en charge n'est applicable au {day:%d/%m/%Y} : "
            "l'administrateur national doit le saisir."
        )
    return rate


@transaction.atomic
def do_draw_up_funding_request(actor: Any, enrolment: Enrolment, pass_already_funded: bool) -> FundingRequest:
    """D41–D43: one request for the whole path, computed from the funded maxima and the hourly rate
    applicable at the start of the path; lines grouped by the CRFP that delivers each part.
    The enrolment is locked: two requests drawn up at once would otherwise both rewrite the lines."""
    require_funding(actor, enrolment)
    if enrolment.access_route == AccessRouteKind.VAE:
        raise DomainError(
            "Une candidature par la VAE ne comporte pas de parcours de formation à prendre en charge."
        )
    list(Enrolment.objects.select_for_update().filter(pk=enrolment.pk).order_by().values_list("pk"))
    rate = applicable_rate(enrolment.start_date).hourly_rate
    lines = funding_lines(_path_funding(enrolment), rate, pass_already_funded)
    request = _existing_request(enrolment)
    before = _funding_summary(request) if request else None
    if request is None:
        request = FundingRequest(enrolment=enrolment)
    request.pass_already_funded = pass_already_funded
    request.hourly_rate = rate
    request.convention_centre_id = enrolment.training_centre_id
    try:
        with transaction.atomic():
            save_attributed(request, actor)
    except IntegrityError:  # drawn up by another request in the meantime (no row lock on SQLite)
        raise DomainError(CONCURRENT_REQUEST) from None
    request.lines.all().delete()
    FundingLine.objects.bulk_create(
        FundingLine(
            request=request,
            training_centre_id=line.centre_id,
            path_id=line.path_id,
            category=line.category,
            hours=line.hours,
            hourly_rate=line.hourly_rate,
            amount=line.amount,
        )
        for line in lines
    )
    record_event(
        AuditAction.FUNDING_REQUEST_DRAWN_UP,
        request,
        actor=actor,
        before=before,
        after=_funding_summary(request),
    )
    return request


def _existing_request(enrolment: Enrolment) -> FundingRequest | None:
    return FundingRequest.objects.filter(enrolment=enrolment).first()


def _path_funding(enrolment: Enrolment) -> list[PathFunding]:
    paths = list(TrainingPath.objects.for_enrolment(enrolment))
    if enrolment.option and not any(path.kind == PathKind.OPTION for path in paths):
        raise DomainError(
            f"Les durées de l'option « {enrolment.option.title} » ne sont pas définies : "
            "l'administrateur national doit les saisir."
        )
    attended: dict[int, list[int]] = {}
    for path_id, centre_id in enrolment.attendances.values_list(
        "module__path_id", "session__training_centre_id"
    ):
        attended.setdefault(path_id, []).append(centre_id)
    return [
        PathFunding(
            path.pk,
            path.kind,
            path.funded_hours(),
            delivering_centre(enrolment.training_centre_id, attended.get(path.pk, [])),
        )
        for path in paths
    ]


def _funding_summary(request: FundingRequest) -> dict[str, Any]:
    return {
        "pass_already_funded": request.pass_already_funded,
        "hourly_rate": request.hourly_rate,
        "total": (request.lines.aggregate(total=models.Sum("amount"))["total"] or Decimal(0)).quantize(CENT),
    }
