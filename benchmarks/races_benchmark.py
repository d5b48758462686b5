"""Races (issue 7 §1.4): 50 identical POSTs at once at each racing endpoint of a real server.

For each database (SQLite, and PostgreSQL with `--postgres URL`: a throwaway database created and
dropped on that server), a fresh database is migrated and seeded by a child process, then gunicorn
(8 sync workers, 127.0.0.1 only, development settings) serves the project; for each endpoint its
user (CRFP staff, or the assessor and the manager of the evidence) signs in through the login page
and 50 threads, released together, post the same form. The report gives, per endpoint, the
status codes, the 500s and the duplicate rows left in the database (which must be 0: every race
ends in one row and, for the losers, a French message).

`--project DIR` measures another checkout of the project (e.g. `git worktree add /tmp/before <commit>`)
with this script. Results are appended to BENCHMARKS.md.
Run from the project root:
`.venv/bin/python benchmarks/races_benchmark.py --postgres postgres://postgres@127.0.0.1:5432`.
"""

import argparse
import collections
import datetime
import http.client
import json
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT, append, machine

PARALLEL = 50
WORKERS = 8
PASSWORD = "course-de-vitesse-2026"  # noqa: S105 (a throwaway account of a throwaway database)
PG_DATABASE = "certifier_races_benchmark"


# Child: migrate and seed one database ----------------------------------------------------------


def seed(project: Path) -> None:
    """Print the ids the requests need, as JSON. Written against models and loaders only, so that
    an older checkout of the project can be seeded too."""
    sys.path.insert(0, str(project))
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from certifier.pathways.models import Candidate, Enrolment, Module, TrainingSession
    from certifier.pathways.services import do_load_training_paths
    from certifier.people.models import Membership, Organisation, User
    from certifier.referential.models import CertificationVersion
    from certifier.referential.services import do_load_referential

    do_load_referential()
    do_load_training_paths()
    crfp = Organisation.objects.create(kind="training_centre", name="CRFP de Bordeaux", city="Bordeaux")
    employer = Organisation.objects.create(
        kind="employer", name="CAF de la Gironde", siret="78462143500048", branch="CAF"
    )
    staff = User.objects.create_user("staff@bench.example", PASSWORD)
    Membership.objects.create(user=staff, organisation=crfp, role="crfp_staff")
    assessor = User.objects.create_user("assessor@bench.example", PASSWORD)
    Membership.objects.create(user=assessor, organisation=crfp, role="assessor")
    version = CertificationVersion.objects.get(certification__number="RNCP35729", code="rncp")
    candidate = Candidate.objects.create(
        birth_name="Martin",
        first_name="Léa",
        sex="F",
        birth_date=date(1994, 3, 12),
        birth_insee_code="33063",
        employer=employer,
        employee_number="E1",
        pre_recruitment_date=date(2025, 9, 1),
    )
    enrolment = Enrolment.objects.create(
        candidate=candidate,
        version=version,
        option=version.options.get(code="allocataire"),
        access_route="professional_contract",
        training_centre=crfp,
        start_date=date(2026, 1, 5),
    )
    module = Module.objects.filter(path__kind="pass").order_by("position").first()
    assert module is not None
    session = TrainingSession.objects.create(
        path=module.path, training_centre=crfp, start_date=date(2026, 1, 12), end_date=date(2026, 1, 16)
    )
    ids = {
        **seed_evidence(enrolment, employer, crfp),
        "crfp": crfp.pk,
        "employer": employer.pk,
        "version": version.pk,
        "enrolment": enrolment.pk,
        "assessor": assessor.pk,
        "module": module.pk,
        "session": session.pk,
    }
    print(json.dumps(ids))


