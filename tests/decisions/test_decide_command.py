"""`manage.py decide`: JSON lines in on stdin, one JSON line out per input line, in the same order."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from certifier.decisions import stream
from certifier.decisions.registry import SHIPPED

FULL = {"RNCP35729BC01": {str(n): [True] * 5 for n in range(1, 7)}}
PARTIAL = {"RNCP35729BC01": {str(n): [True, True, True, False] for n in range(1, 7)}}


def decide(lines: list[str], **options: Any) -> list[dict[str, Any]]:
    """Runs the command and returns its output lines; raises CommandError as the command does."""
    stdout = io.StringIO()
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    call_command("decide", stdin=stdin, stdout=stdout, **{"jobs": 1, **options})
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


def rncp_line(candidate: str, **record: Any) -> str:
    return json.dumps({"candidate": candidate, **record})


def test_one_output_line_per_input_line_in_the_same_order() -> None:
    lines = [
        rncp_line(f"A{n}", criteria=FULL, capitalised=["RNCP35729BC02", "RNCP35729BC03"]) for n in range(5)
    ]

    outputs = decide(lines, rules="rncp35729")

    assert [output["candidate"] for output in outputs] == [f"A{n}" for n in range(5)]
    assert {output["status"] for output in outputs} == {"certified"}


def test_bad_lines_get_an_error_line_in_their_place_and_exit_status_one() -> None:
    lines = [
        rncp_line("A1", criteria=FULL),
        "{pas du json",
        rncp_line("A3", criteria={"RNCP35729BC04": {"1": [True]}}),
        "",
        rncp_line("A5", criteria=FULL),
    ]
    stdout = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "decide", rules="rncp35729", jobs=1, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout
        )

    outputs = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert failed.value.returncode == 1
    assert [output.get("status") for output in outputs] == ["incomplete", None, None, None, "incomplete"]
    assert outputs[1] == {
        "candidate": None,
        "error": "ligne illisible : un objet JSON sur une ligne est attendu",
    }
    assert outputs[2]["candidate"] == "A3"
    assert outputs[2]["error"].startswith("bloc inconnu « RNCP35729BC04 »")
    assert "3 lignes refusées" in str(failed.value)


def test_exit_status_is_zero_when_every_line_is_decided() -> None:
    outputs = decide([json.dumps({"candidate": "B1", "pass_followed": False, "marks": {}})], rules="cqp-2013")

    assert outputs[0]["status"] == "not_certified"


def test_lines_are_decided_in_order_by_several_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", 300)
    lines = [rncp_line(f"A{n}", criteria=FULL if n % 3 else PARTIAL) for n in range(60)]
    lines[17] = "not json"

    stdout = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "decide", rules="rncp35729", jobs=2, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout
        )

    outputs = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert failed.value.returncode == 1
    assert [output["candidate"] for output in outputs] == [f"A{n}" if n != 17 else None for n in range(60)]
    assert outputs[3]["blocks"]["RNCP35729BC01"]["status"] == "not_validated"


def test_output_is_written_before_the_input_is_read_to_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", 1000)
    reads_before_each_write: list[int] = []
    reads = 0

    class Records(io.StringIO):
        def read(self, size: int | None = -1) -> str:
            nonlocal reads
            reads += 1
            return super().read(size)

    class Decisions(io.StringIO):
        def write(self, text: str) -> int:
            reads_before_each_write.append(reads)
            return super().write(text)

    records = Records((rncp_line("A1", criteria=FULL) + "\n") * 50)
    call_command("decide", rules="rncp35729", jobs=1, stdin=records, stdout=Decisions())

    assert len(reads_before_each_write) > 5
    assert reads_before_each_write[0] < reads_before_each_write[-1] <= reads


def test_list_rules_shows_every_shipped_rule_set_with_its_version_and_hash() -> None:
    stdout = io.StringIO()

    call_command("decide", list_rules=True, stdout=stdout)

    listed = [line.split("\t") for line in stdout.getvalue().splitlines()]
    assert [(fields[0], fields[1]) for fields in listed] == [
        ("cqp-2013", "version 1"),
        ("rncp35729", "version 1"),
    ]
    assert all(fields[-1].startswith("sha256:") for fields in listed)


def test_unknown_rule_set_is_a_french_error() -> None:
    with pytest.raises(CommandError, match="Jeu de règles introuvable « rncp0 »"):
        decide([], rules="rncp0")


def test_invalid_draft_rule_set_is_refused_naming_the_node(tmp_path: Path) -> None:
    draft = yaml.safe_load((SHIPPED / "rncp35729.yaml").read_text(encoding="utf-8"))
    draft["competence_rule"] = {"at_least": {"of": "criteria", "where": "validated", "ratio": 101}}
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")

    with pytest.raises(CommandError, match=r"nœud competence_rule\.at_least : « ratio » doit être un entier"):
        decide([], rules=str(path))


def test_what_if_outputs_only_the_candidates_whose_status_differs(tmp_path: Path) -> None:
    draft = yaml.safe_load((SHIPPED / "rncp35729.yaml").read_text(encoding="utf-8"))
    draft["version"] = 2
    draft["competence_rule"]["at_least"]["ratio"] = 75
    path = tmp_path / "draft-75.yaml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")
    capitalised = ["RNCP35729BC02", "RNCP35729BC03"]
    lines = [
        rncp_line("same", criteria=FULL, capitalised=capitalised),
        rncp_line("differs", criteria=PARTIAL, capitalised=capitalised),
    ]

    outputs = decide(lines, rules="rncp35729", compare=str(path))

    assert len(outputs) == 1
    assert outputs[0]["candidate"] == "differs"
    assert (outputs[0]["status"], outputs[0]["compare_status"]) == ("not_certified", "certified")
    assert outputs[0]["rules"]["version"] == 1
    assert outputs[0]["compare_rules"]["version"] == 2
    assert outputs[0]["compare_explanation"].startswith("Certifié")


def test_what_if_needs_two_rule_sets_of_the_same_scheme() -> None:
    with pytest.raises(CommandError, match="même type de dossiers"):
        decide([], rules="rncp35729", compare="cqp-2013")


def test_trace_option_adds_the_trace_of_every_rule() -> None:
    outputs = decide([rncp_line("A1", criteria=FULL)], rules="rncp35729", trace=True)

    assert outputs[0]["trace"]["blocks"]["RNCP35729BC01"]["result"] == "pass"
    assert outputs[0]["trace"]["rule"]["node"] == "rule.at_least"


def test_marks_written_as_json_numbers_are_read_exactly() -> None:
    line = '{"candidate": "B1", "pass_followed": true, "marks": {"cc_common": 10, "cc_option": 10, "written": 10, "oral": 10, "apt": 9.99}}'

    outputs = decide([line], rules="cqp-2013")

    assert (outputs[0]["total"], outputs[0]["average"], outputs[0]["status"]) == (
        "99.98",
        "9.998",
        "not_certified",
    )


def test_rules_option_is_required() -> None:
    with pytest.raises(CommandError, match="--rules"):
        decide([])
