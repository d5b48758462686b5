"""D48, issue 8 item 4: a written-exam marker never learns who wrote a copy.

Signed in as the marker persona of a 2013-scheme session, the test crawls everything the marker can
reach: from the home page it follows every same-site link, submits every form it meets (first with
bad values, then filled in), downloads the marking sheet, fills it and uploads it back, and also asks
directly for the session's pages, every grid and sheet, and the history of every mark of the session.
In every body, header, redirect, e-mail and file part (the .xlsx is unzipped, signed tokens are
decoded), no candidate's birth or usage name, first name, candidate number, employer, CRFP, e-mail or
birth date may appear. The test also checks it reached the written grid and the sheet, so it cannot pass
by reaching nothing.
"""

import base64
import html
import io
import re
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from openpyxl import load_workbook

from certifier.core.models import Job
from certifier.exams.evaluations import evaluations
from certifier.exams.jobs import start_documents
from certifier.exams.marks import Entry, do_record_marks
from certifier.exams.models import Mark, Registration
from certifier.exams.services import do_register, do_set_local_jury_dates
from certifier.people.models import User
from tests.factories import CandidateFactory, EmployerFactory, EnrolmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

# pages the crawl must not act on: signing out ends the crawl; an invitation link is not the marker's
SKIPPED_URL_NAMES = {"logout", "set_password"}
MAX_REQUESTS = 400
PRIORITY = {"exams:sheet_upload": 0, "exams:sheet_confirm": 0, "exams:mark_lock": 2}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_TEXT = "vingt-et-un"
GOOD_MARK = 14


# -- the data the marker must never see --------------------------------------------------------


@pytest.fixture
def leaky_session(users, organisations, marks_session, marks_version, django_capture_on_commit_callbacks):
    """The marks session (Martin Léa, Durand Paul) with two more candidates whose every detail is
    distinctive, the local jury date of each candidate's CRFP, some written marks entered by the marker, and the other marks entered by the system,
    so that every grid, history and sheet has something to show."""
    centre = OrganisationFactory(name="CRFP de Montbrison-Quenelle")
    other_centre = OrganisationFactory(name="CRFP de Quimperlé-Essai")
    first = EnrolmentFactory(
        version=marks_version,
        candidate=CandidateFactory(
            birth_name="Quennehen",
            usage_name="Vautrinot",
            first_name="Zéphyrine",
            birth_date=date(1987, 11, 23),
            email="zephyrine.quennehen@courriel-fuite.example",
            employer=EmployerFactory(name="URSSAF de Xaintrailles"),
        ),
        training_centre=centre,
    )
    second = EnrolmentFactory(
        version=marks_version,
        candidate=CandidateFactory(
            birth_name="Aubrac-Ventadour",
            first_name="Théophraste",
            birth_date=date(1979, 2, 5),
            email="theophraste.aubrac@courriel-fuite.example",
            employer=EmployerFactory(name="CARSAT Ventoux-Oloron", branch="CARSAT"),
        ),
        training_centre=other_centre,
    )
    do_register(None, marks_session, [first, second])
    # every candidate's CRFP has its local jury date: the session page must not name them to a marker
    centres = [organisations["crfp"], organisations["other_crfp"], centre, other_centre]
    do_set_local_jury_dates(
        users["national_admin"], marks_session, {crfp: marks_session.oral_end for crfp in centres}
    )
    registrations = list(Registration.objects.filter(session=marks_session).order_by("copy_code"))
    # half the copies already marked by the marker: history links and marks to change; half to fill
    do_record_marks(
        users["marker"], marks_session, "written", [Entry(r.pk, "11,5", 0) for r in registrations[:2]]
    )
    for found in evaluations(marks_session.version):
        if not found.anonymous:
            do_record_marks(None, marks_session, found.name, [Entry(r.pk, "9", 0) for r in registrations])
    # the session's documents produced: a marker must not open the national administrator's job
    with django_capture_on_commit_callbacks(execute=True):
        start_documents(users["national_admin"], marks_session)
    # the people who act on marks get neutral names: a random name may not pass for a candidate's
    User.objects.update(first_name="Agent", last_name="Neutre")
    return marks_session


