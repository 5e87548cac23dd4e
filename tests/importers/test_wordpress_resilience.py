"""The WordPress import survives being killed and keeps its memory flat.

Both tests run the real command (``python -m broadsheet manage import_wordpress``) in
subprocesses on exports written by bench/generate_wxr.py, each into its own
BROADSHEET_HOME (SQLite), and read the results with sqlite3 directly. Neither relies on
wall-clock speed: the kill waits for committed rows, the memory test compares the kernel's
peak-RSS figures of two imports.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOTAL_TIMEOUT = 180  # seconds; a bound for hung imports, not a speed assertion


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate_wxr", REPO / "bench" / "generate_wxr.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_wxr = _generator()


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["BROADSHEET_HOME"] = str(home)
    env.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    return env


def _command(export: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "broadsheet", "manage", "import_wordpress", str(export), "--no-progress", *options]


def _start(export: Path, home: Path, log_name: str = "import.log", *options: str) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    log = (home / log_name).open("w")
    process = subprocess.Popen(
        _command(export, *options), env=_env(home), stdout=log, stderr=subprocess.STDOUT, cwd=REPO
    )
    log.close()
    return process


def _finish(process: subprocess.Popen, home: Path, log_name: str = "import.log") -> None:
    try:
        code = process.wait(timeout=TOTAL_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"import did not finish in {TOTAL_TIMEOUT} s")
    assert code == 0, (home / log_name).read_text()


def _database(home: Path) -> Path:
    return home / "broadsheet.sqlite3"


def _committed_posts(home: Path) -> int:
    """Posts committed so far, read through a read-only connection (0 while the schema is missing)."""
    db = _database(home)
    if not db.exists():
        return 0
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.OperationalError:
        return 0
    try:
        return connection.execute("SELECT count(*) FROM content_post").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet, or locked for a moment
        return 0
    finally:
        connection.close()


SUMMARY_QUERIES = {
    "posts by status": "SELECT status, count(*) FROM content_post GROUP BY status ORDER BY status",
    "pages by status": "SELECT status, count(*) FROM content_page GROUP BY status ORDER BY status",
    "comments by status": "SELECT status, count(*) FROM comments_comment GROUP BY status ORDER BY status",
    "comment replies": "SELECT count(*) FROM comments_comment WHERE parent_id IS NOT NULL",
    "authors": "SELECT count(*) FROM content_author",
    "bylines": "SELECT count(*) FROM content_postauthor",
    "categories": "SELECT count(*) FROM content_category",
    "tags": "SELECT count(*) FROM content_tag",
    "post categories": "SELECT count(*) FROM content_post_categories",
    "post tags": "SELECT count(*) FROM content_post_tags",
    "wordpress items": "SELECT post_type, count(*) FROM wordpress_wordpressitem GROUP BY post_type ORDER BY post_type",
    "wordpress comments": "SELECT count(*), count(comment_id) FROM wordpress_wordpresscomment",
    "wordpress terms": "SELECT count(*) FROM wordpress_wordpressterm",
    "old paths": "SELECT count(*) FROM legacy_oldpath",
    "search documents": "SELECT kind, count(*) FROM search_searchdocument GROUP BY kind ORDER BY kind",
    # The same rows, not only the same numbers: WordPress's IDs are kept as primary keys.
    "posts": "SELECT id, slug, status, published_at, password FROM content_post ORDER BY id",
    "comments": "SELECT id, post_id, parent_id, status, kind FROM comments_comment ORDER BY id",
}

INTEGRITY_QUERIES = {
    "duplicate items": "SELECT site_id, wp_id FROM wordpress_wordpressitem GROUP BY site_id, wp_id HAVING count(*) > 1",
    "duplicate comments": "SELECT site_id, wp_id FROM wordpress_wordpresscomment GROUP BY site_id, wp_id HAVING count(*) > 1",
    "posts without their item": (
        "SELECT id FROM content_post WHERE id NOT IN "
        "(SELECT post_id FROM wordpress_wordpressitem WHERE post_id IS NOT NULL)"
    ),
    "comments without their record": (
        "SELECT id FROM comments_comment WHERE id NOT IN "
        "(SELECT comment_id FROM wordpress_wordpresscomment WHERE comment_id IS NOT NULL)"
    ),
    "duplicate search documents": (
        "SELECT kind, object_id FROM search_searchdocument GROUP BY kind, object_id HAVING count(*) > 1"
    ),
    "foreign keys": "PRAGMA foreign_key_check",
}


def _summary(home: Path) -> dict:
    connection = sqlite3.connect(f"file:{_database(home)}?mode=ro", uri=True)
    try:
        summary = {name: connection.execute(sql).fetchall() for name, sql in SUMMARY_QUERIES.items()}
        problems = {name: connection.execute(sql).fetchall() for name, sql in INTEGRITY_QUERIES.items()}
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return {"summary": summary, "problems": {k: v for k, v in problems.items() if v}, "integrity": integrity}


def _reader_processes(home: Path) -> list[int]:
    """Return the IDs of the running reader processes of imports into ``home``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
            environment = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"broadsheet.importers.wordpress.preparation" in command and f"BROADSHEET_HOME={home}\0".encode() in environment:
            found.append(int(proc.name))
    return found


