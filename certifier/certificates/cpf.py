"""D62: the declaration of the CQP holders to the Caisse des Dépôts (CPF, Code du travail L6113-8).

One `passageCertification` per CQP in force whose decision is released (national jury or VAE jury, read
from what the certificate froze at issue); the CCPs stay internal (the CDC's schema has no element for a
block). A passage is opened lazily, when a flux is written, for each such certificate without one: no
hook in the issuance or the revocation. Its `idTechnique` is the certificate's number, unique and never
reused, so the CDC's receipt matches back whatever the run.

The flux is streamed (`lxml.etree.xmlfile`, never the whole tree in memory) into temporary files split at
`CPF_PASSAGES_PER_FILE`, each validated against the CDC's schema while read back (`iterparse` with the
schema, elements freed as they are read); only when every file is valid are they kept, their passages
marked sent and one audit event written per flux, in one transaction: never a file that fails.

Revocation: the schema has no deletion. A revoked CQP is simply not sent again (whatever its passage's
state); an amended CQP is re-issued under a new number, hence declared by a new passage. A revoked CQP
the CDC already accepted stays in the holder's account until the certifier asks the CDC to withdraw it
from its certifier's space: the overview lists those.

Rejected passages go into the next flux as they are: the overview lists them with the CDC's message and a
link to the enrolment, so the national administrator corrects the holder's identity before writing it.
Accepted passages are never sent again.

The holder's identity (birth name, first names, date and place of birth, sex) is read from the Candidate
when the flux is written, not from the certificate's frozen content: the CDC identifies the holder with
it (it is not what the certificate says), the content leaves the date of birth out on purpose (the public
verification page), and a correction after a rejection must reach the next flux.
"""

import hashlib
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from lxml import etree

from certifier.core import jobs
from certifier.core.audit import record_event
from certifier.core.enums import AuditAction, JobKind, JobStatus
from certifier.core.models import STALLED_AFTER, DomainError, Job, NotAllowed
from certifier.core.text import count, thousands
from certifier.pathways.rules import display_name
from certifier.people.enums import Role
from certifier.people.models import User
from certifier.people.permissions import has_role
from certifier.referential.enums import AccessRouteKind

from .models import Certificate, CertificateKind, CpfFlux, CpfPassage, CpfReceipt, PassageState

NS = "urn:cdc:cpf:pc5:schema:1.0.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NIL = f"{{{XSI}}}nil"
NOT_ALLOWED = "Seul l'administrateur national déclare les titulaires au CPF."
NOTHING = "Aucun titulaire n'est à déclarer : tous les CQP délivrés ont été déclarés et acceptés."
BUSY = "Un flux de déclaration au CPF est déjà en cours de production : attendez qu'il se termine."
CHANGED = (
    "Des passages ont changé pendant la production du flux (accusé de traitement chargé, certificat "
    "révoqué ou autre flux produit) : rien n'a été conservé. Relancez la production du flux."
)
PROGRESS_EVERY = 1000
# a rejected passage goes again once the administrator says its holder's identity is corrected
SENDABLE = (PassageState.TO_SEND,)
BATCH = 2000  # ids per UPDATE, below every database's limit of bound parameters

# D62: the access route the certificate was obtained by, as the CDC names it (`modaliteAcces`); a VAE
# also says how it was followed (`voieAccessVAE`: congé VAE or VAE classique).
ACCESS = {
    AccessRouteKind.INITIAL_TRAINING: "FORMATION_INITIALE_HORS_APPRENTISSAGE",
    AccessRouteKind.APPRENTICESHIP: "FORMATION_INITIALE_APPRENTISSAGE",
    AccessRouteKind.CONTINUING_EDUCATION: "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
    AccessRouteKind.PROFESSIONAL_CONTRACT: "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
    AccessRouteKind.INDIVIDUAL_APPLICATION: "CANDIDAT_LIBRE",
    AccessRouteKind.VAE: "VAE",
}


def may_declare(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and has_role(user, Role.NATIONAL_ADMIN))