def secrets_of(session) -> dict[str, str]:
    """Every identifying value of the session's candidates, by what it is."""
    found: dict[str, str] = {}
    registrations = Registration.objects.filter(session=session).select_related(
        "enrolment__candidate__employer", "enrolment__candidate__user", "enrolment__training_centre"
    )
    for registration in registrations:
        candidate = registration.enrolment.candidate
        who = f"{candidate.birth_name} {candidate.first_name}"
        values = {
            "nom de naissance": candidate.birth_name,
            "nom d'usage": candidate.usage_name,
            "prénom": candidate.first_name,
            "numéro de candidat": registration.candidate_number,
            "numéro de candidat sans tirets": registration.candidate_number.replace("-", ""),
            "employeur": candidate.employer.name,
            "CRFP": registration.enrolment.training_centre.name,
            "courriel": candidate.email,
            "courriel du compte": candidate.user.email if candidate.user else "",
            "date de naissance": f"{candidate.birth_date:%d/%m/%Y}",
            "date de naissance ISO": f"{candidate.birth_date:%Y-%m-%d}",
        }
        for what, value in values.items():
            if value:
                found[value] = f"{what} de {who}"
    return found


# -- reading what comes back -------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value)


class Page(HTMLParser):
    """The links and forms of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form":
            self._form = Form(values.get("action", ""), values.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None or ("name" not in values and tag != "option"):
            return
        elif tag == "input":
            kind = values.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in values:
                return
            if kind not in {"submit", "button", "image", "reset"}:
                self._form.fields.append((values["name"], kind, values.get("value", "")))
        elif tag == "select":
            self._select = values["name"]
        elif tag == "option" and self._select and ("selected" in values or not self._has(self._select)):
            self._drop(self._select)
            self._form.fields.append((self._select, "select", values.get("value", "")))
        elif tag == "textarea":
            self._textarea = values["name"]
            self._form.fields.append((values["name"], "textarea", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            name, kind, value = self._form.fields.pop()
            self._form.fields.append((name, kind, value + data))

    def _has(self, name: str) -> bool:
        return self._form is not None and any(field[0] == name for field in self._form.fields)

    def _drop(self, name: str) -> None:
        assert self._form is not None
        self._form.fields = [field for field in self._form.fields if field[0] != name]


def decoded_tokens(text: str) -> list[str]:
    """Django signed values (`payload:timestamp:signature`, the payload base64, compressed when it
    starts with a dot) decoded, so a name hidden in a signed field is found too."""
    found = []
    for token in re.findall(r"[A-Za-z0-9_\-.]{16,}:[A-Za-z0-9_\-:]+", text):
        payload = token.split(":")[0]
        compressed = payload.startswith(".")
        try:
            raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
            found.append((zlib.decompress(raw) if compressed else raw).decode("utf-8"))
        except (ValueError, zlib.error, UnicodeDecodeError):
            continue
    return found


def texts_of(content: bytes, content_type: str) -> list[tuple[str, str]]:
    """(part, text) of a response body: an .xlsx (or any zip) part by part, other bodies whole."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [(name, archive.read(name).decode("utf-8", "replace")) for name in archive.namelist()]
    return [("corps", content.decode("utf-8", "replace"))]


# -- the crawl ---------------------------------------------------------------------------------


