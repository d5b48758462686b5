"""Benchmark of the Excel marking sheet (issue 8, speed): 2,500 rows, download, upload, preview, write.

On a fresh temporary database, 2,500 candidates of 14 CRFPs are registered into a December session of
the 2013 scheme and a written-exam marker is appointed (not timed). Then, through the in-process test
client (server time, middleware included): the marker downloads the written exam's sheet, fills in
2,500 marks (openpyxl, the user's side, not a server step), uploads it (checked whole, preview of
2,500 new marks), confirms (2,500 marks written and audited); downloads it again, changes 500 marks,
uploads (500 changed, 2,000 unchanged) and confirms; and uploads a sheet with one bad cell, refused
with its row named. Target: < 10 s each step. SQLite by default; `--postgres
postgres://postgres@127.0.0.1:5432` also runs on a throwaway PostgreSQL database. Each database runs in
a child process. Results are appended to BENCHMARKS.md.
Run from the project root: `.venv/bin/python benchmarks/marking_sheet_benchmark.py`.
"""

import argparse
import datetime
import io
import json
import random
import tempfile
import time

from common import append, exam_session, machine, run_child, run_on_postgres
from pathways_benchmark import setup_django

REGISTRATIONS = 2_500
CHANGED = 500
CENTRES = 14
TARGET_S = 10
SEED = 2013


def prepare() -> dict:
    from django.core.management import call_command

    from certifier.exams.models import ExamMarker
    from certifier.exams.services import do_register
    from certifier.people.enums import Role
    from certifier.people.models import Membership, User
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    built = exam_session(REGISTRATIONS, CENTRES)
    session = built["session"]
    marker = User.objects.create_user("correcteur@bench.example", "x")
    Membership.objects.create(user=marker, organisation=built["ucanss"], role=Role.MARKER)
    do_register(None, session, built["enrolments"])
    ExamMarker.objects.create(session=session, user=marker)
    return {"marker": marker, "session": session}


