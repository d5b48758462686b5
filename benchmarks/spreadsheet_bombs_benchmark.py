"""Benchmark of refusing the spreadsheet bombs of issue 7 with the candidate import's limits.

Builds, in `benchmarks/data/` (gitignored, reused when present), the four bombs at the issue's sizes —
a 1.2 MB workbook of shared strings (about 560 MB once decompressed), one row of 2,000,000 cells,
20,000,000 empty rows, a truncated sheet XML — plus bombs that stay under the size limits (5,000,000
empty rows, 7,500,000 unknown elements; refused on their count of XML elements), the largest sheet
the limits allow cut at its very end (the slowest refusal), and, for comparison, a valid workbook of
20,000 candidates. Each file is read in a fresh child process by `certifier.pathways.importers.read_table`;
the child reports the time of the call, the parent the child's peak RSS (`wait4` rusage, Django start-up
included). Appends the table to BENCHMARKS.md.
Run from the project root: `.venv/bin/python benchmarks/spreadsheet_bombs_benchmark.py`.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from common import ROOT, append, machine

DATA = ROOT / "benchmarks" / "data"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 10_000
TARGET_SECONDS = 5
TARGET_MIB = 200


def write_workbook(path: Path, sheet: Iterator[str], shared: Iterator[str] | None = None) -> None:
    """A workbook whose sheet (and shared strings) are streamed into the zip, never held whole."""
    partial = path.with_suffix(".partial")
    relations = f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        relations += f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{OFFICE}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets><sheet name="Candidats" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}">{relations}</Relationships>'
        )
        for name, parts in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            if parts is None:
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                for part in parts:
                    stream.write(part.encode())
    partial.rename(path)


def sheet(rows: Iterator[str]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    yield from rows
    yield "</sheetData></worksheet>"


def chunks(make: Callable[[int], str], count: int) -> Iterator[str]:
    for start in range(0, count, CHUNK):
        yield "".join(make(index) for index in range(start, min(start + CHUNK, count)))


def candidates(count: int) -> Iterator[str]:
    """A title row and `count` plausible candidate rows, 18 columns of inline strings."""
    from certifier.pathways.importers import HEADERS

    def cell(text: str) -> str:
        return f'<c t="inlineStr"><is><t>{text}</t></is></c>'

    yield '<row r="1">' + "".join(cell(name) for name in HEADERS) + "</row>"
    values = [
        "DURAND{n}", "", "Zoé", "", "F", "12/03/1994", "33063", "zoe.durand{n}@exemple.fr", "12345678900011",
        "M{n:06d}", "RNCP35729", "Gestionnaire conseil allocataire", "Contrat de professionnalisation",
        "CRFP de Bordeaux", "tuteur@exemple.fr", "manager@exemple.fr", "01/09/2025", "01/10/2025",
    ]  # fmt: skip
    yield from chunks(
        lambda n: f'<row r="{n + 2}">' + "".join(cell(value.format(n=n)) for value in values) + "</row>",
        count,
    )


def one_row(cells: int) -> Iterator[str]:
    yield '<row r="1">'
    yield from chunks(lambda n: "<c><v>1</v></c>", cells)
    yield "</row>"


def shared_strings_bomb(path: Path) -> None:
    """Shared strings compressing 1,000 to 1: written until the workbook weighs 1.2 MB."""
    block = "<si><t>" + "A" * 990 + "</t></si>"

    def strings() -> Iterator[str]:
        yield f'<sst xmlns="{MAIN}">'
        while (
            not path.with_suffix(".partial").exists()
            or path.with_suffix(".partial").stat().st_size < 1_200_000
        ):
            yield block * 1000
        yield "</sst>"

    write_workbook(path, sheet(iter(['<row r="1"><c t="s"><v>0</v></c></row>'])), strings())


def truncated(path: Path) -> None:
    """A valid 20,000-row sheet cut in the middle of an element."""
    content = "".join(sheet(candidates(20_000)))
    write_workbook(path, iter([content[: len(content) // 2]]))


def largest_within_limits(path: Path) -> None:
    """20,001 rows of 24 distinct shared strings (as many strings as the limits allow cells), the
    sheet cut just before its end: everything is read before the damage shows."""
    columns, rows = 24, 20_001
    strings = chunks(lambda n: f"<si><t>t{n:07d}</t></si>", rows * columns)
    cells = chunks(
        lambda n: (
            f'<row r="{n + 1}">'
            + "".join(f'<c t="s"><v>{n * columns + column}</v></c>' for column in range(columns))
            + "</row>"
        ),
        rows,
    )
    sheet_xml = "".join(sheet(cells))
    write_workbook(path, iter([sheet_xml[:-40]]), iter([f'<sst xmlns="{MAIN}">', *strings, "</sst>"]))


BOMBS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "shared-strings-1.2mb.xlsx": (
        "shared strings of a 1.2 MB workbook",
        shared_strings_bomb,
    ),
    "one-row-2m-cells.xlsx": (
        "one row of 2,000,000 cells (under the size limits)",
        lambda path: write_workbook(path, sheet(one_row(2_000_000))),
    ),
    "empty-rows-20m.xlsx": (
        "20,000,000 empty rows",
        lambda path: write_workbook(path, sheet(chunks(lambda n: "<row/>", 20_000_000))),
    ),
    "empty-rows-5m.xlsx": (
        "5,000,000 empty rows (under the size limits)",
        lambda path: write_workbook(path, sheet(chunks(lambda n: "<row/>", 5_000_000))),
    ),
    "unknown-elements.xlsx": (
        "7,500,000 unknown empty elements in one cell (under the size limits)",
        lambda path: write_workbook(
            path, sheet(iter(['<row r="1"><c>', *chunks(lambda n: "<x/>", 7_500_000), "</c></row>"]))
        ),
    ),
    "truncated-sheet.xlsx": ("truncated sheet XML (20,000 rows cut in half)", truncated),
    "largest-within-limits-truncated.xlsx": (
        "20,001 rows × 24 columns of 480,024 shared strings, cut at the end",
        largest_within_limits,
    ),
    "valid-20000-rows.xlsx": (
        "valid: 20,000 candidates, 18 columns (accepted)",
        lambda path: write_workbook(path, sheet(candidates(20_000))),
    ),
}


def child(path: Path) -> None:
    """Read `path` as the candidate import does; print the outcome as JSON."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from certifier.pathways.importers import ImportRefused, read_table

    content = path.read_bytes()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        rows = read_table(content)
    except ImportRefused as refusal:
        outcome = f"refused: « {refusal} »"
    else:
        outcome = f"accepted: {len(rows):,} rows"
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "outcome": outcome}))


