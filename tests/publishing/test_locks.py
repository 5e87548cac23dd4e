"""The render lock: one writer at a time across processes, re-entrant within a thread."""

import fcntl
import multiprocessing
import os
import threading

from broadsheet.publishing.locks import FileLock


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
