"""Import of the France compétences registry export (RNCP and RS sheets, XML v4.1 and the older shape).

The parser turns one `FICHE` element into a plain `Sheet` and raises `RegistryError` with a French
message naming the sheet and the element. The service streams the export (a bare `.xml` or the
published `.zip`), keeps memory flat whatever the file size, and writes everything in one transaction:
a malformed or truncated file imports nothing. Unchanged rows are not saved.
"""

import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from django.db import models, transaction
from lxml import etree
from simple_history.utils import get_history_manager_for_model

from certifier.core.audit import record_event
from certifier.core.changes import apply_changes
from certifier.core.enums import AuditAction
from certifier.core.models import NotAllowed
from certifier.core.text import count, thousands
from certifier.people.permissions import can_edit_referential

from .enums import AccessRouteKind, Scheme
from .models import AccessRoute, Block, Certification, CertificationVersion, Certifier, Statistic

PROGRESS_EVERY = 1000
# The largest sheet of the reference sample holds 2,946 elements in 196 KB: these bounds keep the
# memory of a hostile file flat (everything outside the sheets is freed as it is read).
MAX_SHEET_ELEMENTS = 50_000
MAX_SHEET_BYTES = 20_000_000
MAX_PROLOG_BYTES = 1_000_000  # before the root element FICHES
COUNT_ELEMENTS_AFTER = 1_000_000  # bytes of one sheet read before its elements are counted
# Sheets written per transaction: well under a second, so that sign-ins never wait for the import.
WRITE_BATCH = 50
RNCP_VERSION_CODE = "rncp"
RNCP_VERSION_LABEL = "Référentiel enregistré au RNCP"

NUMBER = re.compile(r"(RNCP|RS)\d+")
LEVEL = re.compile(r"NIV([1-8])")
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
COUNT = re.compile(r"\d{1,9}")
YEAR = re.compile(r"\d{4}")
RATE_STEP = Decimal("0.01")
FLAGS = {"oui": True, "non": False}
ACTIVE = "Actif"
BULLET = re.compile(r"^[-*•●▪◦·–—]\s*")
# The export flattens the line breaks of its free texts into runs of two spaces or more; a run before
# punctuation (« centre  : Audit ») is only spacing.
LINE_BREAK = re.compile(r"\n| {2,}(?! *[:;!?,.)»])|\t")
HTML_MARKUP = re.compile(r"<[a-zA-Z/!]|&#?\w+;")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")

ACCESS_ROUTES = {
    "SI_JURY_FI": AccessRouteKind.INITIAL_TRAINING,
    "SI_JURY_CA": AccessRouteKind.APPRENTICESHIP,
    "SI_JURY_FC": AccessRouteKind.CONTINUING_EDUCATION,
    "SI_JURY_CQ": AccessRouteKind.PROFESSIONAL_CONTRACT,
    "SI_JURY_CL": AccessRouteKind.INDIVIDUAL_APPLICATION,
    "SI_JURY_VAE": AccessRouteKind.VAE,
}
FREE_TEXTS = {
    "objectives": "OBJECTIFS_CONTEXTE",
    "activities": "ACTIVITES_VISEES",
    "skills": "CAPACITES_ATTESTEES",
    "activity_sectors": "SECTEURS_ACTIVITE",
    "entry_prerequisites": "PREREQUIS_ENTREE_FORMATION",
}
STATISTIC_COUNTS = {"certified": "NOMBRE_CERTIFIES", "certified_vae": "NOMBRE_CERTIFIES_VAE"}
STATISTIC_RATES = {
    "insertion_rate_6m": "TAUX_INSERTION_GLOBAL_6MOIS",
    "job_insertion_rate_6m": "TAUX_INSERTION_METIER_6MOIS",
    "job_insertion_rate_2y": "TAUX_INSERTION_METIER_2ANS",
}

Values = dict[str, Any]
K = TypeVar("K")


class RegistryError(Exception):
    """The export cannot be imported; the message is French and says where the problem is."""


@dataclass(frozen=True)
class Sheet:
    """One registry sheet as model field values; child rows are keyed by their natural key."""

    number: str
    certification: Values
    certifiers: dict[str, Values]
    access_routes: dict[str, Values]
    statistics: dict[int, Values]
    blocks: dict[str, Values]


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        """Count one imported sheet: outcome is "created", "updated" or "unchanged"."""
        setattr(self, outcome, getattr(self, outcome) + 1)


