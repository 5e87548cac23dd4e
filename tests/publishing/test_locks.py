"""The render lock: one writer at a time across processes, re-entrant within a thread."""

import fcntl
import multiprocessing
import os
import threading

import pytest
from django.db import connection

from broadsheet.publishing.locks import FileLock, PostgresAdvisoryLock


def _try_flock(path, answer):
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        answer.put("took it")
    except BlockingIOError:
        answer.put("held elsewhere")
    finally:
        os.close(fd)


def test_the_file_lock_excludes_other_processes_and_is_re_entrant(tmp_path):
    lock = FileLock(tmp_path / "_lock")
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    with lock():
        with lock():  # a render that triggers a render in the same thread
            child = context.Process(target=_try_flock, args=(tmp_path / "_lock", answer))
            child.start()
            child.join(30)
            assert answer.get(timeout=30) == "held elsewhere"
    child = context.Process(target=_try_flock, args=(tmp_path / "_lock", answer))
    child.start()
    child.join(30)
    assert answer.get(timeout=30) == "took it"


def test_the_file_lock_excludes_other_threads(tmp_path):
    lock = FileLock(tmp_path / "_lock")
    order = []

    def other():
        with lock():
            order.append("other")

    with lock():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive()  # waiting for the lock
        order.append("first")
    thread.join(10)
    assert order == ["first", "other"]


@pytest.mark.django_db(transaction=True)
def test_the_postgres_advisory_lock_excludes_other_sessions():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    import psycopg

    lock = PostgresAdvisoryLock("/srv/pages")
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT'] or 5432} user={settings['USER']} dbname={settings['NAME']}"
    if settings.get("PASSWORD"):
        dsn += f" password={settings['PASSWORD']}"
    with psycopg.connect(dsn, autocommit=True) as other:
        with lock(), lock():
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [lock.key]).fetchone()[0] is False
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [lock.key]).fetchone()[0] is True
        other.execute("SELECT pg_advisory_unlock(%s)", [lock.key])