def seed_evidence(enrolment: Any, employer: Any, crfp: Any) -> dict[str, Any]:
    """The assessments' races: BC01 with two criteria per competence, observed, a second assessor
    assigned for every block; an attestation signed by the tutor awaiting the manager's signature."""
    from datetime import date

    from django.utils import timezone

    from certifier.assessments.models import Attestation, Observation
    from certifier.pathways.models import AssessorAssignment
    from certifier.people.models import Membership, User
    from certifier.referential.models import Block, Criterion

    people = {}
    for role, organisation in (("tutor", employer), ("manager", employer), ("assessor", crfp)):
        people[role] = User.objects.create_user(f"{role}-evidence@bench.example", PASSWORD)
        Membership.objects.create(user=people[role], organisation=organisation, role=role)
    assessor = people["assessor"]
    enrolment.tutor, enrolment.manager = people["tutor"], people["manager"]
    enrolment.save()
    AssessorAssignment.objects.create(enrolment=enrolment, assessor=assessor)
    block = Block.objects.get(version=enrolment.version, code="RNCP35729BC01")
    criteria = [
        Criterion.objects.create(competence=competence, position=position, text=f"Critère {position}").pk
        for competence in block.competences.all()
        for position in (1, 2)
    ]
    Observation.objects.create(
        enrolment=enrolment,
        method=block.methods.exclude(kind="logbook").get(),
        observed_on=date(2026, 3, 2),
        situations=[
            {"kind": "double_listening", "minutes": 20},
            {"kind": "interview", "count": 2},
            {"kind": "letters_emails", "count": 5},
        ],
        questioning_minutes=15,
        recorded_by=assessor,
    )
    attestation = Attestation.objects.create(
        enrolment=enrolment,
        competence=block.competences.get(number=1),
        observed_on=date(2026, 2, 10),
        situation="Accueil d'un allocataire au guichet.",
        created_by=people["tutor"],
        tutor_signed_by=people["tutor"],
        tutor_signed_at=timezone.now(),
    )
    return {
        "block": block.pk,
        "criteria": criteria,
        "attestation": attestation.pk,
        "method": observed_method(block),
        "competence": block.competences.get(number=2).pk,
    }


def observed_method(block: Any) -> int:
    return int(block.methods.exclude(kind="logbook").get().pk)


# Parent: the racing endpoints ------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    path: Callable[[dict[str, Any]], str]
    form: Callable[[dict[str, Any]], dict[str, str]]
    # SQL counting the rows left, and the rows there should be (the difference is duplicates),
    # with named parameters (:enrolment) taken from the seeded ids
    count_sql: str
    expected_sql: str = "SELECT 1"
    user: str = "staff@bench.example"


