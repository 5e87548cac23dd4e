"""The page store's costs: a one-post edit on a 10,000-post site, and full builds at 1,000 and 10,000 posts.

    .venv/bin/python bench/build_incremental.py [--sizes 1000,10000] [--edits 5] [--no-docs]

Uses the generated sites of bench/generate_site.py (cached under bench/results/,
as bench/serve_uncached.py does), each copied to a fresh ``BROADSHEET_HOME``.

1. **Full builds** (``broadsheet build --output DIR --workers 2`` into a new
   folder, and ``broadsheet build --store`` for the page store): wall and CPU
   time and peak memory of the process tree (bench/build_static.py's
   ``measure``: PSS summed over the tree, sampled ten times a second), and the
   number of pages. Also the same build restricted to what Pelican's and
   Hugo's builds in bench/build_static.py produce (no day archives, no
   per-post comment feeds), for comparison.
2. **Incremental** (10,000 posts): in one process, as a server would be (warm:
   templates compiled, one edit done before measuring), a typical post's
   title and body are edited and saved in a transaction; the report counts
   the pages rendered again and the time from the save to the store being
   current. Also: the first edit of the day of a post (its sitemap entry
   changes: the sitemap is re-rendered after the rest), an edit of one of the
   five newest posts (the sidebar's recent posts change), and publishing a
   new post (every later listing page moves by one: the tail is deferred).

Writes bench/results/build_incremental.json and its section of
docs/benchmarks.md (unless --no-docs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from build_static import _clean_env, count_outputs, measure  # noqa: E402
from serve_uncached import cached_site, describe_site, wait_for_quiet  # noqa: E402

TARGET_EDIT_MS = 300
PELICAN_SECONDS = {1000: 7.8, 10000: 82.0}  # the figures for this machine
TARGET_MEMORY_MB = 500

_EDITS = r'''
import json, os, statistics, sys, time, datetime
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from broadsheet.content.models import Post
from broadsheet.publishing import publish
from broadsheet.publishing.changes import tracked
from broadsheet.publishing.publish import drain_pending, get_store, recent_reports

publish.DEFERRED_MODE["mode"] = "manual"  # measure the deferred pages separately
store = get_store()
edits = int(sys.argv[1])
listed = list(Post.objects.listed().order_by("published_at").values_list("pk", flat=True))

def edit(pk, *, title=True):
    post = Post.objects.get(pk=pk)
    recent_reports.clear()
    started = time.perf_counter()
    with transaction.atomic():
        if title:
            post.title += " (revised)"
        post.body += "\n\nA correction."
        post.save()
    immediate = time.perf_counter() - started
    report = recent_reports[-1]
    deferred_started = time.perf_counter()
    deferred = drain_pending(store)
    deferred_seconds = time.perf_counter() - deferred_started
    return {"seconds": immediate, "pages": len(report.rendered), "written": len(report.written),
            "removed": len(report.removed), "deferred": deferred, "deferred_seconds": deferred_seconds,
            "parts": report.parts_written, "urls": sorted(report.rendered)}

def age(pk):  # make the post's last change yesterday's (rendered, not measured)
    with tracked(posts=[pk]):
        Post.objects.filter(pk=pk).update(modified_at=timezone.now() - datetime.timedelta(days=1))
    drain_pending(store)

edit(listed[10])  # warm up: templates compiled, URL resolver and connection ready
results = {"typical": [], "first_of_day": [], "recent": [], "new_post": []}
step = max(1, (len(listed) - 100) // (edits + 1))
for number in range(edits):
    results["typical"].append(edit(listed[50 + step * (number + 1)]))
for number in range(2):
    pk = listed[70 + step * (number + 1)]
    age(pk)
    results["first_of_day"].append(edit(pk))
results["recent"].append(edit(listed[-3]))
recent_reports.clear()
started = time.perf_counter()
with transaction.atomic():
    newest = Post.objects.get(pk=listed[-1])
    post = Post(title="A new essay", body="Fresh.\n\n<!--more-->\n\nMore.", status="publish",
                published_at=newest.published_at + datetime.timedelta(hours=1))
    post.save()
    post.set_authors(list(newest.ordered_authors))
    post.categories.set(newest.categories.all())
    post.tags.set(newest.tags.all())
immediate = time.perf_counter() - started
report = recent_reports[-1]
deferred_started = time.perf_counter()
deferred = drain_pending(store)
results["new_post"].append({"seconds": immediate, "pages": len(report.rendered), "written": len(report.written),
                            "removed": len(report.removed), "deferred": deferred,
                            "deferred_seconds": time.perf_counter() - deferred_started, "parts": report.parts_written,
                            "urls": sorted(report.rendered)[:40]})
print("RESULT " + json.dumps(results))
'''

_PELICAN_LIKE = r'''
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
import django
django.setup()
from pathlib import Path
from broadsheet.publishing import build
from broadsheet.publishing.catalogue import collect_urls

real = build.collect_urls

def pelican_like(*args, **kwargs):
    """What Pelican's and Hugo's builds produce: no day archives, no per-post comment feeds."""
    catalogue = real(*args, **kwargs)
    keep = lambda url: not (catalogue.job(url)[0] == "entry_feed"
                            or (catalogue.job(url)[0] == "listing" and catalogue.job(url)[1][0] == "day"))
    for name in ("entries", "listings", "feeds", "other"):
        setattr(catalogue, name, [url for url in getattr(catalogue, name) if keep(url)])
    return catalogue

build.collect_urls = pelican_like
report = build.build_site(Path(sys.argv[1]), workers=2)
print(f"Built {report.pages} pages")
'''


def _home(size: int, seed: int, work: Path) -> Path:
    cache, _summary = cached_site(size, seed, regenerate=False)
    home = work / f"home-{size}"
    shutil.copytree(cache, home, ignore=shutil.ignore_patterns("generation.json", "pages", "*-wal", "*-shm"))
    describe_site(home)  # migrates the copy
    analyze = "from broadsheet.content.maintenance import analyze_database; analyze_database()"
    subprocess.run([str(Path(sys.executable).with_name("broadsheet")), "manage", "shell", "-c", analyze],
                   env=_clean_env(BROADSHEET_HOME=str(home)), check=True, capture_output=True)  # as serve does at start
    return home


def run(sizes: list[int], edits: int, seed: int, quiet: float) -> dict:
    results = {"when": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": benchlib.machine_facts(),
               "builds": {}, "incremental": None}  # fmt: skip
    broadsheet = str(Path(sys.executable).with_name("broadsheet"))
    logs = benchlib.RESULTS / "build_incremental-logs"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-", dir=benchlib.RESULTS) as temporary:
        work = Path(temporary)
        for size in sizes:
            home = _home(size, seed, work)
            env = _clean_env(BROADSHEET_HOME=str(home))
            runs = {}
            for label, command in (
                ("static", [broadsheet, "build", "--output", str(work / f"site-{size}"), "--workers", "2"]),
                ("pelican_like", [sys.executable, "-c", _PELICAN_LIKE, str(work / f"subset-{size}")]),
                ("store", [broadsheet, "build", "--store", "--workers", "2"]),
            ):
                waited, load = wait_for_quiet(quiet, 300)
                print(f"{size} posts: {label} build...", flush=True)
                figures = measure(command, env=env, log=logs / f"{label}-{size}.log")
                figures["load_before"] = load
                if label == "static":
                    figures["outputs"] = count_outputs(work / f"site-{size}")
                if label == "pelican_like":
                    figures["outputs"] = count_outputs(work / f"subset-{size}")
                if label == "store":
                    rendered = [line for line in Path(figures["log"]).read_text().splitlines() if "Rendered" in line]
                    figures["pages"] = int(rendered[-1].split()[1]) if rendered else ""
                runs[label] = figures
                print(f"  {figures['seconds']:.1f} s wall, {figures['cpu_seconds']:.1f} s CPU, "
                      f"peak {figures['peak_tree_pss_mb']:.0f} MB (exit {figures['exit']})", flush=True)  # fmt: skip
                shutil.rmtree(work / f"site-{size}", ignore_errors=True)
                shutil.rmtree(work / f"subset-{size}", ignore_errors=True)
            results["builds"][str(size)] = runs
            if size == max(sizes):
                waited, load = wait_for_quiet(quiet, 300)
                print(f"{size} posts: one-post edits...", flush=True)
                output = subprocess.run([sys.executable, "-c", _EDITS, str(edits)], env=env, capture_output=True,
                                        text=True, check=True)  # fmt: skip
                line = next(line for line in output.stdout.splitlines() if line.startswith("RESULT "))
                results["incremental"] = {"posts": size, "load_before": load, **json.loads(line[len("RESULT "):])}
    return results


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report(results: dict) -> str:
    lines = ["## The page store: one-post edits and full builds (`bench/build_incremental.py`)", ""]
    lines.append(f"Measured {results['when']} on the machine above (2 cores shared with other sessions; each step "
                 "waits for the machine to be quiet first and records the other load).")  # fmt: skip
    incremental = results.get("incremental")
    if incremental:
        typical = incremental["typical"]
        median = statistics.median(edit["seconds"] for edit in typical)
        pages = statistics.median(edit["pages"] for edit in typical)
        verdict = "met" if median * 1000 < TARGET_EDIT_MS else "missed"
        lines += [
            "", f"### One-post edit, {incremental['posts']:,} posts", "",
            f"A typical post's title and body edited and saved (one server process, warm): **median "
            f"{_ms(median)} from the save to the store being current, {pages:.0f} pages rendered again** "
            f"(target under {TARGET_EDIT_MS} ms: {verdict}).", "",
        ]  # fmt: skip
        rows = []
        for label, title in (("typical", "typical post"), ("first_of_day", "first edit of the day (sitemap)"),
                             ("recent", "one of the five newest (sidebar)"), ("new_post", "a new post published")):  # fmt: skip
            for edit in incremental[label]:
                rows.append([title, _ms(edit["seconds"]), edit["pages"], edit["written"], edit["removed"],
                             f"{edit['deferred']} in {_ms(edit['deferred_seconds'])}" if edit["deferred"] else "0",
                             ", ".join(edit["parts"]) or "-"])  # fmt: skip
        lines.append(benchlib.markdown_table(
            ["Change", "Until current", "Pages rendered", "Written", "Removed", "Deferred pages", "Parts"], rows))
        example = typical[len(typical) // 2]
        lines += ["", "The pages a typical edit renders: " + ", ".join(f"`{url}`" for url in example["urls"]) + "."]
    lines += ["", "### Full builds", ""]
    rows = []
    for size, runs in results["builds"].items():
        pelican = PELICAN_SECONDS.get(int(size))
        for label, title in (("static", "`broadsheet build` (whole site)"),
                             ("pelican_like", "the same, Pelican's outputs only"),
                             ("store", "`broadsheet build --store`")):  # fmt: skip
            run = runs[label]
            pages = run.get("outputs", {}).get("total", run.get("pages", ""))
            factor = f"{pelican / run['seconds']:.1f}×" if pelican and label != "store" else ""
            rows.append([f"{int(size):,}", title, f"{run['seconds']:.1f} s", f"{run['cpu_seconds']:.1f} s",
                         f"{run['peak_tree_pss_mb']:.0f} MB", pages, factor, f"{run['other_load_cores']:.2f}"])  # fmt: skip
    lines.append(benchlib.markdown_table(
        ["Posts", "Build", "Wall", "CPU", "Peak memory (tree PSS)", "Files", "vs Pelican 7.8 s / 82 s",
         "Other load (cores)"], rows))  # fmt: skip
    lines += [
        "",
        "The whole site is every URL a reader can open: posts, pages, home/year/month/day/category/tag/author "
        "archives with their pages, the site's, each listing's and each post's comment feeds (RSS and Atom), "
        "the sitemap, robots.txt and 404.html. Targets (the issue): at least 5× Pelican's time (1.5 s and 16 s) "
        f"with peak memory under {TARGET_MEMORY_MB} MB.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="site sizes (default 1000,10000)")
    parser.add_argument("--edits", type=int, default=5, help="typical edits measured (default 5)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quiet", type=float, default=0.3, help="wait until other load is under this many cores")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)
    results = run([int(size) for size in args.sizes.split(",")], args.edits, args.seed, args.quiet)
    out = benchlib.RESULTS / "build_incremental.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    text = report(results)
    print(text)
    if not args.no_docs:
        benchlib.update_machine_section()
        benchlib.update_section("build_incremental", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
