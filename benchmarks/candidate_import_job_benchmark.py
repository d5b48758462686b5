"""Benchmark of the web candidate import run as a background job (issue 7, §3): 20,000 rows.

Measures, on a fresh temporary database, the upload request (it only stores the file and enqueues
the job: it must never meet a request timeout) and the job run by the database worker
(`manage.py db_worker --batch`), i.e. checking 20,000 rows then writing them in one transaction.
SQLite by default; `--postgres postgres://postgres@127.0.0.1:5432` also runs on a throwaway PostgreSQL
database. Each database runs in a child process. Results are appended to BENCHMARKS.md.
Run from the project root: `.venv/bin/python benchmarks/candidate_import_job_benchmark.py`.
"""

import argparse
import datetime
import json
import random
import tempfile
import time

from common import append, machine, run_child, run_on_postgres
from pathways_benchmark import prepare, setup_django, xlsx

ROWS = 20_000
SEED = 35729


def letters(number: int) -> str:
    """A distinct run of letters for each number (names hold no digits)."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def candidate_rows(sirets: list[str]) -> list[list[str]]:
    rng = random.Random(SEED)
    rows = []
    for n in range(ROWS):
        born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(12_000))
        start = datetime.date(2026, 1, 5) + datetime.timedelta(days=rng.randrange(150))
        rows.append(
            [
                f"Nom{letters(n)}",
                "",
                f"Prénom{letters(n)}",
                "",
                rng.choice("MF"),
                f"{born:%d/%m/%Y}",
                f"{rng.randrange(1000, 96000):05d}",
                f"candidat{n}@bench.example",
                sirets[n % len(sirets)],
                f"MAT{n:06d}",
                "RNCP35729",
                rng.choice(["allocataire", "recouvrement", "service-medical"]),
                rng.choice(["Contrat de professionnalisation", "Formation continue"]),
                "CRFP de Bordeaux",
                "",
                "",
                "01/09/2025",
                f"{start:%d/%m/%Y}",
            ]
        )
    return rows


def child() -> None:
    setup_django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from certifier.core.models import Job
    from certifier.pathways import importers

    write = importers.do_import_enrolments
    writes: list[float] = []

    def timed_write(*args, **kwargs):  # the one write transaction, timed
        start = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            writes.append(time.perf_counter() - start)

    importers.do_import_enrolments = timed_write
    prepared = prepare()
    content = xlsx(candidate_rows(prepared["sirets"]))
    client = Client(HTTP_HOST="localhost")  # an allowed host outside pytest
    client.force_login(prepared["staff"])
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with tempfile.TemporaryDirectory() as media, override_settings(TASKS=backend, MEDIA_ROOT=media):
        start = time.perf_counter()
        response = client.post(
            reverse("pathways:enrolment_import"), {"file": SimpleUploadedFile("candidats.xlsx", content)}
        )
        upload = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        start = time.perf_counter()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        worker = time.perf_counter() - start
        page = client.get(response.url).content.decode()
    job = Job.objects.get()
    assert job.status == "done" and f"Inscriptions créées : {ROWS}" in page, (job.outcome, job.errors[:3])
    figures = {
        "database": connection.vendor,
        "file_kib": len(content) // 1024,
        "upload_s": upload,
        "job_s": (job.finished_at - job.started_at).total_seconds(),
        "worker_s": worker,
        "write_s": writes[0],
    }
    print(json.dumps(figures))


def report(results: list[dict], command: str) -> str:
    lines = [
        f"## Candidate import as a background job, {ROWS:,} rows ({datetime.date.today().isoformat()})",
        "",
        f"- Machine: {machine()}",
        f"- Command: `{command}`. A CRFP staff member uploads a {results[0]['file_kib']:,} KiB .xlsx of {ROWS:,} "
        "new candidates (in-process test client: server time of the request, which stores the file and "
        "enqueues the job); then `manage.py db_worker --batch` runs the job: every row checked, progress "
        "committed, then all rows written in one transaction (on SQLite, other writers such as sign-ins "
        "wait for it, up to the 20 s busy timeout). Job time is from the worker claiming it to its outcome.",
        "- Target: the upload request far below any request timeout (30 s), whatever the file.",
        "",
        "| measure | " + " | ".join(result["database"] for result in results) + " |",
        "|---|" + "---:|" * len(results),
        "| upload request (s) | " + " | ".join(f"{result['upload_s']:.2f}" for result in results) + " |",
        "| job, claimed to finished (s) | "
        + " | ".join(f"{result['job_s']:.1f}" for result in results)
        + " |",
        "| of which the one write transaction (s) | "
        + " | ".join(f"{result['write_s']:.1f}" for result in results)
        + " |",
        "| worker command, start-up included (s) | "
        + " | ".join(f"{result['worker_s']:.1f}" for result in results)
        + " |",
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
        results.append(run_on_postgres(__file__, options.postgres, "certifier_bench_jobs"))
    command = ".venv/bin/python benchmarks/candidate_import_job_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    section = report(results, command)
    print(section)
    if not options.no_append:
        append(section)


if __name__ == "__main__":
    main()
