"""A full static build of the same corpus with Broadsheet, Pelican and Hugo: time, memory, pages.

    .venv/bin/python bench/build_static.py [--sizes 1000,10000] [--systems broadsheet,floor,pelican,hugo]
                                           [--repeat N] [--no-docs]

The corpus is bench/corpus.py's (one generator, the same posts for all three).
For each size and system, in a fresh folder:

* **Broadsheet**: ``broadsheet import markdown`` into a fresh ``BROADSHEET_HOME``
  (timed on its own: a one-off step, as Pelican and Hugo read their Markdown on
  every build), then ``broadsheet build --output DIR --base-url URL`` (both cores).
* **Pelican** (``pip install -e '.[bench]'``; its default theme) with outputs
  set to match: home pages 10 posts each, posts at ``/YYYY/MM/DD/slug/``,
  category, tag, author, year and month archives (paginated by 10), Atom and
  RSS feeds for the site, each category, tag and author (full text, 10 items),
  teasers of the first two paragraphs (``SUMMARY_MAX_PARAGRAPHS = 2``: the
  corpus puts its ``<!--more-->`` fold there; Pelican's core has no fold).
* **Hugo** (Debian's ``hugo``), with a small theme written here (a listing
  with teasers cut at ``<!--more-->``, a post page, and a sidebar of month
  archives, categories and recent posts rendered once with ``partialCached``),
  the same permalinks and pagination, RSS and Atom feeds for the home page
  and every term. Hugo has no date archives: the corpus gives each post
  ``years`` and ``months`` front matter, which become two more taxonomies
  (``/years/2010/``, ``/months/2010-07/``), as the issue suggests.
* **Floor** (right after Broadsheet, whose output it reuses):
  bench/build_floor.py, the least any build of Broadsheet's outputs in Python
  costs on this machine. It starts Python, sets Broadsheet up as ``broadsheet
  build`` does before rendering (Django set up, the URLconf and the build
  module imported; no database), then forks as many processes as the build's
  workers (two), which create the files the Broadsheet build just wrote (same
  paths, folders and sizes; ``O_CREAT | O_EXCL``) in a fresh folder next to
  its output, each one contiguous half of the sorted list, and ends with
  ``os._exit(0)`` as the build does. No rendering: the build's wall time
  minus the floor's is what rendering (and the rest of the build's own work)
  costs. The list of files is written before timing.

Each build runs as a child process tree; the figures are its wall time, its CPU
time (user + system of the whole tree, from ``os.wait4``), its peak memory
(the largest sum over the tree of proportional set sizes, sampled from
``/proc`` ten times a second; PSS counts memory shared by forked workers
once) and the largest resident set of any one process (``ru_maxrss``), and
the files written, by kind. Only local processes and files are involved.

Run it a few minutes after deleting many files on the disk it writes to: on
this project's machines (ext4 without a journal) creating a file skips over
inodes freed in the last minute (or last six, while their inode table is not
yet written back), which made every build after a mass deletion cost up to
twice the kernel time. The script itself deletes the built sites only after
all builds.

Installs Debian's ``hugo`` (``apt-get install -y hugo``) when it is missing
and this runs as root; Pelican comes from the ``bench`` extra. Before each
build the script waits for the machine to be quiet (other helpers run test
suites on this 2-core machine; see bench/serve_uncached.py) and records the
other load during the build.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from corpus import write_corpus  # noqa: E402
from serve_uncached import machine_cpu, wait_for_quiet  # noqa: E402

SITE_URL = "http://127.0.0.1:8000"
TARGET_FACTOR = 5.0
TARGET_MEMORY_MB = 500
SYSTEMS = ("broadsheet", "floor", "pelican", "hugo")
FLOOR_LABEL = "floor (start + writing Broadsheet's files, no rendering)"
FLOOR_WORKERS = 2  # ``broadsheet build``'s workers here: one per core, on this 2-core machine
POST_FILE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")


# --- measuring a process tree --------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                found += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    found, frontier = [pid], [pid]
    while frontier:
        children = _children(frontier.pop())
        found += children
        frontier += children
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """Return (RSS, PSS) of ``pid`` in kB (zeros if it is gone)."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


