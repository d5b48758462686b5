"""Benchmark of the certificates' issue (issue 10, D59, D60): 5,000 certificates, each with its PDF
drawn and signed PAdES and its Open Badges 3.0 credential signed, issued by the job(s) (target < 3 min),
on SQLite and, with `--postgres`, on a throwaway PostgreSQL database.

The data: two proclaimed sessions of the blocks scheme, 625 candidates each, every candidate certified
with its three blocks validated: 4 certificates a candidate (3 CCPs, the CQP), 5,000 in all. The
sessions, enrolments and registrations are made in bulk, the jury's decisions and the signed minutes'
rows written directly (this benchmark measures the issue, not the deliberation: see
minutes_benchmark.py). Development signing certificate and credential key, in a temporary directory.

Measured: the issuing jobs of both sessions, from their start to their end, run by `--workers` job
workers (processes running `jobs.run` as the database worker does; 2 by default: the machine has 2
cores), and beforehand, on one certificate, its parts alone: PDF drawn, PDF signed, credential signed.
The numbers' lock (gap-free per kind and year) is held from the number's taking to the candidate's
commit: the parts that depend on the number (credential, PDF, signature) run under it.
Run from the project root: `.venv/bin/python benchmarks/certificates_benchmark.py [--postgres URL]`.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, append, machine, run_child, run_on_postgres
from pathways_benchmark import setup_django

SESSIONS = 2
CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", 625))  # a session
PARTS = 20  # certificates timed alone


def use_directory() -> None:
    """The development keys and the files in the benchmark's directory (the test settings draw
    throwaway directories a process)."""
    from django.conf import settings

    directory = Path(os.environ["BENCH_DIRECTORY"])
    settings.MEDIA_ROOT = directory / "media"
    settings.SIGNING_KEY_PATH = directory / "signing-key.pem"
    settings.SIGNING_CERT_PATH = directory / "signing-certificate.pem"
    settings.SIGNING_CHAIN_PATH = directory / "authority-certificate.pem"
    settings.SIGNING_KEY_PASSPHRASE = ""
    settings.CREDENTIAL_KEY_PATH = directory / "credential-key.pem"


def prepare() -> dict:
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    from certifier.certificates.credentials import make_development_key
    from certifier.certificates.issuance import request_name
    from certifier.core.enums import DecisionSource, JobKind
    from certifier.core.models import Job
    from certifier.exams.models import ExamSession, Registration, SessionKind
    from certifier.exams.services import SessionData, do_create_session
    from certifier.juries.models import Deliberation, Jury, JuryDecision, JuryMember, MemberRole, Minutes
    from certifier.juries.signing import configured_files, make_development_certificate
    from certifier.pathways.models import Candidate, Enrolment
    from certifier.people.enums import OrganisationKind, Role
    from certifier.people.models import Membership, Organisation, User
    from certifier.referential.models import Block, CertificationVersion
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    use_directory()
    make_development_certificate(configured_files())
    from django.conf import settings

    make_development_key(Path(settings.CREDENTIAL_KEY_PATH))
    version = CertificationVersion.objects.get(certification__number="RNCP35729", code="rncp")
    codes = list(Block.objects.filter(version=version).values_list("code", flat=True))
    ucanss = Organisation.objects.create(
        kind=OrganisationKind.CERTIFIER, name="Ucanss", siret="78462143500048"
    )
    admin = User.objects.create_user("admin@bench.example", "x", first_name="Claire", last_name="Dupuis")
    Membership.objects.create(user=admin, organisation=ucanss, role=Role.NATIONAL_ADMIN)
    employer = Organisation.objects.create(
        kind=OrganisationKind.EMPLOYER, name="CAF de la Gironde", branch="CAF", siret="53443290300016"
    )
    crfp = Organisation.objects.create(kind=OrganisationKind.TRAINING_CENTRE, name="CRFP", city="Bordeaux")
    today = datetime.date.today()
    now = timezone.now()
    jobs = []
    for s in range(SESSIONS):
        written = today - datetime.timedelta(days=5 + 365 * s)
        session = do_create_session(
            None,
            SessionData(
                version=version,
                kind=SessionKind.DECEMBER,
                year=written.year,
                registration_deadline=written - datetime.timedelta(days=30),
                written_exam_date=written,
                oral_start=written + datetime.timedelta(days=1),
                oral_end=written + datetime.timedelta(days=10),
                national_jury_date=written + datetime.timedelta(days=25),
            ),
        )
        people = Candidate.objects.bulk_create(
            Candidate(
                birth_name=f"Nom{s}{n:05d}",
                first_name=f"Prénom{n}",
                sex="F" if n % 2 else "M",
                birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
                birth_insee_code="33063",
                employer=employer,
                employee_number=f"M{s}{n:06d}",
            )
            for n in range(CANDIDATES)
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                candidate=candidate,
                version=version,
                option=version.options.first(),
                access_route="professional_contract",
                training_centre=crfp,
                start_date=datetime.date(2025, 1, 6),
            )
            for candidate in people
        )
        registrations = Registration.objects.bulk_create(
            Registration(
                session=session,
                enrolment=enrolment,
                candidate_number=f"B{s}{n:07d}",
                copy_code=f"C{s}{n:07d}",
            )
            for n, enrolment in enumerate(enrolments)
        )
        jury = Jury.objects.create(session=session, place="Ucanss, Paris", appointed_by=admin)
        JuryMember.objects.create(
            jury=jury,
            role=MemberRole.CHAIR,
            user=admin,
            last_name="Dupuis",
            first_name="Claire",
            capacity="Présidence du jury, Ucanss",
        )
        deliberation = Deliberation.objects.create(
            jury=jury, held_on=written + datetime.timedelta(days=25), place=jury.place, opened_by=admin
        )
        validated = {code: "validated" for code in codes}
        JuryDecision.objects.bulk_create(
            JuryDecision(
                source=DecisionSource.JURY,
                deliberation=deliberation,
                registration=registration,
                proposed_status="certified",
                confirmed_status="certified",
                proposed_blocks=validated,
                blocks=validated,
                explanation="Tous les blocs sont validés.",
                record={},
                rule_set_id="benchmark",
                rule_set_version=1,
                rule_set_hash="benchmark",
                decided_by=admin,
            )
            for registration in registrations
        )
        Minutes.objects.create(
            deliberation=deliberation,
            file="minutes/benchmark.pdf",
            sha256="0" * 64,
            signed_by=admin,
            signed_at=now,
        )
        ExamSession.objects.filter(pk=session.pk).update(proclaimed_at=now, released_at=now)
        payload = ContentFile(json.dumps({"session": session.pk}).encode(), name=request_name(session))
        jobs.append(
            Job.objects.create(
                kind=JobKind.CERTIFICATES, started_by=admin, file=payload, file_name=payload.name
            ).pk
        )
    return {"jobs": jobs, "codes": codes}


def parts() -> dict:
    """One certificate's parts alone, on a certificate issued beforehand (its content as issued)."""
    from certifier.certificates.credentials import issue_credential
    from certifier.certificates.documents import SIGNATURE_BYTES, draw_certificate, qr_matrix
    from certifier.certificates.models import Certificate
    from certifier.juries.signing import sign_pdf

    certificate = Certificate.objects.order_by("pk").first()
    content = certificate.content
    qr = qr_matrix(content["verification_url"])
    pdf = draw_certificate(content, qr)
    timed = {}
    for name, work in (
        ("qr_ms", lambda: qr_matrix(content["verification_url"])),
        ("draw_ms", lambda: draw_certificate(content, qr)),
        (
            "sign_ms",
            lambda: sign_pdf(pdf, reason="Certificat", location="Paris", bytes_reserved=SIGNATURE_BYTES),
        ),
        ("credential_ms", lambda: issue_credential(certificate)),
    ):
        start = time.perf_counter()
        for _ in range(PARTS):
            work()
        timed[name] = (time.perf_counter() - start) / PARTS * 1000
    return timed