# --- Parsing ------------------------------------------------------------------------------------


class _Invalid(Exception):
    """A malformed element, reported by `parse_sheet` with the sheet it belongs to."""

    def __init__(self, element: etree._Element, problem: str, missing: str = "") -> None:
        super().__init__(problem)
        self.path = "/".join(filter(None, [_path(element), missing]))
        self.line = element.sourceline
        self.problem = problem


def _path(element: etree._Element) -> str:
    tags: list[str] = []
    node: etree._Element | None = element
    while node is not None and node.tag != "FICHE":
        tags.append(str(node.tag))
        node = node.getparent()
    return "/".join(reversed(tags))


def sheet_number(fiche: etree._Element) -> str:
    return _text(fiche.find("NUMERO_FICHE"))


def parse_sheet(fiche: etree._Element, index: int) -> Sheet:
    """Turn the `index`-th FICHE element of the export into a `Sheet`, or raise `RegistryError`."""
    number = ""
    try:
        number = _number(fiche)
        return Sheet(
            number=number,
            certification=_certification(fiche),
            certifiers=_certifiers(fiche),
            access_routes=_access_routes(fiche),
            statistics=_keyed(_statistics(fiche), "STATISTIQUES_PROMOTIONS"),
            blocks=_keyed(_blocks(fiche), "BLOCS_COMPETENCES"),
        )
    except _Invalid as error:
        sheet = f"Fiche n° {index} ({number})" if number else f"Fiche n° {index}"
        raise RegistryError(
            f"{sheet}, élément {error.path} (ligne {error.line}) : {error.problem}"
        ) from error


def _number(fiche: etree._Element) -> str:
    element, number = _required(fiche, "NUMERO_FICHE", _limit(Certification, "number"))
    if not NUMBER.fullmatch(number):
        raise _Invalid(element, f"numéro « {number} » invalide, attendu RNCP ou RS suivi de chiffres.")
    return number


def _certification(fiche: etree._Element) -> Values:
    decision_date = _date(fiche, "DATE_DECISION")
    effect_date = _date(fiche, "DATE_EFFET")
    values: Values = {
        "registry_id": _optional(fiche, "ID_FICHE", _limit(Certification, "registry_id")),
        "title": _required(fiche, "INTITULE", _limit(Certification, "title"))[1],
        "abbreviation": _label(fiche.find("ABREGE"), _limit(Certification, "abbreviation")),
        "registry_status": _optional(fiche, "ETAT_FICHE", _limit(Certification, "registry_status")),
        "registration_type": _optional(
            fiche, "TYPE_ENREGISTREMENT", _limit(Certification, "registration_type")
        ),
        "level": _level(fiche),
        "nsf_codes": _codes(fiche.iterfind("CODES_NSF/NSF")),
        "formacodes": _codes(fiche.iterfind("FORMACODES/FORMACODE")),
        "rome_codes": _codes(fiche.iterfind("CODES_ROME/ROME")),
        "decision_date": decision_date or effect_date,
        "registration_end": _date(fiche, "DATE_FIN_ENREGISTREMENT"),
        "accessible_jobs": _lines(_free_text(fiche, "TYPE_EMPLOI_ACCESSIBLES")),
        "predecessors": _numbers(fiche, "ANCIENNES_CERTIFICATIONS", "ANCIENNE_CERTIFICATION"),
        "successors": _numbers(fiche, "NOUVELLES_CERTIFICATIONS", "NOUVELLE_CERTIFICATION"),
        "new_caledonia": _flag(fiche, "ACCESSIBLE_NOUVELLE_CALEDONIE"),
        "french_polynesia": _flag(fiche, "ACCESSIBLE_POLYNESIE_FRANCAISE"),
        "description_url": _optional(fiche, "LIEN_URL_DESCRIPTION", _limit(Certification, "description_url")),
    }
    return values | {name: _free_text(fiche, tag) for name, tag in FREE_TEXTS.items()}