def fill(content: bytes, marks: dict[int, str]) -> bytes:
    """The sheet as the marker saves it after typing `marks` (sheet row → text) in the « Note » column."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Notes"]
    for row, text in marks.items():
        sheet.cell(row=row, column=2).value = text
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def random_marks(rng: random.Random, rows: range) -> dict[int, str]:
    return {
        row: "ABS" if rng.random() < 0.02 else f"{rng.randrange(0, 2001) / 100:.2f}".replace(".", ",")
        for row in rows
    }


def measure() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from certifier.core.models import AuditEvent
    from certifier.exams.models import Mark

    setup_test_environment()  # responses carry their template context
    prepared = prepare()
    session = prepared["session"]
    client = Client(HTTP_HOST="localhost")  # an allowed host outside pytest
    client.force_login(prepared["marker"])
    urls = {
        name: reverse(f"exams:{name}", args=[session.pk, "written"])
        for name in ("sheet_download", "sheet_upload", "sheet_confirm")
    }
    figures: dict = {}
    rng = random.Random(SEED)

    def step(label: str, method: str, url: str, data: dict | None = None):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = getattr(client, method)(url, data or {})
            figures[f"{label}_s"] = time.perf_counter() - start
        figures[f"{label}_queries"] = len(queries.captured_queries)
        return response

    def upload(label: str, content: bytes):
        sheet = io.BytesIO(content)
        sheet.name = "notes.xlsx"
        return step(label, "post", urls["sheet_upload"], {"file": sheet})

    sheet = step("download", "get", urls["sheet_download"]).content
    figures["sheet_kib"] = len(sheet) / 1024
    start = time.perf_counter()
    first = random_marks(rng, range(2, REGISTRATIONS + 2))
    filled = fill(sheet, first)
    figures["fill_s"] = time.perf_counter() - start
    preview = upload("upload_new", filled)
    reading = preview.context["reading"]
    assert len(reading.new) == REGISTRATIONS, preview.context.get("faults", [])[:3]
    figures["token_kib"] = len(preview.context["token"]) / 1024
    confirmed = step("confirm_new", "post", urls["sheet_confirm"], {"lines": preview.context["token"]})
    assert confirmed.status_code == 302 and Mark.objects.count() == REGISTRATIONS
    assert AuditEvent.objects.filter(action="mark_entered").count() == REGISTRATIONS

    sheet = step("download_marked", "get", urls["sheet_download"]).content
    changes = {row: "19,5" if first[row] == "20,00" else "20" for row in range(2, CHANGED + 2)}
    preview = upload("upload_changed", fill(sheet, changes))
    reading = preview.context["reading"]
    assert (len(reading.new), len(reading.changed), reading.plan.unchanged) == (
        0,
        CHANGED,
        REGISTRATIONS - CHANGED,
    ), (
        len(reading.changed),
        preview.context.get("faults", [])[:3],
    )
    confirmed = step("confirm_changed", "post", urls["sheet_confirm"], {"lines": preview.context["token"]})
    assert confirmed.status_code == 302

    sheet = step("download_again", "get", urls["sheet_download"]).content
    refused = upload("upload_one_bad", fill(sheet, {REGISTRATIONS // 2: "20,5"}))
    faults = [str(fault) for fault in refused.context["faults"]]
    assert faults == [f"Ligne {REGISTRATIONS // 2}, colonne « Note » : 20,5 dépasse 20."], faults
    figures["database"] = connection.vendor
    return figures


def child() -> None:
    setup_django()
    print(json.dumps(measure()))


def report(results: list[dict], command: str) -> str:
    def row(label: str, target: str, key: str, pattern: str) -> str:
        return (
            f"| {label} | {target} | " + " | ".join(pattern.format(result[key]) for result in results) + " |"
        )

    def timed(label: str, key: str) -> str:
        cells = [f"{result[key + '_s']:.2f} s, {result[key + '_queries']} queries" for result in results]
        return f"| {label} | < {TARGET_S} s | " + " | ".join(cells) + " |"

    lines = [
        f"## Excel marking sheet, {REGISTRATIONS:,} rows ({datetime.date.today().isoformat()})",
        "",
        f"- Machine: {machine()}",
        f"- Command: `{command}`. {REGISTRATIONS:,} candidates of {CENTRES} CRFPs registered in a December "
        "session of the 2013 scheme; the written exam's marker downloads the sheet (copy codes only), fills "
        "it with openpyxl, uploads it (manifest and every row checked, preview), confirms; then changes "
        f"{CHANGED} marks of a fresh download; then uploads a sheet with one mark over 20 (refused, row named). "
        "Server time through Django's in-process test client (middleware and template rendering included), "
        "one request each.",
        "",
        "| step | target | " + " | ".join(result["database"] for result in results) + " |",
        "|---|---|" + "---:|" * len(results),
        timed(f"download, {REGISTRATIONS:,} empty rows", "download"),
        timed(f"upload → preview, {REGISTRATIONS:,} new marks", "upload_new"),
        timed(f"confirm, {REGISTRATIONS:,} marks written and audited", "confirm_new"),
        timed(f"download, {REGISTRATIONS:,} marked rows", "download_marked"),
        timed(
            f"upload → preview, {CHANGED} changed, {REGISTRATIONS - CHANGED:,} unchanged", "upload_changed"
        ),
        timed(f"confirm, {CHANGED} changes written and audited", "confirm_changed"),
        timed("upload with one bad cell → refused, row named", "upload_one_bad"),
        row("sheet size (KiB)", "", "sheet_kib", "{:.0f}"),
        row("signed entries in the preview page (KiB)", "", "token_kib", "{:.0f}"),
        row("filling 2,500 marks with openpyxl, user side (s)", "", "fill_s", "{:.2f}"),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
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
        results.append(run_on_postgres(__file__, options.postgres.rstrip("/"), "certifier_bench_sheets"))
    command = ".venv/bin/python benchmarks/marking_sheet_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    section = report(results, command)
    print(section)
    if not options.no_append:
        append(section)


if __name__ == "__main__":
    main()
