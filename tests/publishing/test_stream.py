"""The stream of changes between machines' page stores (stream.py): applying entries, following, receipts.

Applying entries needs no Redis; following and receipts need ``BROADSHEET_TEST_REDIS_URL`` (CI sets it).
The two-machine test against PostgreSQL and Redis is test_machines.py.
"""

from __future__ import annotations

import os
import time

import pytest

from broadsheet.content.models import Post
from broadsheet.publishing.publish import apply_stream_entries, is_stale
from broadsheet.publishing.stream import Entry, Follower, store_identity

REDIS_URL = os.environ.get("BROADSHEET_TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="BROADSHEET_TEST_REDIS_URL is not set (CI sets it)")


def _retitle_behind_the_store_s_back(post, title):
    """Change a post as another machine would: committed, but not rendered into this store."""
    Post.objects.filter(pk=post.pk).update(title=title)


def _stored(store, url) -> str:
    return store.read(store.pages()[url].file).decode()


def test_an_entry_from_another_store_renders_its_pages_here(site, store):
    posts, _about = site
    url = posts["july4"].get_absolute_url()
    _retitle_behind_the_store_s_back(posts["july4"], "Retitled elsewhere")
    report = apply_stream_entries(store, [Entry(render=[url, "/"], id="5-0", n=1, origin="elsewhere")],
                                  origin=store_identity(store))  # fmt: skip
    assert set(report.rendered) == {url, "/"}
    assert "Retitled elsewhere" in _stored(store, url) and "Retitled elsewhere" in _stored(store, "/")
    assert (store.meta("stream_at"), store.meta("stream_n")) == ("5-0", "1")


def test_entries_already_applied_or_from_this_store_render_nothing(site, store):
    posts, _about = site
    url = posts["july4"].get_absolute_url()
    own = store_identity(store)
    apply_stream_entries(store, [Entry(render=["/"], id="5-0", n=1, origin="elsewhere")], origin=own)
    _retitle_behind_the_store_s_back(posts["july4"], "Not from the stream")
    again = apply_stream_entries(store, [Entry(render=[url], id="5-0", n=1, origin="elsewhere")], origin=own)
    mine = apply_stream_entries(store, [Entry(render=[url], id="6-0", n=2, origin=own)], origin=own)
    assert again.rendered == [] and mine.rendered == []
    assert "Not from the stream" not in _stored(store, url)
    assert (store.meta("stream_at"), store.meta("stream_n"), is_stale(store)) == ("6-0", "2", False)


def test_a_missing_entry_marks_the_store_stale(site, store):
    own = store_identity(store)
    apply_stream_entries(store, [Entry(render=["/"], id="5-0", n=1, origin="elsewhere")], origin=own)
    assert not is_stale(store)
    apply_stream_entries(store, [Entry(render=["/"], id="9-0", n=3, origin="elsewhere")], origin=own)  # 2 lost
    assert is_stale(store) and store.read_version()["stale"] and (store.root / "_stale").exists()


def test_a_stale_mark_from_another_store_marks_this_one_stale(site, store):
    apply_stream_entries(store, [Entry(stale=True, id="5-0", n=1, origin="elsewhere")], origin=store_identity(store))
    assert is_stale(store)


def test_a_removal_elsewhere_removes_here_only_what_no_longer_renders(site, store):
    posts, _about = site
    gone, kept = posts["july4"], posts["july3"]
    Post.objects.filter(pk=gone.pk).update(status="draft")
    entry = Entry(remove=[gone.get_absolute_url(), kept.get_absolute_url()], id="5-0", n=1, origin="elsewhere")
    apply_stream_entries(store, [entry], origin=store_identity(store))
    assert gone.get_absolute_url() not in store.pages()
    assert kept.get_absolute_url() in store.pages()  # still renders: rendered again, not removed blindly


# -- following, against a real Redis ---------------------------------------------------------------


@pytest.fixture
def redis_stream(settings, store):
    """Redis configured for the store; the stream (named after the test database) emptied before and after."""
    from broadsheet.publishing.stream import client, stream_key

    settings.REDIS_URL = REDIS_URL
    key = stream_key()
    names = [key, key + ":n", key + ":followers", key + ":received"]
    client().delete(*names)
    yield client(), key
    client().delete(*names)


def _add(connection, key, entry: Entry, origin: str) -> str:
    from broadsheet.publishing.stream import _ADD, MAXLEN

    entry_id, _n = connection.eval(_ADD, 2, key, key + ":n", MAXLEN, origin, entry.encode())
    return entry_id.decode()


@needs_redis
def test_a_follower_answers_only_in_step_with_the_stream(site, store, redis_stream):
    connection, key = redis_stream
    follower = Follower(store)
    follower.received = "0-0"
    assert not follower.allows("/")  # not read yet: it cannot know what changed
    follower.read_once()
    assert follower.allows("/")

    posts, _about = site
    url = posts["july4"].get_absolute_url()
    _retitle_behind_the_store_s_back(posts["july4"], "Changed on machine A")
    _add(connection, key, Entry(render=[url, "/"]), "machine-a")
    follower.read_once()
    assert not follower.allows(url) and not follower.allows("/")  # read, not yet in this store
    assert follower.allows(posts["may"].get_absolute_url())  # pages the change did not touch still answer
    follower.apply(follower._queue.get_nowait())
    assert follower.allows(url) and "Changed on machine A" in _stored(store, url)

    _add(connection, key, Entry(parts=True), "machine-a")
    follower.read_once()
    assert not follower.allows(posts["may"].get_absolute_url())  # site-wide parts: every page waits

    follower.serving_until = time.monotonic() - 1  # its lease lapsed (Redis unreachable for LEASE seconds)
    assert not follower.allows(url)


@needs_redis
def test_an_announcement_waits_for_the_receipts_of_other_stores_followers(site, store, redis_stream):
    from broadsheet.publishing.stream import wait_for_receipts

    connection, key = redis_stream
    follower = Follower(store)
    follower.received = "0-0"
    follower.read_once()  # registered
    entry_id = _add(connection, key, Entry(render=["/"]), "machine-a")
    assert wait_for_receipts(connection, key, entry_id, "machine-a", timeout=0.2) == [follower.member]
    assert wait_for_receipts(connection, key, entry_id, follower.origin, timeout=0.2) == []  # its own store
    follower.read_once()  # reads the entry
    follower.read_once()  # acknowledges it as it renews its registration
    assert wait_for_receipts(connection, key, entry_id, "machine-a", timeout=0.2) == []
