"""Scheduled posts go live in the store at their time, and comments close on time, with no cron job."""

import datetime
from unittest import mock

from django.utils import timezone

from broadsheet.publishing.build import check_store
from broadsheet.publishing.publish import next_due, publish_due
from broadsheet.publishing.serve import tick
from tests import factories


def _at(moment):
    """Pretend the clock reads ``moment`` (for Django's views and for the store)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _assert_current(store):
    check = check_store(store, workers=1)
    assert (check.differ, check.missing, check.extra, check.parts_differ) == ([], [], [], [])


def test_a_scheduled_post_goes_live_at_its_time(site, store, publishing):
    due = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    with publishing():
        post = factories.post("Tomorrow's news", due, status="future")
    path = post.get_absolute_url()
    assert path not in store.pages()
    assert store.read_version()["next_due"] == due.timestamp()  # the server knows when to look again
    assert b"Tomorrow" not in store.read("_parts/sidebar.html")

    with _at(due - datetime.timedelta(seconds=1)):
        assert publish_due(store).rendered == []  # not yet
    with _at(due + datetime.timedelta(seconds=1)):
        report = publish_due(store)
        assert path in report.rendered and "/" in report.rendered
        assert b"Tomorrow&#39;s news" in store.read("_parts/sidebar.html")  # recent posts
        assert store.read_version()["next_due"] is None
        assert publish_due(store).rendered == []  # done once
        _assert_current(store)


def test_the_server_s_background_thread_publishes_what_is_due(site, store, publishing):
    due = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)
    with publishing():
        post = factories.post("Soon", due)  # "publish" with a future date is scheduled too
    assert tick(store) == ""
    with _at(due + datetime.timedelta(seconds=1)), mock.patch("time.time", return_value=due.timestamp() + 1):
        assert tick(store) == "published"
        assert post.get_absolute_url() in store.pages()


def test_comments_close_after_the_site_s_days(site, store, publishing):
    posts, _about = site
    now = timezone.now().replace(microsecond=0)
    with publishing():
        factories.site(comments_close_after_days=10)
    from broadsheet.publishing.publish import refresh_store

    refresh_store(store, workers=1)  # a change of settings renders the site again
    with publishing():
        posts["july2"].published_at = now - datetime.timedelta(days=10) + datetime.timedelta(hours=1)
        posts["july2"].save()
    path = posts["july2"].get_absolute_url()
    closes = posts["july2"].published_at + datetime.timedelta(days=10)
    assert next_due() == closes
    assert b'id="respond"' in store.read(store.pages()[path].file)
    with _at(closes + datetime.timedelta(seconds=1)):
        report = publish_due(store)
        assert path in report.rendered
        assert b'id="respond"' not in store.read(store.pages()[path].file)
        _assert_current(store)