@dataclass
class Crawl:
    client: Client
    secrets: dict[str, str]
    leaks: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    reached: dict[str, int] = field(default_factory=dict)  # url name → best status (200 wins)
    links: deque[str] = field(default_factory=deque)
    forms: list[tuple[str, Form]] = field(default_factory=list)
    submitted: set[tuple[str, str, tuple[str, ...]]] = field(default_factory=set)
    sheets: list[bytes] = field(default_factory=list)
    requests: int = 0
    log: list[str] = field(default_factory=list)  # every request and its answer, for a failure's message

    def __post_init__(self) -> None:
        self._pattern = re.compile(
            "|".join(
                rf"(?<!\w){re.escape(value)}(?!\w)" for value in sorted(self.secrets, key=len, reverse=True)
            ),
            re.IGNORECASE,
        )

    def check(self, where: str, text: str) -> None:
        text = html.unescape(unquote(text))
        for token in decoded_tokens(text):
            self.check(f"{where} (jeton signé)", token)
        for match in self._pattern.finditer(text):
            secret = next(value for value in self.secrets if value.casefold() == match.group(0).casefold())
            start = max(match.start() - 60, 0)
            self.leaks.append(
                f"{where} : {self.secrets[secret]} « {match.group(0)} » dans …{text[start : match.end() + 60]}…"
            )

    def name_of(self, url: str) -> str | None:
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            return None
        return match.view_name.removeprefix("people:")

    def same_site(self, base: str, href: str) -> str | None:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
            return None
        if parts.path.startswith(("/static/", "/media/", "/admin/")):
            return None
        if self.name_of(parts.path) in SKIPPED_URL_NAMES:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def record(self, where: str, response) -> None:  # type: ignore[no-untyped-def]
        self.requests += 1
        for url, status in getattr(response, "redirect_chain", []):
            self.check(f"{where} → redirection {status}", url)
        final = response.request["PATH_INFO"]
        self.log.append(f"{where} → {response.status_code} {final}")
        name = self.name_of(final)
        if name:
            best = self.reached.get(name)
            self.reached[name] = 200 if 200 in (best, response.status_code) else response.status_code
        for header, value in response.headers.items():
            self.check(f"{where} en-tête {header}", value)
        content_type = response.headers.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for part, text in texts_of(body, content_type):
            self.check(f"{where} [{part}]", text)
        if content_type.startswith(XLSX) and response.status_code == 200:
            self.sheets.append(body)
        if content_type.startswith("text/html"):
            page = Page()
            page.feed(body.decode("utf-8", "replace"))
            for href in page.links:
                if (url := self.same_site(final, href)) and url not in self.visited:
                    self.links.append(url)
            for form in page.forms:
                action = self.same_site(final, form.action or final)
                if action:
                    self.forms.append((action, form))

    def get(self, url: str) -> None:
        if url in self.visited or self.requests >= MAX_REQUESTS:
            return
        self.visited.add(url)
        self.record(f"GET {url}", self.client.get(url, follow=True))

    def submit(self, action: str, form: Form) -> None:
        if form.method != "post":
            data = {name: value for name, _, value in form.fields}
            query = "&".join(f"{name}={value}" for name, value in data.items())
            self.get(f"{action}{'&' if '?' in action else '?'}{query}" if query else action)
            return
        for variant in ("bad", "good"):
            key = (action, variant, tuple(sorted(name for name, _, _ in form.fields)))
            if key in self.submitted or self.requests >= MAX_REQUESTS:
                continue
            self.submitted.add(key)
            data: dict[str, object] = {}
            for name, kind, value in form.fields:
                if kind in {"text", "number", "email", "textarea", "search", ""}:
                    data[name] = BAD_TEXT if variant == "bad" else (value or str(GOOD_MARK))
                elif kind == "file":
                    data[name] = self.upload(action, variant)
                else:
                    data[name] = value
            self.record(f"POST {action} ({variant})", self.client.post(action, data, follow=True))

    def upload(self, action: str, variant: str) -> io.BytesIO:
        """The sheet of the upload's exam downloaded afresh, its empty typable cells filled (bad: with
        words); an empty file when it cannot be downloaded."""
        match = resolve(urlsplit(action).path)
        sheet = reverse("exams:sheet_download", kwargs=match.kwargs) if "exam" in match.kwargs else None
        response = self.client.get(sheet) if sheet else None
        if response is not None:
            self.record(f"GET {sheet} (avant dépôt)", response)
        if response is None or response.status_code != 200:
            file = io.BytesIO(b"")
        else:
            workbook = load_workbook(io.BytesIO(response.content))
            for sheet in workbook.worksheets:
                if sheet.sheet_state != "visible":
                    continue
                for row in sheet.iter_rows(min_row=2):
                    for cell in row:
                        if not cell.protection.locked and cell.value in (None, ""):
                            cell.value = BAD_TEXT if variant == "bad" else GOOD_MARK
            file = io.BytesIO()
            workbook.save(file)
            file.seek(0)
        file.name = f"feuille-{variant}.xlsx"
        return file

    def run(self, seeds: list[str], *, submit: bool = True) -> None:
        """Follows the links from `seeds`; then, if `submit`, submits the forms met, one at a time,
        following what each answer leads to."""
        self.links.extend(seeds)
        while self.links or (submit and self.forms):
            while self.links:
                self.get(self.links.popleft())
            if submit and self.forms:
                # a sheet and its confirmation first, so that the grid does not make the sheet stale;
                # the lock last: once marks are locked, nothing else can be changed
                self.forms.sort(key=lambda item: PRIORITY.get(self.name_of(item[0]) or "", 1))
                self.submit(*self.forms.pop(0))