CASES = [
    Case(
        "new enrolment (same employer and employee number)",
        lambda ids: "/inscriptions/nouvelle/",
        lambda ids: {
            "birth_name": "Petit",
            "first_name": "Jules",
            "sex": "M",
            "birth_date": "14/02/1999",
            "birth_insee_code": "33063",
            "employer": str(ids["employer"]),
            "employee_number": "RACE1",
            "pre_recruitment_date": "2025-10-01",
            "version": str(ids["version"]),
            "option": "allocataire",
            "access_route": "continuing_education",
            "training_centre": str(ids["crfp"]),
            "start_date": "2026-01-12",
        },
        "SELECT COUNT(*) FROM pathways_candidate WHERE employee_number = 'RACE1'",
    ),
    Case(
        "funding request",
        lambda ids: f"/inscriptions/{ids['enrolment']}/prise-en-charge/",
        lambda ids: {"pass_already_funded": "on"},
        "SELECT (SELECT COUNT(*) FROM pathways_fundingrequest WHERE enrolment_id = :enrolment) + "
        "(SELECT COUNT(*) FROM pathways_fundingline l JOIN pathways_fundingrequest r "
        "ON l.request_id = r.id WHERE r.enrolment_id = :enrolment)",
        # one request, and one line per path and category
        "SELECT 1 + (SELECT COUNT(DISTINCT CAST(l.path_id AS TEXT) || '-' || l.category) "
        "FROM pathways_fundingline l JOIN pathways_fundingrequest r ON l.request_id = r.id "
        "WHERE r.enrolment_id = :enrolment)",
    ),
    Case(
        "attendance",
        lambda ids: f"/inscriptions/{ids['enrolment']}/presences/",
        lambda ids: {f"module_{ids['module']}": str(ids["session"])},
        "SELECT COUNT(*) FROM pathways_attendance WHERE enrolment_id = :enrolment AND module_id = :module",
    ),
    Case(
        "assessor for every block",
        lambda ids: f"/inscriptions/{ids['enrolment']}/evaluateurs/",
        lambda ids: {"assessor": str(ids["assessor"]), "block": ""},
        "SELECT COUNT(*) FROM pathways_assessorassignment WHERE enrolment_id = :enrolment "
        "AND assessor_id = :assessor AND block_id IS NULL",
    ),
    Case(
        "criterion grid, first save",
        lambda ids: f"/inscriptions/{ids['enrolment']}/blocs/{ids['block']}/evaluation/",
        lambda ids: {
            **{f"score-{pk}": "validated" for pk in ids["criteria"]},  # type: ignore[attr-defined]
            **{f"comment-{pk}": "" for pk in ids["criteria"]},  # type: ignore[attr-defined]
        },
        "SELECT COUNT(*) FROM assessments_criterionresult WHERE enrolment_id = :enrolment",
        "SELECT COUNT(*) FROM referential_criterion c JOIN referential_competence k "
        "ON c.competence_id = k.id WHERE k.block_id = :block",
        user="assessor-evidence@bench.example",
    ),
    Case(
        "block decision (after the grid)",
        lambda ids: f"/inscriptions/{ids['enrolment']}/blocs/{ids['block']}/decision/",
        lambda ids: {"confirmed_status": "validated", "override_reason": ""},
        "SELECT COUNT(*) FROM assessments_blockdecision WHERE enrolment_id = :enrolment",
        user="assessor-evidence@bench.example",
    ),
    Case(
        "co-signature of an attestation",
        lambda ids: f"/attestations/{ids['attestation']}/signer/",
        lambda ids: {},
        # its creation and one signature in its history
        "SELECT COUNT(*) FROM assessments_historicalattestation WHERE id = :attestation",
        "SELECT 2",
        user="manager-evidence@bench.example",
    ),
    Case(
        "observation of BC01 (a second date)",
        lambda ids: f"/inscriptions/{ids['enrolment']}/modalites/{ids['method']}/observation/",
        lambda ids: {
            "observed_on": "2026-03-03",
            "double_listening": "20",
            "interview": "2",
            "letters_emails": "5",
            "questioning_minutes": "15",
        },
        "SELECT COUNT(*) FROM assessments_observation WHERE enrolment_id = :enrolment",
        "SELECT 2",
        user="assessor-evidence@bench.example",
    ),
    Case(
        "attestation (a second competence)",
        lambda ids: f"/inscriptions/{ids['enrolment']}/carnet/attester/",
        lambda ids: {
            "competence": str(ids["competence"]),
            "observed_on": "2026-02-11",
            "situation": "Traitement d'une demande au guichet.",
        },
        "SELECT COUNT(*) FROM assessments_attestation WHERE enrolment_id = :enrolment",
        "SELECT 2",
        user="tutor-evidence@bench.example",
    ),
]


class Server:
    """gunicorn serving `project` on a free port of 127.0.0.1."""

    def __init__(self, project: Path, env: dict[str, str], log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--timeout",
                "60",
            ],
            cwd=project,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/connexion/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer the login page:\n" + log.read_text()[-3000:])

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body or None, headers=headers or {})
            response = connection.getresponse()
            headers = dict(response.getheaders())
            headers["Set-Cookie"] = ", ".join(response.msg.get_all("Set-Cookie") or [])
            return response.status, headers, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def cookies_of(headers: dict[str, str], jar: dict[str, str]) -> None:
    for name, value in re.findall(r"(?:^|, )(\w+)=([^;]*);", headers.get("Set-Cookie", "")):
        jar[name] = value


def sign_in(server: Server, email: str) -> dict[str, str]:
    """A signed-in session: sessionid and csrftoken cookies."""
    jar: dict[str, str] = {}
    status, headers, page = server.request("GET", "/connexion/")
    cookies_of(headers, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    )
    status, headers, _ = server.request("POST", "/connexion/", body, form_headers(jar))
    cookies_of(headers, jar)
    assert status == 302 and "sessionid" in jar, f"sign-in failed ({status})"
    return jar


