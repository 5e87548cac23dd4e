"""Benchmark `broadsheet import wordpress`: items per second and peak memory, SQLite and PostgreSQL.

    .venv/bin/python bench/import_wordpress.py [--posts 20000 --comments 100000] [--database sqlite|postgres|both]

1. Generates the export with bench/generate_wxr.py (cached under bench/results/, gitignored).
2. For each database: a fresh BROADSHEET_HOME (and, for PostgreSQL, a throwaway database made
   with createdb and dropped afterwards), migrated first (timed apart), then
   ``python -m broadsheet manage import_wordpress FILE --no-progress`` in a subprocess, timed
   from start to exit, its CPU and peak resident memory taken from the kernel (``wait4``
   rusage), plus the peak its reader process reports when it has one. Then the same file
   again: the idempotent update. On SQLite also a first import with ``--no-reader-process``.
3. Checks the rows written (posts, pages, comments), prints the figures and rewrites the
   ``import_wordpress`` section of docs/benchmarks.md (machine facts included).

Items per second = (posts + comments in the file) / wall time of the command (pages are few and
not counted). The issue's targets: >= 2,000 items/s on SQLite with peak RSS under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import benchlib  # noqa: E402
from generate_wxr import VERSION, generate  # noqa: E402

RESULTS = BENCH / "results"
SECTION = "import_wordpress"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
TARGET_ITEMS_PER_SECOND = 2000
TARGET_RSS_MB = 300


def export_file(posts: int, comments: int, seed: int) -> tuple[Path, dict]:
    path = RESULTS / f"wxr-{posts}p-{comments}c-seed{seed}-v{VERSION}.xml"
    facts = path.with_suffix(".json")
    if not (path.exists() and facts.exists()):
        print(f"generating {path.name} ...", flush=True)
        start = time.perf_counter()
        counts = generate(path, posts=posts, comments=comments, seed=seed)
        counts["generated_in_s"] = round(time.perf_counter() - start, 1)
        facts.write_text(json.dumps(counts, indent=2), encoding="utf-8")
    return path, json.loads(facts.read_text(encoding="utf-8"))


def run_measured(arguments: list[str], env: dict, log: Path) -> dict:
    """Run a command; return its wall time, peak RSS (MB, from wait4) and exit status."""
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(arguments, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=benchlib.REPO)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted (Ctrl+C, SIGTERM from `timeout`): stop the child too
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed ({process.returncode}); see {log}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),  # the importer's own CPU: steadier than wall on a shared machine
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def count_rows(env: dict, home: Path) -> dict:
    queries = {
        "posts": "SELECT count(*) FROM content_post",
        "pages": "SELECT count(*) FROM content_page",
        "comments": "SELECT count(*) FROM comments_comment",
        "comment_replies": "SELECT count(*) FROM comments_comment WHERE parent_id IS NOT NULL",
    }
    if env.get("DATABASE_URL"):
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        result = {}
        for name, sql in queries.items():
            output = subprocess.run(["psql", *PG, "-d", database, "-tAc", sql], capture_output=True, text=True, check=True)
            result[name] = int(output.stdout.strip())
        size = subprocess.run(
            ["psql", *PG, "-d", database, "-tAc", "SELECT pg_database_size(current_database())"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result["database_mb"] = round(int(size.stdout.strip()) / 1e6, 1)
        return result
    db = home / "broadsheet.sqlite3"
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        result = {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}
    finally:
        connection.close()
    result["database_mb"] = round(sum(p.stat().st_size for p in home.glob("broadsheet.sqlite3*")) / 1e6, 1)
    return result


_READER_PEAK = re.compile(r"Peak memory: ([0-9.]+) MB, and ([0-9.]+) MB in the reader process")


def bench_database(kind: str, path: Path, facts: dict, reimport: bool, options: tuple[str, ...] = ()) -> dict:
    """Import into a fresh database (then again, if ``reimport``) with the command's ``options``."""
    home = Path(tempfile.mkdtemp(prefix=f"import_wordpress-{kind}-", dir=RESULTS))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROADSHEET_HOME")}
    env["BROADSHEET_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    database = None
    if kind == "postgres":
        database = f"broadsheet_bench_import_{os.getpid()}"
        subprocess.run(["dropdb", *PG, "--if-exists", database], check=True, stderr=subprocess.DEVNULL)
        subprocess.run(["createdb", *PG, database], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    python = [sys.executable, "-m", "broadsheet", "manage"]
    items = facts["posts"] + facts["comments"]
    result: dict = {"database": kind, "options": list(options)}
    try:
        result["migrate"] = run_measured([*python, "migrate", "-v", "0"], env, home / "migrate.log")
        for run in ("import", "re-import") if reimport else ("import",):
            print(f"[{kind}] {run} of {path.name} {' '.join(options)}...", flush=True)
            log = RESULTS / f"import_wordpress-{kind}-{run}{''.join(options)}.log"
            load_before = os.getloadavg()[0]  # the shared machine's other work, for reading the figures
            measured = run_measured([*python, "import_wordpress", str(path), "--no-progress", *options], env, log)
            measured["load_before"] = round(load_before, 2)
            measured["items_per_s"] = round(items / measured["wall_s"])
            # With a reader process, the kernel's figure is the larger of the two processes: count both.
            reader = _READER_PEAK.search(log.read_text(encoding="utf-8"))
            measured["reader_rss_mb"] = float(reader.group(2)) if reader else None
            measured["total_rss_mb"] = round(float(reader.group(1)) + float(reader.group(2)), 1) if reader else measured["peak_rss_mb"]
            measured["rows"] = count_rows(env, home)
            result[run] = measured
            print(
                f"[{kind}] {run}: {measured['wall_s']:.1f} s (CPU {measured['cpu_s']:.1f} s), {measured['items_per_s']} items/s, "
                f"peak RSS {measured['total_rss_mb']:.0f} MB (reader process {measured['reader_rss_mb']}), "
                f"load before {measured['load_before']}, rows {measured['rows']}",
                flush=True,
            )
            rows = measured["rows"]
            expected = {"posts": facts["posts"], "pages": facts["pages"], "comments": facts["comments"]}
            wrong = {k: (rows[k], v) for k, v in expected.items() if rows[k] != v}
            if wrong:
                raise SystemExit(f"[{kind}] {run}: row counts (got, expected) differ: {wrong}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if database:
            subprocess.run(["dropdb", *PG, "--if-exists", "--force", database], check=False)
    return result


def postgres_version() -> str:
    try:
        output = subprocess.run(["psql", *PG, "-d", "postgres", "-tAc", "SHOW server_version"], capture_output=True, text=True, timeout=20)
        return output.stdout.strip() or "unavailable"
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    facts = benchlib.machine_facts()
    return {
        "Cores (nproc)": facts["Cores (nproc)"],
        "CPU": facts["CPU"],
        "Memory": facts["Memory"],
        "OS": facts["OS"],
        "Python": platform.python_version(),
        "Django": _version("Django"),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(),
        "psycopg": _version("psycopg"),
    }


def render_section(facts: dict, results: list[dict], machine_facts: dict, command: str) -> str:
    items = facts["posts"] + facts["comments"]
    rows = []
    for result in results:
        for run in ("import", "re-import"):
            if run not in result:
                continue
            m = result[run]
            rss = m.get("total_rss_mb", m["peak_rss_mb"])
            verdict = ""
            if result["database"] == "sqlite":
                ok_speed = m["items_per_s"] >= TARGET_ITEMS_PER_SECOND
                ok_memory = rss < TARGET_RSS_MB
                verdict = ("speed met" if ok_speed else f"**speed missed** (target ≥ {TARGET_ITEMS_PER_SECOND:,})") + ", " + (
                    "memory met" if ok_memory else f"**memory missed** (target < {TARGET_RSS_MB} MB)"
                )
            reader = m.get("reader_rss_mb")
            rows.append([
                "SQLite (WAL)" if result["database"] == "sqlite" else "PostgreSQL",
                ("first import" if run == "import" else "re-import (same file)")
                + (" in one process" if "--no-reader-process" in result.get("options", []) else ""),
                f"{m['wall_s']:.1f}", f"{m.get('cpu_s', 0):.1f}", f"{m.get('load_before', 0):.1f}", f"{m['items_per_s']:,}",
                f"{rss:.0f}" + (f" ({rss - reader:.0f} + {reader:.0f})" if reader else ""),
                f"{m['rows']['database_mb']:.0f}", verdict or "reported",
            ])  # fmt: skip
    posts_by_status = ", ".join(f"{n:,} {status}" for status, n in sorted(facts["posts_by_status"].items(), key=lambda kv: -kv[1]))
    comments_by_status = ", ".join(f"{n:,} {status}" for status, n in sorted(facts["comments_by_status"].items(), key=lambda kv: -kv[1]))
    migrate = ", ".join(f"{r['database']} {r['migrate']['wall_s']:.1f} s" for r in results if not r.get("options"))
    return f"""## WordPress import (`bench/import_wordpress.py`)

`{command}` generates a WordPress export with `bench/generate_wxr.py` (WXR 1.2, seed {facts['seed']},
{facts['bytes'] / 1e6:.0f} MB: {facts['posts']:,} posts ({posts_by_status}), {facts['pages']} pages,
{facts['comments']:,} comments in threads ({comments_by_status}; {facts['comment_replies']:,} replies,
{facts['pingbacks']:,} pingbacks), 5 authors, 12 nested categories, 80 tags, about 500 words of classic
HTML per post, `<!--more-->` in {facts['with_fold'] / facts['posts']:.0%}). It runs
`python -m broadsheet manage import_wordpress FILE --no-progress` in a subprocess on a fresh
`BROADSHEET_HOME` (SQLite, WAL) and on a fresh PostgreSQL database, then runs it again on the same
file (every item is found by (site, WordPress ID); its digest is unchanged, so it is left alone). The
default is measured (the export is large and the machine has two cores, so a second process reads the
file and renders new posts while the first writes), and on SQLite also a first import with
`--no-reader-process`.

Wall time is the whole command (Django start-up, both passes over the file, the final linking pass),
after `migrate` was run apart ({migrate}). CPU is the command's user and system time, its reader
process included; "load" is the machine's one-minute load average just before the run (other work on
the two shared cores: with load 1, one core was already busy). Items/s = ({facts['posts']:,} posts +
{facts['comments']:,} comments) / wall time, i.e. {items:,} items divided by the seconds shown. Peak RSS
is the importing process's high-water mark, plus the reader process's where there is one (shown as
importer + reader, as each reported it; the kernel's `wait4` figure alone would be the larger of the two).
Targets (issue): ≥ {TARGET_ITEMS_PER_SECOND:,} items/s on SQLite with peak resident memory under
{TARGET_RSS_MB} MB; the PostgreSQL figure is reported.

{benchlib.markdown_table(["Database", "Run", "Wall (s)", "CPU (s)", "Load", "Items/s", "Peak RSS (MB)", "DB size (MB)", "Against target"], rows)}

Where the time goes: `.venv/bin/python bench/profile_import_wordpress.py --posts 2000 --comments 10000`
imports a smaller file in-process under cProfile with every SQL statement counted by table, and
writes the report to `bench/results/`; `py-spy record` on the command above gives the same picture
with less overhead.

Machine:

{benchlib.markdown_table(["What", "Value"], [[k, v] for k, v in machine_facts.items()])}
"""


def _exit_on_sigterm(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # so the temporary home and database are removed


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second (update) run")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--docs-only", action="store_true", help="rewrite the docs section from the last results; import nothing")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"import_wordpress-{args.posts}p-{args.comments}c-{args.database}.json"
    command = ".venv/bin/python bench/import_wordpress.py"
    if (args.posts, args.comments) != (20_000, 100_000):
        command += f" --posts {args.posts} --comments {args.comments}"
    if args.database != "both":
        command += f" --database {args.database}"
    if args.docs_only:
        summary = json.loads(out.read_text(encoding="utf-8"))
        benchlib.update_section(SECTION, render_section(summary["facts"], summary["results"], summary["machine"], command))
        print(f"updated {benchlib.DOCS} (section {SECTION}) from {out}")
        return 0
    path, facts = export_file(args.posts, args.comments, args.seed)
    print(f"export: {path} ({facts['bytes'] / 1e6:.0f} MB)", flush=True)
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = []
    for kind in kinds:
        results.append(bench_database(kind, path, facts, not args.no_reimport))
        if kind == "sqlite":
            results.append(bench_database(kind, path, facts, False, ("--no-reader-process",)))
    machine_facts = machine()
    summary = {"file": path.name, "facts": facts, "results": results, "machine": machine_facts}
    out.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    if not args.no_docs:
        benchlib.update_section(SECTION, render_section(facts, results, machine_facts, command))
        print(f"updated {benchlib.DOCS} (section {SECTION})")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
