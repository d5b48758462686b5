"""Benchmark of the CPF declaration (D62, issue 10): the flux of 100,000 passages written, validated against
the CDC's schema and kept (target < 60 s, peak memory < 200 MB), then the CDC's receipt for them loaded.

A first child process builds the data in bulk on a fresh database: 100,000 candidates, their enrolments,
registrations in one released session, the national jury's decisions and a CQP each (rows written
directly: the issuance is measured by its own benchmark). A second child process, started afresh so
that its peak resident memory (`ru_maxrss`) is the flux's alone, runs `write_flux` as the job runs it:
passages opened, XML streamed into files split at the CDC's limit (200,000: one file here), each file
validated by `iterparse` against the schema, kept, passages marked sent, audited. A third loads a
receipt of the CDC accepting 95 % of them and rejecting 5 % (`load_receipt`). SQLite by default;
`--postgres postgres://postgres@127.0.0.1:5432` also runs on a throwaway PostgreSQL database.
Needs the CDC's schema beside the repository (`CPF_SCHEMA_PATH`, shared/reference/ by default).
Run from the project root: `.venv/bin/python benchmarks/cpf_benchmark.py [--postgres URL] [--no-append]`.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from common import ROOT, append, machine
from pathways_benchmark import setup_django

PASSAGES = 100_000
REJECTED_EVERY = 20  # the receipt rejects one passage in twenty
BATCH = 5_000


def build() -> None:
    """The data, in bulk, in a migrated database."""
    from django.core.management import call_command
    from django.utils import timezone

    from certifier.certificates.models import Certificate
    from certifier.exams.models import ExamSession, Registration, SessionKind
    from certifier.juries.models import Deliberation, Jury, JuryDecision
    from certifier.pathways.models import Candidate, Enrolment
    from certifier.people.enums import OrganisationKind, Role
    from certifier.people.models import Membership, Organisation, User
    from certifier.referential.models import CertificationVersion
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    version = CertificationVersion.objects.get(certification__number="RNCP35729", code="rncp")
    ucanss = Organisation.objects.create(
        kind=OrganisationKind.CERTIFIER, name="Ucanss", siret="78462143500048"
    )
    admin = User.objects.create_user("admin@bench.example", "x")
    Membership.objects.create(user=admin, organisation=ucanss, role=Role.NATIONAL_ADMIN)
    employer = Organisation.objects.create(
        kind=OrganisationKind.EMPLOYER, name="CAF de la Gironde", branch="CAF", siret="53443290300016"
    )
    crfp = Organisation.objects.create(kind=OrganisationKind.TRAINING_CENTRE, name="CRFP de Bordeaux")
    today = timezone.localdate()
    held_on = today - datetime.timedelta(days=40)
    now = timezone.now()
    session = ExamSession.objects.create(
        version=version,
        kind=SessionKind.JUNE,
        year=held_on.year,
        registration_deadline=held_on - datetime.timedelta(days=60),
        written_exam_date=held_on - datetime.timedelta(days=30),
        oral_start=held_on - datetime.timedelta(days=29),
        oral_end=held_on - datetime.timedelta(days=20),
        national_jury_date=held_on,
        proclaimed_at=now,
        released_at=now,
    )
    jury = Jury.objects.create(session=session, place="Paris", appointed_by=admin)
    deliberation = Deliberation.objects.create(jury=jury, held_on=held_on, place="Paris", opened_by=admin)
    option = version.options.first()
    for start in range(0, PASSAGES, BATCH):
        span = range(start, min(start + BATCH, PASSAGES))
        candidates = Candidate.objects.bulk_create(
            Candidate(
                birth_name=f"Nom{n:06d}",
                usage_name="Épouse" if n % 3 == 0 else "",
                first_name=f"Prénom{n}",
                other_first_names="Marie Claire" if n % 2 else "",
                sex="F" if n % 2 else "M",
                birth_date=datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 12_000),
                birth_insee_code=f"{33000 + n % 1000:05d}",
                employer=employer,
                employee_number=f"M{n:07d}",
            )
            for n in span
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                candidate=candidate,
                version=version,
                option=option,
                access_route="professional_contract" if n % 4 else "continuing_education",
                training_centre=crfp,
                start_date=datetime.date(2025, 1, 6),
            )
            for n, candidate in zip(span, candidates, strict=True)
        )
        registrations = Registration.objects.bulk_create(
            Registration(
                session=session, enrolment=enrolment, candidate_number=f"N{n:08d}", copy_code=f"C{n:08d}"
            )
            for n, enrolment in zip(span, enrolments, strict=True)
        )
        decisions = JuryDecision.objects.bulk_create(
            JuryDecision(
                deliberation=deliberation,
                registration=registration,
                source="jury",
                proposed_status="certified",
                confirmed_status="certified",
                explanation="",
                record={},
                rule_set_id="rncp35729",
                rule_set_version=1,
                rule_set_hash="bench",
                decided_by=admin,
            )
            for registration in registrations
        )
        Certificate.objects.bulk_create(
            Certificate(
                kind="cqp",
                year=today.year,
                sequence=n + 1,
                number=f"CQP-{today.year}-{n + 1:06d}",
                verification_code=f"{n:024x}",
                candidate=candidate,
                enrolment=enrolment,
                decision=decision,
                rncp_code="RNCP35729",
                content={},
                issued_at=now,
                public_from=now,
                access_route=enrolment.access_route,
                assessed_from=session.written_exam_date,
                assessed_to=session.oral_end,
                valid_from=held_on,
                option=option.title if option else "",
            )
            for n, candidate, enrolment, decision in zip(span, candidates, enrolments, decisions, strict=True)
        )


def measure_flux() -> dict:
    from django.db import connection

    from certifier.certificates import cpf
    from certifier.people.models import User

    admin = User.objects.get(email="admin@bench.example")
    reports = []
    start = time.perf_counter()
    written = cpf.write_flux(admin, lambda done, total: reports.append(done))
    seconds = time.perf_counter() - start
    figures = {
        "database": connection.vendor,
        "passages": sum(flux.passages for flux in written),
        "files": len(written),
        "mib": sum(flux.file.size for flux in written) / 2**20,
        "seconds": seconds,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reports": len(reports),
    }
    for flux in written:  # the test settings' media folder is not removed by itself
        flux.file.delete(save=False)
    return figures


def measure_receipt() -> dict:
    from django.core.files.base import ContentFile

    from certifier.certificates import cpf
    from certifier.certificates.models import CpfPassage
    from certifier.people.models import User

    admin = User.objects.get(email="admin@bench.example")
    ids = list(CpfPassage.objects.order_by("pk").values_list("id_technique", flat=True))
    ok = "".join(f"<idTechnique>{n}</idTechnique>" for i, n in enumerate(ids) if i % REJECTED_EVERY)
    ko = "".join(
        f"<passage><idTechnique>{n}</idTechnique><messageErreur>Aucun titulaire ne correspond aux critères "
        "obligatoires</messageErreur></passage>"
        for i, n in enumerate(ids)
        if not i % REJECTED_EVERY
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ns2:rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">'
        f"<nomFichier>flux.xml</nomFichier><PassagesKO>{ko}</PassagesKO><PassagesOK>{ok}</PassagesOK>"
        "</ns2:rapport>"
    ).encode()
    start = time.perf_counter()
    receipt = cpf.load_receipt(admin, ContentFile(content, name="accuse.xml"))
    seconds = time.perf_counter() - start
    receipt.file.delete(save=False)
    return {
        "accepted": receipt.accepted,
        "rejected": receipt.rejected,
        "receipt_mib": len(content) / 2**20,
        "receipt_seconds": seconds,
        "receipt_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(phase: str) -> None:
    setup_django()
    if phase == "build":
        build()
        print(json.dumps({}))
    elif phase == "flux":
        print(json.dumps(measure_flux()))
    else:
        print(json.dumps(measure_receipt()))


def run_phase(phase: str, env: dict) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", phase],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def run(database_url: str) -> dict:
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    run_phase("build", env)
    return run_phase("flux", env) | run_phase("receipt", env)


def run_postgres(server: str) -> dict:
    import psycopg

    name = f"certifier_cpf_bench_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(f"{server}/{name}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(runs: list[dict], command: str) -> str:
    lines = [
        "",
        f"## CPF declaration flux ({datetime.date.today():%Y-%m-%d})",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- data: {PASSAGES:,} CQP holders of one released session, built in bulk; the flux written by "
        "`write_flux` in a fresh process (passages opened, XML streamed with `lxml.etree.xmlfile`, validated "
        "by `iterparse` against the CDC's schema 1.1.2, kept, passages marked sent, audited); peak memory is "
        "that process's `ru_maxrss` (Django and the schema included). Then a CDC receipt accepting 95 % and "
        "rejecting 5 % loaded by `load_receipt` in another fresh process.",
        "",
        "| measure | target | value |",
        "|---|---|---|",
    ]
    for run_ in runs:
        lines.append(
            f"| flux of {run_['passages']:,} passages written and validated, {run_['database']} | < 60 s, "
            f"< 200 MB | {run_['seconds']:.1f} s, peak {run_['peak_mib']:.0f} MiB ({run_['files']} file, "
            f"{run_['mib']:.0f} MiB) |"
        )
        lines.append(
            f"| receipt of {run_['accepted'] + run_['rejected']:,} passages loaded, {run_['database']} | | "
            f"{run_['receipt_seconds']:.1f} s, peak {run_['receipt_peak_mib']:.0f} MiB "
            f"({run_['receipt_mib']:.1f} MiB) |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="also run on a throwaway database of this server")
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.child:
        child(options.child)
        return
    with tempfile.TemporaryDirectory() as directory:
        runs = [run(f"sqlite:///{directory}/bench.sqlite3")]
        if options.postgres:
            runs.append(run_postgres(options.postgres.rstrip("/")))
    command = ".venv/bin/python benchmarks/cpf_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    text = report(runs, command)
    print(text)
    if not options.no_append:
        append(text)


if __name__ == "__main__":
    main()
