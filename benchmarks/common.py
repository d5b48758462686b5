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
