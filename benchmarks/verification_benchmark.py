"""Benchmark of the public verification page of the certificates (issue 10, D61) under load.

A throwaway PostgreSQL database holds 100,000 CQPs (one in a hundred revoked), each on the national
jury's decision of a candidate registered in one of 20 proclaimed and released sessions of the 2013
scheme (rows written with COPY; the certificates' content and credential are realistic in shape and
size, not signed: the page reads neither signature). gunicorn serves the production settings
(`portal_settings.py`) with 4 sync workers on 127.0.0.1 and the shared cache in Redis; `wrk` loads
`/verifier/<code>/` from loopback, each request for a code drawn at random among the 100,000: first on
an empty cache (nearly every answer drawn: one query, the page rendered), then once every code has been
asked for once (the answers kept whole in the shared cache for a day: no query, no rendering). Target: at
least 1,000 requests/s with a 99th percentile under 50 ms. Beside the rates, which depend on whatever
else the machine runs, the server's CPU time a request (gunicorn's workers and PostgreSQL's backends,
from /proc).

Run from the project root (needs `wrk`: `apt-get install -y wrk`, and Redis):
`.venv/bin/python benchmarks/verification_benchmark.py [--postgres postgres://postgres@127.0.0.1:5432]
[--redis redis://127.0.0.1:6379/2]` (the Redis database is emptied first; `--keep` then
`--reuse DATABASE_URL` to measure again on the same database).
"""

import argparse
import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, append, machine
from portal_benchmark import THREADS, copy, environment, free_port, measured, run_throwaway, wrk
from portal_benchmark import build_database as portal_build_database

CERTIFICATES = 100_000
SESSIONS = 20
EMPLOYERS = 100
REVOKED_EVERY = 100
WORKERS = 4
DURATION = 20  # seconds of measured load (after a 5 s warm-up)
TARGET_RATE = 1_000
TARGET_P99_MS = 50
SEED = 61

LUA = """
-- each thread draws its own sequence
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%%x+)"), 16) %% 1000003)
local codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
request = function()
  return wrk.format("GET", "/verifier/" .. codes[math.random(#codes)] .. "/", {
    ["X-Forwarded-Proto"] = "https",
  })
end
"""

# every code asked for once, in turn, the threads sharing them out
EVERY_ONCE = """
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  codes = {}
  for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
  n = id + 1 - %(threads)d
end
request = function()
  n = n + %(threads)d
  return wrk.format("GET", "/verifier/" .. codes[(n - 1) %% #codes + 1] .. "/", {
    ["X-Forwarded-Proto"] = "https",
  })
end
"""
WARM_RATE = 300  # requests/s at least while every answer is drawn once


