"""D61: the public verification page of a certificate, for people (French HTML, printable) and for
machines (the same facts in JSON), and the signed credential it declares.

Open to anyone, without sign-in. It shows what the certificate states (holder, certification, blocks,
jury date, issue date, number) and its status, read from the content frozen at issue: never a mark nor
a date of birth. A mistyped code, a code that names no certificate and a revoked certificate are three
different answers.

The page's consultation date is written in when served: an answer about a found certificate carries
its content without it (`shareable_content`), which the middleware (`middleware.verification_answers`)
keeps and serves again to visitors without any cookie, dated the day it serves it."""

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from certifier.core.downloads import attachment
from certifier.core.middleware import client_address
from certifier.people.permissions import public

from . import verification
from .issuance import day_text, grouped, normalise_code
from .models import Certificate, RevocationReason, jury_name
from .verification import Outcome

# the consultation date's place in a kept page, written in when served
CONSULTED_ON = "\u2063consulté-le\u2063"
CREDENTIAL_TYPE = "application/vc+ld+json"
MESSAGES = {
    Outcome.MISTYPED: (
        "Ce code n'a pas la forme d'un code de vérification : il compte seize lettres et chiffres, par "
        "exemple 7K3M-Q9XD-2B4T-HN6R (tirets et espaces facultatifs). Vérifiez la saisie sur le certificat, "
        "où le code est imprimé sous le QR code."
    ),
    Outcome.UNKNOWN: (
        "Aucun certificat ne correspond à ce code. Vérifiez la saisie, caractère par caractère, sur le "
        "certificat, où le code est imprimé sous le QR code. Un certificat révoqué n'est pas inconnu : "
        "sa page le dit révoqué."
    ),
    Outcome.LOCKED: (
        "Trop de codes inconnus ont été saisis depuis votre connexion : la vérification est suspendue "
        "pendant quelques minutes. Réessayez plus tard."
    ),
    Outcome.VALID: "Ce certificat est valide : il a été délivré par le certificateur et n'a pas été révoqué.",
    Outcome.REVOKED: "Ce certificat a été révoqué : il n'est plus valable.",
}
STATUS_CODES = {
    Outcome.VALID: 200,
    Outcome.REVOKED: 200,
    Outcome.UNKNOWN: 404,
    Outcome.MISTYPED: 404,
    Outcome.LOCKED: 429,
}


def wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def credential_path(code: str) -> str:
    return reverse("certificates:credential", args=[grouped(code)])


def facts(certificate: Any) -> dict[str, Any]:
    """What the certificate states, for machines: from its frozen content only."""
    content = certificate.content
    stated: dict[str, Any] = {
        "kind": certificate.kind,
        "kind_label": content["kind_label"],
        "number": certificate.number,
        "holder": content["holder"]["name"],
        "certification": {
            "title": content["certification"]["title"],
            "rncp_code": content["certification"]["rncp_code"],
        },
        "jury": jury_name(content),
        "jury_date": content["jury_date"],
        "issued_on": content["issued_on"],
        "verification_code": content["verification_code"],
        "verification_url": content["verification_url"],
    }
    if "block" in content:
        stated["block"] = content["block"]
    else:
        stated["blocks"] = content["blocks"]
    return stated


def revocation(certificate: Any) -> dict[str, Any] | None:
    if certificate.revoked_at is None:
        return None
    revoked_on = timezone.localdate(certificate.revoked_at)
    replacement = verification.replacement_code(certificate)
    return {
        "revoked_on": revoked_on.isoformat(),
        "revoked_on_text": day_text(revoked_on),
        "reason": certificate.revocation_reason,
        "reason_label": RevocationReason(certificate.revocation_reason).label,
        "replaced_by": reverse("certificates:verify", args=[grouped(replacement)]) if replacement else "",
    }


def _json(outcome: Outcome, certificate: Any = None) -> bytes:
    body: dict[str, Any] = {"status": outcome.value, "message": MESSAGES[outcome]}
    if certificate is not None:
        body["certificate"] = facts(certificate)
        if revoked := revocation(certificate):
            body["revocation"] = revoked
        body["credential"] = credential_path(certificate.verification_code)
    return json.dumps(body, ensure_ascii=False).encode()


def _answer(request: HttpRequest, as_json: bool, outcome: Outcome, certificate: Any = None) -> HttpResponse:
    if as_json:
        response = HttpResponse(_json(outcome, certificate), content_type="application/json")
    else:
        context = {
            "outcome": outcome.value,
            "message": MESSAGES[outcome],
            "certificate": certificate,
            "consulted_on": CONSULTED_ON,
        }
        if certificate is not None:
            context["revocation"] = revocation(certificate)
            context["credential_url"] = credential_path(certificate.verification_code)
        response = render(request, "certificates/verify.html", context)
    response.status_code = STATUS_CODES[outcome]
    return response


def consultation_dated(content: bytes) -> bytes:
    """An answer's content with today's date as its consultation date."""
    return content.replace(CONSULTED_ON.encode(), formats.date_format(timezone.localdate(), "j F Y").encode())


def _finish(response: HttpResponse) -> HttpResponse:
    """Never indexed by search engines (it names a person); the status may change: revalidated. The
    consultation date written in."""
    response.content = consultation_dated(response.content)
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Accept"])
    return response


def _refused(request: HttpRequest, as_json: bool, until: datetime) -> HttpResponse:
    response = _answer(request, as_json, Outcome.LOCKED)
    seconds = int((until - timezone.now()).total_seconds())
    response["Retry-After"] = str(max(1, seconds))
    return _finish(response)


@public
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """D61: a certificate's status by its verification code (HTML, or JSON when asked for by `Accept`
    or `?format=json`)."""
    as_json = wants_json(request)
    stored = normalise_code(code)
    if stored is None:
        return _finish(_answer(request, as_json, Outcome.MISTYPED))
    certificate, until = verification.find(stored, client_address(request), timezone.now())
    if until is not None:
        return _refused(request, as_json, until)
    if certificate is None:
        return _finish(_answer(request, as_json, Outcome.UNKNOWN))
    response = _answer(
        request, as_json, Outcome.REVOKED if certificate.revoked_at else Outcome.VALID, certificate
    )
    response.shareable_content = response.content  # type: ignore[attr-defined]
    return _finish(response)


@public
@require_safe
def credential(request: HttpRequest, code: str) -> HttpResponse:
    """D60, D61: the certificate's signed Open Badges 3.0 credential, to download; valid or revoked
    alike (its status list says which)."""
    stored = normalise_code(code)
    if stored is None:
        return _finish(_answer(request, False, Outcome.MISTYPED))
    certificate, until = verification.find(stored, client_address(request), timezone.now())
    if until is not None:
        return _refused(request, False, until)
    if certificate is None:
        return _finish(_answer(request, False, Outcome.UNKNOWN))
    signed = Certificate.objects.filter(pk=certificate.pk).values_list("credential", flat=True).first()
    if signed is None:
        raise Http404("L'attestation numérique de ce certificat n'est pas encore signée.")
    response = attachment(
        json.dumps(signed, ensure_ascii=False, indent=2).encode(),
        f"certificat-{certificate.number}.json",
        CREDENTIAL_TYPE,
    )
    return _finish(response)
