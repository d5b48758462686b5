"""D60, D25: the holder's own certificates on the results portal, and their signed PDF.

The signed-in candidate lists the certificates issued to them from their session's release time (D55),
each with its status, its public verification link and its PDF. The PDF is served to its holder and to
the national administrator (who answers the holders' requests) only: to anyone else, an employer, another
candidate or any other staff, it does not exist (404); a revoked certificate's PDF is no longer served."""

import logging
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from certifier.core.downloads import attachment
from certifier.people.enums import Role
from certifier.people.permissions import has_role, login_required, role_required

from .models import Certificate

NOT_FOUND = "Ce certificat n'existe pas ou ne vous est pas accessible."
FILE_MISSING = "Le fichier de ce certificat est introuvable : signalez-le à l'administrateur national."

logger = logging.getLogger(__name__)
READ = ("kind", "number", "verification_code", "content", "issued_at", "revoked_at", "revocation_reason")


def released(now: datetime) -> Q:
    """D55: a certificate is read from the release time of the decision that delivered it."""
    return Q(public_from__lte=now)


def holder_certificates(user: Any, now: datetime) -> QuerySet[Certificate]:
    """The signed-in candidate's certificates whose session's results are released, the latest first."""
    return (
        Certificate.objects.filter(released(now), candidate__user=user)
        .only(*READ)
        .order_by("-issued_at", "kind", "sequence")
    )


@role_required(Role.CANDIDATE)
@never_cache
def mine(request: HttpRequest) -> HttpResponse:
    certificates = list(holder_certificates(request.user, timezone.now()))
    return render(request, "certificates/portal_mine.html", {"certificates": certificates})


@login_required
@never_cache
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF, to its holder (once released) and to the national administrator; 404 otherwise."""
    user: Any = request.user  # signed in (login_required)
    certificates = Certificate.objects.filter(pk=pk, revoked_at__isnull=True).exclude(pdf="")
    if not has_role(user, Role.NATIONAL_ADMIN):
        certificates = certificates.filter(released(timezone.now()), candidate__user=user)
    certificate = certificates.only("number", "pdf").first()
    if certificate is None:
        raise Http404(NOT_FOUND)
    try:
        with certificate.pdf.open("rb") as stored:
            content = stored.read()
    except OSError:
        logger.exception("The signed PDF of certificate %s cannot be read", certificate.number)
        raise Http404(FILE_MISSING) from None
    return attachment(content, f"certificat-{certificate.number}.pdf", "application/pdf")