def form_headers(jar: dict[str, str]) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
    }


def fire(server: Server, jar: dict[str, str], path: str, form: dict[str, str]) -> collections.Counter[str]:
    """PARALLEL identical POSTs released together; the count of each status code."""
    body = urllib.parse.urlencode(form | {"csrfmiddlewaretoken": jar["csrftoken"]})
    headers = form_headers(jar)
    barrier = threading.Barrier(PARALLEL)
    statuses: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def post() -> None:
        barrier.wait()
        try:
            status = str(server.request("POST", path, body, headers)[0])
        except OSError as error:
            status = type(error).__name__
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=post) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def run_database(
    project: Path, label: str, database_url: str | None, workdir: Path
) -> list[dict[str, object]]:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "true",  # static files served without collectstatic; 500s are still 500s
        "PYTHONPATH": str(project),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'races.sqlite3'}"
    seeded = subprocess.run(
        [sys.executable, __file__, "--seed", "--project", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        raise RuntimeError(seeded.stderr)
    ids = json.loads(seeded.stdout.strip().splitlines()[-1])
    server = Server(project, env, workdir / f"gunicorn-{label}.log")
    results = []
    try:
        for case in CASES:
            jar = sign_in(server, case.user)
            started = time.perf_counter()
            statuses = fire(server, jar, case.path(ids), case.form(ids))
            elapsed = time.perf_counter() - started
            rows = count(env["DATABASE_URL"], case.count_sql, ids)
            expected = count(env["DATABASE_URL"], case.expected_sql, ids)
            results.append(
                {
                    "database": label,
                    "case": case.name,
                    "statuses": dict(sorted(statuses.items())),
                    "errors": sum(
                        n for status, n in statuses.items() if not status.isdigit() or status >= "500"
                    ),
                    "rows": rows,
                    "duplicates": rows - expected,
                    "seconds": elapsed,
                }
            )
            print(results[-1], flush=True)
    finally:
        server.stop()
    return results


def count(database_url: str, sql: str, ids: dict[str, Any]) -> int:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return int(connection.execute(sql, ids).fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(re.sub(r":(\w+)", r"%(\1)s", sql), ids).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])


def postgres_database(server_url: str, create: bool) -> str:
    import psycopg

    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")  # type: ignore[arg-type]
        if create:
            connection.execute(f"CREATE DATABASE {PG_DATABASE}")  # type: ignore[arg-type]
    return server_url.rstrip("/") + "/" + PG_DATABASE


def report(results: list[dict[str, object]], project: Path, label: str, command: str) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"## Races: {PARALLEL} identical POSTs at once ({label})",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {machine()}",
        f"- code measured: commit {commit}" + (" with uncommitted changes" if label == "after" else ""),
        f"- command: `{command}`",
        f"- server: gunicorn, {WORKERS} sync workers on 127.0.0.1, development settings; per endpoint one signed-in "
        f"user (CRFP staff; the assessor or the manager for the evidence); {PARALLEL} threads released together",
        "",
        "| database | endpoint | requests | status codes | 500s / errors | rows left | duplicate rows | time (s) |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for result in results:
        statuses = ", ".join(f"{status}: {n}" for status, n in result["statuses"].items())  # type: ignore[attr-defined]
        lines.append(
            f"| {result['database']} | {result['case']} | {PARALLEL} | {statuses} | {result['errors']} "
            f"| {result['rows']} | {result['duplicates']} | {result['seconds']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout of the project to measure")
    parser.add_argument("--postgres", help="PostgreSQL server URL, e.g. postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--label", default="after", help="label of the run in BENCHMARKS.md")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    project = args.project.resolve()
    if args.seed:
        seed(project)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="races-") as workdir:
        results += run_database(project, "sqlite", None, Path(workdir))
        if args.postgres:
            try:
                url = postgres_database(args.postgres, create=True)
                results += run_database(project, "postgresql", url, Path(workdir))
            finally:
                postgres_database(args.postgres, create=False)
    command = "python benchmarks/races_benchmark.py " + shlex.join(sys.argv[1:])
    append(report(results, project, args.label, command))


if __name__ == "__main__":
    main()