def worker(job_id: int) -> None:
    setup_django()
    use_directory()
    from certifier.certificates.issuance import _issue_session
    from certifier.core import jobs

    jobs.run(job_id, _issue_session)


def child(workers: int) -> None:
    setup_django()
    from django.db import connection

    from certifier.certificates.models import Certificate
    from certifier.core.models import Job

    prepared = prepare()
    connection.close()
    queue = list(prepared["jobs"])
    start = time.perf_counter()
    running: list[subprocess.Popen] = []
    while queue or running:
        while queue and len(running) < workers:
            running.append(
                subprocess.Popen([sys.executable, __file__, "--worker", str(queue.pop(0))], cwd=ROOT)
            )
        for process in list(running):
            if process.poll() is not None:
                running.remove(process)
        time.sleep(0.05)
    wall_s = time.perf_counter() - start
    done = list(Job.objects.filter(pk__in=prepared["jobs"]))
    assert all(job.status == "done" for job in done), [job.outcome for job in done]
    issued = Certificate.objects.count()
    numbers = {
        kind: sorted(Certificate.objects.filter(kind=kind).values_list("sequence", flat=True))
        for kind in ("ccp", "cqp")
    }
    gap_free = all(sequence == list(range(1, len(sequence) + 1)) for sequence in numbers.values())
    jobs_s = (max(job.finished_at for job in done) - min(job.started_at for job in done)).total_seconds()
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "workers": workers,
                "certificates": issued,
                "gap_free": gap_free,
                "wall_s": wall_s,
                "jobs_s": jobs_s,
                **parts(),
            }
        )
    )


