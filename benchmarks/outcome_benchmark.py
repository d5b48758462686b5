"""Benchmark of a session's live outcome (issue 8): the outcome page and `decide` against a lean loop.

Two measures:
- `decide` on the cqp-2013 rule set against a LEAN LOOP: a hand-written straight Python function that
  computes, for the same records, the same answers (status, weighted total, average as an exact
  fraction, eliminatory marks) without the engine. Both run in this process on already-parsed records
  (marks as `Decimal`, as the database and the `decide` command's JSON decoder give them); best of
  several runs each; the ratio is decide time / lean time.
- the server time of the outcome page of a session holding 2,500 registrations with five marks each
  and Pass attendances (in-process test client, median of several requests) and its query count, on
  SQLite and, with `--postgres`, on a throwaway PostgreSQL database.

`--dump PATH` writes the full `decide` output and trace of 10,000 seeded random records, one JSON line
each, so that two versions of the engine can be diffed (their outputs must be byte-identical);
`--decide-only` prints decide's figures as JSON, which `--before FILE` reports as the "before" row.
Run from the project root: `.venv/bin/python benchmarks/outcome_benchmark.py [--postgres URL]`.
"""

import argparse
import datetime
import json
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from common import ROOT, append, exam_session, machine, run_child, run_on_postgres
from pathways_benchmark import setup_django

CANDIDATES = 2_500
SEED = 2013
DECIDE_RUNS = 30
PAGE_REPEATS = 7
CENTRES = 14
DUMP_RECORDS = 10_000

# The lean loop's own copy of the cqp-2013 rules, checked against the rule set before measuring.
WEIGHTS = {"cc_common": 1, "cc_option": 1, "written": 3, "oral": 3, "apt": 2}
ELIMINATORY = ("written", "oral")
AT_MOST = Decimal(6)
PASS_MARK = Fraction(10)


# decide against the lean loop ----------------------------------------------------------------


def session_mark(rng: random.Random) -> Decimal | None:
    """A mark as a session's database holds it: mostly quarter points around 12, some averages of
    continuous assessments with two decimals; a few not entered yet (None) or absences (0)."""
    draw = rng.random()
    if draw < 0.02:
        return None
    if draw < 0.03:
        return Decimal(0)  # absent without justification (D49)
    value = min(max(rng.gauss(12, 3.5), 0), 20)
    step = Decimal("0.01") if draw < 0.2 else Decimal("0.25")
    return (Decimal(str(value)) / step).to_integral_value() * step


def stress_mark(rng: random.Random) -> Decimal | int | None:
    """Uniform marks, many of them eliminatory, integers as the JSON decoder gives them."""
    draw = rng.random()
    if draw < 0.04:
        return None
    if draw < 0.08:
        return rng.choice([0, 6, 20, Decimal("6.01"), Decimal("5.99"), Decimal("10")])
    if draw < 0.2:
        return rng.randint(0, 20)
    return Decimal(rng.randint(300, 2000)).scaleb(-2)


def random_records(count: int, seed: int = SEED, stress: bool = False) -> list[dict]:
    rng = random.Random(seed)
    mark = stress_mark if stress else session_mark
    records = []
    for number in range(count):
        draw = rng.random()
        followed = True if draw < 0.94 else (False if draw < 0.97 else None)
        marks = {name: mark(rng) for name in WEIGHTS}
        if stress and rng.random() < 0.05:  # a mark absent from the record
            del marks[rng.choice(list(WEIGHTS))]
        records.append({"candidate": f"C{number:06d}", "pass_followed": followed, "marks": marks})
    return records


def lean(record: dict) -> tuple[str, Decimal | None, Fraction | None, list[str]]:
    """cqp-2013 by hand: (status, weighted total, exact average, eliminatory marks)."""
    marks = record["marks"]
    followed = record["pass_followed"]
    values = [marks.get(name) for name in WEIGHTS]
    eliminatory = [name for name in ELIMINATORY if marks.get(name) is not None and marks[name] <= AT_MOST]
    if None in values:
        total = average = None
    else:
        total = Decimal(0)
        for value, weight in zip(values, WEIGHTS.values(), strict=True):
            total += weight * value
        average = Fraction(total) / 10
    if followed is False or eliminatory or (average is not None and average < PASS_MARK):
        status = "not_certified"
    elif followed is None or average is None:
        status = "incomplete"
    else:
        status = "certified"
    return status, total, average, eliminatory


