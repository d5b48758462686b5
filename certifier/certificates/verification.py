"""D61: what the public verification page reads of a certificate by its verification code, and the
lock-out that keeps the codes from being enumerated.

A code is normalised as typed (`issuance.normalise_code`: case, dashes, spaces, look-alike letters);
one that cannot be a code at all is answered as mistyped without reading anything. A well-formed code
is looked up in one query; a code that matches no certificate, or the certificate of a session whose
results are not released yet, is unknown and counted as a failure of the client's address. The
failures are counted in the database, shared by every web worker, in the results lookup's counters
(`ResultsLookupCounter`, under a key of their own): after `VERIFICATION_ADDRESS_FAILURES` of them the
address is locked for `VERIFICATION_LOCK_MINUTES`, and while it is locked every well-formed code read
is refused, found or not (a found certificate answered to a locked address would tell a good guess
from a bad one); the certificate and the lock are read in one query. A success never resets the count.
With 80 bits a code, the lock-out is a second line: guessing one of 100,000 certificates takes about
10^19 tries on average.

The answers about a found certificate are kept in the cache (`VERIFICATION_CACHE_SECONDS`: a day in the
shared cache, half a minute in each process's memory without one) under their code and format
(`middleware`). Once a revocation or a replacement is committed, the answers of the codes it changes
are overwritten for `FORGOTTEN_SECONDS` by a mark that is never served and that an answer drawn before
the commit cannot replace (it is only ever added, never set over a key present): whichever process
drew it, no stale answer is served again. A lock reached is kept there too, so a locked address is
refused before any kept answer.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils.crypto import salted_hmac

from certifier.juries.models import LookupKind, ResultsLookupCounter

from .models import Certificate


class Outcome(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # well-formed, but no certificate (released) has it
    MISTYPED = "mistyped"  # cannot be a verification code
    LOCKED = "locked"


# what the page reads of a certificate: its frozen content, never its credential (kilobytes) nor the
# holder's record
READ = (
    "public_from",
    "kind",
    "number",
    "verification_code",
    "content",
    "issued_at",
    "revoked_at",
    "revocation_reason",
)


def _address_key(address: str) -> str:
    """A keyed hash of the client's address: the counters never keep the address itself."""
    return salted_hmac("certifier.certificates.verification", address, algorithm="sha256").hexdigest()


# longer than any request drawn before a commit can last (gunicorn's timeout: 30 s)
FORGOTTEN_SECONDS = 120
FORGOTTEN = "forgotten"


def lock_key(address: str) -> str:
    return f"verification:lock:{_address_key(address)}"


def answer_key(code: str, as_json: bool) -> str:
    return f"verification:{'json' if as_json else 'html'}:{code}"


def forget_answers(codes: list[str]) -> None:
    """After the commit of a change to these certificates' status, their answers kept are never served
    again, nor kept again for `FORGOTTEN_SECONDS`."""

    def forget() -> None:
        keys = [answer_key(code, as_json) for code in codes for as_json in (False, True)]
        cache.set_many(dict.fromkeys(keys, FORGOTTEN), FORGOTTEN_SECONDS)

    transaction.on_commit(forget)


def _lock(address: str, now: datetime) -> QuerySet[ResultsLookupCounter, datetime | None]:
    return (
        ResultsLookupCounter.objects.filter(
            kind=LookupKind.ADDRESS, key=_address_key(address), locked_until__gt=now
        )
        .order_by()
        .values_list("locked_until", flat=True)
    )


def locked_until(address: str, now: datetime) -> datetime | None:
    """Until when `address` is locked, if it is at `now`."""
    return next(iter(_lock(address, now)[:1]), None)


def count_failure(address: str, now: datetime) -> None:
    """One more unknown code from `address`, under its counter's row lock (parallel guesses cannot
    overrun the limit); the limit reached locks it and starts the count again."""
    with transaction.atomic():
        counter, _ = ResultsLookupCounter.objects.select_for_update().get_or_create(
            kind=LookupKind.ADDRESS, key=_address_key(address)
        )
        counter.failures += 1
        if counter.failures >= settings.VERIFICATION_ADDRESS_FAILURES:
            counter.failures = 0
            counter.locked_until = until = now + timedelta(minutes=settings.VERIFICATION_LOCK_MINUTES)
            seconds = settings.VERIFICATION_LOCK_MINUTES * 60
            transaction.on_commit(lambda: cache.set(lock_key(address), until, seconds))
        counter.save(update_fields=["failures", "locked_until"])


def certificate_of(code: str, address: str, now: datetime) -> Any:
    """The certificate of a stored-form code, and until when `address` is locked
    (`address_locked_until`), in one query (kept lean: on this page, building the query costs more
    than running it)."""
    found = (
        Certificate.objects.filter(verification_code=code)
        .only(*READ)
        .annotate(
            address_locked_until=Subquery(_lock(address, now)[:1]),
        )
        .order_by()[:1]
    )
    return next(iter(found), None)


def replacement_code(certificate: Certificate) -> str | None:
    """The verification code of the certificate replacing a revoked one, if any."""
    replacements = Certificate.objects.filter(replaces=certificate).order_by("pk")
    return replacements.values_list("verification_code", flat=True).first()


def _released(certificate: Any, now: datetime) -> bool:
    """D55: a certificate is public from the release time of the decision that delivered it."""
    return bool(certificate.public_from <= now)


def find(code: str, address: str, now: datetime) -> tuple[Any, datetime | None]:
    """D61: the certificate of a well-formed code (stored form) as the public may see it at `now` from
    `address`, and until when that address is locked: (None, time) while it is locked, whatever the
    code; (None, None), counted as a failure of `address`, when no certificate has the code or its
    results are not released. One query when the code is found."""
    certificate = certificate_of(code, address, now)
    until = certificate.address_locked_until if certificate else locked_until(address, now)
    if until is not None:
        return None, until
    if certificate is None or not _released(certificate, now):
        count_failure(address, now)
        return None, None
    return certificate, None
