"""Benchmark of candidate imports and of the CRFP enrolment list (issue 4).

Measures, on a fresh temporary database:
- importing 5,000 candidate rows from Excel, then the same file again (nothing to change);
- refusing a 5,000-row file with one bad row (the row must be named);
- the server time of the enrolment list of a CRFP holding 5,000 enrolments: first page and a late page.

Each database runs in a child process (Django is set up once per process). SQLite by default;
`--postgres postgres://postgres@127.0.0.1:5432` also runs on a throwaway PostgreSQL database
created and dropped on that server. Results are appended to BENCHMARKS.md.
Run from the project root: `.venv/bin/python benchmarks/pathways_benchmark.py`.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time

from common import ROOT, append, machine, run_child, run_on_postgres

ROWS = 5_000
SEED = 35729
LIST_REPEATS = 20


# Child: one database -------------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def prepare() -> dict:
    from django.core.management import call_command

    from certifier.pathways.services import do_load_training_paths
    from certifier.people.enums import OrganisationKind, Role
    from certifier.people.models import Membership, Organisation, User
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    do_load_training_paths()
    crfp = Organisation.objects.create(
        kind=OrganisationKind.TRAINING_CENTRE, name="CRFP de Bordeaux", city="Bordeaux"
    )
    employers = [
        Organisation.objects.create(
            kind=OrganisationKind.EMPLOYER,
            name=f"Organisme {n}",
            branch="CAF",
            siret=valid_siret(f"{400000000000 + n:013d}"),
        )
        for n in range(20)
    ]
    staff = User.objects.create_user("crfp@bench.example", "x")
    Membership.objects.create(user=staff, organisation=crfp, role=Role.CRFP_STAFF)
    for n in range(50):  # half of the tutors already have an account
        tutor = User.objects.create_user(f"tuteur{n}@bench.example")
        Membership.objects.create(user=tutor, organisation=employers[n % 20], role=Role.TUTOR)
    return {"staff": staff, "sirets": [employer.siret for employer in employers]}


def valid_siret(first13: str) -> str:
    from certifier.people.rules import siret_error

    return next(first13 + str(digit) for digit in range(10) if siret_error(first13 + str(digit)) is None)


def candidate_rows(sirets: list[str]) -> list[list[str]]:
    rng = random.Random(SEED)
    routes = ["Contrat de professionnalisation", "Formation continue", "VAE"]
    options = [
        "allocataire",
        "recouvrement",
        "service-medical",
        "assurance-maladie",
        "tarification-atmp",
        "carriere-declarations",
    ]
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
                rng.choice(options),
                rng.choice(routes),
                "CRFP de Bordeaux",
                # tutors and managers belong to one employer each (people.Appointments)
                f"tuteur{rng.randrange(100)}.{n % len(sirets)}@bench.example",
                f"manager{rng.randrange(100)}.{n % len(sirets)}@bench.example",
                "01/09/2025",
                f"{start:%d/%m/%Y}",
            ]
        )
    return rows


def letters(n: int) -> str:
    """A name part made of letters only (names refuse digits): 0 → « a », 27 → « bb »."""
    word = ""
    while True:
        n, rest = divmod(n, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[rest] + word
        if n == 0:
            return word


def xlsx(rows: list[list[str]]) -> bytes:
    import io

    from openpyxl import Workbook

    from certifier.pathways.importers import HEADERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def measure_imports(staff, sirets: list[str]) -> dict:
    from certifier.pathways.importers import import_candidates

    rows = candidate_rows(sirets)
    bad = [list(row) for row in rows]
    bad[2_499][5] = "31/02/1990"
    bad[2_499][9] = "MAT-BAD"
    refused_time, refused = timed(import_candidates, staff, xlsx(bad))
    assert [str(error) for error in refused.errors] == [
        "Ligne 2501, colonne « Date de naissance » : date « 31/02/1990 » invalide (attendu JJ/MM/AAAA)."
    ], refused.errors[:3]
    content = xlsx(rows)
    created_time, created = timed(import_candidates, staff, content)
    assert not created.errors and created.summary.created == ROWS, created.errors[:3]
    unchanged_time, unchanged = timed(import_candidates, staff, content)
    assert unchanged.summary.unchanged == ROWS
    return {
        "file_kib": len(content) // 1024,
        "import_5000_created_s": created_time,
        "invited_accounts": len(created.summary.invited),
        "import_5000_unchanged_s": unchanged_time,
        "import_5000_one_bad_row_refused_s": refused_time,
    }


def measure_list(staff) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")  # an allowed host outside pytest
    client.force_login(staff)
    url = reverse("pathways:enrolment_list")
    results = {}
    for label, params in (("list_first_page", {}), ("list_page_50", {"page": 50})):
        client.get(url, params)
        timings = []
        for _ in range(LIST_REPEATS):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url, params)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200 and response.content.count(b'<th scope="row"><a href') == 100
        results[f"{label}_median_ms"] = statistics.median(timings) * 1000
        results[f"{label}_max_ms"] = max(timings) * 1000
        results[f"{label}_queries"] = len(queries.captured_queries)
    return results


def child() -> None:
    setup_django()
    from django.db import connection

    prepared = prepare()
    figures = {"database": connection.vendor}
    figures |= measure_imports(prepared["staff"], prepared["sirets"])
    figures |= measure_list(prepared["staff"])
    print(json.dumps(figures))


# Parent: one child per database, then BENCHMARKS.md ------------------------------------------


def report(results: list[dict], command: str) -> str:
    lines = [
        "",
        "## Pathways: candidate import and CRFP enrolment list",
        "",
        f"- date: {datetime.date.today():%Y-%m-%d}",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- {ROWS} candidate rows (.xlsx), one CRFP, 20 employers, 100 tutor and 100 manager e-mails (50 known); "
        f"list: 100 enrolments a page, {LIST_REPEATS} requests each, in-process test client (server time)",
        "",
        "| measure | target | " + " | ".join(result["database"] for result in results) + " |",
        "|---|---|" + "---|" * len(results),
    ]
    rows = [
        ("import of 5,000 new rows (s)", "< 20 s", "import_5000_created_s", "{:.1f}"),
        ("same file again, nothing changes (s)", "", "import_5000_unchanged_s", "{:.1f}"),
        (
            "5,000 rows, one bad: refused, row named (s)",
            "< 20 s",
            "import_5000_one_bad_row_refused_s",
            "{:.1f}",
        ),
        ("list, first page: median / max (ms)", "< 300 ms", "list_first_page", None),
        ("list, page 50 of 50: median / max (ms)", "< 300 ms", "list_page_50", None),
        ("list queries per request", "constant", "list_first_page_queries", "{}"),
    ]
    for label, target, key, template in rows:
        if template is None:
            cells = [f"{r[key + '_median_ms']:.0f} / {r[key + '_max_ms']:.0f}" for r in results]
        else:
            cells = [template.format(r[key]) for r in results]
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--postgres",
        help="also run on a throwaway database of this server, e.g. postgres://postgres@127.0.0.1:5432",
    )
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.child:
        child()
        return
    with tempfile.TemporaryDirectory() as directory:
        results = [run_child(__file__, f"sqlite:///{directory}/bench.sqlite3")]
    if options.postgres:
        results.append(run_on_postgres(__file__, options.postgres.rstrip("/"), "certifier_bench"))
    command = ".venv/bin/python benchmarks/pathways_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    text = report(results, command)
    print(text)
    if not options.no_append:
        append(text)


if __name__ == "__main__":
    main()
