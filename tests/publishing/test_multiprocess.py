"""Several app processes with PostgreSQL and Redis render consistently: concurrent edits leave no stale page.

Two editor processes (``concurrent_editor.py``, each its own Django) change
the same posts at the same time (titles, bodies, dates, slugs, status,
categories, tags), each change committed and then rendered into the shared
page store under the render lock, which Redis holds. Afterwards
``broadsheet build --check`` renders the whole site afresh and compares it
with the store, file by file: it must find no difference.

Needs ``BROADSHEET_TEST_POSTGRES_URL`` (a server where a database of the
test's own is created and dropped) and ``BROADSHEET_TEST_REDIS_URL``; CI sets
both (``.ci/run``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.publishing.deployment import machine_environment, postgres_database

POSTGRES_URL = os.environ.get("BROADSHEET_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("BROADSHEET_TEST_REDIS_URL", "")
REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        not (POSTGRES_URL and REDIS_URL),
        reason="needs BROADSHEET_TEST_POSTGRES_URL and BROADSHEET_TEST_REDIS_URL (CI sets both)",
    ),
    # It makes a PostgreSQL database of its own whatever the suite runs on: once is enough (the first pass).
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs in the suite's pass without DATABASE_URL"),
]


@pytest.fixture
def database_url():
    """A PostgreSQL database of this test's own (the subprocesses must see each other's commits)."""
    with postgres_database(POSTGRES_URL, "bs_multiprocess") as url:
        yield url


def _run(args: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    return result


@pytest.fixture
def forget_stream():
    """Delete the stream keys of the sites whose environments the test appends, from the shared Redis, at the end."""
    import redis

    environments: list[dict] = []
    yield environments
    code = "from broadsheet.publishing.stream import stream_key; print(stream_key())"
    connection = redis.Redis.from_url(REDIS_URL)
    for env in environments:
        named = _run([sys.executable, "-m", "broadsheet", "manage", "shell", "-c", code], env)
        key = named.stdout.strip().splitlines()[-1]
        connection.delete(key, key + ":n", key + ":followers", key + ":received")
    connection.close()


def test_two_processes_editing_the_same_posts_leave_no_stale_page(tmp_path, database_url, forget_stream):
    env = machine_environment(tmp_path / "home", database_url, REDIS_URL, "http://blog.example.org")
    broadsheet = [sys.executable, "-m", "broadsheet"]
    forget_stream.append(env)
    editor = [sys.executable, "-m", "tests.publishing.concurrent_editor"]
    migrated = _run([*broadsheet, "manage", "migrate", "--noinput"], env)
    assert migrated.returncode == 0, migrated.stderr
    created = _run([*editor, "setup"], env)
    assert created.returncode == 0, created.stderr
    stored = _run([*broadsheet, "build", "--store", "--workers", "1"], env)  # the store exists: changes are tracked
    assert stored.returncode == 0, stored.stdout + stored.stderr
    pages_before = len(list((tmp_path / "home" / "pages").rglob("index.html")))
    assert pages_before > 10

    go = tmp_path / "go"
    editors = [
        subprocess.Popen([*editor, "edit", "--seed", str(seed), "--changes", "25", "--go", str(go)], env=env,
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        for seed in (1, 2)
    ]
    go.touch()
    summaries = []
    for process in editors:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-4000:]
        summaries.append(json.loads(out.strip().splitlines()[-1]))
    assert all(summary["lock"] == "RedisRenderLock" for summary in summaries), summaries
    # The two really ran at the same time.
    assert max(s["started"] for s in summaries) < min(s["finished"] for s in summaries), summaries

    check = _run([*broadsheet, "build", "--check", "--workers", "1"], env)
    assert check.returncode == 0, check.stdout + check.stderr
