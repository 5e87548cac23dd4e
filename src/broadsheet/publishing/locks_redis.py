"""The render lock held in Redis, for app processes on several machines (``BROADSHEET_REDIS_URL``).

``locks.get_render_lock`` returns a ``RedisRenderLock`` when Redis is
configured. It takes a Redis lock named after the store's folder (every
process that writes to the same store folder, mounted at the same path,
shares it), then the store's file lock (which also covers a process on the
same machine that was started without Redis configured).

The Redis lock is redis-py's ``Lock`` (``SET key token NX PX``, released by a
script that deletes the key only if it still holds this holder's token). It
expires ``TIMEOUT`` seconds after its last renewal, so a holder that dies (a
killed worker, a lost machine) cannot block rendering for ever; while it is
held, a watchdog thread renews it every third of that time, so a long render
(a full refresh of a large site) keeps it. Re-entrant within a thread, as the
file lock is.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from pathlib import Path

from broadsheet.publishing.locks import FileLock, LockBusy, ReentrantLock

log = logging.getLogger("broadsheet.publishing")

TIMEOUT = 30.0  # seconds without renewal after which a dead holder's lock expires
POLL = 0.02  # seconds between attempts while another process holds the lock


def lock_key(store_root: Path | str) -> str:
    digest = hashlib.blake2b(str(Path(store_root)).encode(), digest_size=10).hexdigest()
    return f"broadsheet:render-lock:{digest}"


class RedisRenderLock(ReentrantLock):
    """One holder at a time, across processes and machines, for the store at ``store_root``."""

    def __init__(self, store_root: Path | str, client, *, timeout: float = TIMEOUT):
        super().__init__()
        self.key = lock_key(store_root)
        self.client = client
        self.timeout = timeout
        self.file_lock = FileLock(Path(store_root) / "_lock")

    @contextlib.contextmanager
    def _held(self, blocking: bool = True):
        lock = self.client.lock(self.key, timeout=self.timeout, sleep=POLL, thread_local=False)
        if not lock.acquire(blocking=blocking):
            raise LockBusy(self.key)
        stop = threading.Event()
        watchdog = threading.Thread(target=self._renew, args=(lock, stop), name="broadsheet-lock-renewal", daemon=True)
        watchdog.start()
        try:
            with self.file_lock(blocking=blocking):
                yield
        finally:
            stop.set()
            watchdog.join()
            try:
                lock.release()
            except Exception as error:  # expired and taken by another holder: nothing of ours to release
                log.error("The render lock %s was lost before its release: %s", self.key, error)

    def _renew(self, lock, stop: threading.Event) -> None:
        while not stop.wait(self.timeout / 3):
            try:
                lock.reacquire()
            except Exception as error:
                log.error("Could not renew the render lock %s: %s", self.key, error)
                return


_clients: dict[str, object] = {}
_locks: dict[tuple[str, str], RedisRenderLock] = {}
_guard = threading.Lock()


def get_redis_render_lock(store_root: Path | str, redis_url: str) -> RedisRenderLock:
    """Return the (per-process) Redis render lock of the store at ``store_root``."""
    import redis

    with _guard:
        client = _clients.get(redis_url)
        if client is None:
            client = _clients[redis_url] = redis.Redis.from_url(redis_url)
        key = (redis_url, str(store_root))
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = RedisRenderLock(store_root, client)
        return lock
