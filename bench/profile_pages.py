"""Where the time of an uncached page goes: queries, query plans and Python layers.

    .venv/bin/python bench/profile_pages.py [--posts 10000] [--requests 200] [--top 25]

Uses the site cached by bench/serve_uncached.py (run that first), copied to a
temporary BROADSHEET_HOME, and calls Broadsheet's WSGI application in-process
(no HTTP, no granian) for the same three pages. For each page it prints:

* the in-process time per request (median of --requests);
* every SQL query the request runs, each re-run on its own to time it with its
  rows fetched, and SQLite's query plan (``EXPLAIN QUERY PLAN``) for the costly
  ones;
* a cProfile of --requests requests: exclusive time grouped by layer (SQLite,
  Django ORM, Jinja2 templates, URL reversing, date formatting, ...) and the
  top functions by cumulative and by own time.

Writes a summary to its section of docs/benchmarks.md (unless --no-docs) and
the full output to bench/results/profile-N.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from generate_site import GENERATOR_VERSION  # noqa: E402

LAYERS = [
    # (layer name, predicate on (filename, function name)), first match wins
    ("SQLite connection: open, PRAGMAs, close (every request)",
     lambda f, n: f == "~" and ("sqlite3.Connection" in n or "_sqlite3.connect" in n)),
    ("SQLite queries (C: execute, fetch)", lambda f, n: f == "~" and ("sqlite3" in n or "Cursor" in n)),
    ("Sidebar cache read (LocMemCache unpickles the Sidebar)",
     lambda f, n: "_pickle" in n or "/django/core/cache/" in f),
    ("Jinja2 templates (compiled template code)", lambda f, n: f.endswith(".html") or f == "<template>"),
    ("Jinja2 runtime / markupsafe", lambda f, n: "/jinja2/" in f or "markupsafe" in f or "escape" in n),
    ("Django ORM (query building, model instances)", lambda f, n: "/django/db/" in f),
    ("URL reversing (django.urls)", lambda f, n: "/django/urls/" in f),
    ("Dates and time zones (dateformat, timezone, zoneinfo)",
     lambda f, n: "dateformat" in f or "/django/utils/timezone" in f or "zoneinfo" in f or "datetime" in n),
    ("Django request/response, middleware, handlers",
     lambda f, n: any(part in f for part in ("/django/core/", "/django/http/", "/django/middleware/",
                                             "/django/contrib/", "/django/views/", "/django/template/"))),
    ("Broadsheet code", lambda f, n: "/broadsheet/" in f),
    ("Other Django utilities", lambda f, n: "/django/" in f),
]  # fmt: skip


def layer_of(filename: str, function: str) -> str:
    for name, test in LAYERS:
        if test(filename, function):
            return name
    return "Other (Python built-ins, stdlib)"


def wsgi_get(application, path: str) -> tuple[int, bytes]:
    status_holder = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip

    def start_response(status, headers, exc_info=None):
        status_holder.append(int(status.split()[0]))

    result = application(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status_holder[0], body


def capture_queries(application, path: str) -> list[tuple[str, tuple]]:
    from django.db import connection

    captured = []

    def wrapper(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        status, _body = wsgi_get(application, path)
    assert status == 200, (path, status)
    return captured


def time_query(sql: str, params: tuple, runs: int = 20) -> tuple[float, int]:
    from django.db import connection

    samples, rows = [], 0
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = len(cursor.fetchall())
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), rows


def query_plan(sql: str, params: tuple) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def short_sql(sql: str, width: int = 150) -> str:
    import re

    sql = re.sub(r'SELECT .*? FROM', "SELECT … FROM", sql, count=1, flags=re.DOTALL)
    sql = sql.replace('"', "")
    sql = re.sub(r"\b(content|comments|search)_\w+\.(?=\w)", "", sql)  # drop table prefixes of columns
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def profile_page(application, path: str, requests: int, top: int) -> dict:
    for _ in range(3):
        wsgi_get(application, path)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        status, body = wsgi_get(application, path)
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200
    queries = capture_queries(application, path)
    timed = []
    for sql, params in queries:
        ms, rows = time_query(sql, params)
        timed.append({"sql": sql, "params": params, "ms": ms, "rows": rows, "plan": query_plan(sql, params)})

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        wsgi_get(application, path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    layers: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        layers[layer_of(filename, function)] += tottime
    text = io.StringIO()
    with redirect_stdout(text):
        stats.stream = text
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    return {
        "path": path,
        "bytes": len(body),
        "median_ms": statistics.median(samples),
        "p99_ms": sorted(samples)[int(len(samples) * 0.99) - 1],
        "profiled_ms_per_request": total * 1000 / requests,
        "layers": {name: seconds * 1000 / requests for name, seconds in sorted(layers.items(), key=lambda i: -i[1])},
        "queries": timed,
        "profile_text": text.getvalue(),
    }


# --- what-if experiments: suggested changes tried on the temporary copy, cumulatively ------------------


ALREADY = "already in the code"


def _persistent_connection() -> str:
    from django.db import connections

    connection = connections["default"]
    if connection.settings_dict.get("CONN_MAX_AGE", 0) != 0:  # None: kept for ever; N > 0: N seconds
        return ALREADY
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None  # read when the next connection opens
    return "applied"


def _analyze() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT count(*) FROM sqlite_stat1")
            if cursor.fetchone()[0]:
                return ALREADY
        cursor.execute("ANALYZE")
    return "applied"


def _post_indexes() -> list[tuple[str, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "content_post")
    return [tuple(info["columns"]) for info in constraints.values() if info.get("index")]


def _indexes() -> str:
    from django.db import connection

    wanted = {
        # Home: walk (sticky, published_at) backwards and stop after a page.
        ("sticky", "published_at"): "CREATE INDEX bench_post_home ON content_post (sticky, published_at)",
        # Counts and listings: covered by an index (the password column sits behind the big text columns).
        ("status", "published_at", "password"):
            "CREATE INDEX bench_post_listed ON content_post (status, published_at, password)",
    }  # fmt: skip
    existing = set(_post_indexes())
    missing = [sql for columns, sql in wanted.items() if columns not in existing]
    if not missing:
        return ALREADY
    with connection.cursor() as cursor:
        for sql in missing:
            cursor.execute(sql)
        cursor.execute("ANALYZE")
    return "applied"


def _sidebar_in_memory() -> str:
    from django.utils import timezone

    import broadsheet.theme.context as theme_context

    if hasattr(theme_context, "_in_process"):
        return ALREADY
    original, memo = theme_context.get_sidebar, {}

    def get_sidebar(site):
        key = theme_context._cache_key(site)
        sidebar = memo.get(key)
        if sidebar is None or (sidebar.valid_until is not None and sidebar.valid_until <= timezone.now()):
            sidebar = memo[key] = original(site)
        return sidebar

    theme_context.get_sidebar = get_sidebar
    return "applied"


def _listing_without_categories() -> str:
    """Listings prefetch only the bylines: the default permalink structure and theme never show categories there."""
    from django.db import models

    from broadsheet.content.models import PostAuthor
    from broadsheet.content.querysets import PostQuerySet

    if hasattr(PostQuerySet, "for_summaries"):
        return ALREADY

    def for_listing(self, **_options):
        authorships = PostAuthor.objects.select_related("author").order_by("position")
        return self.prefetch_related(models.Prefetch("authorships", queryset=authorships, to_attr="ordered_authorships"))

    PostQuerySet.for_listing = for_listing
    return "applied"


EXPERIMENTS = [
    ("As measured: the code as it is, run as `broadsheet serve` runs it", None),
    ("+ persistent SQLite connection (`CONN_MAX_AGE=None`)", _persistent_connection),
    ("+ `ANALYZE` (planner statistics)", _analyze),
    ("+ indexes `(sticky, published_at)` and `(status, published_at, password)`", _indexes),
    ("+ sidebar kept in process memory (no unpickling per request)", _sidebar_in_memory),
    ("+ listings prefetch bylines only, not categories (one query fewer)", _listing_without_categories),
]


def cost_per_request(application, path: str, requests: int) -> dict:
    for _ in range(5):
        wsgi_get(application, path)
    wall, cpu = [], []
    for _ in range(requests):
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        status, _body = wsgi_get(application, path)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        assert status == 200, (path, status)
    return {"median_ms": statistics.median(wall), "cpu_ms": statistics.fmean(cpu)}


def sidebar_render_ms(runs: int = 200) -> float:
    """Time to render the sidebar template alone (240 archive months on the 20-year site)."""
    from django.template import engines

    from broadsheet.content.models import SiteSettings
    from broadsheet.theme.context import build_sidebar

    site = SiteSettings.load()
    sidebar = build_sidebar(site)
    template = engines["jinja2"].env.get_template("_sidebar.html")
    template.render(sidebar=sidebar)
    started = time.process_time()
    for _ in range(runs):
        template.render(sidebar=sidebar)
    return (time.process_time() - started) * 1000 / runs


def run_experiments(application, pages: dict, requests: int, out, quiet_timeout: float) -> list[dict]:
    from serve_uncached import wait_for_quiet

    ladder = []
    for label, change in EXPERIMENTS:
        if change is not None and change() == ALREADY:
            print(f"(skipped, {ALREADY}) {label}", file=out)
            ladder.append({"label": label, "status": ALREADY})
            continue
        wait_for_quiet(0.3, min(quiet_timeout, 120))
        row = {"label": label, "pages": {name: cost_per_request(application, path, requests)
                                         for name, path in pages.items()}}  # fmt: skip
        ladder.append(row)
        cells = "  ".join(f"{name}: {r['median_ms']:6.2f} ms ({r['cpu_ms']:5.2f} CPU)" for name, r in row["pages"].items())
        print(f"{cells}  <- {label}", file=out)
    return ladder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--quiet-timeout", type=float, default=300,
                        help="longest wait for other work on the machine to go quiet before each measurement")
    args = parser.parse_args(argv)

    cache_dir = benchlib.RESULTS / f"site-{args.posts}-seed{args.seed}-v{GENERATOR_VERSION}"
    if not (cache_dir / "generation.json").exists():
        raise SystemExit(f"no cached site in {cache_dir}: run bench/serve_uncached.py --posts {args.posts} first")
    temporary = tempfile.mkdtemp(prefix="broadsheet-profile-")
    try:
        home = Path(temporary) / "home"
        shutil.copytree(cache_dir, home, ignore=shutil.ignore_patterns("generation.json", "static", "media"))
        os.environ["BROADSHEET_HOME"] = str(home)
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("BROADSHEET_DEBUG", None)
        os.environ.setdefault("BROADSHEET_SITE_URL", "http://127.0.0.1:8000")
        os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.conf.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application

        call_command("migrate", interactive=False, verbosity=0)  # as `broadsheet serve` does
        try:  # and, where the code has it, refresh the planner's statistics as `serve` does at start
            from broadsheet.content.maintenance import analyze_database
        except ImportError:
            pass
        else:
            analyze_database()

        from generate_site import describe

        site = describe()
        application = get_wsgi_application()
        pages = {"Home page": "/", "Month archive": site["month_url"], "Post": site["post_url"]}
        out = io.StringIO()
        results = {}
        from serve_uncached import wait_for_quiet

        for name, path in pages.items():
            wait_for_quiet(0.3, args.quiet_timeout)  # the machine is shared: measure when other work is quiet
            result = profile_page(application, path, args.requests, args.top)
            results[name] = result
            print(f"\n=== {name} {path}: in-process median {result['median_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms "
                  f"({result['bytes']} bytes); under cProfile {result['profiled_ms_per_request']:.1f} ms/request", file=out)  # fmt: skip
            print(f"--- {len(result['queries'])} queries (each re-run alone, rows fetched):", file=out)
            for query in result["queries"]:
                print(f"{query['ms']:7.3f} ms {query['rows']:5} rows  {short_sql(query['sql'], 400)}", file=out)
                for line in query["plan"]:
                    print(f"{'':27}plan: {line}", file=out)
            print("--- exclusive time by layer (ms per request, under cProfile):", file=out)
            for layer, ms in result["layers"].items():
                print(f"{ms:8.2f}  {layer}", file=out)
            print(result["profile_text"], file=out)
        print("\n=== What-if: suggested changes tried cumulatively on the temporary copy "
              "(median wall ms and mean CPU ms per request, in-process)", file=out)  # fmt: skip

        wait_for_quiet(0.3, args.quiet_timeout)
        sidebar_ms = sidebar_render_ms()
        ladder = run_experiments(application, pages, args.requests, out, args.quiet_timeout)
        print(f"Rendering the sidebar template alone: {sidebar_ms:.2f} ms CPU", file=out)
        text = out.getvalue()
        print(text)
        report = benchlib.RESULTS / f"profile-{args.posts}.txt"
        report.write_text(text)
        summary = {
            name: {key: value for key, value in result.items() if key != "profile_text"}
            for name, result in results.items()
        }
        summary["what_if"] = ladder
        summary["sidebar_render_ms"] = sidebar_ms
        (benchlib.RESULTS / f"profile-{args.posts}.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
        print(f"Full output: {report.relative_to(benchlib.REPO)}")
        if not args.no_docs:
            benchlib.update_section("profile", docs_section(results, args, ladder, sidebar_ms))
            print(f"Updated {benchlib.DOCS.relative_to(benchlib.REPO)}")
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return 0


def docs_section(results: dict, args, ladder: list[dict], sidebar_ms: float) -> str:
    import datetime

    lines = [
        "## Where the time goes (`bench/profile_pages.py`)",
        "",
        f"Measured {datetime.date.today().isoformat()}: the same three pages on the same {args.posts:,}-post site, "
        "with Broadsheet's WSGI application called in-process (no HTTP server), warm, "
        f"{args.requests} requests each. Query times are each query re-run alone with its rows fetched. "
        f"Full output (query plans, top functions): `bench/results/profile-{args.posts}.txt` after a run.",
        "",
    ]
    rows = []
    for name, result in results.items():
        sql_ms = sum(query["ms"] for query in result["queries"])
        slowest = max(result["queries"], key=lambda query: query["ms"])
        rows.append([
            name, f"{result['median_ms']:.2f}", len(result["queries"]), f"{sql_ms:.2f}",
            f"{slowest['ms']:.2f} ms: `{short_sql(slowest['sql'], 200)}`",
        ])  # fmt: skip
    lines.append(benchlib.markdown_table(
        ["Page", "In-process median ms", "Queries", "SQL ms (sum)", "Slowest query"], rows
    ))  # fmt: skip
    slow = [(name, query) for name, result in results.items() for query in result["queries"] if query["ms"] >= 1]
    if slow:
        lines += ["", "Queries over 1 ms, with SQLite's plan (`EXPLAIN QUERY PLAN`):", ""]
        for name, query in slow:
            lines.append(f"- {name}, {query['ms']:.1f} ms, {query['rows']} rows: `{short_sql(query['sql'], 400)}`  ")
            lines.append("  plan: " + "; ".join(f"`{step}`" for step in query["plan"]))
    lines += ["", "Exclusive time by layer under cProfile, ms per request (cProfile inflates Python-heavy layers):", ""]
    layer_names = list(dict.fromkeys(name for result in results.values() for name in result["layers"]))
    rows = [[layer] + [f"{result['layers'].get(layer, 0):.2f}" for result in results.values()] for layer in layer_names]
    rows.append(["**Total (profiled)**"] + [f"**{r['profiled_ms_per_request']:.2f}**" for r in results.values()])
    lines.append(benchlib.markdown_table(["Layer", *results.keys()], rows))
    lines += [
        "",
        "What-if: changes suggested by the profile, tried cumulatively on the temporary copy of the site "
        "(monkeypatched in the benchmark process; nothing in `src/` changed), each skipped when the code "
        "already has it. Median wall ms per request in-process, CPU ms in brackets:",
        "",
    ]
    names = list(results.keys())
    rows = [
        [row["label"]] + (
            [f"{row['pages'][name]['median_ms']:.2f} ({row['pages'][name]['cpu_ms']:.2f})" for name in names]
            if "pages" in row else [f"({ALREADY})"] * len(names)
        )
        for row in ladder
    ]  # fmt: skip
    lines.append(benchlib.markdown_table(["Change", *names], rows))
    lines += ["", f"Rendering the sidebar template alone (240 archive months, 12 categories): {sidebar_ms:.2f} ms."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
