"""Profile a WordPress import: where the time goes, and how many SQL queries each item costs.

    .venv/bin/python bench/profile_import_wordpress.py [--posts 2000 --comments 10000] [--database sqlite|postgres]

Generates (or reuses) the export under bench/results/, imports it in this process into a fresh
BROADSHEET_HOME (SQLite) or a throwaway PostgreSQL database under cProfile, with every SQL
statement counted by kind and table (``connection.execute_wrapper``), then imports it again
(the idempotent update). Writes bench/results/profile_import_wordpress-*.txt and prints the
summary: top functions by cumulative and own time, queries per post and per comment.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate_wxr import VERSION, generate  # noqa: E402

RESULTS = BENCH / "results"
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def export_file(posts: int, comments: int, seed: int = 2024) -> Path:
    path = RESULTS / f"wxr-{posts}p-{comments}c-seed{seed}-v{VERSION}.xml"
    if not path.exists():
        generate(path, posts=posts, comments=comments, seed=seed)
    return path


class QueryCounter:
    def __init__(self):
        self.counts: Counter = Counter()
        self.seconds: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper()
        match = _TABLE.search(sql)
        key = f"{kind} {match.group(1) if match else '?'}"
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.counts[key] += 1
            self.seconds[key] += time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=10000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)
    path = export_file(args.posts, args.comments)
    home = tempfile.mkdtemp(prefix="bs-profile-import-")
    os.environ["BROADSHEET_HOME"] = home
    database = None
    if args.database == "postgres":
        database = f"broadsheet_profile_import_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        from broadsheet.importers.wordpress.load import import_wxr

        out = io.StringIO()
        for label in ("first import", "re-import"):
            counter = QueryCounter()
            profile = cProfile.Profile()
            start = time.perf_counter()
            with connection.execute_wrapper(counter):
                profile.enable()
                import_wxr(path, reader_process=False)  # all the work in this process, where cProfile sees it
                profile.disable()
            wall = time.perf_counter() - start
            items = args.posts + args.comments
            total_queries = sum(counter.counts.values())
            sql_seconds = sum(counter.seconds.values())
            print(f"\n===== {label}: {path.name} on {args.database} =====", file=out)
            print(
                f"wall {wall:.1f} s under cProfile ({items / wall:.0f} items/s), {total_queries} queries "
                f"({total_queries / args.posts:.1f} per post incl. its comments), "
                f"{sql_seconds:.1f} s inside the database driver",
                file=out,
            )
            print("\nqueries by kind and table (count, per post, seconds):", file=out)
            for key, n in counter.counts.most_common(30):
                print(f"  {key:45s} {n:8d} {n / args.posts:7.2f} {counter.seconds[key]:8.2f}", file=out)
            for sort in ("cumulative", "tottime"):
                stream = io.StringIO()
                pstats.Stats(profile, stream=stream).strip_dirs().sort_stats(sort).print_stats(45)
                print(f"\n--- top functions by {sort} ---", file=out)
                print(stream.getvalue(), file=out)
        RESULTS.mkdir(parents=True, exist_ok=True)
        report = RESULTS / f"profile_import_wordpress-{args.posts}p-{args.comments}c-{args.database}.txt"
        report.write_text(out.getvalue(), encoding="utf-8")
        print(out.getvalue())
        print(f"written: {report}")
    finally:
        if database:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
