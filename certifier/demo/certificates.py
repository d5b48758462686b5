"""Demo certificates and CPF declaration (issue 10), through the same services as the job and the users:
- December 2025: the CQPs of the proclaimed session issued right after its minutes are signed (in this
  process rather than by the worker: the demo's amendment revokes one of them);
- the amendment's certificates revised: the CQP of the candidate whose fraud is established revoked, the
  CQP of the candidate whose deferred decision is now favourable issued;
- a CPF flux written, and the CDC's processing receipt loaded, accepting every passage but one."""

from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from certifier.certificates.cpf import flux_name, load_receipt, write_flux
from certifier.certificates.credentials import make_development_key
from certifier.certificates.issuance import issue_session
from certifier.certificates.models import Certificate, CertificateKind, CpfPassage
from certifier.certificates.revocation import revise
from certifier.core.changes import apply_changes
from certifier.core.models import DomainError
from certifier.exams.models import ExamSession
from certifier.juries.models import Deliberation
from certifier.people.enums import Role
from certifier.people.models import Membership, User

REJECTION = "Le code INSEE de la commune de naissance ne correspond pas à l'année de naissance du titulaire."


def _nothing(done: int, total: int | None) -> None:
    """The demo reports no progress."""


def issue_demo_certificates(session: ExamSession, actor: User) -> None:
    """Signed by the demo's development keys (made here if `make demo` has not made them yet)."""
    make_development_key(settings.CREDENTIAL_KEY_PATH)
    outcome = issue_session(session.pk, actor, _nothing)
    if outcome.failed:
        raise DomainError(outcome.message)


def revise_demo_certificates(amendment: Deliberation, actor: User) -> None:
    """What the amendment's signature triggers after commit, done now so the flux below sees it (running
    it again after commit changes nothing)."""
    for decision in amendment.decisions.all():
        revise(actor, decision)


def open_holder_account(email: str, password: str, admin: User) -> None:
    """The account of the holder of the first CQP in force, so a newcomer downloads it and follows its
    verification link."""
    holder = (
        Certificate.objects.filter(kind=CertificateKind.CQP, revoked_at__isnull=True)
        .select_related("candidate")
        .earliest("number")
        .candidate
    )
    user = User.objects.create_user(
        email, password, first_name=holder.first_name, last_name=holder.usage_name or holder.birth_name
    )
    Membership.objects.create(user=user, organisation=holder.employer, role=Role.CANDIDATE)
    apply_changes(holder, {"user": user}, admin)


def declare_demo_certificates(admin: User) -> None:
    fluxes = write_flux(admin)
    numbers = list(
        CpfPassage.objects.filter(flux__in=fluxes)
        .order_by("id_technique")
        .values_list("id_technique", flat=True)
    )
    rejected, accepted = numbers[0], numbers[1:]
    passages_ok = "".join(f"<idTechnique>{number}</idTechnique>" for number in accepted)
    receipt = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rapport>'
        f"<idFlux>{Path(flux_name(fluxes[0])).stem}</idFlux>"
        f"<PassagesKO><passage><idTechnique>{rejected}</idTechnique>"
        f"<messageErreur>{REJECTION}</messageErreur></passage></PassagesKO>"
        f"<PassagesOK>{passages_ok}</PassagesOK></rapport>\n"
    )
    load_receipt(admin, ContentFile(receipt.encode(), name="accuse-de-traitement-demo.xml"))
