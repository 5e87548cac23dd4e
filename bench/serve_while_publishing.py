"""Readers during publishing (RELIABILITY F-1): wrk on stored pages while another process edits posts.

    .venv/bin/python bench/serve_while_publishing.py [--posts 10000] [--duration 30] [--interval 2] [--no-docs]

1. Takes the 10,000-post site of bench/serve_uncached.py (generated once and
   cached under bench/results/) and copies it to a fresh temporary
   ``BROADSHEET_HOME``; starts ``broadsheet serve --workers 2`` (which renders
   the page store) and Debian's nginx serving the same store in front of it
   (the ``Nginx`` class of bench/serve_stored.py).
2. Picks three posts: the newest listed post (on the home page), the newest
   post of the busiest month (on that month's archive) and the post measured.
3. For each of the home page, the busiest month archive and that post, and for
   (a) ``broadsheet serve`` and (b) nginx:
   * starts the editor: a separate OS process (this script with ``--editor``,
     Django set up on the same ``BROADSHEET_HOME``) that every ``--interval``
     seconds edits one of the three posts in turn, as the desk does: new title
     and body, ``Post.save()`` and a revision in one transaction, so the editing
     process renders the page store itself after the commit, as in production;
   * runs ``wrk -t2 -c64 -d30s`` against the page (a Lua hook counts answers
     that are neither 2xx nor 304, and wrk counts socket errors);
   * stops the editor (it finishes the save under way), waits 1 s, fetches the
     page once through the same server and checks that it shows the latest
     title of every edited post it showed before the run, then runs
     ``broadsheet build --check`` on that home and records whether it found
     nothing (exit 0, no ``differs``/``missing``/``extra`` line).
4. Writes bench/results/serve_while_publishing.json and its section of
   docs/benchmarks.md (right after the serve_stored section).

Targets (F-1): 0 socket errors and 0 answers other than 2xx/304; after the last
edit + 1 s, ``build --check`` empty; ``broadsheet serve`` at least 50% of
nginx's requests/s on the same page in the same run.

Waits for the machine to be quiet before each measurement (other helpers run
tests on this 2-core machine) and reports the other load seen; the editor's
own CPU counts as other load, and is also reported on its own. Only
127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402

TARGET_NGINX_SHARE = 0.5
SECTION = "serve_while_publishing"
BODY_NOTE = "Revised by the publishing benchmark"
_TITLE_SUFFIX = re.compile(r" \(rev \w+\)$")
_BODY_SUFFIX = re.compile(r"\n\n" + BODY_NOTE + r" \(\w+\)\.$")


# --- the editor (runs in its own process) --------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    import django

    django.setup()


def pick_posts(post_path: str, month_path: str) -> dict:
    """Return the three posts the editor edits: newest on the home page, newest of the month, the one measured."""
    from broadsheet.content.models import Post

    listed = Post.objects.listed().order_by("-published_at", "-id")
    year, month = (int(part) for part in month_path.strip("/").split("/")[:2])
    in_month = [post for post in listed.filter(published_at__year=year)[:2000] if post.published_at.month == month]
    slug = post_path.rstrip("/").rsplit("/", 1)[-1]
    measured = [post for post in listed.filter(slug=slug) if post.get_absolute_url() == post_path]
    if not in_month or len(measured) != 1:
        raise SystemExit(f"could not find the posts of {month_path} and {post_path}")
    chosen = {"home": listed.first(), "month": in_month[0], "post": measured[0]}
    return {role: {"id": post.pk, "title": post.title, "path": post.get_absolute_url()} for role, post in chosen.items()}


def run_editor(config: dict) -> int:
    """Edit the posts in turn every ``interval`` s until SIGTERM; print one JSON line per edit."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from broadsheet.content.models import Post
    from broadsheet.desk.revisions import record_revision

    if config.get("pick"):
        print(json.dumps(pick_posts(config["post_path"], config["month_path"])), flush=True)
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    ids, interval, tag = config["ids"], config["interval"], config["tag"]
    print("READY", flush=True)
    started = time.monotonic()
    count = 0
    while not stop.is_set():
        post_id = ids[count % len(ids)]
        token = f"{tag}e{count}"
        began = time.monotonic()
        record = {"n": count, "post": post_id, "token": token, "at": round(began - started, 3)}
        try:
            with transaction.atomic():  # as the desk's save_entry: the entry and its revision together
                post = Post.objects.get(pk=post_id)
                post.title = _TITLE_SUFFIX.sub("", post.title) + f" (rev {token})"
                post.body = _BODY_SUFFIX.sub("", post.body) + f"\n\n{BODY_NOTE} ({token})."
                post.save()  # the page store is rendered after the commit, in this process
                record_revision(post, user)
            record["title"] = post.title
        except Exception as error:  # noqa: BLE001 - reported, and the loop goes on as an editor would retry
            record["error"] = f"{type(error).__name__}: {error}"
        record["save_s"] = round(time.monotonic() - began, 4)
        print(json.dumps(record), flush=True)
        count += 1
        stop.wait(max(0.0, started + count * interval - time.monotonic()))
    return 0


