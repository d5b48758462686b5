"""Benchmark of a session of 2,500 candidates (issue 8, speed): registration, then one PDF of documents.

On a fresh temporary database, 2,500 candidates of 14 CRFPs are registered into a December session
at once through `do_register` (candidate numbers and copy codes drawn; timed, target < 10 s); then the
national administrator's documents job runs (convocations,
an attendance sheet and a copy-code list per CRFP, one PDF stored in MEDIA_ROOT). Measures the job's
wall time (claimed to finished), the PDF's pages and size, and the process's peak RSS before and after
the job. Target: < 30 s. SQLite by default; `--postgres postgres://postgres@127.0.0.1:5432` also runs
on a throwaway PostgreSQL database. Each database runs in a child process. Results are appended to
BENCHMARKS.md. Run from the project root: `.venv/bin/python benchmarks/exam_session_benchmark.py`.
"""

import argparse
import datetime
import json
import resource
import tempfile
import time

from common import append, exam_session, machine, run_child, run_on_postgres
from pathways_benchmark import setup_django

REGISTRATIONS = 2_500
CENTRES = 14
TARGET_S = 30


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare() -> dict:
    from django.core.management import call_command

    from certifier.exams.services import do_register
    from certifier.people.enums import Role
    from certifier.people.models import Membership, User
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    built = exam_session(REGISTRATIONS, CENTRES)
    admin = User.objects.create_user("admin@bench.example", "x")
    Membership.objects.create(user=admin, organisation=built["ucanss"], role=Role.NATIONAL_ADMIN)
    start = time.perf_counter()
    do_register(None, built["session"], built["enrolments"])
    return {"admin": admin, "session": built["session"], "register_s": time.perf_counter() - start}


def child() -> None:
    setup_django()
    from django.core.files.storage import default_storage
    from django.db import connection
    from django.test import override_settings

    from certifier.exams.jobs import result_name, start_documents

    prepared = prepare()
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        rss_before = peak_rss_mib()
        start = time.perf_counter()
        job = start_documents(prepared["admin"], prepared["session"])  # autocommit: runs at once
        wall = time.perf_counter() - start
        rss_after = peak_rss_mib()
        job.refresh_from_db()
        assert job.status == "done", job.outcome
        with default_storage.open(result_name(job), "rb") as stored:
            size = len(stored.read())
    figures = {
        "database": connection.vendor,
        "register_s": prepared["register_s"],
        "wall_s": wall,
        "job_s": (job.finished_at - job.started_at).total_seconds(),
        "outcome": job.outcome,
        "pdf_mib": size / 1024 / 1024,
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
    }
    print(json.dumps(figures))


def report(results: list[dict], command: str) -> str:
    def row(label: str, key: str, pattern: str) -> str:
        return f"| {label} | " + " | ".join(pattern.format(result[key]) for result in results) + " |"

    lines = [
        f"## Exam session of {REGISTRATIONS:,} candidates: registration, documents in one PDF "
        f"({datetime.date.today().isoformat()})",
        "",
        f"- Machine: {machine()}",
        f"- Command: `{command}`. {REGISTRATIONS:,} candidates of {CENTRES} CRFPs registered in a session; the "
        "national administrator's documents job (a convocation per candidate, then per CRFP its attendance "
        "sheet and copy-code list) drawn page by page on one reportlab canvas from a database iterator, "
        f"stored in MEDIA_ROOT. Outcome: « {results[0]['outcome']} »",
        f"- Targets: registration < 10 s; documents < {TARGET_S} s in a job. Peak RSS is the process's (`ru_maxrss`), before the job (Django, "
        "the data set up) and after it.",
        "",
        "| measure | " + " | ".join(result["database"] for result in results) + " |",
        "|---|" + "---:|" * len(results),
        row(
            f"registration of {REGISTRATIONS:,} candidates, numbers and copy codes (s)",
            "register_s",
            "{:.2f}",
        ),
        row("job, start to stored file (s)", "wall_s", "{:.1f}"),
        row("job, claimed to finished (s)", "job_s", "{:.1f}"),
        row("PDF size (MiB)", "pdf_mib", "{:.1f}"),
        row("peak RSS before the job (MiB)", "rss_before_mib", "{:.0f}"),
        row("peak RSS after the job (MiB)", "rss_after_mib", "{:.0f}"),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL at this server URL")
    parser.add_argument("--no-append", action="store_true", help="print without touching BENCHMARKS.md")
    options = parser.parse_args()
    if options.child:
        child()
        return
    with tempfile.TemporaryDirectory() as directory:
        results = [run_child(__file__, f"sqlite:///{directory}/benchmark.sqlite3")]
    if options.postgres:
        results.append(run_on_postgres(__file__, options.postgres, "certifier_bench_docs"))
    command = ".venv/bin/python benchmarks/exam_session_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    section = report(results, command)
    print(section)
    if not options.no_append:
        append(section)


if __name__ == "__main__":
    main()
