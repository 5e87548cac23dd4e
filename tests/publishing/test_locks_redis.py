"""The render lock in Redis (``BROADSHEET_REDIS_URL``): exclusion across processes, expiry of a dead holder, renewal.

Needs a Redis server: ``BROADSHEET_TEST_REDIS_URL`` (CI sets it; ``.ci/run`` starts Redis).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from broadsheet.publishing.locks import FileLock, get_render_lock
from broadsheet.publishing.locks_redis import RedisRenderLock, lock_key

REDIS_URL = os.environ.get("BROADSHEET_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="BROADSHEET_TEST_REDIS_URL is not set (CI sets it)")


@pytest.fixture
def client():
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    yield connection
    connection.close()


def _count_under_lock(root: str, counter: str, times: int) -> None:
    import redis

    lock = RedisRenderLock(root, redis.Redis.from_url(REDIS_URL))
    for _ in range(times):
        with lock():
            with open(counter) as handle:
                value = int(handle.read())
            time.sleep(0.002)  # widen the window a missing lock would lose an update in
            with open(counter, "w") as handle:
                handle.write(str(value + 1))


def test_processes_take_turns(tmp_path):
    counter = tmp_path / "counter"
    counter.write_text("0")
    context = multiprocessing.get_context("spawn")  # like separate app processes: nothing shared
    workers = [context.Process(target=_count_under_lock, args=(str(tmp_path), str(counter), 40)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert counter.read_text() == "120"


def _hold_for_ever(root: str, ready) -> None:
    import redis

    lock = RedisRenderLock(root, redis.Redis.from_url(REDIS_URL), timeout=1.0)
    with lock():
        ready.set()
        time.sleep(600)


def test_a_dead_holders_lock_expires(tmp_path, client):
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_for_ever, args=(str(tmp_path), ready))
    holder.start()
    assert ready.wait(60)
    os.kill(holder.pid, signal.SIGKILL)  # dies holding it: no release, no more renewals
    holder.join(30)
    acquired = threading.Event()

    def take():
        with RedisRenderLock(tmp_path, client, timeout=1.0)():
            acquired.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    thread.join(60)
    assert acquired.is_set()


def test_a_held_lock_is_renewed_past_its_timeout(tmp_path, client):
    lock = RedisRenderLock(tmp_path, client, timeout=0.6)
    with lock():
        time.sleep(1.5)  # more than twice the timeout: only renewals keep the key
        assert client.exists(lock_key(tmp_path)) == 1
        assert client.set(lock_key(tmp_path), b"intruder", nx=True) is None  # nobody else can take it
    assert client.exists(lock_key(tmp_path)) == 0  # released at the end


def test_the_lock_is_reentrant_within_a_thread(tmp_path, client):
    lock = RedisRenderLock(tmp_path, client)
    with lock():
        with lock():
            assert client.exists(lock_key(tmp_path)) == 1
        assert client.exists(lock_key(tmp_path)) == 1
    assert client.exists(lock_key(tmp_path)) == 0


def test_get_render_lock_uses_redis_when_configured(settings, tmp_path):
    settings.REDIS_URL = REDIS_URL
    lock = get_render_lock(tmp_path / "store")
    assert isinstance(lock, RedisRenderLock)
    assert get_render_lock(tmp_path / "store") is lock  # one per store and process (re-entrancy needs it)
    settings.REDIS_URL = ""
    assert isinstance(get_render_lock(tmp_path / "store"), FileLock)
