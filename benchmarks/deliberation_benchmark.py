"""Benchmark of the national jury's deliberation (issue 9, D53): its page and the adoption in bulk.

On a December session of the 2013 scheme holding 2,500 registrations with five marks each and Pass
attendances (built as `outcome_benchmark.py` builds it), a national jury of eight members and its chair,
all present:
- the server time of the deliberation page (in-process test client, median of several requests, every
  candidate undecided, filter « tous », first page of 100) and its query count;
- `do_adopt_proposals` for the 2,500 candidates at once (one decision each, one audit event each);
- the page again once every candidate is decided.
On SQLite and, with `--postgres`, on a throwaway PostgreSQL database.
Run from the project root: `.venv/bin/python benchmarks/deliberation_benchmark.py [--postgres URL]`.
"""

import argparse
import datetime
import json
import statistics
import sys
import tempfile
import time

from common import ROOT, append, machine, run_child, run_on_postgres
from outcome_benchmark import CANDIDATES, CENTRES, prepare
from pathways_benchmark import setup_django

PAGE_REPEATS = 5


def jury_of(session, admin):
    """Eight members drawn from the CPNEFP's lists (four per college), chaired by `admin`, every one present."""
    from django.db import transaction

    from certifier.juries.models import College, Jury, JuryListMember, JuryMember, MemberRole
    from certifier.juries.sitting import do_open_deliberation, do_record_attendance

    with transaction.atomic():
        jury = Jury.objects.create(session=session, place="Ucanss, Paris", appointed_by=admin)
        JuryMember.objects.create(
            jury=jury,
            role=MemberRole.CHAIR,
            user=admin,
            last_name="Président",
            first_name="Ucanss",
            capacity="Ucanss",
        )
        for n in range(8):
            college = College.EMPLOYEES if n < 4 else College.EMPLOYERS
            confederation = ("CFDT", "CGT")[n % 2] if college == College.EMPLOYEES else ""
            listed = JuryListMember.objects.create(
                last_name=f"Membre{n}",
                first_name="Jury",
                college=college,
                confederation=confederation,
                capacity="Membre",
            )
            JuryMember.objects.create(
                jury=jury,
                list_member=listed,
                last_name=listed.last_name,
                first_name=listed.first_name,
                college=college,
                confederation=confederation,
                capacity="Membre",
            )
    deliberation = do_open_deliberation(admin, jury, session.national_jury_date, jury.place)
    do_record_attendance(admin, deliberation, jury.members.all())
    return deliberation


def measure_page(user, deliberation) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("juries:deliberation", args=[deliberation.pk]) + "?filtre=tous"
    client.get(url)
    timings = []
    for _ in range(PAGE_REPEATS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200
    return {
        "median_ms": statistics.median(timings) * 1000,
        "max_ms": max(timings) * 1000,
        "queries": len(queries.captured_queries),
    }


def child() -> None:
    setup_django()
    from django.db import connection

    from certifier.core.models import AuditEvent
    from certifier.exams.models import Registration
    from certifier.juries.deliberation import do_adopt_proposals
    from certifier.juries.models import JuryDecision

    prepared = prepare()
    admin, session = prepared["admin"], prepared["session"]
    deliberation = jury_of(session, admin)
    figures: dict = {"database": connection.vendor}
    figures["page_undecided"] = measure_page(admin, deliberation)
    registrations = list(Registration.objects.filter(session=session))
    start = time.perf_counter()
    adopted = do_adopt_proposals(admin, deliberation, registrations)
    figures["adopt_s"] = time.perf_counter() - start
    assert adopted == len(registrations) == CANDIDATES == JuryDecision.objects.count()
    assert AuditEvent.objects.filter(action="jury_proposal_adopted").count() == CANDIDATES
    figures["adopted"] = adopted
    figures["page_decided"] = measure_page(admin, deliberation)
    print(json.dumps(figures))


def report(runs: list[dict], command: str) -> str:
    lines = [
        "",
        f"## National jury's deliberation: page and adoption in bulk ({datetime.date.today():%Y-%m-%d})",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- data: a December session of the 2013 scheme, {CANDIDATES:,} registrations in {CENTRES} CRFPs, five "
        "marks each entered through the marks service, Pass attended by 97 %, anonymity lifted; a national jury "
        "of eight members and its chair, all present.",
        f"- page: `GET` of the deliberation page (filter « tous », first page of 100 of {CANDIDATES:,}), in-process "
        f"test client, median of {PAGE_REPEATS}; adoption: `do_adopt_proposals` for every candidate at once "
        "(one stamped decision and one audit event each), wall time.",
        "",
        "| measure | target | value |",
        "|---|---|---|",
    ]
    for run in runs:
        database = run["database"]
        for key, label in (("page_undecided", "nobody decided yet"), ("page_decided", "everyone decided")):
            page = run[key]
            lines.append(
                f"| deliberation page, {label}, {database}: median / max, queries | < 1 s, constant | "
                f"{page['median_ms']:.0f} / {page['max_ms']:.0f} ms, {page['queries']} queries |"
            )
        lines.append(
            f"| adoption of the proposals of {run['adopted']:,} candidates, {database} | < 10 s | {run['adopt_s']:.2f} s |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="also run on a throwaway database of this server")
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.child:
        child()
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as directory:
        runs = [run_child(__file__, f"sqlite:///{directory}/bench.sqlite3")]
    if options.postgres:
        runs.append(run_on_postgres(__file__, options.postgres.rstrip("/"), "certifier_deliberation_bench"))
    command = ".venv/bin/python benchmarks/deliberation_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    text = report(runs, command)
    print(text)
    if not options.no_append:
        append(text)


if __name__ == "__main__":
    main()