def measure(command: list[str], *, env: dict | None = None, cwd: Path | None = None, log: Path) -> dict:
    """Run ``command`` and return its wall time, CPU time, peak memory and exit status."""
    with open(log, "w") as output:
        started = time.perf_counter()
        machine_before = machine_cpu()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
        peak = {"pss": 0, "rss": 0, "processes": 1}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                pids = _tree(process.pid)
                sizes = [_memory_kb(pid) for pid in pids]
                peak["rss"] = max(peak["rss"], sum(rss for rss, _pss in sizes))
                peak["pss"] = max(peak["pss"], sum(pss for _rss, pss in sizes))
                peak["processes"] = max(peak["processes"], len(pids))
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        machine = machine_cpu() - machine_before
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "system_cpu_seconds": usage.ru_stime,
        "peak_tree_pss_mb": peak["pss"] / 1024,
        "peak_tree_rss_mb": peak["rss"] / 1024,
        "max_process_rss_mb": usage.ru_maxrss / 1024,
        "processes": peak["processes"],
        "exit": process.returncode,
        "other_load_cores": max(0.0, machine - cpu) / seconds if seconds else 0.0,
        "log": str(log),
    }


def _wall(run: dict) -> str:
    """The (median) build's wall time, and the range over all builds when there were several."""
    cell = f"**{run['seconds']:.1f} s**"
    times = run.get("all_seconds") or []
    if len(times) > 1:
        cell += f" ({min(times):.1f}–{max(times):.1f}, {len(times)} runs)"
    return cell


def _system_cpu(run: dict) -> str:
    return f"{run['system_cpu_seconds']:.1f} s" if "system_cpu_seconds" in run else "—"


def _written(outputs: dict) -> str:
    if "files_written" not in outputs:
        return "—"
    return f"{outputs['files_written']:,} / {outputs['folders_written']:,}"


def count_outputs(root: Path) -> dict:
    """Count what a build wrote: post pages, other HTML pages, feeds, other files."""
    counts = {"posts": 0, "listings": 0, "feeds": 0, "other": 0, "files_written": 0, "folders_written": 0}
    for path in root.rglob("*"):
        if path.is_dir():
            counts["folders_written"] += 1
            continue
        if not path.is_file():
            continue
        counts["files_written"] += 1
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("static/", "theme/", "media/", "css/", "js/")):
            continue
        if POST_FILE.match(relative):
            counts["posts"] += 1
        elif relative.endswith(".html"):
            counts["listings"] += 1
        elif relative.endswith(".xml") and not relative.startswith("sitemap"):
            counts["feeds"] += 1
        elif not relative.endswith((".gz", ".br")):
            counts["other"] += 1
    counts["total"] = counts["posts"] + counts["listings"] + counts["feeds"] + counts["other"]
    return counts


def file_system_cost(folder: Path, count: int = 2000) -> dict:
    """Microseconds of one ``mkdir`` and of creating and writing one 20 KB file, in ``folder``'s file system.

    A static build creates a folder and a file per page; on this machine's
    disk that work is kernel CPU that every generator pays (reported next to
    the builds, with the same measured in memory, ``/dev/shm``, for scale).
    """
    probe = Path(tempfile.mkdtemp(prefix="bench-fs-", dir=folder))
    try:
        started, before = time.perf_counter(), os.times()
        for number in range(count):
            os.mkdir(probe / str(number))
        made, middle = time.perf_counter(), os.times()
        for number in range(count):
            with open(probe / str(number) / "index.html", "xb") as handle:
                handle.write(b"x" * 20000)
        written, after = time.perf_counter(), os.times()
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    return {
        "mkdir_us": (made - started) * 1e6 / count,
        "mkdir_system_us": (middle.system - before.system) * 1e6 / count,
        "create_us": (written - made) * 1e6 / count,
        "create_system_us": (after.system - middle.system) * 1e6 / count,
    }


def _clean_env(**extra) -> dict:
    env = {**os.environ, **extra}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BROADSHEET_DEBUG", "BROADSHEET_SITE_URL"):
        env.pop(name, None)
    env.update(extra)
    return env


# --- Broadsheet ----------------------------------------------------------------------------------------


def compile_broadsheet() -> None:
    """Give Broadsheet's modules their bytecode caches, as Pelican's have.

    pip compiles a package's modules when it installs it, so Pelican (from
    PyPI) starts from ``.pyc`` files; Broadsheet installed in editable mode
    writes its own on first import, unless ``PYTHONDONTWRITEBYTECODE`` is set
    (it is on this project's machines), in which case every ``broadsheet``
    command compiled ~250 modules again (~0.07 s of each build's start).
    """
    import compileall

    import broadsheet

    compileall.compile_dir(str(Path(broadsheet.__file__).parent), quiet=1)