def report(runs: list[dict], command: str) -> str:
    lines = [
        "",
        f"## Certificates issued, signed PDF and signed credential ({datetime.date.today():%Y-%m-%d})",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- data: {SESSIONS} proclaimed sessions of the blocks scheme, {CANDIDATES} certified candidates each, "
        "3 CCPs and the CQP a candidate; development signing certificate (ECDSA P-256) and credential "
        "key (Ed25519).",
        "- the jobs: one a session, run by job worker processes (`jobs.run`, as the database worker): "
        "a transaction a candidate, numbers under the sequence's lock, rows, credential signed "
        "(eddsa-rdfc-2022), PDF drawn and signed PAdES, stored, audited.",
        "",
        "| measure | target | value |",
        "|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['certificates']:,} certificates issued, {run['workers']} workers, {run['database']} | "
            f"< 3 min | {run['wall_s']:.0f} s (jobs' own record {run['jobs_s']:.0f} s; "
            f"{run['certificates'] / run['wall_s']:.0f} a second; numbers gap-free: {run['gap_free']}) |"
        )
        lines.append(
            f"| one certificate's parts, {run['database']}: QR code / PDF drawn / PDF signed / credential "
            f"signed | | {run['qr_ms']:.1f} / {run['draw_ms']:.1f} / {run['sign_ms']:.1f} / "
            f"{run['credential_ms']:.1f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=2, help="job worker processes (default 2)")
    parser.add_argument("--postgres", help="also run on a throwaway database of this server")
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.worker:
        worker(options.worker)
        return
    if options.child:
        child(int(os.environ["BENCH_WORKERS"]))
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as directory:
        os.environ["BENCH_DIRECTORY"] = directory
        os.environ["BENCH_WORKERS"] = str(options.workers)
        runs = [run_child(__file__, f"sqlite:///{directory}/bench.sqlite3")]
        if options.postgres:
            runs.append(
                run_on_postgres(__file__, options.postgres.rstrip("/"), "certifier_certificates_bench")
            )
    command = ".venv/bin/python benchmarks/certificates_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    text = report(runs, command)
    print(text)
    if not options.no_append:
        append(text)


if __name__ == "__main__":
    main()