def _certifiers(fiche: etree._Element) -> dict[str, Values]:
    """Certifiers by name. A name may come with several SIRETs (establishments of one body, e.g. an
    active and an inactive one): the first active entry is kept, else the first entry."""
    certifiers: dict[str, Values] = {}
    for element in fiche.iterfind("CERTIFICATEURS/CERTIFICATEUR"):
        siret = ""
        if found := _value(element, "SIRET_CERTIFICATEUR"):
            siret = found[1].replace(" ", "")
            if not (len(siret) == 14 and siret.isdigit()):
                raise _Invalid(found[0], f"SIRET « {found[1]} » invalide, attendu 14 chiffres.")
        name = _required(element, "NOM_CERTIFICATEUR", _limit(Certifier, "name"))[1]
        status = _optional(element, "ETAT_CERTIFICATEUR", _limit(Certifier, "status"))
        kept = certifiers.get(name)
        if kept is None or (kept["status"] != ACTIVE and status == ACTIVE):
            certifiers[name] = {"siret": siret, "status": status}
    return certifiers


def _access_routes(fiche: etree._Element) -> dict[str, Values]:
    routes: dict[str, Values] = {}
    for tag, kind in ACCESS_ROUTES.items():
        element = fiche.find(tag)
        if element is None:
            continue
        if len(element):  # v4.1: a container with ACTIF and COMPOSITION
            is_open = _flag(element, "ACTIF")
            if is_open is None:
                raise _Invalid(element, "élément manquant ou vide.", missing="ACTIF")
            routes[kind.value] = {"is_open": is_open, "jury_composition": _free_text(element, "COMPOSITION")}
        elif (is_open := _flag(fiche, tag)) is not None:  # older exports: a scalar Oui/Non
            routes[kind.value] = {"is_open": is_open, "jury_composition": ""}
    return routes


def _statistics(fiche: etree._Element) -> Iterator[tuple[int, Values, etree._Element]]:
    for element in fiche.iterfind("STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION"):
        year_element, year = _required(element, "ANNEE")
        if not YEAR.fullmatch(year):
            raise _Invalid(year_element, f"année « {year} » invalide, attendu AAAA.")
        values: Values = {name: _count(element, tag) for name, tag in STATISTIC_COUNTS.items()}
        values |= {name: _rate(element, tag) for name, tag in STATISTIC_RATES.items()}
        yield int(year), values, element


def _blocks(fiche: etree._Element) -> Iterator[tuple[str, Values, etree._Element]]:
    elements = fiche.iterfind("BLOCS_COMPETENCES/BLOC_COMPETENCES")
    for position, element in enumerate(elements, start=1):
        code = _required(element, "CODE", _limit(Block, "code"))[1]
        values = {
            "title": _label(element, _limit(Block, "title")),
            "position": position,
            "competences_text": _free_text(element, "LISTE_COMPETENCES"),
            "assessment_text": _free_text(element, "MODALITES_EVALUATION"),
        }
        yield code, values, element


def _keyed(items: Iterable[tuple[K, Values, etree._Element]], container: str) -> dict[K, Values]:
    """Index child rows by key; a repeated key is accepted only when it repeats the same values."""
    rows: dict[K, Values] = {}
    for key, values, element in items:
        if rows.setdefault(key, values) != values:
            raise _Invalid(
                element, f"« {key} » figure deux fois dans {container}, avec des valeurs différentes."
            )
    return rows


def _limit(model: type[models.Model], field: str) -> int | None:
    limit: int | None = getattr(model._meta.get_field(field), "max_length", None)
    return limit


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(cast(Iterator[str], element.itertext())).split()) if element is not None else ""


def _value(parent: etree._Element, tag: str) -> tuple[etree._Element, str] | None:
    """The child element and its text (whitespace collapsed), or None when absent or empty."""
    element = parent.find(tag)
    if element is None or not (value := _text(element)):
        return None
    return element, value


def _optional(parent: etree._Element, tag: str, limit: int | None = None) -> str:
    if (found := _value(parent, tag)) is None:
        return ""
    element, value = found
    if limit is not None and len(value) > limit:
        raise _Invalid(element, f"texte de {len(value)} caractères, {limit} au plus.")
    return value