_ISO = re.compile(rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})")
_RFC822 = re.compile(rb"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")


def _utc(content: bytes) -> bytes:
    """Write every timestamp with an offset (ISO 8601, RFC 822) as the same instant in UTC."""
    import email.utils

    def iso(match: re.Match) -> bytes:
        moment = datetime.datetime.fromisoformat((match.group(1) + match.group(2).replace(b"Z", b"+00:00")).decode())
        return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def rfc822(match: re.Match) -> bytes:
        moment = email.utils.parsedate_to_datetime(match.group(0).decode())
        return moment.astimezone(datetime.timezone.utc).strftime("%d %b %Y %H:%M:%S UTC").encode()

    return _RFC822.sub(rfc822, _ISO.sub(iso, content))


def run_check(config: dict) -> int:
    """What ``broadsheet build --check`` does (publishing.build.check_store), keeping the fresh build.

    Prints one JSON line: the differences ``build --check`` reports, and those
    left once every timestamp is written in UTC (the same instant with another
    offset is not a stale page).
    """
    _setup_django()
    from broadsheet.publishing.build import _read, build_store, compare_stores
    from broadsheet.publishing.publish import drain_pending, get_store
    from broadsheet.publishing.store import PageStore

    store = get_store()
    started = time.monotonic()
    deferred = drain_pending(store)
    with tempfile.TemporaryDirectory(prefix="broadsheet-check-") as folder:
        fresh = PageStore(Path(folder) / "store")
        try:
            with fresh.lock():
                build_store(fresh, fresh=True)
            differ, missing, extra, parts_differ = compare_stores(store, fresh)
            mine, theirs = store.pages(), fresh.pages()
            real, edited = [], []
            for url in differ:
                stored, built = _read(store, mine[url].file) or b"", _read(fresh, theirs[url].file) or b""
                if mine[url].file != theirs[url].file or _utc(stored) != _utc(built):
                    real.append(url)
                    if b"(rev r" in stored or b"(rev r" in built:  # a page that shows a post the editor changed
                        edited.append(url)
            my_parts, their_parts = store.parts(), fresh.parts()
            real_parts = [name for name in parts_differ if name not in my_parts or name not in their_parts
                          or _utc(_read(store, my_parts[name][0]) or b"") != _utc(_read(fresh, their_parts[name][0]) or b"")]
            pages = len(theirs)
        finally:
            fresh.close()
    findings = ([f"differs: {url}" for url in differ] + [f"missing: {url}" for url in missing]
                + [f"extra: {url}" for url in extra] + [f"part differs: {name}" for name in parts_differ])
    beyond = ([f"differs: {url}" for url in real] + [f"missing: {url}" for url in missing]
              + [f"extra: {url}" for url in extra] + [f"part differs: {name}" for name in real_parts])
    print(json.dumps({
        "empty": not findings, "finding_count": len(findings), "findings": findings[:20],
        "beyond_time_zone_count": len(beyond), "beyond_time_zone": beyond[:1000], "pages": pages,
        "showing_edited_posts": edited[:100], "showing_edited_posts_count": len(edited),
        "deferred_rendered_first": deferred, "seconds": round(time.monotonic() - started, 1),
    }), flush=True)  # fmt: skip
    return 0


