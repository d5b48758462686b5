"""D56, D62: the certificates follow the national jury's amendments. Revocation is never a free-standing
action: it happens only here, when the minutes of an amendment (rectificatif) are signed, for each
decision it makes (`juries.signals.decision_amended`, sent after commit).

For an amended registration, the certificates in force that the new decision no longer delivers are
revoked: the CCP of a block no longer validated, the CQP of a candidate no longer certified (a
certified candidate has every block validated, D17: a CQP's blocks never change while it stays
delivered). The reason is « fraude établie » when the new decision records a fraud, « décision
rectifiée par le jury » otherwise. The revocations, their audit rows and the re-signed status lists are
one transaction, committed before anything is issued: a withdrawn certificate stops being valid even
if issuing fails. Then what the new decision delivers and its holder does not hold is issued
(`issuance.issue_certificates_for`), each one delivered again replacing the one last revoked (its
verification page links to it); should issuing fail, the national administrator starts the session's
issue again, which issues only what is missing.

The work runs as a job (`JobKind.CERTIFICATES`) in the process that signed the minutes (the minutes'
job), started by their signer, its outcome kept; it never raises into the signing.

The CPF declaration needs nothing from here: it never sends a revoked CQP again and declares a re-issued
one as a new passage (`cpf`)."""

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from certifier.core import jobs
from certifier.core.audit import record_event
from certifier.core.enums import AuditAction, JobKind
from certifier.core.models import DomainError, Job, NotAllowed
from certifier.core.text import count
from certifier.juries.models import JuryDecision, Minutes
from certifier.juries.permissions import may_run_sitting
from certifier.juries.signals import decision_amended
from certifier.juries.signing import SigningUnavailable
from certifier.people.enums import Role
from certifier.people.permissions import has_role

from .credentials import resign_status_list, status_list_number
from .issuance import contexts, issue_certificates_for, wanted
from .models import Certificate, RevocationReason
from .verification import forget_answers

logger = logging.getLogger(__name__)

NOT_ALLOWED = (
    "Seuls le président du jury national et l'administrateur national révoquent un certificat, par le "
    "procès-verbal d'un rectificatif."
)
ALREADY_REVOKED = "Le certificat n° {number} est déjà révoqué."
NOT_ISSUED = (
    "Les certificats retirés par le rectificatif sont révoqués, mais ceux qu'il délivre n'ont pas pu être "
    "émis : {reason} Relancez l'émission des certificats de la session : elle n'émet que ceux qui manquent."
)


def _may_revoke(actor: Any, certificate: Certificate) -> bool:
    if certificate.decision is None:
        return has_role(actor, Role.NATIONAL_ADMIN)
    return may_run_sitting(actor, certificate.decision.deliberation.jury)


@transaction.atomic
def do_revoke(actor: Any, certificate: Certificate, reason: RevocationReason) -> Certificate:
    """Revoke one certificate (D56, D62) for `reason`, audited before and after, its status list
    re-signed in the same transaction: the verification page and every verifier of its credential
    read it revoked from the commit. Called by the amendment's path only, by the amendment's signer."""
    if actor is None or not _may_revoke(actor, certificate):
        raise NotAllowed(NOT_ALLOWED)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise DomainError(ALREADY_REVOKED.format(number=locked.number))
    locked.revoked_at = timezone.now()
    locked.revocation_reason = RevocationReason(reason)
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    record_event(
        AuditAction.CERTIFICATE_REVOKED,
        locked,
        actor=actor,
        before={"number": locked.number, "revoked_at": None, "revocation_reason": ""},
        after={
            "number": locked.number,
            "revoked_at": locked.revoked_at.isoformat(),
            "revocation_reason": locked.revocation_reason,
        },
    )
    resign_status_list(status_list_number(locked))
    forget_answers([locked.verification_code])
    return locked


def withdrawn(new: JuryDecision) -> list[Certificate]:
    """The certificates in force of `new`'s registration that `new` no longer delivers (those issued on
    `new` itself are its own: revising twice revokes nothing more)."""
    (context,) = contexts([new])
    delivered = {(kind, block.code if block else "") for kind, block in wanted(context)}
    in_force = (
        Certificate.objects.filter(decision__registration_id=new.registration_id, revoked_at__isnull=True)
        .exclude(decision=new)
        .select_related("decision__deliberation__jury")
        .order_by("kind", "block_code", "pk")
    )
    return [c for c in in_force if (c.kind, c.block_code) not in delivered]


def _replace(issued: list[Certificate]) -> None:
    """Each certificate delivered again (by a later amendment) replaces the last one revoked of the same
    holder, certification and block (or CQP) that nothing replaces yet."""
    for certificate in issued:
        replaced = (
            Certificate.objects.filter(
                candidate_id=certificate.candidate_id,
                kind=certificate.kind,
                rncp_code=certificate.rncp_code,
                block_code=certificate.block_code,
                revoked_at__isnull=False,
                replaced_by__isnull=True,
            )
            .order_by("-revoked_at", "-pk")
            .first()
        )
        if replaced is not None:
            Certificate.objects.filter(pk=certificate.pk).update(replaces=replaced)
            forget_answers([replaced.verification_code])  # its page now links to its replacement


def revise(actor: Any, new: JuryDecision) -> jobs.Outcome:
    """D56: revoke what `new` withdraws (one transaction), then issue what it delivers and is missing."""
    reason = RevocationReason.FRAUD if new.fraud else RevocationReason.AMENDMENT
    try:
        with transaction.atomic():
            revoked = [do_revoke(actor, certificate, reason) for certificate in withdrawn(new)]
    except (NotAllowed, DomainError, SigningUnavailable) as refused:
        return jobs.Outcome(f"Aucun certificat n'a été révoqué : {refused}", failed=True)
    details = [f"Révoqué : {certificate.number}" for certificate in revoked]
    try:
        issued = issue_certificates_for([new], actor)
    except (DomainError, SigningUnavailable) as refused:
        return jobs.Outcome(NOT_ISSUED.format(reason=refused), details, failed=True)
    _replace(issued)
    details += [f"Émis : {certificate.number}" for certificate in issued]
    if not revoked and not issued:
        return jobs.Outcome("Le rectificatif ne change aucun certificat.", details)
    return jobs.Outcome(
        f"{count(len(revoked), 'certificat révoqué', 'certificats révoqués')}, "
        f"{count(len(issued), 'certificat émis', 'certificats émis')}.",
        details,
    )


@receiver(decision_amended)
def revise_on_amendment(
    sender: Any, old: JuryDecision | None, new: JuryDecision, **kwargs: Any
) -> Job | None:
    """After the commit of an amendment's signed minutes, for each decision it makes: its certificates
    revised in a job started by the minutes' signer."""
    signer = Minutes.objects.select_related("signed_by").get(deliberation_id=new.deliberation_id).signed_by
    return jobs.run_now(
        JobKind.CERTIFICATES,
        signer,
        f"rectificatif-decision-{new.pk}",
        lambda job, progress: revise(signer, new),
    )
