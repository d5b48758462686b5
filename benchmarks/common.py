"""What every benchmark script shares: the machine's description and the results file."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine() -> str:
    return f"{os.cpu_count()} cores (`nproc`), {cpu_model()}, Python {platform.python_version()}"


def append(section: str) -> None:
    """Append a section to BENCHMARKS.md (created with its heading when absent)."""
    path = ROOT / "BENCHMARKS.md"
    if not path.exists():
        path.write_text("# Benchmarks\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + section)


def run_child(script: str, database_url: str) -> dict:
    """Run `script --child` on `database_url` (test settings); its last output line is its JSON figures."""
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    output = subprocess.run(
        [sys.executable, script, "--child"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def run_on_postgres(script: str, server: str, prefix: str) -> dict:
    """`run_child` on a throwaway PostgreSQL database of `server`, dropped afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run_child(script, f"{server}/{name}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def exam_session(candidates: int, centres: int) -> dict:
    """In a migrated database with the referential loaded: a December session of the 2013 scheme whose
    written exam was sat five days ago, and `candidates` enrolments in it spread over `centres` CRFPs
    (not registered yet), with the Ucanss and employer organisations. Django must be set up."""
    import datetime

    from certifier.exams.models import SessionKind
    from certifier.exams.services import SessionData, do_create_session
    from certifier.pathways.models import Candidate, Enrolment
    from certifier.people.enums import OrganisationKind
    from certifier.people.models import Organisation
    from certifier.referential.models import CertificationVersion

    version = CertificationVersion.objects.get(certification__number="RNCP35729", code="2013")
    ucanss = Organisation.objects.create(
        kind=OrganisationKind.CERTIFIER, name="Ucanss", siret="78462143500048"
    )
    employer = Organisation.objects.create(
        kind=OrganisationKind.EMPLOYER, name="CAF de la Gironde", branch="CAF", siret="53443290300016"
    )
    crfps = [
        Organisation.objects.create(
            kind=OrganisationKind.TRAINING_CENTRE, name=f"CRFP {n:02d}", city=f"Ville {n}", region="Région"
        )
        for n in range(centres)
    ]
    people = Candidate.objects.bulk_create(
        Candidate(
            birth_name=f"Nom{n:05d}",
            first_name=f"Prénom{n}",
            sex="F" if n % 2 else "M",
            birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
            birth_insee_code="33063",
            employer=employer,
            employee_number=f"M{n:06d}",
        )
        for n in range(candidates)
    )
    created = Enrolment.objects.bulk_create(
        Enrolment(
            candidate=candidate,
            version=version,
            option=version.options.first(),
            access_route="professional_contract",
            training_centre=crfps[n % centres],
            start_date=datetime.date(2026, 1, 5),
        )
        for n, candidate in enumerate(people)
    )
    today = datetime.date.today()
    session = do_create_session(
        None,
        SessionData(
            version=version,
            kind=SessionKind.DECEMBER,
            year=(today - datetime.timedelta(days=5)).year,
            registration_deadline=today - datetime.timedelta(days=35),
            written_exam_date=today - datetime.timedelta(days=5),
            oral_start=today - datetime.timedelta(days=4),
            oral_end=today + datetime.timedelta(days=5),
            national_jury_date=today + datetime.timedelta(days=25),
        ),
    )
    enrolments = list(Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in created]))
    return {
        "version": version,
        "ucanss": ucanss,
        "employer": employer,
        "centres": crfps,
        "enrolments": enrolments,
        "session": session,
    }
