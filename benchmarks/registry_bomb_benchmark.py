"""Benchmark of `manage.py import_rncp` on the registry-export bomb of issue 7 (§1.8).

Builds `benchmarks/data/rncp-bomb.zip` (gitignored, reused when present): a zip of about 215 KB holding
200 MB of unknown elements, then one valid sheet of the reference sample. Imports it into a fresh
SQLite database in a child process and appends its wall time and peak RSS to BENCHMARKS.md (the same
file took 6.6 GB before the parser freed what lies outside the sheets). Target: peak RSS < 150 MB.
Run from the project root: `.venv/bin/python benchmarks/registry_bomb_benchmark.py`.
"""

import argparse
import datetime
import re
import zipfile
from pathlib import Path

from common import append, machine
from import_rncp_benchmark import DATA, SAMPLE, benchmark

JUNK_BYTES = 200 * 1000 * 1000
JUNK = b"<I/>"  # the densest unknown element: 50 million of them


def build_bomb(path: Path) -> None:
    sheet = re.search(rb"<FICHE>.*?</FICHE>", SAMPLE.read_bytes(), re.DOTALL)
    assert sheet is not None
    chunk = JUNK * (1_000_000 // len(JUNK))
    partial = path.with_suffix(".partial")
    with (
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("export.xml", "w") as out,
    ):
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<FICHES>')
        for _ in range(JUNK_BYTES // len(chunk)):
            out.write(chunk)
        out.write(sheet.group(0) + b"</FICHES>")
    partial.rename(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    bomb = DATA / "rncp-bomb.zip"
    if not bomb.is_file():
        build_bomb(bomb)
    with zipfile.ZipFile(bomb) as archive:
        inflated = archive.infolist()[0].file_size
    _, elapsed, peak_kib, summary, _, cpu = benchmark(bomb, runs=("import",))[0]
    section = "\n".join(
        [
            f"## import_rncp, registry-export bomb ({datetime.date.today().isoformat()})",
            "",
            f"- Machine: {machine()}",
            "- Command: `.venv/bin/python benchmarks/registry_bomb_benchmark.py`: `python manage.py import_rncp "
            "rncp-bomb.zip` (production settings, fresh SQLite database) in a child process; wall time with "
            "start-up, peak RSS of the child (`wait4` rusage). Before the fix the same file took 6.6 GB.",
            "- Target: peak RSS < 150 MB whatever the content.",
            "",
            "| zip (KB) | XML inside (MB) | wall time (s) | CPU time (s) | peak RSS (MiB) | outcome |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {bomb.stat().st_size / 1000:,.0f} | {inflated / 1_000_000:,.0f} | {elapsed:.1f} | {cpu:.1f} | "
            f"{peak_kib / 1024:.0f} | {summary} |",
            "",
        ]
    )
    print(section)
    if not options.no_append:
        append(section)


if __name__ == "__main__":
    main()
