"""Benchmark of the results portal on proclamation morning (issue 9): the signed-in candidate's results
page under load.

A throwaway PostgreSQL database holds 100,000 candidates, each with an account, enrolled and registered
in one of 20 proclaimed and released sessions of the 2013 scheme (5,000 each), with five marks each and
the national jury's decision in force (rows written with COPY). gunicorn serves the production settings
(`portal_settings.py`) with 4 sync workers on 127.0.0.1; `wrk` loads `/mes-resultats/` from loopback for
a fixed duration, each request signed in as one of 1,000 candidates taken in turn. Target: at least
500 requests/s with a 99th percentile under 100 ms. Beside the rates, which depend on whatever else the
machine runs, the server's CPU time a request (gunicorn's workers and PostgreSQL's backends, from /proc).

Run from the project root (needs `wrk`: `apt-get install -y wrk`, and Redis unless `--redis ''`):
`.venv/bin/python benchmarks/portal_benchmark.py [--postgres postgres://postgres@127.0.0.1:5432]
[--redis redis://127.0.0.1:6379/0]`.
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from common import ROOT, append, machine

CANDIDATES = 100_000
SESSIONS = 20
CENTRES = 20
EMPLOYERS = 100
SIGNED_IN = 1_000
WORKERS = 4
THREADS = 2
CONNECTIONS = 16
DURATION = 20  # seconds of measured load (after a 5 s warm-up)
TARGET_RATE = 500
TARGET_P99_MS = 100
SECRET = "portal-benchmark-secret-key-not-for-production-0123456789-abcdef"  # noqa: S105 (throwaway)
PASSWORD = "portail-benchmark-2026"  # noqa: S105 (a throwaway account of a throwaway database)
URL_PATH = "/mes-resultats/"
LOOKUP_PATH = "/resultats/"
SEED = 57

LUA = """
local cookies = {}
for line in io.lines("%(cookies)s") do cookies[#cookies + 1] = line end
local n = math.random(#cookies)
request = function()
  n = n %% #cookies + 1
  return wrk.format("GET", "%(path)s", {
    ["Cookie"] = "sessionid=" .. cookies[n],
    ["X-Forwarded-Proto"] = "https",
  })
end
"""


def environment(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portal_settings",
        "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT}",
        "SECRET_KEY": SECRET,
        "SITE_URL": "https://certifier.example",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


# the rows, written with COPY ----------------------------------------------------------------------


def copy(model: Any, objects: Iterable[Any]) -> int:
    """COPY model instances (explicit ids) into the model's table: every concrete column, each value as
    the ORM would save it."""
    from django.db import connection

    fields = model._meta.concrete_fields
    columns = ", ".join(f'"{field.column}"' for field in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as out,
    ):
        for obj in objects:
            out.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
            count += 1
    return count


def build(cookies_path: str) -> dict:
    """In the migrated database with the referential loaded: organisations, accounts, candidates,
    enrolments, sessions, registrations, marks, juries and decisions; sessions of SIGNED_IN candidates
    written to `cookies_path`, one session key a line."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from django.utils import timezone

    from certifier.core.enums import DecisionSource
    from certifier.exams import numbers
    from certifier.exams.evaluations import evaluations
    from certifier.exams.models import ExamSession, Mark, MarkStatus, Registration, SessionKind
    from certifier.juries.models import (
        Deliberation,
        Jury,
        JuryDecision,
        JuryStatus,
        Minutes,
    )
    from certifier.pathways.models import Candidate, Enrolment
    from certifier.people.enums import OrganisationKind, Role
    from certifier.people.models import Membership, Organisation, User
    from certifier.referential.models import CertificationVersion

    rng = random.Random(SEED)
    started = time.perf_counter()
    version = CertificationVersion.objects.get(certification__number="RNCP35729", code="2013")
    exams = [exam.name for exam in evaluations(version)]
    now = timezone.now()
    with transaction.atomic():
        Organisation.objects.create(kind=OrganisationKind.CERTIFIER, name="Ucanss", siret="78462143500048")
        centres = [
            Organisation.objects.create(kind=OrganisationKind.TRAINING_CENTRE, name=f"CRFP {n:02d}")
            for n in range(CENTRES)
        ]
        employers = [
            Organisation.objects.create(kind=OrganisationKind.EMPLOYER, name=f"Caisse {n:03d}", branch="CAF")
            for n in range(EMPLOYERS)
        ]
        admin = User.objects.create_user(email="admin@bench.example", password=PASSWORD)
        password = make_password(PASSWORD)
        first = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
        ids = range(first, first + CANDIDATES)
        copy(User, (User(pk=pk, email=f"candidat{pk}@bench.example", password=password) for pk in ids))
        copy(
            Membership,
            (
                Membership(pk=pk, user_id=pk, organisation=employers[pk % EMPLOYERS], role=Role.CANDIDATE)
                for pk in ids
            ),
        )

        def candidate(pk: int) -> Candidate:
            person = Candidate(
                pk=pk,
                birth_name=f"Nom{pk:06d}",
                first_name=f"Prénom{pk}",
                sex="F" if pk % 2 else "M",
                birth_date=datetime.date(1975, 1, 1) + datetime.timedelta(days=pk % 9000),
                birth_insee_code="33063",
                employer=employers[pk % EMPLOYERS],
                employee_number=f"M{pk:07d}",
                user_id=pk,
            )
            person.identity_key = person.compute_identity_key()
            return person

        copy(Candidate, (candidate(pk) for pk in ids))
        option = version.options.first()
        copy(
            Enrolment,
            (
                Enrolment(
                    pk=pk,
                    candidate_id=pk,
                    version=version,
                    option=option,
                    access_route="professional_contract",
                    training_centre=centres[pk % CENTRES],
                    start_date=datetime.date(2015, 1, 5),
                )
                for pk in ids
            ),
        )
        sessions = []
        for n in range(SESSIONS):
            year, kind = 2016 + n // 2, (SessionKind.JUNE if n % 2 == 0 else SessionKind.DECEMBER)
            written = datetime.date(year, 6 if kind == SessionKind.JUNE else 12, 3)
            released = now - datetime.timedelta(days=30 * (SESSIONS - n), hours=-1)
            sessions.append(
                ExamSession.objects.create(
                    version=version,
                    kind=kind,
                    year=year,
                    registration_deadline=written - datetime.timedelta(days=30),
                    written_exam_date=written,
                    oral_start=written + datetime.timedelta(days=1),
                    oral_end=written + datetime.timedelta(days=10),
                    national_jury_date=written + datetime.timedelta(days=25),
                    anonymity_lifted_at=released - datetime.timedelta(days=3),
                    proclaimed_at=released - datetime.timedelta(hours=1),
                    released_at=released,
                )
            )
        drawn: set[str] = set()
        while len(drawn) < 2 * CANDIDATES:
            drawn.add(numbers.draw())
        codes = sorted(drawn)
        rng.shuffle(codes)
        copy(
            Registration,
            (
                Registration(
                    pk=pk,
                    session=sessions[pk % SESSIONS],
                    enrolment_id=pk,
                    candidate_number=codes[2 * (pk - first)],
                    copy_code=codes[2 * (pk - first) + 1],
                )
                for pk in ids
            ),
        )

        def mark(pk: int, index: int, exam: str) -> Mark:
            value = rng.randint(400, 2000)
            return Mark(
                pk=(pk - first) * len(exams) + index + 1,
                registration_id=pk,
                exam=exam,
                status=MarkStatus.MARKED,
                value=value / 100,
                entered_at=now,
                locked_at=now,
            )

        copy(Mark, (mark(pk, index, exam) for pk in ids for index, exam in enumerate(exams)))
        deliberations = {}
        for session in sessions:
            jury = Jury.objects.create(session=session, place="Ucanss, Paris", appointed_by=admin)
            deliberation = Deliberation.objects.create(
                jury=jury, held_on=session.national_jury_date, place=jury.place, opened_by=admin
            )
            Minutes.objects.create(
                deliberation=deliberation,
                file="minutes/bench.pdf",
                sha256="0" * 64,
                signed_by=admin,
                signed_at=session.proclaimed_at,
            )
            deliberations[session.pk] = deliberation

        def decision(pk: int) -> JuryDecision:
            status = JuryStatus.CERTIFIED if pk % 5 else JuryStatus.NOT_CERTIFIED
            return JuryDecision(
                pk=pk - first + 1,
                source=DecisionSource.JURY,
                deliberation=deliberations[sessions[pk % SESSIONS].pk],
                registration_id=pk,
                proposed_status=status,
                confirmed_status=status,
                explanation="Moyenne pondérée suffisante, aucune note éliminatoire, Pass suivi.",
                record={},
                rule_set_id="cqp-2013",
                rule_set_version=1,
                rule_set_hash="bench",
                decided_by=admin,
                comment="" if pk % 3 else "Le jury salue la qualité de l'oral.",
            )

        copy(JuryDecision, (decision(pk) for pk in ids))
    with connection.cursor() as cursor:
        sql = subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "sqlsequencereset",
                "people",
                "pathways",
                "exams",
                "juries",
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        cursor.execute(sql)
        cursor.execute("ANALYZE")
    built = time.perf_counter() - started

    sample = rng.sample(list(ids), SIGNED_IN)
    user_hash = User.objects.get(pk=sample[0]).get_session_auth_hash()  # one password hash for all
    keys = []
    for pk in sample:
        store = SessionStore()
        store[SESSION_KEY] = str(pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user_hash
        store.create()
        keys.append(store.session_key)
    Path(cookies_path).write_text("\n".join(keys) + "\n")
    return {
        "build_seconds": round(built, 1),
        "candidates": Candidate.objects.count(),
        "marks": Mark.objects.count(),
    }


# the measure -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, cookie: str, deadline: float) -> str:
    assert base.startswith("http://127.0.0.1:")
    request = urllib.request.Request(  # noqa: S310 (loopback, checked above)
        base + URL_PATH, headers={"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https"}
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback, checked)
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def wrk(base: str, script: str | None, seconds: int, path: str = URL_PATH) -> dict:
    """`wrk` for `seconds` on `path`, each request made by `script` (or a plain GET said to come through
    HTTPS); its figures parsed."""
    load = ["-s", script] if script else ["-H", "X-Forwarded-Proto: https"]
    output = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "5s",
            *load,
            base + path,
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=seconds + 60,
    ).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50%"),
        "p90_ms": latency("90%"),
        "p99_ms": latency("99%"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "raw": output,
    }


def cpu_seconds(master: int, database: str) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the gunicorn workers (the children of `master`) and by
    the PostgreSQL backends serving `database`: read from /proc, they do not depend on what else the
    machine runs, unlike the rates."""
    tick = os.sysconf("SC_CLK_TCK")
    web = db = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # from the state on: ppid, …, utime, stime
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[1]) == master:
            web += used
        elif title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            db += used
    return web, db


def measured(base: str, script: str | None, seconds: int, path: str, master: int, database: str) -> dict:
    """`wrk` as below, with the server's CPU time per request: gunicorn's workers and PostgreSQL's
    backends, in milliseconds."""
    web, db = cpu_seconds(master, database)
    figures = wrk(base, script, seconds, path)
    web_after, db_after = cpu_seconds(master, database)
    requests = max(figures["requests"], 1)
    figures["web_cpu_ms"] = (web_after - web) * 1000 / requests
    figures["db_cpu_ms"] = (db_after - db) * 1000 / requests
    return figures


def build_database(
    server: str, name: str, workdir: Path, script: str = __file__, output: str = "cookies.txt"
) -> dict:
    """Create, migrate and fill the database `name` of `server` (the filling by `script --build`, which
    writes what the load reads into `output`)."""
    import psycopg

    env = environment(f"{server}/{name}")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_referential"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return json.loads(
        subprocess.run(
            [sys.executable, script, "--build", str(workdir / output)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def measure(database_url: str, workdir: Path) -> dict:
    """gunicorn on the built database, checked, warmed up, then loaded by wrk for DURATION seconds."""
    import psycopg

    env = environment(database_url)
    with psycopg.connect(database_url) as db:
        keys = [key for (key,) in db.execute("SELECT session_key FROM django_session ORDER BY 1")]
        counts = db.execute(
            "SELECT (SELECT count(*) FROM pathways_candidate), (SELECT count(*) FROM exams_mark)"
        ).fetchone()
    cookies = workdir / "cookies.txt"
    cookies.write_text("\n".join(keys) + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (workdir / "gunicorn.log").open("w") as log:
        gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            page = wait_until_up(base, keys[0], time.monotonic() + 60)
            assert "Mes résultats d'examen" in page and "Décision du jury national" in page, page[:2000]
            for key in keys[:: max(1, len(keys) // 20)]:  # each sampled session is signed in, not redirected
                assert "Décision du jury national" in wait_until_up(base, key, time.monotonic() + 5)
            script = workdir / "portal.lua"
            script.write_text(LUA % {"cookies": cookies, "path": URL_PATH})
            wrk(base, str(script), 5)  # warm-up: connections, compiled templates
            load_before = os.getloadavg()[0]
            database = database_url.rsplit("/", 1)[1]
            figures = measured(base, str(script), DURATION, URL_PATH, gunicorn.pid, database)
            figures["load"] = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
            # the ceiling of this server for a page without a query: the lookup's empty form
            figures["floor"] = measured(base, None, DURATION // 2, LOOKUP_PATH, gunicorn.pid, database)
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
    return {"candidates": counts[0], "marks": counts[1]} | figures


def run_throwaway(server: str, keep: bool, prefix: str, build: Any, measure: Any) -> dict:
    """`build` a database named after `prefix` on `server`, `measure` on it, then drop it (unless kept)."""
    import psycopg

    name = f"certifier_bench_{prefix}_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-bench-"))
    try:
        built = build(server, name, workdir)
        return built | measure(f"{server}/{name}", workdir)
    finally:
        shutil.rmtree(workdir)
        if keep:
            print(f"database kept: {server}/{name}", file=sys.stderr)
        else:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def row(label: str, figures: dict) -> str:
    cpu = figures["web_cpu_ms"] + figures["db_cpu_ms"]
    return (
        f"| {label} | {figures['requests']:,} | {figures['rate']:.0f} | {figures['p50_ms']:.1f} ms "
        f"| {figures['p90_ms']:.1f} ms | {figures['p99_ms']:.1f} ms | {figures['errors']} "
        f"| {figures['web_cpu_ms']:.2f} + {figures['db_cpu_ms']:.2f} ms "
        f"| {(os.cpu_count() or 1) * 1000 / cpu:.0f} |\n"
    )


CACHE_SAID = {
    True: "cache and sessions in Redis, sessions written through to PostgreSQL",
    False: "no shared cache: each worker's memory, sessions in PostgreSQL",
}


def report(figures: dict) -> str:
    floor = figures["floor"]
    met = figures["rate"] >= TARGET_RATE and figures["p99_ms"] < TARGET_P99_MS and not figures["errors"]
    return (
        "## Results portal: the signed-in candidate's results page under load (issue 9)\n\n"
        f"Machine: {machine()}. PostgreSQL holding {figures['candidates']:,} candidates with an account, "
        f"each registered in one of {SESSIONS} proclaimed and released sessions of the 2013 scheme with "
        f"{figures['marks']:,} marks and a decision in force each (rows written with COPY in "
        f"{figures['build_seconds']} s). gunicorn, {WORKERS} sync workers, production settings ("
        f"{CACHE_SAID[bool(os.environ.get('REDIS_URL'))]}), on "
        f"127.0.0.1; `wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s --latency` from loopback after a 5 s "
        f"warm-up, on `{URL_PATH}`, each request signed in as one of {SIGNED_IN:,} candidates in turn.\n\n"
        "| Page | Requests | Requests/s | p50 | p90 | p99 | Non-2xx | server CPU a request (gunicorn + "
        "PostgreSQL) | requests/s the cores could serve at that cost |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + row(f"`{URL_PATH}`, signed in", figures)
        + row(f"`{LOOKUP_PATH}` (the empty form, no query: this server's ceiling)", floor)
        + "\n"
        f"Target: at least {TARGET_RATE} requests/s with p99 under {TARGET_P99_MS} ms — "
        f"{'met' if met else 'NOT met'}. The load generator and PostgreSQL run on the same cores as the "
        f"server; load average during the measure {figures['load']} (other work shares the machine). "
        "The server's CPU time a request (from /proc: gunicorn's workers + PostgreSQL's backends) does not "
        "depend on that other work; the last column divides the cores by it: the rate the server would "
        "reach with the machine to itself and a load generator costing nothing."
        f"{' Socket errors: ' + figures['socket_errors'] + '.' if figures['socket_errors'] else ''}\n"
        "Command: `.venv/bin/python benchmarks/portal_benchmark.py "
        "--postgres postgres://postgres@127.0.0.1:5432`.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", metavar="URL")
    parser.add_argument("--build", metavar="COOKIES", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, do not append it")
    parser.add_argument("--keep", action="store_true", help="keep the database built (its URL is printed)")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="measure on a database kept by --keep")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        metavar="URL",
        help="the shared cache, as REDIS_URL (empty: each worker's memory, sessions in the database)",
    )
    options = parser.parse_args()
    os.environ["REDIS_URL"] = options.redis  # read by the settings of gunicorn's workers
    if options.build:
        print(json.dumps(build(options.build)))
        return
    if options.reuse:
        workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        try:
            figures = {"build_seconds": "(reused)"} | measure(options.reuse, workdir)
        finally:
            shutil.rmtree(workdir)
    else:
        figures = run_throwaway(options.postgres, options.keep, "portal", build_database, measure)
    print(figures.pop("raw"))
    print(figures["floor"].pop("raw"))
    section = report(figures)
    print(section)
    if not options.no_write:
        append(section)


if __name__ == "__main__":
    main()