def declaring_administrator(email: str | None) -> User:
    """The national administrator a command declares in the name of (the journal names them), by the
    e-mail address given with --user; DomainError in French otherwise."""
    if not email:
        raise DomainError(
            "Précisez --user ADRESSE : le compte de l'administrateur national au nom duquel la déclaration "
            "au CPF est faite (il figure au journal)."
        )
    actor = User.objects.filter(email__iexact=email).first()
    if actor is None:
        raise DomainError(f"Aucun compte n'a l'adresse {email}.")
    if not may_declare(actor):
        raise DomainError(f"{email} n'est pas administrateur national : {NOT_ALLOWED}")
    return actor


def _check(actor: Any) -> None:
    if not may_declare(actor):
        raise NotAllowed(NOT_ALLOWED)


# --- what is to declare -------------------------------------------------------------------------


def declarable() -> QuerySet[Certificate]:
    """The CQPs in force whose decision (national jury or VAE jury) is released."""
    return Certificate.objects.filter(
        kind=CertificateKind.CQP, revoked_at__isnull=True, public_from__lte=timezone.now()
    )


def open_passages() -> int:
    """A passage « à déclarer » for each declarable CQP without one, its idTechnique the certificate's
    number: one INSERT … SELECT in the database, however many (a bulk_create of 100,000 objects took
    17 s). Two at once would break the unique certificate: refused, nothing opened."""
    missing = (
        declarable()
        .filter(cpf_passage__isnull=True)
        .order_by()
        .values(passage_of=F("pk"), passage_id=F("number"))
    )
    select, params = missing.query.sql_with_params()
    table = connection.ops.quote_name(CpfPassage._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(column)
        for column in ("certificate_id", "id_technique", "state", "message", "updated_at")
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT missing.passage_of, missing.passage_id, %s, %s, %s "  # noqa: S608
                f"FROM ({select}) missing",
                [PassageState.TO_SEND.value, "", timezone.now(), *params],
            )
            opened: int = cursor.rowcount
            return opened
    except IntegrityError:
        raise DomainError(CHANGED) from None


def to_send() -> QuerySet[CpfPassage]:
    """The passages the next flux carries: never sent, or rejected and corrected since (`do_correct`),
    of a CQP still in force."""
    return declared().filter(state__in=SENDABLE)


def declared() -> QuerySet[CpfPassage]:
    """The passages of the declarable CQPs: `declarable`'s conditions through the passage's own join,
    not `certificate__in=declarable()`, a subquery PostgreSQL plans badly for the flux's cursor (194 s
    instead of about 20 for 100,000 passages)."""
    return CpfPassage.objects.filter(
        certificate__kind=CertificateKind.CQP,
        certificate__revoked_at__isnull=True,
        certificate__public_from__lte=timezone.now(),
    )


FIELDS = (
    "pk",
    "id_technique",
    "certificate__rncp_code",
    "certificate__verification_code",
    "certificate__candidate__birth_name",
    "certificate__candidate__usage_name",
    "certificate__candidate__first_name",
    "certificate__candidate__other_first_names",
    "certificate__candidate__sex",
    "certificate__candidate__birth_date",
    "certificate__candidate__birth_insee_code",
    "certificate__valid_from",
    "certificate__access_route",
    "certificate__vae_route",
    "certificate__option",
    "certificate__assessed_from",
    "certificate__assessed_to",
)


@dataclass(frozen=True)
class Row:
    pk: int
    id_technique: str
    rncp_code: str
    verification_code: str
    birth_name: str
    usage_name: str
    first_name: str
    other_first_names: str
    sex: str
    birth_date: date
    birth_insee_code: str
    jury_date: date
    access_route: str
    vae_route: str
    option: str
    assessed_from: date
    assessed_to: date


def _rows(passages: QuerySet[CpfPassage]) -> Iterator[Row]:
    ordered = passages.order_by("certificate__rncp_code", "id_technique").values_list(*FIELDS)
    for values in ordered.iterator(chunk_size=BATCH):
        yield Row(*values)


# --- writing the flux ---------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _leaf(xf: Any, name: str, text: str) -> None:
    with xf.element(_q(name)):
        xf.write(text)


def _nil(xf: Any, name: str) -> None:
    with xf.element(_q(name), {NIL: "true"}):
        pass


def proof_url(verification_code: str) -> str:
    """`urlPreuve`: the certificate's public verification page (D61), on the configured address."""
    return settings.SITE_URL + reverse("certificates:verify", args=[verification_code])


