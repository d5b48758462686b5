"""Benchmark of the enrolment list, its exports and the dashboard (issue 7 §4).

On a fresh temporary SQLite database holding the demo data and 20,000 enrolments at one CRFP,
measures the server time and query count, as the CRFP staff member, of: the dashboard, the list
(first page; sorted by progress; a late page sorted by progress) and the CSV and Excel exports of
the whole list. Results are appended to BENCHMARKS.md.
Run from the project root: `.venv/bin/python benchmarks/list_export_benchmark.py`.
"""

import datetime
import os
import sys
import tempfile
import time

from common import ROOT, append, machine

ENROLMENTS = 20_000
URLS = [
    ("tableau de bord", "/"),
    ("liste, page 1", "/inscriptions/"),
    ("liste triée par avancement", "/inscriptions/?tri=avancement"),
    ("liste triée par avancement, page 150", "/inscriptions/?tri=-avancement&page=150"),
    ("export CSV (toute la liste)", "/inscriptions/?format=csv"),
    ("export Excel (toute la liste)", "/inscriptions/?format=xlsx"),
]


def setup(path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def fill() -> None:
    from django.core.management import call_command

    from certifier.demo.services import do_load_demo
    from certifier.pathways.models import Candidate, Enrolment
    from certifier.pathways.services import do_load_training_paths
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    do_load_training_paths()
    do_load_demo()
    model = Enrolment.objects.select_related("candidate").first()
    missing = ENROLMENTS - Enrolment.objects.count()
    Candidate.objects.bulk_create(
        [
            Candidate(
                birth_name=f"Nom{number:05d}",
                first_name="Camille",
                sex="F",
                birth_date=datetime.date(1990, 1, 1),
                birth_insee_code="33063",
                employer_id=model.candidate.employer_id,
                employee_number=f"B{number:06d}",
                pre_recruitment_date=datetime.date(2025, 9, 1),
                identity_key=f"bench-{number}",
            )
            for number in range(missing)
        ],
        batch_size=2_000,
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                candidate=candidate,
                version_id=model.version_id,
                option_id=model.option_id,
                access_route=model.access_route,
                training_centre_id=model.training_centre_id,
                start_date=datetime.date(2026, 1, 5),
            )
            for candidate in Candidate.objects.filter(identity_key__startswith="bench-")
        ],
        batch_size=2_000,
    )


def measure() -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from certifier.people.models import User

    client = Client()
    client.force_login(User.objects.get(email="crfp@crfp-bordeaux.example"))
    client.get("/")
    lines = []
    for label, url in URLS:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, url
        size = len(response.content) // 1024
        lines.append(f"| {label} | `{url}` | {elapsed:.2f} s | {len(queries)} | {size} Kio |")
    return lines


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        setup(os.path.join(directory, "bench.sqlite3"))
        fill()
        lines = measure()
    table = "\n".join(
        ["| page | adresse | temps serveur | requêtes SQL | taille |", "|---|---|---|---|---|", *lines]
    )
    section = (
        f"## Enrolment list, exports and dashboard — {datetime.date.today():%Y-%m-%d}\n\n"
        f"Machine: {machine()}. SQLite, demo data and {ENROLMENTS:,} enrolments at one CRFP, as its staff "
        "member. Command: `.venv/bin/python benchmarks/list_export_benchmark.py`.\n\n"
        f"{table}\n"
    )
    print(section)
    append(section)


if __name__ == "__main__":
    main()