def broadsheet_has_build() -> bool:
    broadsheet = Path(sys.executable).with_name("broadsheet")
    result = subprocess.run([str(broadsheet), "build", "--help"], capture_output=True, text=True,
                            env=_clean_env(BROADSHEET_HOME=tempfile.mkdtemp(prefix="bs-help-")))  # fmt: skip
    return result.returncode == 0 and "--output" in result.stdout


QUIET = {"below": 0.3, "timeout": 300.0}  # set from the command line


def build_broadsheet(corpus: Path, work: Path, logs: Path, label: str) -> dict:
    broadsheet = str(Path(sys.executable).with_name("broadsheet"))
    home, output = work / "home", work / "site"
    env = _clean_env(BROADSHEET_HOME=str(home), BROADSHEET_SITE_URL=SITE_URL)
    imported = measure([broadsheet, "import", "markdown", str(corpus / "markdown" / "posts")], env=env,
                       log=logs / f"{label}-broadsheet-import.log")  # fmt: skip
    if imported["exit"] != 0:
        raise SystemExit(f"broadsheet import failed; see {imported['log']}")
    wait_for_quiet(QUIET["below"], QUIET["timeout"])
    built = measure([broadsheet, "build", "--output", str(output), "--base-url", SITE_URL], env=env,
                    log=logs / f"{label}-broadsheet-build.log")  # fmt: skip
    if built["exit"] != 0:
        raise SystemExit(f"broadsheet build failed; see {built['log']}")
    built["import"] = imported
    built["outputs"] = count_outputs(output)
    LATEST_BROADSHEET.update(output=output, env=env)
    return built


# --- the floor: Broadsheet's files written without rendering -------------------------------------------

LATEST_BROADSHEET: dict = {}  # the output folder and environment of the last Broadsheet build


def write_listing(root: Path, listing: Path) -> int:
    """Write the sorted list of ``root``'s files (``size<TAB>path``; ``-1`` for a folder with no files)."""
    entries = []
    for folder, folders, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        entries += [(f"{prefix}{name}", os.stat(f"{folder}/{name}").st_size) for name in files]
        if not files and not folders and prefix:
            entries.append((prefix.rstrip("/"), -1))
    entries.sort()
    listing.write_text("".join(f"{size}\t{path}\n" for path, size in entries), encoding="utf-8")
    return len(entries)


def build_floor(corpus: Path, work: Path, logs: Path, label: str) -> dict:
    site = LATEST_BROADSHEET["output"]
    listing = work / "files.tsv"
    write_listing(site, listing)
    # A fresh folder next to the build's output, as the build writes its own (``.site.building-*``) there.
    target = Path(tempfile.mkdtemp(prefix=".floor-", dir=site.parent))
    target.rmdir()  # (the floor makes it, as the build makes its own)
    floor = str(Path(__file__).resolve().with_name("build_floor.py"))
    built = measure([sys.executable, floor, str(listing), str(target), "--workers", str(FLOOR_WORKERS)],
                    env=LATEST_BROADSHEET["env"], log=logs / f"{label}-floor.log")  # fmt: skip
    if built["exit"] != 0:
        raise SystemExit(f"the floor failed; see {built['log']}")
    built["outputs"] = count_outputs(target)
    expected = count_outputs(site)
    if built["outputs"] != expected:
        print(f"  NOTE: the floor wrote {built['outputs']}, the build {expected}", flush=True)
    return built


# --- Pelican -------------------------------------------------------------------------------------------