def build(codes_path: str) -> dict:
    """In the migrated database with the referential loaded: organisations, candidates, enrolments,
    sessions, registrations, juries, decisions and one CQP each; the codes written to `codes_path`."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from certifier.certificates.issuance import day_text, grouped, new_code, verification_url
    from certifier.certificates.models import Certificate, CertificateKind, RevocationReason
    from certifier.core.enums import DecisionSource
    from certifier.exams import numbers
    from certifier.exams.models import ExamSession, Registration, SessionKind
    from certifier.juries.models import Deliberation, Jury, JuryDecision, JuryStatus, Minutes
    from certifier.pathways.models import Candidate, Enrolment
    from certifier.people.enums import OrganisationKind
    from certifier.people.models import Organisation, User
    from certifier.referential.models import CertificationVersion

    rng = random.Random(SEED)
    started = time.perf_counter()
    version = CertificationVersion.objects.get(certification__number="RNCP35729", code="2013")
    certification = version.certification
    now = timezone.now()
    with transaction.atomic():
        Organisation.objects.create(kind=OrganisationKind.CERTIFIER, name="Ucanss", siret="78462143500048")
        centre = Organisation.objects.create(kind=OrganisationKind.TRAINING_CENTRE, name="CRFP")
        employers = [
            Organisation.objects.create(kind=OrganisationKind.EMPLOYER, name=f"Caisse {n:03d}", branch="CAF")
            for n in range(EMPLOYERS)
        ]
        admin = User.objects.create_user(email="admin@bench.example", password=None)
        ids = range(1, CERTIFICATES + 1)

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
                    training_centre=centre,
                    start_date=datetime.date(2015, 1, 5),
                )
                for pk in ids
            ),
        )
        sessions, deliberations = [], []
        for n in range(SESSIONS):
            year, kind = 2016 + n // 2, (SessionKind.JUNE if n % 2 == 0 else SessionKind.DECEMBER)
            written = datetime.date(year, 6 if kind == SessionKind.JUNE else 12, 3)
            released = now - datetime.timedelta(days=30 * (SESSIONS - n))
            session = ExamSession.objects.create(
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
            sessions.append(session)
            deliberations.append(deliberation)
        drawn: set[str] = set()
        while len(drawn) < 2 * CERTIFICATES:
            drawn.add(numbers.draw())
        drawn_numbers = sorted(drawn)
        rng.shuffle(drawn_numbers)
        copy(
            Registration,
            (
                Registration(
                    pk=pk,
                    session=sessions[pk % SESSIONS],
                    enrolment_id=pk,
                    candidate_number=drawn_numbers[2 * pk - 2],
                    copy_code=drawn_numbers[2 * pk - 1],
                    certified=True,
                )
                for pk in ids
            ),
        )
        copy(
            JuryDecision,
            (
                JuryDecision(
                    pk=pk,
                    source=DecisionSource.JURY,
                    deliberation=deliberations[pk % SESSIONS],
                    registration_id=pk,
                    proposed_status=JuryStatus.CERTIFIED,
                    confirmed_status=JuryStatus.CERTIFIED,
                    explanation="Moyenne pondérée suffisante, aucune note éliminatoire, Pass suivi.",
                    record={},
                    rule_set_id="cqp-2013",
                    rule_set_version=1,
                    rule_set_hash="bench",
                    decided_by=admin,
                )
                for pk in ids
            ),
        )
        codes = [new_code() for _ in ids]

        def certificate(pk: int) -> Certificate:
            session = sessions[pk % SESSIONS]
            jury_date = session.national_jury_date
            issued_at = session.proclaimed_at + datetime.timedelta(minutes=5)
            number = f"CQP-{issued_at.year}-{pk:06d}"
            code = codes[pk - 1]
            content = {
                "kind": "cqp",
                "kind_label": CertificateKind.CQP.label,
                "number": number,
                "holder": {
                    "birth_name": f"Nom{pk:06d}",
                    "usage_name": "",
                    "first_names": f"Prénom{pk}",
                    "name": f"Prénom{pk} NOM{pk:06d}",
                },
                "certification": {
                    "title": certification.title,
                    "rncp_code": certification.number,
                    "version": version.code,
                    "version_label": version.label,
                },
                "jury_date": jury_date.isoformat(),
                "jury_date_text": day_text(jury_date),
                "jury_place": "Ucanss, Paris",
                "president": {"name": "Camille Dupont", "capacity": "Présidence du jury national paritaire"},
                "issued_on": issued_at.date().isoformat(),
                "issued_on_text": day_text(issued_at.date()),
                "verification_code": grouped(code),
                "verification_url": verification_url(code),
                "blocks": [],
            }
            revoked = pk % REVOKED_EVERY == 0
            return Certificate(
                pk=pk,
                kind=CertificateKind.CQP,
                year=issued_at.year,
                sequence=pk,
                number=number,
                verification_code=code,
                candidate_id=pk,
                enrolment_id=pk,
                decision_id=pk,
                rncp_code=certification.number,
                content=content,
                issued_at=issued_at,
                public_from=session.released_at,
                access_route="professional_contract",
                assessed_from=session.written_exam_date,
                assessed_to=session.oral_end,
                valid_from=jury_date,
                pdf=f"certificates/{number}.pdf",
                pdf_sha256="0" * 64,
                # the shape and size of a signed credential (about 2.5 kB); the page never reads it
                credential={"id": content["verification_url"], "padding": "x" * 2500},
                revoked_at=issued_at + datetime.timedelta(days=10) if revoked else None,
                revocation_reason=RevocationReason.AMENDMENT if revoked else "",
                revoked_by=admin if revoked else None,
            )

        copy(Certificate, (certificate(pk) for pk in ids))
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
                "certificates",
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        cursor.execute(sql)
        cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    Path(codes_path).write_text("\n".join(grouped(code) for code in codes) + "\n")
    return {"build_seconds": round(built, 1), "certificates": Certificate.objects.count()}


def build_database(server: str, name: str, workdir: Path) -> dict:
    return portal_build_database(server, name, workdir, __file__, "codes.txt")


def fetch(base: str, code: str, deadline: float) -> str:
    assert base.startswith("http://127.0.0.1:")
    request = urllib.request.Request(  # noqa: S310 (loopback, checked above)
        f"{base}/verifier/{code}/", headers={"X-Forwarded-Proto": "https"}
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback, checked)
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def kept_answers(redis_url: str) -> int:
    """How many keys the shared cache holds (the answers kept)."""
    import redis

    return int(redis.Redis.from_url(redis_url).dbsize())


def measure(database_url: str, workdir: Path) -> dict:
    """gunicorn on the built database, checked, warmed up, then loaded by wrk with the codes at random:
    on an empty cache, then once every code has been asked for."""
    import psycopg
    import redis

    redis_url = os.environ["REDIS_URL"]
    redis.Redis.from_url(redis_url).flushdb()
    env = environment(database_url)
    with psycopg.connect(database_url) as db:
        codes = [code for (code,) in db.execute("SELECT verification_code FROM certificates_certificate")]
        revoked = db.execute("SELECT count(*) FROM certificates_certificate WHERE revoked_at IS NOT NULL")
        revoked_count = revoked.fetchone()[0]
    random.Random(SEED).shuffle(codes)
    every = workdir / "codes.txt"
    every.write_text("\n".join(codes) + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = database_url.rsplit("/", 1)[1]
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
            page = fetch(base, codes[0], time.monotonic() + 60)
            assert "Vérification d'un certificat" in page and "CQP-" in page, page[:2000]
            for code in codes[:: len(codes) // 20]:  # each sampled code is answered valid or revoked
                text = fetch(base, code, time.monotonic() + 5)
                assert "Ce certificat est valide" in text or "Ce certificat a été révoqué" in text
            script = workdir / "random.lua"
            script.write_text(LUA % {"codes": every})
            wrk(base, str(script), 5)  # warm-up: connections, compiled templates
            figures = {}
            load_before = os.getloadavg()[0]
            run = measured(base, str(script), DURATION, "/", gunicorn.pid, database)
            run["load"] = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
            figures["drawn"] = run
            once = workdir / "once.lua"
            once.write_text(EVERY_ONCE % {"codes": every, "threads": THREADS})
            started = time.perf_counter()
            wrk(base, str(once), len(codes) // WARM_RATE)
            figures["warm_seconds"] = round(time.perf_counter() - started)
            figures["kept"] = kept_answers(redis_url)
            load_before = os.getloadavg()[0]
            run = measured(base, str(script), DURATION, "/", gunicorn.pid, database)
            run["load"] = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
            figures["kept_run"] = run
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
    return {"certificates": len(codes), "revoked": revoked_count} | figures


def row(label: str, figures: dict) -> str:
    cpu = figures["web_cpu_ms"] + figures["db_cpu_ms"]
    return (
        f"| {label} | {figures['requests']:,} | {figures['rate']:.0f} | {figures['p50_ms']:.1f} ms "
        f"| {figures['p99_ms']:.1f} ms | {figures['errors']} | {figures['load']} "
        f"| {figures['web_cpu_ms']:.2f} + {figures['db_cpu_ms']:.2f} ms "
        f"| {(os.cpu_count() or 1) * 1000 / cpu:.0f} |\n"
    )


def report(figures: dict) -> str:
    main = figures["kept_run"]
    met = main["rate"] >= TARGET_RATE and main["p99_ms"] < TARGET_P99_MS and not main["errors"]
    return (
        "## Certificates: the public verification page under load (issue 10)\n\n"
        f"Machine: {machine()}. PostgreSQL holding {figures['certificates']:,} CQPs ({figures['revoked']:,} "
        f"revoked), each on a jury decision of one of {SESSIONS} released sessions (rows written with COPY "
        f"in {figures['build_seconds']} s). gunicorn, {WORKERS} sync workers, production settings, the "
        f"shared cache in Redis, on 127.0.0.1; `wrk -t{THREADS} -c16 -d{DURATION}s --latency` from "
        "loopback after a 5 s warm-up, on `/verifier/<code>/`, each request for a code drawn at random "
        "among every certificate: on an empty cache (nearly every answer drawn: one query, certificate "
        "and lock-out, the page rendered), then once every code had been asked for once "
        f"({figures['warm_seconds']} s, {figures['kept']:,} keys in the cache: the answers kept a day, "
        "read in one round trip with the address's lock ahead of the session, the user and the view, no "
        "query).\n\n"
        "| Answers | Requests | Requests/s | p50 | p99 | Non-2xx | load average | server CPU a request "
        "(gunicorn + PostgreSQL) | requests/s the cores could serve at that cost |\n"
        "|---|---:|---:|---:|---:|---:|---|---:|---:|\n"
        + row("drawn (empty cache)", figures["drawn"])
        + row("kept (every code asked for once)", main)
        + "\n"
        f"Target: at least {TARGET_RATE:,} requests/s with p99 under {TARGET_P99_MS} ms on the codes at "
        f"random — {'met' if met else 'NOT met'} (answers kept). The load generator, Redis and "
        "PostgreSQL run on the same cores as the server, beside whatever else the machine runs; the last "
        "column divides the cores by the server's CPU time a request (Redis's not counted).\n"
        "Command: `.venv/bin/python benchmarks/verification_benchmark.py "
        "--postgres postgres://postgres@127.0.0.1:5432`.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", metavar="URL")
    parser.add_argument("--build", metavar="CODES", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, do not append it")
    parser.add_argument("--keep", action="store_true", help="keep the database built (its URL is printed)")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="measure on a database kept by --keep")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/2", metavar="URL", help="the shared cache (emptied first)"
    )
    options = parser.parse_args()
    os.environ["REDIS_URL"] = options.redis  # read by the settings of gunicorn's workers
    if options.build:
        print(json.dumps(build(options.build)))
        return
    if options.reuse:
        workdir = Path(tempfile.mkdtemp(prefix="verification-bench-"))
        try:
            figures = {"build_seconds": "(reused)"} | measure(options.reuse, workdir)
        finally:
            shutil.rmtree(workdir)
    else:
        figures = run_throwaway(options.postgres, options.keep, "verification", build_database, measure)
    for label in ("drawn", "kept_run"):
        print(figures[label].pop("raw"))
    section = report(figures)
    print(section)
    if not options.no_write:
        append(section)


if __name__ == "__main__":
    main()
