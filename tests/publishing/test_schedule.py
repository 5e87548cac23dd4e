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


def test_a_server_publishes_a_scheduled_post_without_ever_being_asked(tmp_path):
    """The background thread starts with the worker, not at its first request (behind nginx none may come).

    A real ``broadsheet serve``; the test only waits until its port accepts connections (no request is
    sent to it), schedules a post a few seconds ahead from another process, then watches the store folder.
    """
    import socket
    import subprocess
    import sys
    import time

    from tests.publishing.deployment import Deployment, _stop

    deployment = Deployment(tmp_path)
    deployment.home.mkdir(parents=True)
    log_path = tmp_path / "app.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "broadsheet", "serve", "--port", str(deployment.app_port), "--workers", "1",
             "--no-sample"],
            env=deployment.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while True:  # a bare TCP connection (no HTTP request) tells when granian listens
            assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", deployment.app_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        url = deployment.shell(
            "import datetime; from django.utils import timezone; from broadsheet.content.models import Post; "
            "post = Post(title='Timed dispatch', body='On time.', status='future', "
            "published_at=timezone.now() + datetime.timedelta(seconds=12)); post.save(); "
            "print(post.get_absolute_url(), post.published_at.timestamp())"
        ).strip().splitlines()[-1].split()
        url, due = url[0], float(url[1])
        store = deployment.home / "pages"
        page = store / url.lstrip("/") / "index.html"
        if time.time() < due - 1:
            assert not page.exists()  # not yet live, so not stored
        home = store / "index.html"  # it lists the post once live

        def live() -> bool:
            return page.exists() and "Timed dispatch" in page.read_text() and "Timed dispatch" in home.read_text()

        deadline = time.monotonic() + 60
        while not live() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert live(), log_path.read_text()[-3000:]
    finally:
        _stop(server)


def test_a_post_due_while_the_store_is_rendered_again_is_published_after(site, store, publishing):
    """A full refresh renders the site as of the moment it started; what falls due during it is published next."""
    from broadsheet.publishing import build as build_module
    from broadsheet.publishing.publish import refresh_store

    started = timezone.now().replace(microsecond=0)
    due = started + datetime.timedelta(minutes=1)
    with publishing():
        post = factories.post("Due mid-refresh", due)
    real_build_store = build_module.build_store

    def rendering_takes_two_minutes(*args, **kwargs):
        with _at(started):  # the site is rendered as the clock read when the refresh began ...
            return real_build_store(*args, **kwargs)

    with _at(due + datetime.timedelta(minutes=1)), mock.patch.object(build_module, "build_store", rendering_takes_two_minutes):
        refresh_store(store, workers=1)  # ... and the post fell due before it ended
    path = post.get_absolute_url()
    assert path not in store.pages()
    assert float(store.meta("published_until")) == started.timestamp()
    with _at(due + datetime.timedelta(minutes=2)):  # the next tick publishes it
        assert path in publish_due(store).rendered
        _assert_current(store)
