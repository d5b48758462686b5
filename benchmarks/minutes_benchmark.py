"""Benchmark of the national jury's signed minutes (issue 9): the PV of 2,500 candidates, drawn from the
data and signed PAdES, in the job (target < 20 s), on SQLite and, with `--postgres`, on a throwaway
PostgreSQL database.

The session is the outcome benchmark's (2,500 registrations in 14 CRFPs, five marks each entered
through the marks service, Pass attended by 97 %); the CPNEFP's lists (eight members) and the jury are
appointed through their services, the sitting opened with every member present, the proposals of all
candidates adopted at once and 25 candidates decided against the proposal, reasoned and voted. The
signing certificate is a development one made in a temporary directory.

Measured: the job from its request to its end (`do_sign_minutes`, run in the process by the tests'
immediate task backend: the data read, the PDF drawn, signed, checked again under the deliberation's
lock, kept, the session proclaimed, audited), and, beforehand on the same data, its parts alone: the
data read, the PDF drawn, the signature.
Run from the project root: `.venv/bin/python benchmarks/minutes_benchmark.py [--postgres URL]`.
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import time

from common import ROOT, append, machine, run_child, run_on_postgres
from pathways_benchmark import setup_django

DEPARTURES = 25
EMPLOYEES = [
    ("Bernard", "Alice", "CFDT"),
    ("Petit", "Hugo", "CFDT"),
    ("Robert", "Chloé", "CGT"),
    ("Richard", "Louis", "CGT"),
]
EMPLOYERS = [("Moreau", "Inès"), ("Simon", "Jules"), ("Laurent", "Emma"), ("Michel", "Noah")]


def prepare() -> dict:
    from outcome_benchmark import prepare as prepare_session

    from certifier.exams.models import Registration
    from certifier.juries.composition import ListMemberData, do_add_list_member, do_appoint_jury
    from certifier.juries.deliberation import do_adopt_proposals, do_decide
    from certifier.juries.models import College, JuryStatus
    from certifier.juries.signing import configured_files, make_development_certificate
    from certifier.juries.sitting import do_open_deliberation, do_record_attendance
    from certifier.people.enums import OrganisationKind, Role
    from certifier.people.models import Membership, Organisation, User

    make_development_certificate(configured_files())
    prepared = prepare_session()
    admin, session = prepared["admin"], prepared["session"]
    cpnefp = User.objects.create_user("cpnefp@bench.example", "x")
    organisation = Organisation.objects.create(kind=OrganisationKind.CPNEFP, name="CPNEFP")
    Membership.objects.create(user=cpnefp, organisation=organisation, role=Role.CPNEFP)
    members = [
        do_add_list_member(
            cpnefp,
            ListMemberData(
                last_name=last,
                first_name=first,
                college=College.EMPLOYEES,
                confederation=confederation,
                capacity=f"Représentant(e) {confederation}",
            ),
        )
        for last, first, confederation in EMPLOYEES
    ] + [
        do_add_list_member(
            cpnefp,
            ListMemberData(
                last_name=last, first_name=first, college=College.EMPLOYERS, capacity="Directeur(trice)"
            ),
        )
        for last, first in EMPLOYERS
    ]
    jury = do_appoint_jury(cpnefp, session, "Ucanss, Paris", admin, members)
    deliberation = do_open_deliberation(admin, jury, datetime.date.today(), jury.place)
    do_record_attendance(admin, deliberation, jury.members.all())
    everyone = Registration.objects.filter(session=session)
    do_adopt_proposals(admin, deliberation, everyone)
    for registration in everyone.order_by("candidate_number")[:DEPARTURES]:
        decision = registration.jury_decisions.get()
        status = (
            JuryStatus.DEFERRED
            if decision.proposed_status != JuryStatus.DEFERRED
            else JuryStatus.NOT_CERTIFIED
        )
        do_decide(
            admin, deliberation, registration, status, {}, "Dossier examiné en séance.", 5, 2, 1, "", False
        )
    return {"admin": admin, "deliberation": deliberation, "candidates": everyone.count()}


def child() -> None:
    setup_django()
    from django.db import connection

    from certifier.core.models import Job
    from certifier.juries.minutes import do_sign_minutes, draw_minutes, minutes_data
    from certifier.juries.models import Deliberation, Minutes
    from certifier.juries.signing import sign_pdf

    prepared = prepare()
    deliberation = Deliberation.objects.get(pk=prepared["deliberation"].pk)
    start = time.perf_counter()
    data = minutes_data(deliberation)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    pdf = draw_minutes(data)
    draw_s = time.perf_counter() - start
    start = time.perf_counter()
    sign_pdf(pdf, reason="Procès-verbal", location="Paris")
    sign_s = time.perf_counter() - start

    start = time.perf_counter()
    job = do_sign_minutes(prepared["admin"], deliberation)  # the job runs on commit, in this process
    job_s = time.perf_counter() - start
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.outcome
    minutes = Minutes.objects.get(deliberation=deliberation)
    size = minutes.file.size
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "candidates": prepared["candidates"],
                "departures": len(data.departures),
                "read_s": read_s,
                "draw_s": draw_s,
                "sign_s": sign_s,
                "job_s": job_s,
                "job_recorded_s": (job.finished_at - job.started_at).total_seconds(),
                "pdf_kib": size / 1024,
                "pages": pdf.count(b"/Type /Page\n"),
            }
        )
    )


def report(runs: list[dict], command: str) -> str:
    lines = [
        "",
        f"## Signed minutes of the national jury ({datetime.date.today():%Y-%m-%d})",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- data: the outcome benchmark's session ({runs[0]['candidates']:,} registrations, five marks each), "
        f"a jury of eight members and its chair, all present, every proposal adopted at once, "
        f"{runs[0]['departures']} decisions departing from the proposal (reason and vote); a development "
        "signing certificate (ECDSA P-256).",
        "- the job: from `do_sign_minutes` to the job's end, run in the process (the tests' immediate task "
        "backend): data read, PDF drawn (reportlab), signed PAdES (pyHanko), data read again under the "
        "deliberation's lock and compared, minutes kept, session proclaimed, audited. Its parts measured "
        "alone beforehand.",
        "",
        "| measure | target | value |",
        "|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| PV of {run['candidates']:,} candidates signed, in the job, {run['database']} | < 20 s | "
            f"{run['job_s']:.1f} s (job's own record {run['job_recorded_s']:.1f} s; {run['pages']} pages, "
            f"{run['pdf_kib']:.0f} KiB) |"
        )
        lines.append(
            f"| its parts, {run['database']}: data read / PDF drawn / signature | | {run['read_s']:.2f} s / "
            f"{run['draw_s']:.2f} s / {run['sign_s']:.2f} s |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="also run on a throwaway database of this server")
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.child:
        child()
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as directory:
        os.environ["SIGNING_DIR"] = directory
        for name in ("SIGNING_KEY_PATH", "SIGNING_CERT_PATH", "SIGNING_CHAIN_PATH", "SIGNING_KEY_PASSPHRASE"):
            os.environ.pop(name, None)
        runs = [run_child(__file__, f"sqlite:///{directory}/bench.sqlite3")]
        if options.postgres:
            runs.append(run_on_postgres(__file__, options.postgres.rstrip("/"), "certifier_minutes_bench"))
    command = ".venv/bin/python benchmarks/minutes_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    text = report(runs, command)
    print(text)
    if not options.no_append:
        append(text)


if __name__ == "__main__":
    main()