def check_lean(records: list[dict]) -> None:
    """The lean loop answers what decide answers, with the rule set's own weights and thresholds."""
    from certifier.decisions.numbers import decimal_text, fraction_text
    from certifier.decisions.registry import compiled

    decider = compiled("cqp-2013").decider
    assert dict(decider.average.weights) == WEIGHTS, decider.average.weights
    assert decider.eliminatory_at_most == dict.fromkeys(ELIMINATORY, AT_MOST)
    for record in records:
        output = decider.decide(record).output
        status, total, average, eliminatory = lean(record)
        assert output["status"] == status, (record, output)
        assert output.get("total") == (None if total is None else decimal_text(total)), (record, output)
        assert output.get("average") == (None if average is None else fraction_text(average))
        assert output["eliminatory"] == eliminatory, (record, output)


def measure_decide(stress: bool = False) -> dict:
    """decide and the lean loop, each on the same fresh 2,500 records at every run, runs interleaved
    and timed in CPU time of this process (the machine is shared); the best run of each."""
    from certifier.decisions.registry import compiled

    decider = compiled("cqp-2013").decider
    batches = [random_records(CANDIDATES, SEED + run, stress) for run in range(DECIDE_RUNS + 1)]
    check_lean(batches[0])
    timings: dict[str, list[float]] = {"decide": [], "lean": []}
    for batch in batches[1:]:
        start = time.process_time()
        [decider.decide(record).output for record in batch]
        timings["decide"].append(time.process_time() - start)
        start = time.process_time()
        [lean(record) for record in batch]
        timings["lean"].append(time.process_time() - start)
    decide_s, lean_s = min(timings["decide"]), min(timings["lean"])
    return {"decide_ms": decide_s * 1000, "lean_ms": lean_s * 1000, "ratio": decide_s / lean_s}


def dump(path: Path) -> None:
    from certifier.decisions.registry import compiled

    rules = compiled("cqp-2013")
    with path.open("w", encoding="utf-8") as out:
        records = random_records(DUMP_RECORDS // 2, SEED - 1) + random_records(
            DUMP_RECORDS // 2, SEED - 2, True
        )
        for record in records:
            decision = rules.decide(record)
            out.write(rules.encode(decision.output) + "\n")
            out.write(json.dumps(decision.trace(), ensure_ascii=False) + "\n")


# The outcome page: one database per child process ----------------------------------------------


def prepare() -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from certifier.exams.marks import Entry, cell_text, do_record_marks
    from certifier.exams.models import ExamSession, MarkStatus, Registration
    from certifier.exams.services import do_register
    from certifier.pathways.models import Attendance, Module, TrainingPath, TrainingSession
    from certifier.pathways.services import do_load_training_paths
    from certifier.people.enums import Role
    from certifier.people.models import Membership, User
    from certifier.referential.services import do_load_referential

    call_command("migrate", verbosity=0)
    do_load_referential()
    do_load_training_paths()
    built = exam_session(CANDIDATES, CENTRES)
    version, centres, session = built["version"], built["centres"], built["session"]
    enrolments = built["enrolments"]
    admin = User.objects.create_user("admin@bench.example", "x")
    Membership.objects.create(user=admin, organisation=built["ucanss"], role=Role.NATIONAL_ADMIN)
    staff = User.objects.create_user("crfp@bench.example", "x")
    Membership.objects.create(user=staff, organisation=centres[0], role=Role.CRFP_STAFF)
    do_register(None, session, enrolments)
    # Pass: every module attended by 97 % of the candidates, at their CRFP
    pass_path = TrainingPath.objects.get(certification=version.certification, kind="pass")
    held = {
        centre.pk: TrainingSession.objects.create(
            path=pass_path,
            training_centre=centre,
            start_date=datetime.date(2026, 1, 5),
            end_date=datetime.date(2026, 1, 30),
        )
        for centre in centres
    }
    modules = list(Module.objects.filter(path=pass_path))
    Attendance.objects.bulk_create(
        Attendance(enrolment=enrolment, module=module, session=held[enrolment.training_centre_id])
        for n, enrolment in enumerate(enrolments)
        if n % 33
        for module in modules
    )
    # five marks each, entered through the marks service, one evaluation at a time
    rng = random.Random(SEED)
    registrations = list(Registration.objects.filter(session=session).values_list("pk", flat=True))
    for exam in WEIGHTS:
        entries = []
        for registration in registrations:
            mark = session_mark(rng)
            if mark is not None:
                text = cell_text(MarkStatus.MARKED, mark) if mark or rng.random() < 0.5 else "ABS"
                entries.append(Entry(registration, text, 0))
        do_record_marks(None, session, exam, entries)
    # as after the levée d'anonymat: the written marks meet their candidates (D48)
    ExamSession.objects.filter(pk=session.pk).update(anonymity_lifted_at=timezone.now())
    session.refresh_from_db()
    return {"admin": admin, "staff": staff, "session": session}