PELICAN_CONF = """\
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = {site_url!r}
PATH = {content!r}
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {{"index": None, "tag": None, "category": None, "author": None, "period_archives": None}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/index.html"
YEAR_ARCHIVE_URL = "{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "{{date:%Y}}/index.html"
MONTH_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = "category/{{slug}}/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
AUTHOR_URL = "author/{{slug}}/"
AUTHOR_SAVE_AS = "author/{{slug}}/index.html"
FEED_ALL_ATOM = "feed/atom/index.xml"
FEED_ALL_RSS = "feed/index.xml"
CATEGORY_FEED_ATOM = "category/{{slug}}/feed/atom/index.xml"
CATEGORY_FEED_RSS = "category/{{slug}}/feed/index.xml"
TAG_FEED_ATOM = "tag/{{slug}}/feed/atom/index.xml"
TAG_FEED_RSS = "tag/{{slug}}/feed/index.xml"
AUTHOR_FEED_ATOM = "author/{{slug}}/feed/atom/index.xml"
AUTHOR_FEED_RSS = "author/{{slug}}/feed/index.xml"
FEED_MAX_ITEMS = 10
TRANSLATION_FEED_ATOM = None
RSS_FEED_SUMMARY_ONLY = False
SUMMARY_MAX_PARAGRAPHS = 2
SUMMARY_MAX_LENGTH = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def build_pelican(corpus: Path, work: Path, logs: Path, label: str) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    conf = work / "pelicanconf.py"
    conf.write_text(PELICAN_CONF.format(site_url=SITE_URL, content=str(corpus / "pelican")))
    output = work / "output"
    pelican = str(Path(sys.executable).with_name("pelican"))
    built = measure([pelican, "-s", str(conf), "-o", str(output), "-q"], cwd=work, env=_clean_env(),
                    log=logs / f"{label}-pelican.log")  # fmt: skip
    if built["exit"] != 0:
        raise SystemExit(f"pelican failed; see {built['log']}")
    built["outputs"] = count_outputs(output)
    return built


def pelican_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pelican")
    except metadata.PackageNotFoundError:
        return "not installed"


# --- Hugo ----------------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "{site_url}/"
title = "Bench"
languageCode = "en"
timeZone = "UTC"
paginate = 10
rssLimit = 10
disableKinds = ["sitemap", "robotsTXT", "section"]
contentDir = "{content}"

[permalinks]
  posts = "/:year/:month/:day/:slug/"

[taxonomies]
  category = "categories"
  tag = "tags"
  author = "authors"
  year = "years"
  month = "months"

[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]

[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "atom"
  rel = "alternate"

[outputs]
  home = ["HTML", "RSS", "Atom"]
  taxonomy = ["HTML"]
  term = ["HTML", "RSS", "Atom"]
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ block "title" . }}{{ .Title }} | {{ .Site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "RSS" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head><body>
<header><a href="{{ "/" | absURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
{{ partialCached "sidebar.html" . }}
</body></html>
""",
    "partials/teaser.html": """<article>
<h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2>
<p>{{ .Date.Format "2 January 2006" }} by {{ range $i, $a := .Params.authors }}{{ if $i }}, {{ end }}<a href="{{ (printf "/authors/%s/" ($a | urlize)) | absURL }}">{{ $a }}</a>{{ end }}</p>
{{ .Summary }}
{{ if .Truncated }}<p><a href="{{ .Permalink }}">Continue reading</a></p>{{ end }}
</article>
""",
    "partials/pager.html": """{{ $p := .Paginator }}<nav>{{ if $p.HasPrev }}<a href="{{ $p.Prev.URL }}">Newer</a>{{ end }}
Page {{ $p.PageNumber }} of {{ $p.TotalPages }}{{ if $p.HasNext }} <a href="{{ $p.Next.URL }}">Older</a>{{ end }}</nav>
""",
    "partials/sidebar.html": """<aside>
<h2>Recent posts</h2><ul>{{ range first 5 (where .Site.RegularPages "Section" "posts") }}<li><a href="{{ .Permalink }}">{{ .Title }}</a></li>{{ end }}</ul>
<h2>Categories</h2><ul>{{ range .Site.Taxonomies.categories.ByCount }}<li><a href="{{ .Page.Permalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
<h2>Archives</h2><ul>{{ range .Site.Taxonomies.months.Alphabetical.Reverse }}<li><a href="{{ .Page.Permalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
</aside>
""",
    "index.html": """{{ define "main" }}{{ $pages := .Paginate (where .Site.RegularPages "Section" "posts") }}
{{ range $pages.Pages }}{{ partial "teaser.html" . }}{{ end }}{{ partial "pager.html" . }}{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}{{ partial "teaser.html" . }}{{ end }}
{{ partial "pager.html" . }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.Permalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }} by {{ range $i, $a := .Params.authors }}{{ if $i }}, {{ end }}<a href="{{ (printf "/authors/%s/" ($a | urlize)) | absURL }}">{{ $a }}</a>{{ end }}</p>
{{ .Content }}
<p>Filed under {{ range .Params.categories }}<a href="{{ (printf "/categories/%s/" (. | urlize)) | absURL }}">{{ . }}</a> {{ end }}
Tagged {{ range .Params.tags }}<a href="{{ (printf "/tags/%s/" (. | urlize)) | absURL }}">{{ . }}</a> {{ end }}</p>
<nav>{{ with .PrevInSection }}<a href="{{ .Permalink }}">{{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a href="{{ .Permalink }}">{{ .Title }}</a>{{ end }}</nav>
</article>{{ end }}
""",
    "_default/rss.xml": """{{ $pages := .RegularPages }}{{ if .IsHome }}{{ $pages = where .Site.RegularPages "Section" "posts" }}{{ end }}
{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0"><channel><title>{{ .Title }} | {{ .Site.Title }}</title><link>{{ .Permalink }}</link>
<description>{{ .Site.Title }}</description>
{{ range first 10 $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate><description>{{ .Content | html }}</description></item>
{{ end }}</channel></rss>
""",
    "_default/list.atom.xml": """{{ $pages := .RegularPages }}{{ if .IsHome }}{{ $pages = where .Site.RegularPages "Section" "posts" }}{{ end }}
{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom"><title>{{ .Title }} | {{ .Site.Title }}</title><id>{{ .Permalink }}</id>
<link href="{{ .Permalink }}"/><updated>{{ now.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
{{ range first 10 $pages }}<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id><link href="{{ .Permalink }}"/>
<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated><content type="html">{{ .Content | html }}</content></entry>
{{ end }}</feed>
""",
}


