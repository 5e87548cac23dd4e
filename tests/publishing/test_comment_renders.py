"""What a reader's comment costs the page store, and what happens when the render lock is busy.

A comment posted through the form is saved outside a transaction, so the render runs as soon
as the save's receivers have noted the comment and its post (``changes.note_changed`` takes
them in one call: a post noted alone afterwards would look new and re-render every listing
it is in). Feeds show no comment count, so a comment renders no listing feed. In a server
process, a comment that finds the render lock held by another render does not wait: its
pages leave the store (Django answers them, the new comment shown) and are rendered later.
"""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
from django.test import Client

from broadsheet.comments.models import Comment
from broadsheet.publishing import changes, publish
from broadsheet.publishing.build import check_store
from broadsheet.publishing.locks import LockBusy, get_render_lock
from broadsheet.publishing.publish import drain_pending, recent_reports, refresh_store
from tests.publishing.conftest import build_small_site

POST = "/2010/07/02/july-two/"
POST_FEEDS = {POST + "feed/", POST + "feed/atom/"}
LISTING_FEEDS = {"/feed/", "/feed/atom/", "/category/cities/feed/", "/tag/housing/feed/", "/author/bob-baker/feed/"}


@pytest.fixture
def committed_site(transactional_db, store):
    """The small site in committed rows (comments are saved outside a transaction, as the form saves them)."""
    posts, _about = build_small_site()
    changes.reset()
    refresh_store(store, workers=1)
    recent_reports.clear()
    return posts


def _rendered() -> set[str]:
    return {url for report in recent_reports for url in report.rendered}


def _assert_store_is_current(store):
    check = check_store(store, workers=1)
    assert (check.differ, check.missing, check.extra, check.parts_differ) == ([], [], [], [])


def test_a_held_comment_renders_nothing_and_an_approved_one_no_listing_feed(committed_site, store):
    post = committed_site["july2"]
    Comment.objects.create(post=post, author_name="Held", body="Wait for it.", status="pending")
    assert _rendered() == set()  # shown nowhere: the post's pages are as they were

    Comment.objects.create(post=post, author_name="Ann", body="Hello.", status="approved")
    rendered = _rendered()
    assert {POST, "/comments/feed/", "/comments/feed/atom/", "/page/2/"} | POST_FEEDS <= rendered
    assert not rendered & LISTING_FEEDS  # their items show no comment count
    assert b"Hello." in store.read("2010/07/02/july-two/index.html")
    _assert_store_is_current(store)


def test_a_comment_that_finds_the_render_lock_busy_leaves_its_pages_to_django_until_drained(
    committed_site, store, monkeypatch
):
    monkeypatch.setitem(publish.DEFERRED_MODE, "mode", "manual")  # as a server, minus the background thread
    post = committed_site["july2"]
    held = os.open(store.root / "_lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)  # another render is running
    try:
        comment = Comment.objects.create(post=post, author_name="Ann", body="Busy here.", status="approved")
        assert not recent_reports  # it did not wait to render
        stored = store.pages()
        assert POST not in stored and not POST_FEEDS & set(stored)  # withdrawn: Django answers them
        assert {POST, "/comments/feed/", "/page/2/"} | POST_FEEDS <= set(store.pending())
        assert "/feed/" in stored  # untouched pages stay
        response = Client().get(POST)
        assert response.status_code == 200 and f'id="comment-{comment.pk}"'.encode() in response.content
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
        os.close(held)

    assert drain_pending(store) >= 5
    assert store.pending() == []
    assert b"Busy here." in store.read("2010/07/02/july-two/index.html")
    _assert_store_is_current(store)


def test_the_render_lock_taken_without_waiting(tmp_path):
    lock = get_render_lock(tmp_path)
    with lock(blocking=False):
        with lock(blocking=False):  # re-entrant in the holding thread
            pass
    held = os.open(tmp_path / "_lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        with pytest.raises(LockBusy), lock(blocking=False):
            pass
    finally:
        os.close(held)
    with lock(blocking=False):
        pass


REDIS_URL = os.environ.get("BROADSHEET_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="BROADSHEET_TEST_REDIS_URL is not set (CI sets it)")
def test_the_redis_render_lock_taken_without_waiting(tmp_path):
    import redis

    from broadsheet.publishing.locks_redis import RedisRenderLock

    client = redis.Redis.from_url(REDIS_URL)
    lock, other = RedisRenderLock(tmp_path, client), RedisRenderLock(tmp_path, client)
    try:
        with lock(blocking=False):
            holder_done = []

            def try_elsewhere():  # another holder (its own thread: the lock is re-entrant in this one)
                try:
                    with other(blocking=False):
                        holder_done.append("taken")
                except LockBusy:
                    holder_done.append("busy")

            thread = threading.Thread(target=try_elsewhere)
            thread.start()
            thread.join()
            assert holder_done == ["busy"]
        held = os.open(tmp_path / "_lock", os.O_RDWR)
        fcntl.flock(held, fcntl.LOCK_EX)  # a process on this machine without Redis configured
        try:
            with pytest.raises(LockBusy), lock(blocking=False):
                pass
        finally:
            os.close(held)
        with lock(blocking=False):  # the Redis key was given back when the file lock was busy
            pass
    finally:
        client.close()