def seeds(session) -> list[str]:
    """Where the crawl starts: the home page, then every page of the session asked for directly."""
    pk = session.pk
    urls = [reverse("people:home"), reverse("exams:session_list")]
    for name in (
        "session_detail",
        "markers",
        "lift_anonymity",
        "documents",
        "documents_download",
        "own_convocation",
        "outcome",
        "local_jury_dates",
    ):
        urls.append(reverse(f"exams:{name}", args=[pk]))
    for found in evaluations(session.version):
        for name in ("mark_grid", "sheet_download", "sheet_upload"):
            urls.append(reverse(f"exams:{name}", args=[pk, found.name]))
    urls += [reverse("exams:mark_history", args=[mark.pk]) for mark in Mark.objects.of_session(session)]
    urls += [reverse("people:job_detail", args=[job.pk]) for job in Job.objects.all()]
    return urls


def test_a_marker_never_sees_who_wrote_a_copy(client_for, leaky_session):
    secrets = secrets_of(leaky_session)
    assert len({v for v in secrets.values() if v.startswith("CRFP")}) == 4  # every candidate's details
    crawl = Crawl(client_for("marker"), secrets)
    crawl.run([reverse("people:home")], submit=False)
    by_links = dict(crawl.reached)
    crawl.run(seeds(leaky_session))
    for message in mail.outbox:
        crawl.check(f"courriel « {message.subject} »", f"{message.subject}\n{message.body}\n{message.to}")

    assert crawl.leaks == [], "\n".join(crawl.leaks)
    # the crawl reached the anonymous pages, so it cannot pass by reaching nothing
    trace = "\n".join(crawl.log)
    assert crawl.reached.get("exams:mark_grid") == 200, trace
    # and the marker finds their way to the grid and its marking sheet from the home page
    assert by_links.get("exams:mark_grid") == 200, trace
    assert by_links.get("exams:sheet_download") == 200, trace
    assert by_links.get("exams:sheet_upload") == 200, trace
    assert crawl.reached.get("exams:mark_history") == 200, trace
    assert crawl.reached.get("exams:sheet_download") == 200, trace
    assert crawl.reached.get("exams:sheet_upload") == 200, trace
    assert crawl.sheets, "no marking sheet was downloaded"
    assert crawl.reached.get("exams:session_detail") == 200, trace
    assert crawl.requests < MAX_REQUESTS
    # the sheet filled in and uploaded went through its preview to its confirmation, back on the grid
    grid = reverse("exams:mark_grid", args=[leaky_session.pk, "written"])
    assert any(
        line.startswith("POST") and "/import/confirmer/" in line and line.endswith(f"→ 200 {grid}")
        for line in crawl.log
    ), trace
    written = Mark.objects.of_session(leaky_session).filter(exam="written")
    assert written.count() == Registration.objects.filter(session=leaky_session).count()


def test_the_leak_check_finds_a_name_a_number_and_a_birth_date(leaky_session):
    """The check itself: a page showing what the marker must not see is caught, in every form."""
    secrets = secrets_of(leaky_session)
    registration = Registration.objects.select_related("enrolment__candidate").get(
        session=leaky_session, enrolment__candidate__birth_name="Quennehen"
    )
    crawl = Crawl(Client(), secrets)
    crawl.check("page", "<td>QUENNEHEN Z&eacute;phyrine</td>")
    crawl.check("fichier", "attachment; filename*=utf-8''notes-Vautrinot.xlsx")
    crawl.check("xml", f"<c><v>{registration.candidate_number.replace('-', '')}</v></c>")
    crawl.check("date", "née le 23/11/1987 (1987-11-23)")
    token = base64.urlsafe_b64encode(b'{"nom": "Aubrac-Ventadour"}').decode().rstrip("=")
    crawl.check("jeton", f'<input type="hidden" value="{token}:1tZ9xX:abcdefgh">')
    assert len(crawl.leaks) == 7
    crawl.leaks.clear()
    crawl.check("page", "copie K7QM-X4PD-R9 : 12,5 — réalisée par l'agent Neutre le 01/12/2026")
    assert crawl.leaks == []
