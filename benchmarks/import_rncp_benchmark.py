"""Benchmark of `manage.py import_rncp` on a registry export of at least 300 MB.

Builds `benchmarks/data/rncp-export-300mb.xml` (gitignored, reused when present) by repeating the 12
sheets of the reference sample with new sheet numbers, then imports it and the 722 KB sample itself,
each into a fresh SQLite database, twice (first import, then the idempotent re-run), in a child process.
Appends wall time and the child's peak RSS to BENCHMARKS.md.
Run from the project root: `.venv/bin/python benchmarks/import_rncp_benchmark.py`.
"""

import argparse
import datetime
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT, append, machine

SAMPLE = ROOT.parent / "shared" / "reference" / "rncp-export-v4.1-sample.xml"
DATA = ROOT / "benchmarks" / "data"
TARGET_BYTES = 300 * 1000 * 1000
FIRST_NUMBER = 900_000
SHEET = re.compile(rb"<FICHE>.*?</FICHE>", re.DOTALL)
NUMBER = re.compile(rb"<NUMERO_FICHE>[^<]*</NUMERO_FICHE>")


def build_export(path: Path, target: int) -> int:
    """Write an export of at least `target` bytes, one sheet at a time; returns its number of sheets."""
    content = SAMPLE.read_bytes()
    sheets = SHEET.findall(content)
    header = content[: content.index(b"<FICHE>")]
    footer = content[content.rindex(b"</FICHE>") + len(b"</FICHE>") :]
    partial = path.with_suffix(".partial")
    count = 0
    with partial.open("wb") as out:
        out.write(header)
        while out.tell() < target:
            for sheet in sheets:
                number = b"<NUMERO_FICHE>RNCP%d</NUMERO_FICHE>" % (FIRST_NUMBER + count)
                out.write(NUMBER.sub(number, sheet, count=1) + b"\n  ")
                count += 1
        out.write(footer)
    partial.rename(path)
    return count


def sheet_count(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(line.count(b"<FICHE>") for line in stream)


def run(arguments: list[str], env: dict[str, str]) -> tuple[float, int, str, float]:
    """Wall time in seconds, peak RSS of the child in KiB, its stdout, and its CPU time in seconds
    (user and system: what the work costs, whatever else the machine is doing)."""
    with tempfile.TemporaryFile() as stdout:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(arguments)} failed with exit status {child.returncode}")
        stdout.seek(0)
        return elapsed, usage.ru_maxrss, stdout.read().decode().strip(), usage.ru_utime + usage.ru_stime


class WriteProbe:
    """Beside the import, takes the SQLite write lock every 0.2 s as a sign-in would (BEGIN IMMEDIATE),
    and keeps the longest wait: what a user signing in during the import would wait."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.longest = 0.0
        self.attempts = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._probe)

    def __enter__(self) -> "WriteProbe":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _probe(self) -> None:
        connection = sqlite3.connect(self.database, timeout=120, isolation_level=None)
        while not self.stopped.wait(0.2):
            start = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("COMMIT")
            self.longest = max(self.longest, time.perf_counter() - start)
            self.attempts += 1
        connection.close()


def benchmark(
    export: Path, runs: tuple[str, ...] = ("first import", "second import (unchanged)")
) -> list[tuple[str, float, int, str, float, float]]:
    """Import `export` into a fresh SQLite database (once per run); migrate runs first, in its own
    process. Each row: run, wall time, peak RSS (KiB), summary, longest wait for the write lock (s),
    CPU time (s)."""
    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "benchmark.sqlite3"
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{database}",
        }
        run(["migrate", "--noinput", "-v", "0"], env)
        rows = []
        for label in runs:
            with WriteProbe(database) as probe:
                elapsed, peak_kib, summary, cpu = run(["import_rncp", str(export)], env)
            rows.append((label, elapsed, peak_kib, summary, probe.longest, cpu))
            print(
                f"{export.name}, {label}: {elapsed:.1f} s ({cpu:.1f} s CPU), peak RSS {peak_kib / 1024:.0f} MiB, "
                f"longest wait for the write lock {probe.longest:.2f} s ({probe.attempts} tries) — {summary}",
                flush=True,
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if not SAMPLE.is_file():
        raise SystemExit(f"Reference sample missing: {SAMPLE}")
    DATA.mkdir(exist_ok=True)
    big = DATA / "rncp-export-300mb.xml"
    if not big.is_file() or big.stat().st_size < TARGET_BYTES:
        start = time.perf_counter()
        build_export(big, TARGET_BYTES)
        print(f"Built {big} in {time.perf_counter() - start:.1f} s", flush=True)
    results = [(path, sheet_count(path), benchmark(path)) for path in (SAMPLE, big)]
    section = report(results)
    print(section)
    if not options.no_append:
        append(section)


def report(results: list[tuple[Path, int, list[tuple[str, float, int, str, float, float]]]]) -> str:
    lines = [
        f"## import_rncp, registry export import ({datetime.date.today().isoformat()})",
        "",
        f"- Machine: {machine()}, SQLite {sqlite3.sqlite_version}",
        "- Command: `.venv/bin/python benchmarks/import_rncp_benchmark.py`. The large export repeats the 12 "
        "sheets of `../shared/reference/rncp-export-v4.1-sample.xml` with new sheet numbers. Each file is "
        "imported with `python manage.py import_rncp FILE` (production settings) into a fresh SQLite "
        "database migrated beforehand in a separate process, then imported again (nothing changes). Time is "
        "wall time of the child process (start-up included); peak RSS is the child's (`wait4` rusage). "
        "Meanwhile another connection takes the write lock every 0.2 s (`BEGIN IMMEDIATE`, as a sign-in "
        "does): the longest wait must stay far below the 20 s busy timeout.",
        "",
        "| file | size (MB) | sheets | run | wall time (s) | CPU time (s) | sheets/s | peak RSS (MiB) "
        "| longest write-lock wait (s) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for path, sheets, rows in results:
        size = path.stat().st_size / 1_000_000
        for label, elapsed, peak_kib, _, wait, cpu in rows:
            lines.append(
                f"| {path.name} | {size:,.1f} | {sheets:,} | {label} | {elapsed:.1f} | {cpu:.1f} | "
                f"{sheets / elapsed:,.0f} | {peak_kib / 1024:.0f} | {wait:.2f} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