# --- measuring (the main process) ----------------------------------------------------------------------


def _editor_command(config: dict, option: str = "--editor") -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), option, json.dumps(config)]


def _editor_env(home: Path, site_url: str) -> dict:
    """The server's settings: same home, and the site address ``broadsheet serve`` gives itself (its canonical URLs)."""
    env = {**os.environ, "BROADSHEET_HOME": str(home), "DJANGO_SETTINGS_MODULE": "broadsheet.conf.settings",
           "BROADSHEET_SITE_URL": site_url}  # fmt: skip
    for name in ("DATABASE_URL", "BROADSHEET_DEBUG"):
        env.pop(name, None)
    return env


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _shown(page: str, title: str, path: str) -> bool:
    variants = {title, html.escape(title), html.escape(title, quote=False), title.replace("'", "&#39;"),
                html.escape(title).replace("&#x27;", "&#39;")}  # fmt: skip
    return any(variant in page for variant in variants) or f'href="{path}"' in page


def _check_store(home: Path, site_url: str) -> dict:
    result = subprocess.run(_editor_command({"check": True}, "--check-store"), env=_editor_env(home, site_url),
                            capture_output=True, text=True, timeout=1800)  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"the store check failed: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_one(label: str, name: str, server, path: str, posts: dict, home: Path, args, script: Path,
                tag: str) -> dict:  # fmt: skip
    from serve_stored import _get
    from serve_uncached import measure_throughput, wait_for_quiet

    waited, _load = wait_for_quiet(args.quiet_below, args.quiet_timeout)
    status, before = _get(server.port, path)
    before_text = before.decode("utf-8", "replace")
    shown = [role for role, post in posts.items() if _shown(before_text, post["title"], post["path"])]
    config = {"ids": [posts[role]["id"] for role in ("home", "month", "post")], "interval": args.interval, "tag": tag}
    editor_log = open(benchlib.RESULTS / f"{SECTION}-editor.log", "a")  # noqa: SIM115
    editor = subprocess.Popen(_editor_command(config), env=_editor_env(home, args.site_url), stdout=subprocess.PIPE,
                              stderr=editor_log, text=True, start_new_session=True)  # fmt: skip
    try:
        if editor.stdout.readline().strip() != "READY":
            raise SystemExit(f"the editor did not start; see bench/results/{SECTION}-editor.log")
        result = measure_throughput(server, path, args.threads, args.connections, args.duration, script)
        editor_cpu = _process_cpu(editor.pid)
        editor.send_signal(signal.SIGTERM)
        output, _ = editor.communicate(timeout=120)
    finally:
        if editor.poll() is None:
            os.killpg(editor.pid, signal.SIGKILL)
            editor.wait(timeout=10)
        editor_log.close()
    stopped = time.monotonic()
    edits = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    time.sleep(max(0.0, stopped + 1.0 - time.monotonic()))  # the last edit + 1 s

    status_after, after = _get(server.port, path)
    after_text = after.decode("utf-8", "replace")
    latest = {}
    for edit in edits:
        if "title" in edit:
            latest[edit["post"]] = edit
            for role, post in posts.items():
                if post["id"] == edit["post"]:
                    post["title"] = edit["title"]
    visible, stale = [], []
    for role in shown:
        edit = latest.get(posts[role]["id"])
        if edit is not None:
            (visible if f"(rev {edit['token']})" in after_text else stale).append(role)
    check = _check_store(home, args.site_url)
    saves = [edit["save_s"] * 1000 for edit in edits if "title" in edit]
    result.update({
        "waited_for_quiet_s": waited,
        "edits": len(saves),
        "edit_errors": [edit["error"] for edit in edits if "error" in edit][:10],
        "edits_of_posts_on_page": sum(1 for edit in edits if "title" in edit and any(
            posts[role]["id"] == edit["post"] for role in shown)),
        "save_ms_median": round(statistics.median(saves), 1) if saves else None,
        "save_ms_max": round(max(saves), 1) if saves else None,
        "editor_cpu_s": round(editor_cpu, 2),
        "posts_on_page": shown,
        "after_status": status_after,
        "last_edits_visible": visible,
        "stale_after_1s": stale,
        "shows_last_edit": bool(visible) and not stale and status_after == 200,
        "check": check,
    })  # fmt: skip
    print(f"  {label:10} {name:14} {result['requests_per_second']:9.0f} requests/s  not 2xx/304 {result['non_200']}  "
          f"socket errors {result['socket_errors']}  edits {result['edits']} (median save {result['save_ms_median']} ms,"
          f" errors {len(result['edit_errors'])})  last edit shown {result['shows_last_edit']} {visible} stale {stale}  "
          f"check {'empty' if check['empty'] else 'NOT EMPTY: %d' % check['finding_count']} (beyond time zone "
          f"{check['beyond_time_zone_count']}: {check['beyond_time_zone'][:4]}; {check['seconds']:.0f} s, "
          f"{check['deferred_rendered_first']} deferred first)  other load {result['other_load_cores']:.2f}",
          flush=True)  # fmt: skip
    return result


