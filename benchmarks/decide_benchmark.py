"""Benchmark of `manage.py decide --rules rncp35729`, end to end: JSON lines in, decisions out.

Generates seeded random RNCP35729 records (16 competences × 2–8 criteria, some capitalised blocks),
pipes them through the command in a child process, and appends throughput and the child's peak
memory to BENCHMARKS.md. Run from the project root: `.venv/bin/python benchmarks/decide_benchmark.py`.
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, append, machine

BLOCKS = {"RNCP35729BC01": 6, "RNCP35729BC02": 5, "RNCP35729BC03": 5}
SEED = 35729


def write_records(path: Path, count: int) -> None:
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            criteria = {
                code: {
                    str(competence): [rng.random() < 0.88 for _ in range(rng.randint(2, 8))]
                    for competence in range(1, competences + 1)
                }
                for code, competences in BLOCKS.items()
            }
            record: dict[str, object] = {"candidate": f"C{number:06d}", "criteria": criteria}
            if rng.random() < 0.2:
                record["capitalised"] = rng.sample(sorted(BLOCKS), rng.randint(1, 2))
            out.write(json.dumps(record) + "\n")


def run_decide(records: Path, jobs: int | None) -> tuple[float, int, int]:
    """Wall time in seconds, peak RSS of the child in KiB, and the number of output lines."""
    command = [sys.executable, "manage.py", "decide", "--rules", "rncp35729"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    with records.open("rb") as stdin, tempfile.TemporaryFile() as stdout:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, stdin=stdin, stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"decide failed with exit status {child.returncode}")
        stdout.seek(0)
        lines = sum(1 for _ in stdout)
    return elapsed, usage.ru_maxrss, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for count in options.records:
            records = Path(directory) / f"records-{count}.jsonl"
            write_records(records, count)
            for jobs in (None, 1):
                elapsed, peak_kib, lines = run_decide(records, jobs)
                assert lines == count, f"{lines} output lines for {count} records"
                rows.append(
                    (count, jobs or len(os.sched_getaffinity(0)), elapsed, count / elapsed, peak_kib / 1024)
                )
                print(
                    f"{count} records, jobs={jobs or 'default'}: {elapsed:.2f} s, {count / elapsed:,.0f}/s, "
                    f"peak RSS {peak_kib / 1024:.1f} MiB",
                    flush=True,
                )
    section = report(rows)
    print(section)
    if not options.no_append:
        append(section)


def report(rows: list[tuple[int, int | None, float, float, float]]) -> str:
    lines = [
        f"## decide --rules rncp35729 ({datetime.date.today().isoformat()})",
        "",
        f"- Machine: {machine()}",
        "- Command: `.venv/bin/python benchmarks/decide_benchmark.py`, which pipes seeded random records "
        "(16 competences × 2–8 criteria, 20 % with capitalised blocks) through "
        "`python manage.py decide --rules rncp35729 [--jobs N] < records.jsonl > decisions.jsonl` "
        "in a child process; time is wall time end to end (start-up, JSON in, decide, JSON out); "
        "peak RSS is the child's and its workers' largest (`wait4` rusage).",
        "- Target: ≥ 20,000 candidates/s end to end.",
        "",
        "| records | jobs | wall time (s) | candidates/s | peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {count:,} | {jobs} | {elapsed:.2f} | {rate:,.0f} | {peak:.1f} |"
        for count, jobs, elapsed, rate, peak in rows
    ]
    by_size = {count: max(peak for size, *_, peak in rows if size == count) for count, *_ in rows}
    compared = ", ".join(f"{peak:.1f} MiB for {count:,} records" for count, peak in by_size.items())
    lines += ["", f"Largest peak RSS by input size: {compared}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