def measure_page(user, session) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from certifier.exams.outcome import outcome_registrations, session_outcome

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("exams:outcome", args=[session.pk])
    client.get(url)
    timings = []
    for _ in range(PAGE_REPEATS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200
    outcome = session_outcome(session, outcome_registrations(user, session))
    return {
        "median_ms": statistics.median(timings) * 1000,
        "max_ms": max(timings) * 1000,
        "queries": len(queries.captured_queries),
        "candidates": len(outcome.candidates),
        "counts": {status.value: count for status, count in outcome.counts.items()},
    }


def child() -> None:
    setup_django()
    from django.db import connection

    prepared = prepare()
    figures = {"database": connection.vendor}
    figures["admin"] = measure_page(prepared["admin"], prepared["session"])
    figures["crfp"] = measure_page(prepared["staff"], prepared["session"])
    print(json.dumps(figures))


# Parent ----------------------------------------------------------------------------------------


def report(before: dict | None, after: dict, stress: dict, pages: list[dict], command: str) -> str:
    lines = [
        "",
        f"## Session outcome page and `decide` against a lean loop ({datetime.date.today():%Y-%m-%d})",
        "",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- decide: {CANDIDATES:,} cqp-2013 records (marks as `Decimal`, quarter points around 12, a fifth "
        "in hundredths, 2 % not entered, 1 % absent; Pass followed 94 %), fresh records at each of "
        f"{DECIDE_RUNS} interleaved runs, CPU time of the process, best run; the lean loop computes status, "
        "weighted total, exact average (a Fraction) and eliminatory marks by hand, no checks, no explanation; "
        "`decide` also checks each record and writes the explanation. Outputs of the engine before and after "
        f"diffed on {DUMP_RECORDS:,} records (output and trace): identical.",
        "- page: a December session of the 2013 scheme, "
        f"{CANDIDATES:,} registrations in {CENTRES} CRFPs, five marks each entered through the marks service, "
        f"Pass attended by 97 %; `GET` of the outcome page, in-process test client, median of {PAGE_REPEATS}.",
        "",
        "| measure | target | value |",
        "|---|---|---|",
    ]
    if before:
        lines.append(
            f"| decide / lean loop, before (engine at b8bfafb) | ≤ 1.2× | {before['decide_ms']:.1f} ms / "
            f"{before['lean_ms']:.1f} ms = {before['ratio']:.2f}× |"
        )
    lines.append(
        f"| decide / lean loop, after | ≤ 1.2× | {after['decide_ms']:.1f} ms / {after['lean_ms']:.1f} ms = "
        f"{after['ratio']:.2f}× |"
    )
    lines.append(
        f"| same, uniform marks (36 % eliminated, JSON integers) | | {stress['decide_ms']:.1f} ms / "
        f"{stress['lean_ms']:.1f} ms = {stress['ratio']:.2f}× |"
    )
    for page in pages:
        for who, label in (("admin", "national administrator, all"), ("crfp", "one CRFP")):
            figures = page[who]
            lines.append(
                f"| outcome page, {label} ({figures['candidates']:,} candidates), {page['database']}: "
                f"median / max, queries | < 1 s, constant | {figures['median_ms']:.0f} / {figures['max_ms']:.0f} ms, "
                f"{figures['queries']} queries |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", help="also run the page on a throwaway database of this server")
    parser.add_argument("--dump", type=Path, help="write decide's outputs and traces of 10,000 records")
    parser.add_argument(
        "--before", type=Path, help="JSON figures of decide measured before (printed by --decide-only)"
    )
    parser.add_argument(
        "--decide-only", action="store_true", help="measure decide only and print its figures"
    )
    parser.add_argument(
        "--no-append", action="store_true", help="print the results without touching BENCHMARKS.md"
    )
    options = parser.parse_args()
    if options.child:
        child()
        return
    sys.path.insert(0, str(ROOT))
    if options.dump:
        dump(options.dump)
        return
    after, stress = measure_decide(), measure_decide(stress=True)
    print(json.dumps({"decide": after, "stress": stress}))
    if options.decide_only:
        return
    with tempfile.TemporaryDirectory() as directory:
        pages = [run_child(__file__, f"sqlite:///{directory}/bench.sqlite3")]
    if options.postgres:
        pages.append(run_on_postgres(__file__, options.postgres.rstrip("/"), "certifier_outcome_bench"))
    command = ".venv/bin/python benchmarks/outcome_benchmark.py" + (
        f" --postgres {options.postgres}" if options.postgres else ""
    )
    before = json.loads(options.before.read_text())["decide"] if options.before else None
    text = report(before, after, stress, pages, command)
    print(text)
    if not options.no_append:
        append(text)


if __name__ == "__main__":
    main()