# --- reporting -----------------------------------------------------------------------------------------


def _ok(run: dict) -> bool:
    return run["non_200"] == 0 and run["socket_errors"] == 0


def report(results: dict) -> str:
    site, facts = results["site"], results["machine"]
    posts = results["posts_edited"]
    lines = [
        "## Readers during publishing: wrk while another process edits posts (`bench/serve_while_publishing.py`)",
        "",
        f"Measured {results['when']} with `{results['command']}` (RELIABILITY F-1), on the {site['posts']:,}-post "
        f"site of `bench/serve_uncached.py`: `wrk -t{results['threads']} -c{results['connections']} "
        f"-d{results['duration']}s` on 127.0.0.1 against one page at a time, through (a) `broadsheet serve` (granian, "
        f"{results['workers']} workers) from the page store and (b) nginx {results['nginx_version']} (Debian, the "
        "configuration `broadsheet deploy nginx` writes, `worker_processes auto`, no access log) serving the same "
        "store in front of the same app server. Machine: "
        f"{facts['Cores (nproc)']} cores ({facts['CPU']}), {facts['Memory']}, {facts['OS']}; Python "
        f"{facts['Python']}, Django {facts['Django']}, granian {facts['granian']}, SQLite {facts['SQLite']}, "
        f"{facts['wrk']}. Client, servers, the editor and the check share the 2 cores.",
        "",
        f"**The editor** is a separate process (this script with `--editor`, Django set up on the same "
        f"`BROADSHEET_HOME`). Every {results['interval']:g} s during each run it edits the next of three posts in "
        f"turn: the newest post (home page, `{posts['home']['path']}`), the newest post of the busiest month "
        f"(`{site['month_url']}`, `{posts['month']['path']}`) and the post measured (`{site['post_url']}`). Each edit "
        "changes the title and the last paragraph of the body and, as the desk's save does, saves the post "
        "(`Post.save()`) and records a revision in one transaction; the page store is rendered by the editing "
        "process after the commit, as in production. When wrk ends the editor is stopped (it finishes the save "
        "under way), and 1 s later the page is fetched once through the same server, which must show the latest "
        "title of every edited post it showed before the run; then the store is checked as `broadsheet build "
        "--check` does (the same functions: pending deferred pages rendered first, counted below, then a fresh build "
        "of the whole site compared byte for byte with the store), run by this script in a process of its own so "
        "that it can also compare the pages with every timestamp written in UTC (\"beyond the time zone\"). The "
        "editor and the check use the server's `BROADSHEET_SITE_URL` (the address `broadsheet serve --port` gives "
        "itself when none is set), as a production site has one address.",
        "",
    ]
    base = results.get("baseline_check")
    if base and not base["finding_count"]:
        lines += [
            f"**Before any edit** the store `broadsheet serve` had just rendered equalled a fresh build byte for byte "
            f"({base['pages']:,} pages). (Until 2026-11-29 it did not: pages rendered through Django inside a build "
            "left UTC active for the listings rendered after them, so ~900 listing pages showed UTC dates, differing "
            "from build to build; fixed in the middleware the same day.) The last two columns of the table count the "
            "differences left once timestamps are written in UTC, and those of them on pages that show a post the "
            "editor changed: a stale page left by the editing would be there.",
            "",
        ]
    elif base:
        lines += [
            f"**Before any edit** the store `broadsheet serve` had just rendered already differed from a fresh build "
            f"in {base['finding_count']:,} of {base['pages']:,} pages ({base['beyond_time_zone_count']} once "
            "timestamps are compared in UTC), so `build --check` cannot be empty here whatever the editing does: "
            "listing pages carry `<time datetime>` in UTC (`+00:00`) in one build and in the site's zone (`+01:00` "
            "in summer time) in another, for the same post, and which pages come out which way changes from build "
            "to build, with no edit in between too. Most of the differences left once timestamps are compared in "
            "UTC are the same fault seen by readers: the day shown for a post published between 23:00 and midnight "
            "UTC in summer (a day archive such as `/2017/04/16/` showing its post as \"15 Apr\" in one build and "
            "\"16 Apr\" in the other). The last column of the table below counts the differences left once timestamps "
            "are written in UTC, and the next one those of them on pages that show a post the editor changed (the "
            "stored or the fresh page carries an edited title): a stale page left by the editing would be there.",
            "",
        ]
    rows = []
    for name in results["paths"]:
        for label, key in (("(a) broadsheet serve", "store"), ("(b) nginx", "nginx")):
            run = results["runs"].get(name, {}).get(key)
            if run is None:
                continue
            check = run["check"]
            rows.append([
                name, label, f"**{run['requests_per_second']:,.0f}**", f"{run['p50_ms']:.2f}", f"{run['p99_ms']:.2f}",
                run["non_200"], run["socket_errors"],
                f"{run['edits']} ({run['edits_of_posts_on_page']} on this page)" + (
                    f", {len(run['edit_errors'])} failed" if run["edit_errors"] else ""),
                f"{run['save_ms_median']:.0f} / {run['save_ms_max']:.0f}" if run["save_ms_median"] is not None else "-",
                "yes" if run["shows_last_edit"] else f"**no** (stale: {', '.join(run['stale_after_1s']) or '-'})",
                ("empty" if check["empty"] else f"**{check['finding_count']:,} differences**")
                + f" ({check['deferred_rendered_first']} deferred)",
                check["beyond_time_zone_count"], check.get("showing_edited_posts_count", "-"),
                f"{run['other_load_cores']:.2f}",
            ])  # fmt: skip
    lines.append(benchlib.markdown_table(
        ["Page", "Server", "Requests/s", "p50 ms", "p99 ms", "Not 2xx/304", "Socket errors", "Edits",
         "Save ms median / max", "Shows last edit after 1 s", "`build --check`",
         "Differences beyond the time zone", "Of those, on pages showing an edited post", "Other load (cores)"],
        rows))  # fmt: skip
    lines += ["", "### Against the F-1 targets", ""]
    base = results.get("baseline_check")
    rows = []
    for name in results["paths"]:
        store = results["runs"].get(name, {}).get("store")
        nginx = results["runs"].get(name, {}).get("nginx")
        for label, run in (("`broadsheet serve`", store), ("nginx", nginx)):
            if run:
                rows.append([f"{name}, {label}: 0 socket errors, 0 answers other than 2xx/304",
                             f"{run['socket_errors']} socket errors, {run['non_200']} other answers",
                             "met" if _ok(run) else "**missed**"])  # fmt: skip
                check = run["check"]
                known = set(base["beyond_time_zone"]) if base else set()
                new = [line for line in check["beyond_time_zone"] if line not in known]
                rows.append([f"{name}, {label}: `build --check` empty after the last edit + 1 s",
                             "empty" if check["empty"] else f"{check['finding_count']:,} differences, "
                             f"{check['beyond_time_zone_count']} beyond the time zone ({len(new)} of them not "
                             "found before any edit" + "".join(f", `{line}`" for line in new[:3])
                             + f"), {check.get('showing_edited_posts_count', '-')} on pages showing an edited post"
                             + "".join(f", `{url}`" for url in check.get("showing_edited_posts", [])[:3]),
                             "met" if check["empty"] else "**missed**"])  # fmt: skip
        if store and nginx:
            share = store["requests_per_second"] / nginx["requests_per_second"]
            rows.append([f"{name}: `broadsheet serve` at least {TARGET_NGINX_SHARE:.0%} of nginx",
                         f"{share:.0%} ({store['requests_per_second']:,.0f} against "
                         f"{nginx['requests_per_second']:,.0f}/s)",
                         "met" if share >= TARGET_NGINX_SHARE else "**missed**"])  # fmt: skip
    lines.append(benchlib.markdown_table(["Target", "Reached", "Verdict"], rows))
    lines += [
        "",
        "\"Other load\" is CPU used during the wrk run by processes other than the server measured and wrk: it "
        "includes the editor (its saves render the changed pages into the store) as well as any other work on "
        f"this shared machine. Before each run the script waits for the machine's load to fall below "
        f"{results['quiet_below']} cores (at most {results['quiet_timeout']:.0f} s).",
    ]
    waited = [run["waited_for_quiet_s"] for runs in results["runs"].values() for run in runs.values()]
    if results.get("note"):
        lines += ["", results["note"]]
    if any(wait >= results["quiet_timeout"] for wait in waited):
        lines += ["", "**The machine was not quiet** before some runs (the wait timed out); those rates are lower "
                  "than the machine can do."]  # fmt: skip
    return "\n".join(lines)


