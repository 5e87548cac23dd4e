"""Twenty clients posting comments at once for thirty seconds, on SQLite, through a real server.

The server is ``broadsheet serve`` itself (granian, several worker
processes, each with its own connection to the SQLite file in a fresh
``BROADSHEET_HOME``). Every answer is recorded; afterwards the database file
is read directly. Every accepted comment (a 303 naming its id) must be
stored, nothing may answer 500, and no answer may mention "database is
locked". Select it with ``pytest -m concurrency``; it runs in the normal suite.
"""

from __future__ import annotations

import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest

pytestmark = pytest.mark.concurrency

REPO = pathlib.Path(__file__).resolve().parents[2]
CLIENTS = 20
SECONDS = 30
WORKERS = 3


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(home: pathlib.Path, port: int, log: pathlib.Path) -> subprocess.Popen:
    environment = {**os.environ, "BROADSHEET_HOME": str(home), "BROADSHEET_SITE_URL": f"http://127.0.0.1:{port}"}
    environment.pop("DATABASE_URL", None)  # the embedded SQLite file, whatever the suite runs on
    environment["DJANGO_SETTINGS_MODULE"] = "tests.comments.concurrency_settings"
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environment.get("PYTHONPATH", "")]))
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "broadsheet", "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=environment, stdout=output, stderr=subprocess.STDOUT, cwd=REPO,
        )  # fmt: skip


def _wait_until_serving(base: str, server: subprocess.Popen, log: pathlib.Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not answer:\n{log.read_text()}")


def _open_post(database: pathlib.Path) -> int:
    """Return an open post, and let approved commenters through without a first approval.

    Stamped clients' comments are then approved (the busiest path: it also bumps the
    content version), unstamped ones held.
    """
    with sqlite3.connect(database, timeout=30) as connection:
        connection.execute("UPDATE content_sitesettings SET comments_require_approved_before = 0")
        row = connection.execute(
            "SELECT id FROM content_post WHERE status = 'publish' AND password = '' AND comment_status = 'open' "
            "ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
    assert row, "the sample site has no open post"
    return row[0]


def _client(number: int, base: str, post_id: int, stop_at: float, results: list) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    stamp = ""
    if number % 2:  # half the clients run the form's script: a stamp from the server, a few seconds old
        with urllib.request.urlopen(base + "/comments/stamp/", timeout=30) as response:
            stamp = response.read().decode().split('"stamp": "')[1].split('"')[0]
        time.sleep(3.5)
    sequence = 0
    while time.monotonic() < stop_at:
        sequence += 1
        form = {
            "comment_post_ID": str(post_id), "comment_parent": "0", "comment_reference": "", "comment_stamp": stamp,
            "author": f"Client {number}", "email": f"client{number}@example.net", "url": "",
            "comment": f"Comment {sequence} from client {number}: concurrency is a conversation.",
        }  # fmt: skip
        request = urllib.request.Request(
            base + "/comments/post/", data=urllib.parse.urlencode(form).encode(), method="POST",
            headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        try:
            with opener.open(request, timeout=60) as response:
                results.append((response.status, response.headers.get("Location", ""), response.read().decode()))
        except urllib.error.HTTPError as error:
            results.append((error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")))
        except OSError as error:  # a timeout: the comment may or may not have been stored
            results.append((None, "", repr(error)))


def _comment_id(location: str) -> int | None:
    found = re.search(r"(?:#comment-|unapproved=)(\d+)", location)
    return int(found.group(1)) if found else None


def test_twenty_clients_post_comments_for_thirty_seconds(tmp_path):
    home, port = tmp_path / "home", _free_port()
    base, log = f"http://127.0.0.1:{port}", tmp_path / "server.log"
    server = _start_server(home, port, log)
    try:
        _wait_until_serving(base, server, log)
        post_id = _open_post(home / "broadsheet.sqlite3")
        results: list = []
        stop_at = time.monotonic() + SECONDS
        threads = [threading.Thread(target=_client, args=(n, base, post_id, stop_at, results)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=60)

    server_log = log.read_text()
    assert "database is locked" not in server_log and "Traceback" not in server_log, server_log[-3000:]
    statuses = Counter(status for status, _location, _body in results)
    assert not any("database is locked" in body for _status, _location, body in results)
    assert statuses[500] == 0, statuses
    accepted = [_comment_id(location) for status, location, _body in results if status and 200 <= status < 400]
    assert None not in accepted, "an accepted comment's answer did not name it"
    unanswered = statuses[None]
    with sqlite3.connect(home / "broadsheet.sqlite3") as connection:
        stored = {row[0] for row in connection.execute("SELECT id FROM comments_comment WHERE post_id = ?", (post_id,))}
        by_status = dict(connection.execute("SELECT status, count(*) FROM comments_comment GROUP BY status").fetchall())
        writers = connection.execute("SELECT count(DISTINCT author_email) FROM comments_comment").fetchone()[0]
    assert set(accepted) <= stored, "accepted comments are missing from the database"
    assert len(accepted) == len(set(accepted)), "two answers named the same comment"
    assert len(accepted) <= len(stored) <= len(accepted) + unanswered
    # Every client got comments through, and nothing but 303s came back (rate limit raised, texts unique).
    assert set(statuses) <= {303, None}, statuses
    assert writers == CLIENTS
    # Stamped clients waited longer than the minimum fill time: approved; the others held, none spam.
    assert set(by_status) == {"approved", "pending"}, by_status
    print(f"\n{len(results)} posts in {SECONDS} s by {CLIENTS} clients: {dict(statuses)}; stored {len(stored)} {by_status}")