def measure(path: Path) -> tuple[float, float, float, str]:
    """Wall and CPU seconds of the read, the child's peak RSS in MiB, and the outcome."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"Reading {path.name} failed")
    result = json.loads(output)
    return result["seconds"], result["cpu"], usage.ru_maxrss / 1024, result["outcome"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    DATA.mkdir(exist_ok=True)
    results = []
    for name, (label, build) in BOMBS.items():
        path = DATA / name
        if not path.is_file():
            start = time.perf_counter()
            build(path)
            print(
                f"Built {name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        seconds, cpu, mib, outcome = measure(path)
        print(f"{label}: {seconds:.2f} s ({cpu:.2f} s CPU), peak RSS {mib:.0f} MiB — {outcome}", flush=True)
        with zipfile.ZipFile(path) as archive:
            decompressed = sum(member.file_size for member in archive.infolist())
        results.append((label, path.stat().st_size, decompressed, seconds, cpu, mib, outcome))
    section = report(results)
    print(section)
    if not options.no_append:
        append(section)


def report(results: list[tuple[str, int, int, float, float, float, str]]) -> str:
    bombs = [result for result in results if not result[6].startswith("accepted")]
    lines = [
        f"## Spreadsheet bombs refused by the candidate import's reader ({datetime.date.today().isoformat()})",
        "",
        f"- Machine: {machine()}",
        "- Command: `.venv/bin/python benchmarks/spreadsheet_bombs_benchmark.py`. Each file is read by "
        "`certifier.pathways.importers.read_table` (limits: 10 MB, 32 MiB a part and 64 MiB in all once "
        "decompressed, 100 parts, 20,001 rows, 24 columns, 1,000 characters a cell, 3 XML elements a cell "
        "and 1 a row) in a fresh child process; "
        "time is the call's (wall and CPU), peak RSS the child's (Django start-up included).",
        f"- Target: any refused file in under {TARGET_SECONDS} s and {TARGET_MIB} MB.",
        "- Load average at the end of the run (1, 5, 15 min): "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
        + " — other work was sharing the machine when above the core count.",
        "",
        "| file | size (MB) | decompressed (MB) | time (s) | CPU time (s) | peak RSS (MiB) | outcome |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for label, size, decompressed, seconds, cpu, mib, outcome in results:
        lines.append(
            f"| {label} | {size / 1e6:,.2f} | {decompressed / 1e6:,.1f} | {seconds:.2f} | {cpu:.2f} | {mib:.0f} "
            f"| {outcome} |"
        )
    lines += [
        "",
        f"Worst refusal: {max(result[3] for result in bombs):.2f} s ("
        f"{max(result[4] for result in bombs):.2f} s CPU); "
        f"largest peak RSS of a refusal: {max(result[5] for result in bombs):.0f} MiB.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