def ensure_debian_package(command: str, package: str) -> bool:
    """Install Debian's ``package`` when ``command`` is missing and we are root; return whether it is there."""
    if shutil.which(command):
        return True
    if os.geteuid() != 0:
        print(f"NOTE: {command} is missing: apt-get install -y {package}", flush=True)
        return False
    print(f"Installing Debian's {package}...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], env=env, check=False, stdout=subprocess.DEVNULL)
    return shutil.which(command) is not None


def hugo_version() -> str:
    try:
        output = subprocess.run(["hugo", "version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return "not installed"
    match = re.search(r"v(\d+\.\d+\.\d+)", output)
    return match.group(1) if match else output.strip()


def build_hugo(corpus: Path, work: Path, logs: Path, label: str) -> dict:
    site = work / "site"
    for name, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (site / "config.toml").write_text(HUGO_CONFIG.format(site_url=SITE_URL, content=str(corpus / "markdown")))
    output = work / "public"
    built = measure(["hugo", "--source", str(site), "--destination", str(output), "--quiet"], cwd=site,
                    env=_clean_env(), log=logs / f"{label}-hugo.log")  # fmt: skip
    if built["exit"] != 0:
        raise SystemExit(f"hugo failed; see {built['log']}")
    built["outputs"] = count_outputs(output)
    return built


# --- reporting -----------------------------------------------------------------------------------------


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def report(results: dict) -> str:
    lines = [
        "## Full static build: Broadsheet, Pelican and Hugo (`bench/build_static.py`)",
        "",
        f"Measured {results['when']} with `{results['command']}`: Pelican {results['versions']['pelican']} "
        f"(pip), Hugo {results['versions']['hugo']} (Debian), Broadsheet {results['versions']['broadsheet']}. "
        "The same corpus for all three (`bench/corpus.py`, seed "
        f"{results['seed']}): posts dated over 20 years, 12 categories (one per post), 80 tags, 5 authors, about "
        "500 words each with a `<!--more-->` fold. Each system builds home pages (10 posts each), posts, category, "
        "tag, author, year and month archives (paginated) and RSS and Atom feeds (site, categories, tags, "
        "authors). Pelican uses its default theme; Hugo a small theme written by the script with a sidebar of "
        "month archives, categories and recent posts; Broadsheet its own theme. Hugo's date archives are two "
        "taxonomies (`years`, `months`) fed by front matter, since Hugo has none.",
        "",
        "Wall time and CPU time (user + system, whole process tree) of one build from nothing (with "
        "`--repeat N`, of the median of N builds made in rounds, all systems in turn, with the range of their "
        "wall times); peak memory is "
        "the largest sum of proportional set sizes over the build's process tree (forked workers' shared pages "
        "counted once), sampled ten times a second, and the largest resident set of one process "
        "(`ru_maxrss`). Broadsheet's import (`broadsheet import markdown`, a one-off step: afterwards "
        "content lives in the database and changes are rendered incrementally) is shown on its own line.",
        "",
    ]
    rows = []
    names = {"broadsheet": "Broadsheet build", "floor": FLOOR_LABEL}
    for size, by_system in results["sizes"].items():
        for system in SYSTEMS:
            run = by_system.get(system)
            if run is None:
                continue
            if run.get("waiting"):
                rows.append([f"{int(size):,}", names.get(system, system.capitalize()),
                             "*waiting for `broadsheet build`*", "", "", "", "", "", "", "", "", "", ""])  # fmt: skip
                continue
            outputs = run["outputs"]
            rows.append([
                f"{int(size):,}", names.get(system, system.capitalize()),
                _wall(run), f"{run['cpu_seconds']:.1f} s", _system_cpu(run),
                _written(outputs), f"**{_mb(run['peak_tree_pss_mb'])}**",
                _mb(run["max_process_rss_mb"]), run["processes"], f"{outputs['posts']:,}",
                f"{outputs['listings']:,}", f"{outputs['feeds']:,}", f"{run['other_load_cores']:.2f}",
            ])  # fmt: skip
            if system == "broadsheet" and "import" in run:
                imported = run["import"]
                rows.append([f"{int(size):,}", "Broadsheet import (once)", f"{imported['seconds']:.1f} s",
                             f"{imported['cpu_seconds']:.1f} s", _system_cpu(imported), "",
                             _mb(imported["peak_tree_pss_mb"]),
                             _mb(imported["max_process_rss_mb"]), imported["processes"], "", "", "",
                             f"{imported['other_load_cores']:.2f}"])  # fmt: skip
    lines.append(benchlib.markdown_table(
        ["Posts", "System", "Wall time", "CPU time", "of which kernel", "Files / folders written",
         "Peak memory (tree PSS)", "Largest process RSS",
         "Processes", "Post pages", "Other HTML pages", "Feeds", "Other load (cores)"], rows))  # fmt: skip
    lines += ["", "### Against the targets", ""]
    rows = []
    for size, by_system in results["sizes"].items():
        broadsheet, pelican, hugo = (by_system.get(name) for name in ("broadsheet", "pelican", "hugo"))
        if not broadsheet or broadsheet.get("waiting"):
            rows.append([f"{int(size):,} posts: at least {TARGET_FACTOR:.0f}× faster than Pelican", "waiting", "—"])
            continue
        if pelican:
            factor = pelican["seconds"] / broadsheet["seconds"]
            rows.append([f"{int(size):,} posts: at least {TARGET_FACTOR:.0f}× faster than Pelican",
                         f"{factor:.1f}× ({broadsheet['seconds']:.1f} s against {pelican['seconds']:.1f} s)",
                         "met" if factor >= TARGET_FACTOR else "**missed**"])  # fmt: skip
            # Pelican runs on one thread: its CPU time is about its wall time on an otherwise idle machine.
            factor = pelican["cpu_seconds"] / broadsheet["seconds"]
            rows.append([f"{int(size):,} posts: the same, against Pelican's CPU time (its wall time when idle)",
                         f"{factor:.1f}× ({broadsheet['seconds']:.1f} s against {pelican['cpu_seconds']:.1f} s)",
                         "met" if factor >= TARGET_FACTOR else "**missed**"])  # fmt: skip
        if hugo:
            factor = hugo["seconds"] / broadsheet["seconds"]
            rows.append([f"{int(size):,} posts: against Hugo", f"{factor:.1f}× ({hugo['seconds']:.1f} s)",
                         "faster" if factor > 1 else "slower"])  # fmt: skip
        memory = broadsheet["peak_tree_pss_mb"]
        rows.append([f"{int(size):,} posts: peak memory under {TARGET_MEMORY_MB} MB", _mb(memory),
                     "met" if memory < TARGET_MEMORY_MB else "**missed**"])  # fmt: skip
    lines.append(benchlib.markdown_table(["Target", "Reached", "Verdict"], rows))
    lines += [
        "",
        "The outputs are equivalent in kind, not identical in number: Broadsheet also writes day archives, each "
        "post's comment feeds, a sitemap, `robots.txt`, a 404 page and redirect pages, which the other two are "
        "not asked to write (so it does more work than they do); Hugo writes a list page per taxonomy (`/tags/`, "
        "`/years/`...) and Pelican its `archives`, `tags`, `categories` and `authors` pages. \"Other load\" is CPU "
        "used by other processes on this shared machine during the build, in cores.",
    ]
    floors = [(size, by_system) for size, by_system in results["sizes"].items()
              if not by_system.get("floor", {"waiting": True}).get("waiting")
              and not by_system.get("broadsheet", {"waiting": True}).get("waiting")]  # fmt: skip
    if floors:
        remains = []
        for size, by_system in floors:
            build, floor, pelican = by_system["broadsheet"], by_system["floor"], by_system.get("pelican")
            text = (f"at {int(size):,} posts the floor takes {floor['seconds']:.2f} s ({floor['cpu_seconds']:.2f} s "
                    f"CPU) of the build's {build['seconds']:.2f} s ({build['cpu_seconds']:.2f} s CPU), leaving "
                    f"{build['seconds'] - floor['seconds']:.2f} s of wall time to rendering")  # fmt: skip
            if pelican and not pelican.get("waiting"):
                target = pelican["seconds"] / TARGET_FACTOR
                text += (f"; {TARGET_FACTOR:.0f}× Pelican ({target:.2f} s) would leave "
                         f"{target - floor['seconds']:.2f} s for it")
            remains.append(text)
        lines += ["", (
            f"The \"{FLOOR_LABEL}\" row (`bench/build_floor.py`, timed the same way right after the Broadsheet "
            "build, in the same run) is the least any build of Broadsheet's outputs in Python costs here: Python "
            "started and Broadsheet set up as `broadsheet build` does before it renders (Django, the URLconf and "
            f"the build module imported; no database), then {FLOOR_WORKERS} forked processes creating the same "
            "files the build wrote (same paths, folders and sizes, each process one half of the sorted list), no "
            "rendering. The build's wall time minus the floor's is what rendering and the build's own bookkeeping "
            "cost: " + "; ".join(remains) + "."
        )]  # fmt: skip
    probe = results.get("file_system")
    if probe:
        disk, memory = probe["disk"], probe.get("memory")
        lines += ["", (
            f"Writing files is a large part of any static build here. Measured in the same run, on the disk the "
            f"builds write to: one `mkdir` costs {disk['mkdir_us']:.0f} µs ({disk['mkdir_system_us']:.0f} µs of it "
            f"kernel CPU) and creating and writing one 20 KB file {disk['create_us']:.0f} µs "
            f"({disk['create_system_us']:.0f} µs kernel)"
            + (f"; in memory (`/dev/shm`) {memory['mkdir_us']:.0f} µs and {memory['create_us']:.0f} µs"
               if memory else "")
            + ". \"Of which kernel\" is the builds' system CPU time (`ru_stime`); \"Files / folders written\" "
            "counts everything in the output, static files included."
        )]  # fmt: skip
    loads = [run.get("other_load_cores", 0) for by_system in results["sizes"].values() for run in by_system.values()]
    if any(load > 0.3 for load in loads):
        lines += ["", f"**The machine was not quiet**: other work used up to {max(loads):.1f} of its 2 cores during "
                  "some builds (last column; the script waited for quiet, then measured anyway). Those times are "
                  "longer than the machine can do, and ratios between builds measured under different loads are "
                  "rough."]  # fmt: skip
    if results.get("note"):
        lines += ["", results["note"]]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------------


def _run_builds(args, sizes, systems, has_build, results, logs, built_sites) -> None:
    """Build every corpus size with every system, in this order, into ``results``."""
    results["file_system"] = {"disk": file_system_cost(benchlib.RESULTS)}
    if Path("/dev/shm").is_dir():
        results["file_system"]["memory"] = file_system_cost(Path("/dev/shm"))
    for size in sizes:
        corpus, summary = write_corpus(size, args.seed)
        print(f"Corpus: {size} posts in {corpus.relative_to(benchlib.REPO)} ({json.dumps(summary)})", flush=True)
        by_system: dict = {}
        results["sizes"][str(size)] = by_system
        runs: dict[str, list[dict]] = {system: [] for system in systems}
        for _round in range(args.repeat):  # rounds in turn, so every system meets the same machine state
            for system in systems:
                _build_once(args, size, system, corpus, has_build, logs, built_sites, runs[system])
        for system, system_runs in runs.items():
            if not system_runs:
                by_system[system] = {"waiting": True}
                continue
            ordered = sorted(system_runs, key=lambda run: run["seconds"])
            median = dict(ordered[(len(ordered) - 1) // 2])  # (the lower middle one of an even number)
            median["all_seconds"] = [run["seconds"] for run in system_runs]
            by_system[system] = median


def _build_once(args, size, system, corpus, has_build, logs, built_sites, runs: list) -> None:
    label = f"{size}"
    if system == "broadsheet" and not has_build:
        print(f"  {system}: `broadsheet build` is not there yet", flush=True)
        return
    work = Path(tempfile.mkdtemp(prefix=f"bench-{system}-{size}-", dir=benchlib.RESULTS))
    built_sites.append(work)
    os.sync()  # the previous build's writes reach the disk before this one is timed
    waited, load = wait_for_quiet(args.quiet_below, args.quiet_timeout)
    if system == "floor" and not LATEST_BROADSHEET:
        print(f"  {system}: no Broadsheet build to take the files from", flush=True)
        return
    builder = {"broadsheet": build_broadsheet, "floor": build_floor, "pelican": build_pelican,
               "hugo": build_hugo}[system]  # fmt: skip
    run = builder(corpus, work, logs, label)
    runs.append(run)
    extra = ""
    if "import" in run:
        extra = f" (import first: {run['import']['seconds']:.1f} s, {run['import']['peak_tree_pss_mb']:.0f} MB)"
    print(f"  {system:10} {run['seconds']:7.1f} s  CPU {run['cpu_seconds']:6.1f} s  "
          f"peak {run['peak_tree_pss_mb']:6.0f} MB (largest process {run['max_process_rss_mb']:.0f} MB)  "
          f"outputs {run['outputs']}  other load {run['other_load_cores']:.2f}{extra}", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated (default 1000,10000)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="which systems to build (default: all; floor needs broadsheet and runs right after it)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quiet-below", type=float, default=0.3)
    parser.add_argument("--quiet-timeout", type=float, default=300)
    parser.add_argument("--repeat", type=int, default=1,
                        help="builds per system and size, in rounds; the median one is reported (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites (under bench/results/)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--report-only", action="store_true", help="rewrite the docs section from the last results")
    parser.add_argument("--merge", action="store_true",
                        help="keep the last results of the builds not run this time (to re-measure one build)")
    args = parser.parse_args(argv)
    if args.report_only:
        benchlib.update_section("build_static", report(json.loads((benchlib.RESULTS / "build_static.json").read_text())))
        return 0
    QUIET.update(below=args.quiet_below, timeout=args.quiet_timeout)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))}")
    if "floor" in systems:  # it writes the files of the Broadsheet build made just before it
        systems.remove("floor")
        if "broadsheet" in systems:
            systems.insert(systems.index("broadsheet") + 1, "floor")
        else:
            print("NOTE: the floor needs Broadsheet's build: add broadsheet to --systems", flush=True)
    if "hugo" in systems and not ensure_debian_package("hugo", "hugo"):
        systems.remove("hugo")
    if "pelican" in systems and pelican_version() == "not installed":
        print("NOTE: Pelican is missing: .venv/bin/pip install -e '.[bench]'", flush=True)
        systems.remove("pelican")
    has_build = "broadsheet" in systems and broadsheet_has_build()
    if "broadsheet" in systems:
        compile_broadsheet()

    import broadsheet

    results: dict = {
        "when": datetime.date.today().isoformat(),
        "command": " ".join(["bench/build_static.py", *(argv if argv is not None else sys.argv[1:])]).strip(),
        "seed": args.seed,
        "versions": {"pelican": pelican_version(), "hugo": hugo_version(), "broadsheet": broadsheet.__version__},
        "machine": benchlib.machine_facts(),
        "sizes": {},
    }
    logs = benchlib.RESULTS / "build_static-logs"
    logs.mkdir(parents=True, exist_ok=True)
    # Built sites are deleted at the end, not between builds: this disk is mounted with online discard, and
    # deleting tens of thousands of files slowed the file creation of the next build for a while.
    built_sites: list[Path] = []
    try:
        _run_builds(args, sizes, systems, has_build, results, logs, built_sites)
    finally:
        if not args.keep:
            for work in built_sites:
                shutil.rmtree(work, ignore_errors=True)
    out = benchlib.RESULTS / "build_static.json"
    if args.merge and out.exists():
        previous = json.loads(out.read_text())
        for size, by_system in results["sizes"].items():
            previous["sizes"].setdefault(size, {}).update(by_system)
        previous["command"] = f"{previous['command']}, then {results['command']}"
        previous["file_system"] = results["file_system"]
        results = previous
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results: {out.relative_to(benchlib.REPO)}")
    if not args.no_docs:
        benchlib.update_machine_section()
        benchlib.update_section("build_static", report(results))
        print(f"Updated {benchlib.DOCS.relative_to(benchlib.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