def _required(parent: etree._Element, tag: str, limit: int | None = None) -> tuple[etree._Element, str]:
    value = _optional(parent, tag, limit)
    element = parent.find(tag)
    if element is None or not value:
        raise _Invalid(parent, "élément manquant ou vide.", missing=tag)
    return element, value


def _label(parent: etree._Element | None, limit: int | None = None) -> str:
    """The label of a code/label pair: LIBELLE in v4.1, INTITULE in older exports."""
    if parent is None:
        return ""
    return _optional(parent, "LIBELLE" if parent.find("LIBELLE") is not None else "INTITULE", limit)


def _codes(elements: Iterable[etree._Element]) -> list[dict[str, str]]:
    return [{"code": _required(element, "CODE")[1], "label": _label(element)} for element in elements]


def _level(fiche: etree._Element) -> int | None:
    if (found := _value(fiche, "NOMENCLATURE_EUROPE/NIVEAU")) is None:
        return None
    element, value = found
    if not (match := LEVEL.fullmatch(value)):
        raise _Invalid(element, f"niveau « {value} » invalide, attendu NIV1 à NIV8.")
    return int(match.group(1))


def _numbers(fiche: etree._Element, container: str, item: str) -> list[str]:
    """Related sheet numbers: v4.1 containers (e.g. ANCIENNES_CERTIFICATIONS/ANCIENNE_CERTIFICATION/
    ID_FICHE_ANCIENNE_CERTIFICATION) or, in older exports, the scalar item repeated in the sheet."""
    numbers: list[str] = []
    for element in [*fiche.iterfind(f"{container}/{item}"), *fiche.iterfind(item)]:
        source = element.find(f"ID_FICHE_{item}")
        source = element if source is None else source
        for number in re.split(r"[\s,;]+", _text(source)):
            if number and not NUMBER.fullmatch(number):
                raise _Invalid(source, f"numéro « {number} » invalide, attendu RNCP ou RS suivi de chiffres.")
            if number and number not in numbers:
                numbers.append(number)
    return numbers


def _date(parent: etree._Element, tag: str) -> date | None:
    if (found := _value(parent, tag)) is None:
        return None
    element, value = found
    try:
        if not DATE.fullmatch(value):
            raise ValueError(value)
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise _Invalid(element, f"date « {value} » invalide, attendu JJ/MM/AAAA.") from None


def _flag(parent: etree._Element, tag: str) -> bool | None:
    if (found := _value(parent, tag)) is None:
        return None
    element, value = found
    if value.lower() not in FLAGS:
        raise _Invalid(element, f"valeur « {value} » invalide, attendu Oui ou Non.")
    return FLAGS[value.lower()]


def _count(parent: etree._Element, tag: str) -> int | None:
    if (found := _value(parent, tag)) is None:
        return None
    element, value = found
    if not COUNT.fullmatch(value):
        raise _Invalid(element, f"nombre « {value} » invalide, attendu un entier positif.")
    return int(value)


def _rate(parent: etree._Element, tag: str) -> Decimal | None:
    if (found := _value(parent, tag)) is None:
        return None
    element, value = found
    try:
        rate: Decimal | None = Decimal(value.replace(",", ".").rstrip("%").strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate <= 100:
        raise _Invalid(element, f"taux « {value} » invalide, attendu un pourcentage entre 0 et 100.")
    return rate.quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def _free_text(parent: etree._Element, tag: str) -> str:
    """A free text as plain text: markup (real or escaped) removed, one line per paragraph or item."""
    element = parent.find(tag)
    if element is None:
        return ""
    text = (element.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in element)
    if HTML_MARKUP.search(text):
        text = _html_to_text(text)
        if HTML_TAG.search(text):  # the HTML was escaped twice
            text = HTML_TAG.sub("", _html_to_text(text))
    lines = (" ".join(line.split()) for line in LINE_BREAK.split(text.replace("\r", "\n")))
    return "\n".join(line for line in lines if line)


def _lines(text: str) -> list[str]:
    return [line for line in (BULLET.sub("", line) for line in text.splitlines()) if line]


class _TextExtractor(HTMLParser):
    BREAKS = frozenset(
        {"br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "blockquote", "hr", "section"}
        | {f"h{level}" for level in range(1, 7)}
    )
    SKIPPED = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, 1)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, -1)

    def _tag(self, tag: str, depth: int) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping + depth)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


