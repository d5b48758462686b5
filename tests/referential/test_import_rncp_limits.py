"""Registry imports against hostile files and against the web: flat memory, one import at a time, and
the database left free for others while the export is read."""

import subprocess
import sys
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certifier.core.enums import JobKind, JobStatus
from certifier.core.models import Job
from certifier.referential import registry
from certifier.referential.models import Certification
from tests.factories import UserFactory
from tests.referential.test_import_rncp import export, fiche, run, run_failing, write

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
JUNK = b"<INCONNU><A>x</A><B c='d'>y</B></INCONNU>"


def bomb(path: Path, junk_bytes: int, nested: bool = False) -> Path:
    """A zipped export: `junk_bytes` of unknown elements (flat, or all inside one element), then one sheet."""
    repeats = junk_bytes // len(JUNK)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("export.xml", "w") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<FICHES>' + (b"<ENVELOPPE>" if nested else b""))
        for _ in range(repeats // 10_000):
            out.write(JUNK * 10_000)
        out.write(b"</ENVELOPPE>" if nested else b"")
        out.write(fiche().encode() + b"</FICHES>")
    return path


@pytest.mark.parametrize("nested", [False, True])
def test_unknown_elements_are_freed_as_they_are_read(tmp_path, nested):
    path = bomb(tmp_path / "bomb.zip", 400_000, nested)
    with registry.open_export(path) as stream:
        for sheet in registry.iter_fiches(stream):
            root = sheet.getparent()
            kept = sum(1 for _ in root.iter()) - sum(1 for _ in sheet.iter())
            assert kept <= 3  # the root, and at most one emptied element before the sheet
            assert registry.parse_sheet(sheet, 1).number == "RNCP35729"


def test_an_export_bomb_is_read_in_flat_memory(tmp_path):
    """200 MB of unknown elements took 6.6 GB; 20 MB of them (660 MB before) now stay far below 150 MB."""
    path = bomb(tmp_path / "bomb.zip", 20_000_000)
    assert path.stat().st_size < 200_000
    # The child's own peak (VmHWM): ru_maxrss would include the test process it was forked from.
    script = (
        "import sys\nfrom pathlib import Path\nimport django\ndjango.setup()\n"
        "from certifier.referential.registry import iter_fiches, open_export\n"
        "with open_export(Path(sys.argv[1])) as stream:\n"
        "    sheets = sum(1 for _ in iter_fiches(stream))\n"
        "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "print(sheets, peak.split()[1])"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
    output = subprocess.run(  # noqa: S603  # this interpreter, a fixed script, a generated file
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    sheets, peak_kib = int(output[0]), int(output[1])
    assert sheets == 1
    assert peak_kib < 150 * 1024


def test_an_oversized_sheet_is_refused_in_french(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "MAX_SHEET_ELEMENTS", 100)
    body = "<CODES_NSF>" + "<NSF><CODE>1</CODE></NSF>" * 50_000 + "</CODES_NSF>"  # 1.2 MB, refused while read

    message = run_failing(write(tmp_path, export(fiche(body))))

    assert message.startswith("Fiche n° 1 (ligne 2) : plus de 100 éléments ou de 20 Mo ;")
    assert message.endswith("Rien n'a été importé.")
    assert not Certification.objects.exists()


def test_a_file_whose_root_is_not_fiches_is_refused_before_it_fills_the_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "MAX_PROLOG_BYTES", 10_000)
    path = tmp_path / "export.xml"
    path.write_bytes(b"<AUTRE>" + JUNK * 5_000 + fiche().encode() + b"</AUTRE>")

    message = run_failing(path)

    assert message == (
        "Ce n'est pas un export du registre : il ne commence pas par l'élément FICHES. Rien n'a été importé."
    )


def test_a_second_registry_import_is_refused_while_one_runs(tmp_path):
    Job.objects.create(kind=JobKind.REGISTRY_IMPORT, status=JobStatus.RUNNING, heartbeat=timezone.now())

    message = run_failing(write(tmp_path, export(fiche())))

    assert message == (
        "Un autre import du registre est déjà en cours : un seul à la fois. "
        "Attendez qu'il se termine, puis relancez celui-ci."
    )
    assert not Certification.objects.exists()


def test_an_import_left_by_a_dead_process_does_not_block_the_next(tmp_path):
    Job.objects.create(
        kind=JobKind.REGISTRY_IMPORT,
        status=JobStatus.RUNNING,
        heartbeat=timezone.now() - timedelta(minutes=10),
    )

    out, _ = run(write(tmp_path, export(fiche())))

    assert out.strip() == "1 fiche lue, 1 créée, 0 modifiée, 0 inchangée."
    assert Job.objects.filter(status=JobStatus.FAILED).count() == 1


def test_two_imports_at_once_give_the_second_a_french_message(tmp_path, monkeypatch):
    second: list[str] = []
    path = write(tmp_path, export(*(fiche(number=f"RNCP{n}") for n in range(1, 4))))
    monkeypatch.setattr(registry, "PROGRESS_EVERY", 1)
    started = registry.do_import_registry

    def import_while_another_runs(*args, **kwargs):
        progress = kwargs["progress"]

        def report(done, total):
            if not second:
                second.append(run_failing(path))
            progress(done, total)

        return started(*args, **{**kwargs, "progress": report})

    monkeypatch.setattr(registry, "do_import_registry", import_while_another_runs)
    out, _ = run(path)

    assert second == [
        "Un autre import du registre est déjà en cours : un seul à la fois. "
        "Attendez qu'il se termine, puis relancez celui-ci."
    ]
    assert out.strip() == "3 fiches lues, 3 créées, 0 modifiée, 0 inchangée."


@pytest.mark.django_db(transaction=True)
def test_signing_in_works_while_an_import_reads_and_writes(tmp_path, monkeypatch):
    """The import checks the whole file before writing, then writes in short transactions: another
    connection signs in at every step instead of waiting for the database."""
    agent = UserFactory(email="agent@test.example")
    agent.set_password("un mot de passe long")
    agent.save()
    monkeypatch.setattr(registry, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(registry, "WRITE_BATCH", 1)
    statuses: list[int] = []

    def sign_in() -> None:
        try:
            response = Client().post(
                reverse("people:login"),
                {"username": "agent@test.example", "password": "un mot de passe long"},
            )
            statuses.append(response.status_code)
        finally:
            connection.close()  # this thread's own connection

    started = registry.do_import_registry

    def import_with_sign_ins(*args, **kwargs):
        progress = kwargs["progress"]

        def report(done, total):
            thread = threading.Thread(target=sign_in)
            thread.start()
            thread.join()
            progress(done, total)

        return started(*args, **{**kwargs, "progress": report})

    monkeypatch.setattr(registry, "do_import_registry", import_with_sign_ins)
    run(write(tmp_path, export(*(fiche(number=f"RNCP{n}") for n in range(1, 4)))))

    assert statuses == [302] * 6  # three sheets checked, then three written
    assert Certification.objects.count() == 3


def test_an_interrupted_command_says_so_and_leaves_the_next_import_free(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    path = write(tmp_path, export(fiche()))
    monkeypatch.setattr(registry, "do_import_registry", interrupted)
    message = run_failing(path)
    monkeypatch.undo()

    assert message == (
        "Import interrompu. Les fiches déjà enregistrées le restent : relancez l'import pour le terminer."
    )
    assert Job.objects.get().status == JobStatus.FAILED
    assert run(path)[0].strip() == "1 fiche lue, 1 créée, 0 modifiée, 0 inchangée."