def write_docs(results: dict) -> None:
    text = benchlib.DOCS.read_text(encoding="utf-8")
    start, after = f"<!-- {SECTION}:start -->", "<!-- serve_stored:end -->"
    if start not in text and after in text:  # first run: place the section right after serve_stored's
        text = text.replace(after, f"{after}\n\n{start}\n<!-- {SECTION}:end -->", 1)
        benchlib.DOCS.write_text(text, encoding="utf-8")
    benchlib.update_section(SECTION, report(results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quiet-below", type=float, default=0.3)
    parser.add_argument("--quiet-timeout", type=float, default=300)
    parser.add_argument("--pages", default="", help="comma-separated subset: home, month, post")
    parser.add_argument("--note", default="", help="a sentence added to the docs section (e.g. why a threshold)")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--no-baseline", action="store_true", help="skip the store check before any edit")
    parser.add_argument("--report-only", action="store_true", help="rewrite the docs section from the last results")
    parser.add_argument("--editor", help=argparse.SUPPRESS)
    parser.add_argument("--check-store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.editor:
        return run_editor(json.loads(args.editor))
    if args.check_store:
        return run_check(json.loads(args.check_store))
    out = benchlib.RESULTS / f"{SECTION}.json"
    if args.report_only:
        results = json.loads(out.read_text())
        if args.note:  # a finding made after the run (written into the results too)
            results["note"] = args.note
            out.write_text(json.dumps(results, indent=2) + "\n")
        write_docs(results)
        return 0
    if args.duration > 120 or args.interval < 0.2:
        raise SystemExit("keep runs bounded: --duration at most 120 s, --interval at least 0.2 s")

    from build_static import ensure_debian_package
    from serve_stored import Nginx, _get
    from serve_uncached import WRK_SCRIPT, Server, cached_site, describe_site, free_port, warm_up

    if not ensure_debian_package("wrk", "wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if not ensure_debian_package("nginx", "nginx-light") and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("nginx is needed: apt-get install -y nginx-light")
    nginx_version = subprocess.run(["/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "nginx", "-v"],
                                   capture_output=True, text=True).stderr.strip().split("/")[-1]  # fmt: skip
    # F-1 counts answers other than 2xx and 304 (serve_uncached's hook counts everything but 200).
    condition = "if status == 200 then"
    assert condition in WRK_SCRIPT
    wrk_script = WRK_SCRIPT.replace(condition, "if (status >= 200 and status < 300) or status == 304 then")

    cache, _generation = cached_site(args.posts, args.seed, False)
    results: dict = {
        "when": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": " ".join(["bench/serve_while_publishing.py",
                             *[a for a in (argv if argv is not None else sys.argv[1:]) if a != "--no-docs"]]),
        "threads": args.threads, "connections": args.connections, "duration": args.duration,
        "interval": args.interval, "workers": args.workers, "nginx_version": nginx_version,
        "quiet_below": args.quiet_below, "quiet_timeout": args.quiet_timeout, "note": args.note,
        "machine": benchlib.machine_facts(), "runs": {},
    }  # fmt: skip
    (benchlib.RESULTS / f"{SECTION}-editor.log").write_text("")
    with tempfile.TemporaryDirectory(prefix="broadsheet-publishing-") as temporary:
        temporary = Path(temporary)
        home = temporary / "home"
        shutil.copytree(cache, home, ignore=shutil.ignore_patterns("generation.json"))
        site = describe_site(home)
        every = {"home": ("Home page", "/"), "month": ("Month archive", site["month_url"]),
                 "post": ("Post", site["post_url"])}  # fmt: skip
        chosen = [key.strip() for key in args.pages.split(",") if key.strip()] or list(every)
        paths = {every[key][0]: every[key][1] for key in chosen}
        picked = subprocess.run(_editor_command({"pick": True, "post_path": site["post_url"],
                                                 "month_path": site["month_url"]}),
                                env=_editor_env(home, "http://127.0.0.1"), capture_output=True, text=True, check=True)  # fmt: skip
        posts = json.loads(picked.stdout.strip().splitlines()[-1])
        results["site"], results["paths"] = site, paths
        results["posts_edited"] = json.loads(json.dumps(posts))
        script = temporary / "count.lua"
        script.write_text(wrk_script)
        print(f"Site: {site['posts']} posts; month {site['month_url']}; post {site['post_url']}; editing "
              + ", ".join(f"{role} #{post['id']} {post['path']}" for role, post in posts.items()), flush=True)

        port = free_port()
        args.site_url = f"http://127.0.0.1:{port}"  # what `broadsheet serve --port` sets when none is configured
        server = Server(home, port, args.workers, benchlib.RESULTS / f"{SECTION}-server.log",
                        {"BROADSHEET_SITE_URL": args.site_url})  # fmt: skip
        started = time.monotonic()
        server.start(timeout=1800)  # renders the whole store first
        print(f"broadsheet serve answered after {time.monotonic() - started:.0f} s (store rendered)", flush=True)
        nginx = Nginx(temporary / "nginx", home, port)
        try:
            nginx.start()
            for path in paths.values():
                for target in (port, nginx.port):
                    status, _body = _get(target, path)
                    assert status == 200, (path, target, status)
            if not args.no_baseline:  # the check before any edit, to tell what the edits changed
                results["baseline_check"] = _check_store(home, args.site_url)
                base = results["baseline_check"]
                print(f"  before any edit: build --check {base['finding_count']} differences, "
                      f"{base['beyond_time_zone_count']} beyond the time zone ({base['seconds']:.0f} s)", flush=True)
            warm_up(port, list(paths.values()), 3.0)
            warm_up(nginx.port, list(paths.values()), 3.0)
            number = 0
            for name, path in paths.items():
                results["runs"][name] = {}
                for label, key, target in (("(a) serve", "store", server), ("(b) nginx", "nginx", nginx)):
                    results["runs"][name][key] = measure_one(label, name, target, path, posts, home, args, script,
                                                             f"r{number}")  # fmt: skip
                    number += 1
                    out.write_text(json.dumps(results, indent=2) + "\n")  # kept as it goes
        finally:
            nginx.stop()
            server.stop()

    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Results: {out.relative_to(benchlib.REPO)}")
    if not args.no_docs:
        write_docs(results)
        print(f"Updated {benchlib.DOCS.relative_to(benchlib.REPO)}")
    runs = [run for runs in results["runs"].values() for run in runs.values()]
    failed = any(not _ok(run) or not run["check"]["empty"] or not run["shows_last_edit"] for run in runs)
    for runs_of_page in results["runs"].values():
        if "store" in runs_of_page and "nginx" in runs_of_page:
            share = runs_of_page["store"]["requests_per_second"] / runs_of_page["nginx"]["requests_per_second"]
            failed = failed or share < TARGET_NGINX_SHARE
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
