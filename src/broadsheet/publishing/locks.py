"""Locks that serialise writes to the page store.

Every change to the store (an incremental render after a publish, a full
refresh, scheduled posts going live) runs inside the render lock and reads
the database after taking it. So when two processes publish at once, the one
that renders last started after the other's commit and writes the newer
page: a page is never left stale by a race.

A lock is any context manager factory: ``with lock(): ...``. The file lock
serialises processes that share one store folder on one machine (granian's
workers, a CLI import next to ``serve``); the Redis lock (``locks_redis``)
adds processes that share a Redis server. Another kind plugs in by
subclassing ``ReentrantLock`` and being returned by ``get_render_lock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path
from typing import Protocol


class RenderLock(Protocol):
    def __call__(self, *, blocking: bool = True) -> contextlib.AbstractContextManager: ...


class LockBusy(Exception):
    """Another holder has the lock (raised on entering ``lock(blocking=False)``)."""


class ReentrantLock:
    """A cross-process lock that is re-entrant within a thread.

    A render that triggers another render (a scheduled post going live during a
    refresh) must not deadlock on its own lock: a thread that already holds it
    just goes on. Subclasses say how the lock is taken across processes, in
    ``_held()``.
    """

    def __init__(self):
        self._local = threading.local()

    @contextlib.contextmanager
    def __call__(self, *, blocking: bool = True):
        """Hold the lock; with ``blocking=False``, raise ``LockBusy`` at once if another holder has it."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        with self._held(blocking):
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0

    def _held(self, blocking: bool) -> contextlib.AbstractContextManager:
        raise NotImplementedError


class FileLock(ReentrantLock):
    """An exclusive ``flock`` on a file: one holder at a time across processes and threads."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = Path(path)

    @contextlib.contextmanager
    def _held(self, blocking: bool = True):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise LockBusy(str(self.path)) from error
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def get_render_lock(store_root: Path) -> RenderLock:
    """Return the lock for writes to the store at ``store_root``.

    The file lock (it also covers processes that do not share a database
    connection); with ``BROADSHEET_REDIS_URL`` set, a Redis lock around it
    (``locks_redis``), for processes on several machines.
    """
    from django.conf import settings

    if getattr(settings, "REDIS_URL", ""):
        from broadsheet.publishing.locks_redis import get_redis_render_lock

        return get_redis_render_lock(store_root, settings.REDIS_URL)
    return _file_locks.setdefault(str(store_root), FileLock(Path(store_root) / "_lock"))


_file_locks: dict[str, FileLock] = {}