def _proof_urls() -> Callable[[str], str]:
    """`proof_url` without resolving the route 100,000 times (2 s of a 20,000 passages flux)."""
    marker = "0CODE0"
    before, _, after = proof_url(marker).partition(marker)
    return lambda code: before + quote(code, safe="") + after


def _first_names(other: str) -> list[str]:
    """The other first names, as entered (commas or spaces between them): the CDC takes two more."""
    return [name for name in re.split(r"[,\s]+", other) if name][:2]


def _passage(xf: Any, row: Row, proof: Callable[[str], str]) -> None:
    # idTechnique first: a diagnosis of an invalid file names the passage by it (see `_diagnose`)
    with xf.element(_q("passageCertification")):
        _leaf(xf, "idTechnique", row.id_technique)
        _leaf(xf, "urlPreuve", proof(row.verification_code))
        if row.option:
            _leaf(xf, "libelleOption", row.option)
        _leaf(xf, "obtentionCertification", "PAR_ADMISSION")
        _leaf(xf, "donneeCertifiee", "true")
        _leaf(xf, "dateDebutExamen", row.assessed_from.isoformat())
        _leaf(xf, "dateFinExamen", row.assessed_to.isoformat())
        # the certificate is delivered by the jury's decision, for good (no end of validity)
        _leaf(xf, "dateDebutValidite", row.jury_date.isoformat())
        _nil(xf, "dateFinValidite")
        _leaf(xf, "presenceNiveauLangueEuro", "false")
        _leaf(xf, "presenceNiveauNumeriqueEuro", "false")
        _nil(xf, "scoring")
        _nil(xf, "mentionValidee")
        with xf.element(_q("modalitesInscription")):
            _leaf(xf, "modaliteAcces", ACCESS[AccessRouteKind(row.access_route)])
            if row.vae_route:
                _leaf(xf, "voieAccessVAE", row.vae_route)
        with xf.element(_q("identificationTitulaire")), xf.element(_q("titulaire")):
            _leaf(xf, "nomNaissance", row.birth_name)
            if row.usage_name:
                _leaf(xf, "nomUsage", row.usage_name)
            else:
                _nil(xf, "nomUsage")
            _leaf(xf, "prenom1", row.first_name)
            for rank, name in enumerate(_first_names(row.other_first_names), start=2):
                _leaf(xf, f"prenom{rank}", name)
            _leaf(xf, "anneeNaissance", str(row.birth_date.year))
            _leaf(xf, "moisNaissance", str(row.birth_date.month))
            _leaf(xf, "jourNaissance", str(row.birth_date.day))
            _leaf(xf, "sexe", row.sex)
            with (
                xf.element(_q("codeCommuneNaissance")),
                xf.element(_q("codeInseeNaissance")),
            ):
                _leaf(xf, "codeInsee", row.birth_insee_code)
    xf.write("\n")


@dataclass
class Written:
    """One flux file written to a temporary file, not yet validated."""

    id_flux: str
    path: Path
    passage_ids: list[int]


class FluxFile:
    """One flux file being written, its passages streamed in (sorted by RNCP code: one `certification`
    element per code); nothing but the passages' ids is kept in memory."""

    def __init__(self, id_flux: str, stamp: str, path: Path) -> None:
        self.written = Written(id_flux, path, [])
        self._out = path.open("wb")
        self._file = ExitStack()
        self._certification = ExitStack()
        self._code: str | None = None
        self._proof = _proof_urls()
        self.xf = self._file.enter_context(etree.xmlfile(self._out, encoding="utf-8"))
        self.xf.write_declaration()
        self._file.enter_context(self.xf.element(_q("flux"), nsmap={"cpf": NS, "xsi": XSI}))
        _leaf(self.xf, "idFlux", id_flux)
        _leaf(self.xf, "horodatage", stamp)
        self._file.enter_context(self.xf.element(_q("emetteur")))
        _leaf(self.xf, "idClient", settings.CPF_ID_CLIENT)
        self._file.enter_context(self.xf.element(_q("certificateurs")))
        self._file.enter_context(self.xf.element(_q("certificateur")))
        _leaf(self.xf, "idClient", settings.CPF_ID_CLIENT)
        _leaf(self.xf, "idContrat", settings.CPF_ID_CONTRAT)
        self._file.enter_context(self.xf.element(_q("certifications")))

    def add(self, row: Row) -> None:
        if row.rncp_code != self._code:
            self._certification.close()
            self._certification.enter_context(self.xf.element(_q("certification")))
            _leaf(self.xf, "type", "RNCP")
            _leaf(self.xf, "code", row.rncp_code)
            _leaf(self.xf, "natureDeposant", "CERTIFICATEUR")
            self._certification.enter_context(self.xf.element(_q("passageCertifications")))
            self.xf.write("\n")
            self._code = row.rncp_code
        _passage(self.xf, row, self._proof)
        self.written.passage_ids.append(row.pk)

    def close(self) -> Written:
        self._certification.close()
        self._file.close()
        self._out.close()
        return self.written