# --- Reading the export -------------------------------------------------------------------------


@contextmanager
def open_export(path: Path) -> Iterator[IO[bytes]]:
    """The XML stream of an export: the file itself, or the one XML file inside a ZIP archive."""
    if not path.is_file():
        raise RegistryError(f"Fichier introuvable : {path}.")
    if path.suffix.lower() != ".zip" and not zipfile.is_zipfile(path):
        with path.open("rb") as stream:
            yield stream
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise RegistryError(f"Archive ZIP invalide ou tronquée ({path.name}) : {error}.") from error
    with archive:
        members = [name for name in archive.namelist() if name.lower().endswith(".xml")]
        if len(members) != 1:
            raise RegistryError(
                f"L'archive {path.name} doit contenir exactement un fichier XML ; elle en contient {len(members)}."
            )
        with archive.open(members[0]) as stream:
            yield stream


class _Pruner:
    """The export's stream as the parser reads it, chunk by chunk. Before each chunk it frees what the
    parser has finished with, except the sheet being read, and checks that this sheet stays small:
    memory stays flat whatever the file holds, known or not, without a Python step per element."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.count = 0
        self.root: etree._Element | None = None  # FICHES, once its start tag is read
        self.sheet: etree._Element | None = None  # the FICHE being read
        self.sheet_start = 0
        self.index = 0

    def read(self, size: int = -1) -> bytes:
        self._prune()
        data = self.stream.read(size)
        self.count += len(data)
        return data

    def open(self, sheet: etree._Element) -> None:
        self.sheet, self.sheet_start, self.index = sheet, self.count, self.index + 1

    def check(self) -> None:
        """Refuse a sheet far larger than any of the registry (it would take the memory)."""
        assert self.sheet is not None
        read = self.count - self.sheet_start
        elements = 0
        if read > COUNT_ELEMENTS_AFTER:  # no real sheet comes near: they are not counted
            elements = sum(1 for _ in islice(self.sheet.iter(), MAX_SHEET_ELEMENTS + 1))
        if elements > MAX_SHEET_ELEMENTS or read > MAX_SHEET_BYTES:
            raise RegistryError(
                f"Fiche n° {self.index} (ligne {self.sheet.sourceline}) : plus de "
                f"{thousands(MAX_SHEET_ELEMENTS)} éléments ou de {MAX_SHEET_BYTES // 1_000_000} Mo ; "
                "une fiche du registre est bien plus petite."
            )

    def _prune(self) -> None:
        """The elements still open are the root and, level by level, the last child: every earlier
        sibling is complete (read, or of no use) and is deleted."""
        if self.root is None and self.count > MAX_PROLOG_BYTES:
            raise RegistryError(
                "Ce n'est pas un export du registre : il ne commence pas par l'élément FICHES."
            )
        node = self.root
        while node is not None and node is not self.sheet:
            if len(node) > 1:
                del node[:-1]
            node = node[-1] if len(node) else None
        if self.sheet is not None:
            self.check()


def iter_fiches(stream: IO[bytes]) -> Iterator[etree._Element]:
    """Yield each FICHE element once complete, then free it; what lies outside the sheets is freed
    as it is read (see `_Pruner`)."""
    # Entities are never expanded and nothing is fetched: an export has no DTD (checked below).
    # huge_tree stays off: libxml2's 10 MB limit per text node is far above any registry text.
    pruner = _Pruner(stream)
    context = etree.iterparse(
        pruner,
        events=("start", "end"),
        tag=("FICHES", "FICHE"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = 0  # FICHE elements open: a FICHE inside a FICHE is part of it
    try:
        for event, fiche in context:
            if fiche.tag == "FICHES":  # the root (else refused at the end): known, it can be pruned
                pruner.root = fiche.getroottree().getroot()
                continue
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                pruner.open(fiche)
            elif event == "end" and depth == 0:
                pruner.check()
                pruner.sheet = None
                yield fiche
                fiche.clear(keep_tail=False)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else "?"
        raise RegistryError(f"Fichier XML invalide ou tronqué (ligne {line}) : {error.msg}.") from error
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise RegistryError(
            f"Lecture du fichier impossible (archive ou fichier corrompu) : {error}."
        ) from error
    _check_document(context.root)


def _check_document(root: etree._Element | None) -> None:
    if root is None or root.tag != "FICHES":
        tag = "aucun" if root is None else root.tag
        raise RegistryError(
            "Ce fichier n'est pas un export du répertoire national de France compétences : "
            f"il commence par « {tag} » au lieu de « FICHES »."
        )
    if root.getroottree().docinfo.doctype:  # type: ignore[attr-defined]  # missing from lxml-stubs
        raise RegistryError("Fichier refusé : un export du registre ne contient pas de déclaration DOCTYPE.")


# --- Writing ------------------------------------------------------------------------------------


Progress = Callable[[int, int | None], None]


def do_import_registry(
    path: Path,
    numbers: Collection[str] | None = None,
    progress: Progress | None = None,
    *,
    actor: Any = None,
) -> ImportSummary:
    """Import every sheet of the export (or only `numbers`); idempotent. `actor` is the national
    administrator who uploaded it (None for the command, run by the operator).

    The whole file is read and checked first, without writing: a malformed or truncated file imports
    nothing. It is then read again and written in short transactions of `WRITE_BATCH` sheets, so that
    other users never wait for the database. `progress(done, total)` is called every PROGRESS_EVERY
    sheets: (sheets read, None) while checking, then (sheets written, sheets to write)."""
    if actor is not None and not can_edit_referential(actor):
        raise NotAllowed("Seul l'administrateur national importe l'export du registre national.")
    wanted = _requested(numbers or [])
    summary = ImportSummary()
    seen: dict[str, int] = {}
    for index, sheet in _sheets(path, wanted):
        summary.read = index
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, None)
        if sheet is None:
            continue
        if sheet.number in seen:
            raise RegistryError(
                f"Fiche n° {index} ({sheet.number}) : ce numéro figure déjà dans la fiche n° {seen[sheet.number]}."
            )
        seen[sheet.number] = index
    if missing := sorted(wanted - seen.keys()):
        raise RegistryError(
            f"{count(len(missing), 'Fiche absente', 'Fiches absentes')} du fichier : {', '.join(missing)}."
        )
    writer = _Writer(actor, f"Import du registre RNCP ({path.name})", summary, len(seen), progress)
    for _, sheet in _sheets(path, wanted):
        if sheet is not None:
            writer.add(sheet)
    writer.flush()
    return summary


def _sheets(path: Path, wanted: set[str]) -> Iterator[tuple[int, Sheet | None]]:
    """(index, sheet) for each FICHE of the export; None for a sheet not wanted."""
    with open_export(path) as stream:
        for index, fiche in enumerate(iter_fiches(stream), start=1):
            yield index, None if wanted and sheet_number(fiche) not in wanted else parse_sheet(fiche, index)


class _Writer:
    """Stores checked sheets by batches, each batch in one short transaction."""

    def __init__(
        self, actor: Any, reason: str, summary: ImportSummary, total: int, progress: Progress | None
    ) -> None:
        self.actor, self.reason, self.summary, self.total, self.progress = (
            actor,
            reason,
            summary,
            total,
            progress,
        )
        self.batch: list[Sheet] = []
        self.written = 0

    def add(self, sheet: Sheet) -> None:
        self.batch.append(sheet)
        if len(self.batch) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        with transaction.atomic():
            for sheet in self.batch:
                self.summary.add(_store(sheet, self.actor, self.reason))
        before, self.written = self.written, self.written + len(self.batch)
        self.batch = []
        if self.progress is not None and before // PROGRESS_EVERY < self.written // PROGRESS_EVERY:
            self.progress(self.written, self.total)


def _requested(numbers: Collection[str]) -> set[str]:
    wanted = {number.strip().upper() for number in numbers}
    if invalid := sorted(number for number in wanted if not NUMBER.fullmatch(number)):
        raise RegistryError(
            f"{'Numéro invalide' if len(invalid) == 1 else 'Numéros invalides'} : {', '.join(invalid)} ; "
            "attendu RNCP ou RS suivi de chiffres."
        )
    return wanted


def _store(sheet: Sheet, actor: Any, reason: str) -> str:
    """Create or update one sheet's rows; returns "created", "updated" or "unchanged"."""
    certification = Certification.objects.filter(number=sheet.number).first()
    if certification is None:
        certification = Certification(number=sheet.number, **sheet.certification)
        _bulk_create(Certification, [certification], reason)
        after = {"number": sheet.number, **sheet.certification}
        after |= _store_children(certification, sheet, reason, existing=False)[1]
        record_event(AuditAction.REGISTRY_IMPORTED, certification, actor=actor, after=after, reason=reason)
        return "created"
    before, after = apply_changes(certification, sheet.certification, actor, reason=reason)
    children_before, children_after = _store_children(certification, sheet, reason, existing=True)
    if not (after or children_after):
        return "unchanged"
    record_event(
        AuditAction.REGISTRY_IMPORTED,
        certification,
        actor=actor,
        before=before | children_before,
        after=after | children_after,
        reason=reason,
    )
    return "updated"


