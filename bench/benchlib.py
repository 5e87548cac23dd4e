"""Helpers shared by the benchmark scripts: paths, machine facts, docs/benchmarks.md sections.

Each script owns one section of ``docs/benchmarks.md`` between markers such as
``<!-- serve_uncached:start -->`` and ``<!-- serve_uncached:end -->`` and
rewrites only that section, so a rerun refreshes its own figures and leaves
the rest of the document (hand-written text included) alone.
"""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"  # gitignored
DOCS = REPO / "docs" / "benchmarks.md"

DOC_HEADER = """# Benchmarks

Measured speed of Broadsheet, with the scripts in `bench/` that produce every figure here. Each script
rewrites its own section of this file (between `<!-- name:start -->` and `<!-- name:end -->` markers), so
rerunning one refreshes its figures; text outside the markers is kept.
"""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def wrk_version() -> str:
    try:
        result = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0].split(" Copyright")[0] if text else "unknown"


def machine_facts() -> dict[str, str]:
    try:
        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{memory_kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        memory = "unknown"
    return {
        "Cores (nproc)": str(os.cpu_count()),
        "CPU": cpu_model(),
        "Memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django": _version("Django"),
        "Jinja2": _version("Jinja2"),
        "granian": _version("granian"),
        "SQLite": sqlite3.sqlite_version,
        "wrk": wrk_version(),
    }


def machine_table() -> str:
    rows = ["| What | Value |", "| --- | --- |"]
    rows += [f"| {key} | {value} |" for key, value in machine_facts().items()]
    return "\n".join(rows)


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# Order in which sections appear when a script first adds its own.
SECTION_ORDER = ["machine", "serve_uncached", "profile", "serve_uncached_what_if", "template_engines"]


def update_section(name: str, body: str, path: Path = DOCS) -> None:
    """Replace (or add) the section ``name`` of docs/benchmarks.md with ``body``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    else:
        # Insert before the first later section that exists, else at the end.
        later = SECTION_ORDER[SECTION_ORDER.index(name) + 1 :] if name in SECTION_ORDER else []
        for other in later:
            marker = f"<!-- {other}:start -->"
            if marker in text:
                text = text.replace(marker, block + "\n\n" + marker, 1)
                break
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def update_machine_section() -> None:
    update_section(
        "machine",
        "## Machine\n\nThe figures below were measured on this machine (`bench/` scripts fill this table in):\n\n"
        + machine_table(),
    )


def python() -> str:
    return sys.executable