def _kill_mid_import(export: Path, home: Path, total_posts: int) -> int | None:
    """Start the import (with its reader process), SIGKILL it once some posts are committed.

    Return how many were, or None if it finished first. The reader process, left alone, must end.
    """
    process = _start(export, home, "killed.log", "--reader-process")
    deadline = time.monotonic() + TOTAL_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None  # finished (or failed) before we could kill it
            committed = _committed_posts(home)
            if committed > 0:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                assert process.returncode == -signal.SIGKILL
                committed = _committed_posts(home)
                while _reader_processes(home):  # its next write to the dead loader fails, and it ends
                    assert time.monotonic() < deadline, "the reader process outlived the killed import"
                    time.sleep(0.05)
                return committed if committed < total_posts else None
            time.sleep(0.02)
        pytest.fail(f"no post was committed within {TOTAL_TIMEOUT} s; see {home / 'killed.log'}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_import_killed_with_sigkill_resumes_to_the_same_site(tmp_path):
    """kill -9 in the middle of the import, run it again: the site equals a clean import's.

    The killed import reads the export in a second process and the reference in one, so the
    two ways of importing are compared too.
    """
    posts, comments = 600, 3000  # several batches of BATCH_SIZE (100) items
    for attempt in range(3):  # a bigger file if the import finished before it could be killed
        export = tmp_path / f"site-{posts}.xml"
        counts = generate_wxr.generate(export, posts=posts, comments=comments, seed=7)
        clean_home, resumed_home = tmp_path / f"clean-{attempt}", tmp_path / f"resumed-{attempt}"
        clean = _start(export, clean_home, "import.log", "--no-reader-process")  # alongside: the reference site
        committed = _kill_mid_import(export, resumed_home, posts)
        if committed is not None:
            break
        clean.kill()
        clean.wait()
        posts, comments = posts * 3, comments * 3
    else:
        pytest.fail("the import always finished before it could be killed")

    assert 0 < committed < posts
    integrity = _summary(resumed_home)["integrity"]
    assert integrity == [("ok",)], f"database damaged by the kill: {integrity}"

    resumed = _start(export, resumed_home, "resumed.log")
    _finish(resumed, resumed_home, "resumed.log")
    _finish(clean, clean_home)

    expected, got = _summary(clean_home), _summary(resumed_home)
    assert got["integrity"] == [("ok",)]
    assert got["problems"] == {}
    assert expected["problems"] == {}
    # The reference itself holds what the file holds.
    summary = expected["summary"]
    assert dict(summary["posts by status"]) == counts["posts_by_status"]
    assert sum(n for _, n in summary["pages by status"]) == counts["pages"]
    assert dict(summary["comments by status"]) == counts["comments_by_status"]
    assert summary["comment replies"] == [(counts["comment_replies"],)]
    assert summary["authors"] == [(counts["authors"],)]
    assert summary["categories"] == [(counts["categories"],)]
    assert summary["tags"] == [(counts["tags"],)]
    assert dict(summary["wordpress items"]) == {"post": posts, "page": counts["pages"]}
    # ... and the resumed import holds exactly the same.
    for name in SUMMARY_QUERIES:
        assert got["summary"][name] == summary[name], f"{name} differs after kill -9 and resume"


def _peak_rss_kb(process: subprocess.Popen) -> int:
    """Reap the process and return its peak resident set size (kB) as the kernel counted it."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_maxrss
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"import did not finish in {TOTAL_TIMEOUT} s")
        time.sleep(0.05)


def test_import_memory_stays_flat_as_the_export_grows(tmp_path):
    """Ten times the posts and comments: peak memory grows by less than 40 MB (streaming, batches)."""
    homes, processes = {}, {}
    for posts in (200, 2000):
        export = tmp_path / f"site-{posts}.xml"
        generate_wxr.generate(export, posts=posts, comments=2 * posts, seed=11)
        homes[posts] = tmp_path / f"home-{posts}"
        processes[posts] = _start(export, homes[posts])
    peaks = {}
    for posts, process in processes.items():
        peaks[posts] = _peak_rss_kb(process) / 1024
        assert process.returncode == 0, (homes[posts] / "import.log").read_text()
    growth = peaks[2000] - peaks[200]
    assert growth < 40, (
        f"peak RSS {peaks[200]:.0f} MB for 200 posts, {peaks[2000]:.0f} MB for 2,000: "
        f"+{growth:.0f} MB; the import must not hold the whole site in memory"
    )