def _store_children(
    certification: Certification, sheet: Sheet, reason: str, existing: bool
) -> tuple[Values, Values]:
    """Upsert the sheet's child rows; returns the changes by section, e.g. {"blocks": {code: {…}}}."""
    parent = {"certification": certification}
    sections = {
        "certifiers": _sync(Certifier, parent, "name", sheet.certifiers, reason, existing),
        "access_routes": _sync(AccessRoute, parent, "kind", sheet.access_routes, reason, existing),
        "statistics": _sync(Statistic, parent, "year", sheet.statistics, reason, existing),
    }
    if sheet.blocks:
        sections |= _store_version(certification, sheet, reason, existing)
    before = {name: changes[0] for name, changes in sections.items() if changes[1]}
    after = {name: changes[1] for name, changes in sections.items() if changes[1]}
    return before, after


def _store_version(
    certification: Certification, sheet: Sheet, reason: str, existing: bool
) -> dict[str, tuple[Any, Values]]:
    """The "rncp" version and its blocks; competences and criteria of existing blocks are left alone.
    Label and scheme are set on creation only: the version may also come from our own referential."""
    dates = {
        "valid_from": sheet.certification["decision_date"],
        "valid_until": sheet.certification["registration_end"],
    }
    versions = CertificationVersion.objects.filter(certification=certification, code=RNCP_VERSION_CODE)
    version = versions.first() if existing else None
    if version is None:
        values = {"label": RNCP_VERSION_LABEL, "scheme": Scheme.BLOCKS.value, **dates}
        version = CertificationVersion(certification=certification, code=RNCP_VERSION_CODE, **values)
        _bulk_create(CertificationVersion, [version], reason)
        return {
            "version": (None, values),
            "blocks": _sync(Block, {"version": version}, "code", sheet.blocks, reason, existing=False),
        }
    return {
        "version": apply_changes(version, dates, reason=reason),
        "blocks": _sync(Block, {"version": version}, "code", sheet.blocks, reason, existing=True),
    }