def _write_files(
    rows: Iterator[Row], stamp: str, prefix: str, directory: Path, report: jobs.Progress, total: int
) -> list[Written]:
    """The rows streamed into files of at most CPF_PASSAGES_PER_FILE passages."""
    written: list[Written] = []
    current: FluxFile | None = None
    done = 0
    for row in rows:
        if current is None:
            id_flux = f"{prefix}-{len(written) + 1:03d}"
            current = FluxFile(id_flux, stamp, directory / f"{id_flux}.xml")
        current.add(row)
        done += 1
        if len(current.written.passage_ids) == settings.CPF_PASSAGES_PER_FILE:
            written.append(current.close())
            current = None
        if done % PROGRESS_EVERY == 0:
            report(done, total)
    if current is not None:
        written.append(current.close())
    report(done, total)
    return written


# --- validating it ------------------------------------------------------------------------------


def load_schema() -> etree.XMLSchema:
    path = Path(settings.CPF_SCHEMA_PATH)
    try:
        return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
        raise DomainError(
            "Le schéma de la Caisse des Dépôts est introuvable ou illisible (réglage CPF_SCHEMA_PATH) : "
            f"aucun flux n'est produit sans être validé. ({error})"
        ) from None


def _parse(source: Any, schema: etree.XMLSchema | None) -> Iterator[etree._Element]:
    """The passages of a flux, each freed once read (the file's size does not count)."""
    context = etree.iterparse(
        source,
        events=("end",),
        tag=_q("passageCertification"),
        schema=schema,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    for _, passage in context:
        yield passage
        passage.clear(keep_tail=False)
        while passage.getprevious() is not None:
            del passage.getparent()[0]


def validate(path: Path, schema: etree.XMLSchema) -> str | None:
    """Why the flux at `path` is not valid against the CDC's schema (French), None when it is."""
    try:
        for _ in _parse(str(path), schema):
            pass
    except etree.XMLSyntaxError as error:
        return (
            _diagnose(path, schema)
            or f"Le flux ne respecte pas le schéma de la Caisse des Dépôts : {error.msg}"
        )
    return None


ENVELOPE = (
    f'<cpf:flux xmlns:cpf="{NS}" xmlns:xsi="{XSI}"><cpf:idFlux>d</cpf:idFlux>'
    "<cpf:horodatage>2000-01-01T00:00:00+00:00</cpf:horodatage><cpf:emetteur><cpf:idClient>00000000"
    "</cpf:idClient><cpf:certificateurs><cpf:certificateur><cpf:idClient>00000000</cpf:idClient>"
    "<cpf:idContrat>0</cpf:idContrat><cpf:certifications><cpf:certification><cpf:type>RNCP</cpf:type>"
    "<cpf:code>0</cpf:code><cpf:passageCertifications>{}</cpf:passageCertifications></cpf:certification>"
    "</cpf:certifications></cpf:certificateur></cpf:certificateurs></cpf:emetteur></cpf:flux>"
)
NAMED = 5


def _diagnose(path: Path, schema: etree.XMLSchema) -> str | None:
    """An invalid flux, read again: each passage checked alone in a valid envelope, so that the
    message names the passages at fault and the element of each; None when they are all valid (the
    fault is then in the envelope, that is in the CPF settings)."""
    faults = []
    for passage in _parse(str(path), None):
        single = etree.fromstring(ENVELOPE.format(etree.tostring(passage).decode()))
        if not schema.validate(single):
            number = passage.findtext(_q("idTechnique"))
            reasons = "; ".join(entry.message for entry in schema.error_log)  # type: ignore[attr-defined]  # missing from lxml-stubs
            faults.append(f"passage « {number} » : {reasons}")
            if len(faults) == NAMED:
                break
    if not faults:
        return (
            "Le flux ne respecte pas le schéma de la Caisse des Dépôts dans son en-tête : vérifiez les "
            "réglages CPF_ID_CLIENT (8 caractères) et CPF_ID_CONTRAT (1 à 20 caractères)."
        )
    return (
        "Le flux ne respecte pas le schéma de la Caisse des Dépôts ; corrigez l'identité du titulaire "
        "puis relancez. " + " ; ".join(faults)
    )


# --- the service and its job --------------------------------------------------------------------


def write_flux(actor: Any, progress: jobs.Progress | None = None) -> list[CpfFlux]:
    """D62: the flux of every passage to send, in files of at most CPF_PASSAGES_PER_FILE passages,
    each valid against the CDC's schema, kept with their passages marked sent; or nothing at all
    (DomainError in French)."""
    _check(actor)
    schema = load_schema()
    open_passages()
    total = to_send().count()
    if not total:
        raise DomainError(NOTHING)
    report = progress or (lambda done, total: None)
    report(0, total)
    now = timezone.localtime()
    stamp = now.isoformat(timespec="seconds")
    prefix = f"{settings.CPF_ID_CLIENT}-{now:%Y%m%d-%H%M%S}"
    with tempfile.TemporaryDirectory(prefix="cpf-") as directory:
        written = _write_files(_rows(to_send()), stamp, prefix, Path(directory), report, total)
        for flux_file in written:
            if refusal := validate(flux_file.path, schema):
                raise DomainError(refusal)
        kept: list[CpfFlux] = []
        try:
            with transaction.atomic():
                for flux_file in written:
                    kept.append(_keep(actor, flux_file, now))
        except Exception:
            for flux in kept:  # nothing kept: no file left without its row
                flux.file.delete(save=False)
            raise
        return kept


def _keep(actor: Any, written: Written, now: Any) -> CpfFlux:
    """Under lock: the flux's passages still to send, then the file kept and the passages sent."""
    ids = written.passage_ids
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        still = (
            CpfPassage.objects.select_for_update()
            .filter(pk__in=batch, state__in=SENDABLE, certificate__revoked_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if len(list(still)) != len(batch):
            raise DomainError(CHANGED)
    digest = hashlib.sha256()
    with written.path.open("rb") as stored:
        for block in iter(lambda: stored.read(1 << 20), b""):
            digest.update(block)
    flux = CpfFlux(passages=len(ids), written_by=actor, written_at=now, sha256=digest.hexdigest())
    with written.path.open("rb") as stored:
        flux.file.save(written.path.name, File(stored), save=False)
    try:
        flux.save()
    except Exception:
        flux.file.delete(save=False)
        raise
    for start in range(0, len(ids), BATCH):
        CpfPassage.objects.filter(pk__in=ids[start : start + BATCH]).update(
            state=PassageState.SENT, flux=flux, updated_at=now
        )
    record_event(
        AuditAction.CPF_FLUX_WRITTEN,
        flux,
        actor=actor,
        after={"id_flux": written.id_flux, "passages": len(ids), "sha256": flux.sha256},
    )
    return flux


def flux_name(flux: CpfFlux) -> str:
    return Path(flux.file.name).name


REQUEST = "cpf-flux.json"


def writing() -> bool:
    alive = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, heartbeat__gte=timezone.now() - STALLED_AFTER
    )
    return Job.objects.filter(alive, kind=JobKind.CPF_FLUX).exists()


def latest_job() -> Job | None:
    return Job.objects.filter(kind=JobKind.CPF_FLUX).first()


@transaction.atomic
def do_start_flux(actor: Any) -> Job:
    """The national administrator asks for the flux: written by the worker (`write_flux`)."""
    _check(actor)
    if writing():
        raise DomainError(BUSY)
    return jobs.start(JobKind.CPF_FLUX, actor, ContentFile(b"{}", name=REQUEST))


@jobs.runs(JobKind.CPF_FLUX)
@task()
def write_flux_job(job_id: int) -> None:
    jobs.run(job_id, _write)


def _write(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    try:
        written = write_flux(job.started_by, progress)
    except (DomainError, NotAllowed) as refused:
        return jobs.Outcome(str(refused), failed=True)
    return outcome_of(written)


def outcome_of(written: list[CpfFlux]) -> jobs.Outcome:
    passages = sum(flux.passages for flux in written)
    return jobs.Outcome(
        f"Flux produit : {count(passages, 'passage déclaré', 'passages déclarés')} en "
        f"{count(len(written), 'fichier', 'fichiers')}, validé{'s' if len(written) > 1 else ''} "
        "par le schéma de la Caisse des Dépôts.",
        [f"{flux_name(flux)} : {thousands(flux.passages)} passages" for flux in written],
    )


# --- the CDC's processing receipt ---------------------------------------------------------------

RECEIPT_MAX_BYTES = 50 * 1024 * 1024
SHOWN_ERRORS = 100
NO_MESSAGE = "Rejeté sans message de la Caisse des Dépôts."


class ReceiptRefused(DomainError):
    """The receipt was refused as a whole: nothing written; `errors` name each fault by its line."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


@dataclass(frozen=True)
class Outcome:
    line: int
    id_technique: str
    accepted: bool
    message: str


def _local(tag: Any) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _text(element: etree._Element, name: str) -> str:
    """The texts of the children `name` of `element`, joined (a passage may carry several messages)."""
    return " ; ".join(
        (child.text or "").strip() for child in element if _local(child.tag) == name and child.text
    )


@dataclass(frozen=True)
class Receipt:
    id_flux: str  # the flux it answers, when it says so
    outcomes: list[Outcome]


def read_receipt(content: bytes) -> Receipt:
    """The passages a CDC receipt accepts (`PassagesOK`, each `idTechnique` alone or in a `passage`)
    and rejects (`PassagesKO/passage` with `idTechnique` and `messageErreur`), with their line. No DTD,
    no entity, nothing fetched: a receipt has none (XXE, billion laughs refused)."""
    if len(content) > RECEIPT_MAX_BYTES:
        raise ReceiptRefused(
            f"Le fichier dépasse {RECEIPT_MAX_BYTES // (1024 * 1024)} Mo : ce n'est pas un accusé de traitement."
        )
    context = etree.iterparse(
        BytesIO(content),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    outcomes: list[Outcome] = []
    errors: list[str] = []
    id_flux = ""
    container: str | None = None  # "passagesok" or "passagesko" while inside one
    try:
        for event, element in context:
            if event == "start":
                if element.getparent() is None and element.getroottree().docinfo.doctype:
                    raise ReceiptRefused(
                        "Fichier refusé : un accusé de traitement ne contient pas de déclaration DOCTYPE."
                    )
                if _local(element.tag) in ("passagesok", "passagesko"):
                    container = _local(element.tag)
                continue
            name = _local(element.tag)
            parent = element.getparent()
            in_container = parent is not None and _local(parent.tag) == container
            if name in ("passagesok", "passagesko"):
                container = None
            elif name == "idflux" and container is None:
                id_flux = (element.text or "").strip()
            elif container and in_container and name in ("passage", "idtechnique"):
                line = element.sourceline or 0
                number = (
                    (element.text or "").strip() if name == "idtechnique" else _text(element, "idtechnique")
                )
                if not number:
                    errors.append(f"Ligne {line} : passage sans identifiant technique (idTechnique).")
                else:
                    accepted = container == "passagesok"
                    message = "" if accepted else (_text(element, "messageerreur") or NO_MESSAGE)
                    outcomes.append(Outcome(line, number, accepted, message))
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else "?"
        raise ReceiptRefused(f"Fichier XML invalide ou tronqué (ligne {line}) : {error.msg}.") from None
    if errors:
        raise ReceiptRefused(_refusal(errors), errors)
    if not outcomes:
        raise ReceiptRefused(
            "Ce fichier n'est pas un accusé de traitement de la Caisse des Dépôts : il ne contient aucun "
            "passage accepté (PassagesOK) ni rejeté (PassagesKO)."
        )
    return Receipt(id_flux, outcomes)


def _refusal(errors: list[str]) -> str:
    return (
        f"Accusé de traitement refusé : {count(len(errors), 'erreur', 'erreurs')}. "
        "Aucun passage n'a été mis à jour."
    )


def _answered(id_flux: str) -> CpfFlux | None:
    """The flux a receipt answers, by its idFlux (the flux's file is named after it)."""
    if not id_flux:
        return None
    return CpfFlux.objects.filter(file__endswith=f"/{id_flux}.xml").first()


def _check_outcomes(receipt: Receipt) -> dict[str, int]:
    """Every idTechnique once, each a passage already sent, and, when the receipt names a flux of
    ours, last sent in that flux (an older receipt does not undo a later sending); the passages' ids
    by idTechnique."""
    errors: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    for outcome in receipt.outcomes:
        if outcome.id_technique in first:
            errors.append(
                (
                    outcome.line,
                    f"l'identifiant technique « {outcome.id_technique} » figure déjà ligne "
                    f"{first[outcome.id_technique]}.",
                )
            )
        else:
            first[outcome.id_technique] = outcome.line
    numbers = list(first)
    known: dict[str, tuple[int, int]] = {}
    for start in range(0, len(numbers), BATCH):
        for number, pk, flux_id in (
            CpfPassage.objects.select_for_update()
            .filter(id_technique__in=numbers[start : start + BATCH], flux__isnull=False)
            .values_list("id_technique", "pk", "flux_id")
        ):
            known[number] = (pk, flux_id)
    answered = _answered(receipt.id_flux)
    for number, line in first.items():
        if number not in known:
            errors.append(
                (
                    line,
                    f"identifiant technique « {number} » inconnu : aucun passage déclaré au CPF ne porte "
                    "cet identifiant.",
                )
            )
        elif answered is not None and known[number][1] != answered.pk:
            errors.append(
                (
                    line,
                    f"le passage « {number} » a été envoyé depuis dans un flux plus récent : cet accusé de "
                    f"traitement (flux {receipt.id_flux}) ne vaut plus pour lui.",
                )
            )
    if errors:
        texts = [f"Ligne {line} : {text}" for line, text in sorted(errors)]
        shown = texts[:SHOWN_ERRORS]
        if len(texts) > SHOWN_ERRORS:
            shown.append(f"… et {count(len(texts) - SHOWN_ERRORS, 'autre erreur', 'autres erreurs')}.")
        raise ReceiptRefused(_refusal(texts), shown)
    return {number: pk for number, (pk, _) in known.items()}


def load_receipt(actor: Any, upload: File[Any]) -> CpfReceipt:
    """D62: the CDC's processing receipt, checked whole first (every idTechnique a passage we sent),
    then applied all or nothing: accepted passages ACCEPTED, rejected ones REJECTED with the CDC's
    message; the receipt kept and one audit event."""
    _check(actor)
    if upload.size is not None and upload.size > RECEIPT_MAX_BYTES:
        raise ReceiptRefused(
            f"Le fichier dépasse {RECEIPT_MAX_BYTES // (1024 * 1024)} Mo : ce n'est pas un accusé de traitement."
        )
    upload.seek(0)
    content = upload.read(RECEIPT_MAX_BYTES + 1)
    read = read_receipt(content)
    now = timezone.now()
    name = Path(upload.name or "accuse.xml").name[:255]
    receipt = CpfReceipt(file_name=name, loaded_by=actor, loaded_at=now)
    receipt.file.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            # checked under the passages' locks: a flux written meanwhile waits, or is seen
            known = _check_outcomes(read)
            accepted = [known[o.id_technique] for o in read.outcomes if o.accepted]
            rejected: dict[str, list[int]] = {}
            for outcome in read.outcomes:
                if not outcome.accepted:
                    rejected.setdefault(outcome.message, []).append(known[outcome.id_technique])
            receipt.accepted = len(accepted)
            receipt.rejected = sum(len(ids) for ids in rejected.values())
            receipt.save()
            for start in range(0, len(accepted), BATCH):
                CpfPassage.objects.filter(pk__in=accepted[start : start + BATCH]).update(
                    state=PassageState.ACCEPTED, message="", updated_at=now
                )
            for message, ids in rejected.items():
                for start in range(0, len(ids), BATCH):
                    CpfPassage.objects.filter(pk__in=ids[start : start + BATCH]).update(
                        state=PassageState.REJECTED, message=message, updated_at=now
                    )
            record_event(
                AuditAction.CPF_RECEIPT_LOADED,
                receipt,
                actor=actor,
                after={"file": name, "accepted": receipt.accepted, "rejected": receipt.rejected},
            )
    except Exception:
        receipt.file.delete(save=False)
        raise
    return receipt


# --- the three-month limit (L6113-8) ------------------------------------------------------------

APPROACHING_MONTHS = 2
LIMIT_MONTHS = 3


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Pending:
    """A holder whose CQP the CDC has not accepted yet, the jury's decision two months old or more."""

    certificate_id: int
    number: str
    name: str
    jury_date: date
    state: str | None  # the passage's, None when no flux carried it yet
    enrolment_id: int
    late: bool

    @property
    def state_label(self) -> str:
        return PassageState(self.state).label if self.state else PassageState.TO_SEND.label


def not_accepted() -> QuerySet[Certificate]:
    return declarable().exclude(cpf_passage__state=PassageState.ACCEPTED)


def pending(today: date | None = None, limit: int = 200) -> tuple[int, int, list[Pending]]:
    """The holders approaching the three-month limit and those past it (counts, then the first
    `limit`, the oldest first)."""
    today = today or timezone.localdate()
    approaching_from = months_before(today, APPROACHING_MONTHS)
    late_from = months_before(today, LIMIT_MONTHS)
    overdue = not_accepted().filter(valid_from__lte=approaching_from)
    counts = overdue.aggregate(late=Count("pk", filter=Q(valid_from__lte=late_from)), all=Count("pk"))
    rows = overdue.order_by("valid_from", "number").values_list(
        "pk",
        "number",
        "candidate__birth_name",
        "candidate__usage_name",
        "candidate__first_name",
        "valid_from",
        "cpf_passage__state",
        "enrolment_id",
    )[:limit]
    listed = [
        Pending(
            pk,
            number,
            display_name(birth, usage, first),
            held_on,
            state,
            enrolment,
            held_on <= late_from,
        )
        for pk, number, birth, usage, first, held_on, state, enrolment in rows
    ]
    return counts["late"], counts["all"] - counts["late"], listed


def state_counts() -> dict[str, int]:
    """The passages of the CQPs in force by state; « à déclarer » counts the CQPs no flux carried yet."""
    counts = dict.fromkeys(PassageState.values, 0)
    for state, number in declared().values_list("state").annotate(number=Count("pk")).order_by():
        counts[state] = number
    counts[PassageState.TO_SEND] += declarable().filter(cpf_passage__isnull=True).count()
    return counts


@dataclass(frozen=True)
class Rejected:
    id_technique: str
    message: str
    name: str
    enrolment_id: int


def rejected(limit: int = 200) -> list[Rejected]:
    """The rejected passages of CQPs in force, with the CDC's message and the enrolment to correct."""
    rows = (
        declared()
        .filter(state=PassageState.REJECTED)
        .order_by("certificate__candidate__birth_name", "id_technique")
        .values_list(
            "id_technique",
            "message",
            "certificate__candidate__birth_name",
            "certificate__candidate__usage_name",
            "certificate__candidate__first_name",
            "certificate__enrolment_id",
        )[:limit]
    )
    return [
        Rejected(number, message, display_name(birth, usage, first), enrolment)
        for number, message, birth, usage, first, enrolment in rows
    ]


@transaction.atomic
def do_correct(actor: Any, id_technique: str) -> CpfPassage:
    """D62: the administrator has corrected the identity of a holder the CDC rejected: the passage goes
    into the next flux (« à déclarer »), audited with the CDC's message it answers."""
    _check(actor)
    passage = (
        declared().select_for_update().filter(id_technique=id_technique, state=PassageState.REJECTED).first()
    )
    if passage is None:
        raise DomainError(
            f"Le passage « {id_technique} » n'est pas un passage rejeté à corriger : la page est peut-être "
            "ancienne, rechargez-la."
        )
    before = {"state": passage.state, "message": passage.message}
    passage.state = PassageState.TO_SEND
    passage.save(update_fields=["state", "updated_at"])
    record_event(
        AuditAction.CPF_PASSAGE_CORRECTED, passage, actor=actor, before=before, after={"state": passage.state}
    )
    return passage


def withdrawn() -> QuerySet[CpfPassage]:
    """Revoked CQPs the CDC had accepted: the schema cannot withdraw them, the certifier asks the CDC."""
    return (
        CpfPassage.objects.filter(state=PassageState.ACCEPTED, certificate__revoked_at__isnull=False)
        .select_related("certificate__candidate")
        .order_by("-certificate__revoked_at")
    )
