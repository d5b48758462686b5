"""What every benchmark script shares: the machine's description and the results file."""

import os
import platform
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