def _sync(
    model: type[models.Model],
    parent: Mapping[str, models.Model],
    key_field: str,
    wanted: dict[Any, Values],
    reason: str,
    existing: bool,
) -> tuple[Values, Values]:
    """Create the missing rows (in bulk) and update the changed ones; rows absent from the sheet stay.

    `existing` is false when the parent was just created: it has no rows to read yet."""
    rows = model._default_manager.filter(**parent).order_by() if existing else []
    current = {getattr(row, key_field): row for row in rows}
    before: Values = {}
    after: Values = {}
    created = []
    for key, values in wanted.items():
        row = current.get(key)
        if row is None:
            created.append(model(**parent, **{key_field: key}, **values))
            before[str(key)], after[str(key)] = None, values
            continue
        old, new = apply_changes(row, values, reason=reason)
        if new:
            before[str(key)], after[str(key)] = old, new
    _bulk_create(model, created, reason)
    return before, after


def _bulk_create(model: type[models.Model], rows: list[Any], reason: str) -> None:
    """Insert new rows and their history records. SQLite (3.35+) and PostgreSQL both return the new
    primary keys from a bulk insert, which the history records need."""
    if rows:
        model._default_manager.bulk_create(rows)
        _history_manager(model).bulk_history_create(rows, default_change_reason=reason)


@cache
def _history_manager(model: type[models.Model]) -> Any:
    return get_history_manager_for_model(model)
