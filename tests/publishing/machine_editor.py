"""Machine A of the several-machines test: edits posts, and after each edit has returned, reads machine B.

    python -m tests.publishing.machine_editor setup
    python -m tests.publishing.machine_editor edit --port P --store DIR --changes K

Runs with its own Django and page store (``BROADSHEET_HOME``, ``DATABASE_URL``, ``BROADSHEET_REDIS_URL``
from the environment). ``edit`` makes K changes to the newest post (a new title, unpublish, publish again,
a new post); after each ``save()`` has returned (the change is committed, rendered into A's store and
announced on the stream) it asks B's server (port P) for the post and the home page and records what B
answered, then waits (bounded) until B's own store (DIR) holds the change. It prints a JSON summary
on its last line; the test judges it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

from tests.publishing.deployment import get, run_script


def setup() -> dict:
    from django.utils import timezone

    from broadsheet.content.models import Post, SiteSettings

    site = SiteSettings.load()
    site.title, site.posts_per_page = "Two machines", 3
    site.save()
    for number in range(4):
        Post(title=f"Harbour {number}", body=f"Post {number}.", status="publish",
             published_at=timezone.make_aware(datetime.datetime(2011, 3, 1 + number, 9))).save()  # fmt: skip
    return {"posts": Post.objects.count()}


def _store_file(store: str, url: str) -> str:
    return os.path.join(store, url.lstrip("/"), "index.html")


def _store_holds(store: str, url: str, text: str | None) -> bool:
    """Whether B's store holds ``url`` showing ``text`` (``text`` None: holds no page at ``url``)."""
    try:
        with open(_store_file(store, url), encoding="utf-8") as handle:
            body = handle.read()
    except FileNotFoundError:
        return text is None
    return text is not None and text in body


def _wait_for_store(store: str, checks: list[tuple[str, str | None]], seconds: float = 30) -> float:
    """Wait until B's store passes every check; return how long it took (-1: it never did)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if all(_store_holds(store, url, text) for url, text in checks):
            return time.monotonic() - started
        time.sleep(0.02)
    return -1.0


def edit(port: int, store: str, changes: int) -> dict:
    from django.utils import timezone

    from broadsheet.content.models import Post

    post = Post.objects.order_by("-published_at").first()
    reads, lags, saves = [], [], []
    for number in range(changes):
        kind = ("title", "title", "unpublish", "publish", "new")[number % 5]
        old_title = post.title
        if kind == "new":
            post = Post(title=f"Harbour new {number}", body="New.", status="publish",
                        published_at=timezone.now() - datetime.timedelta(minutes=1))  # fmt: skip
        elif kind == "title":
            post.title = f"Harbour revised {number}"
        else:
            post.status = "draft" if kind == "unpublish" else "publish"
        started = time.perf_counter()
        post.save()  # returns after the commit, A's render and the stream's receipts
        saves.append(time.perf_counter() - started)
        if kind == "new":
            old_title = post.title  # nothing old: (the previous newest post is its neighbour, shown on its page)
        url = post.get_absolute_url()
        live = post.status == "publish"
        page, home = get(port, url), get(port, "/")
        reads.append({
            "change": kind, "title": post.title, "old_title": old_title, "live": live,
            "page_status": page.status, "page_has_title": post.title.encode() in page.body,
            "page_has_old_title": old_title != post.title and old_title.encode() in page.body,
            "home_has_title": post.title.encode() in home.body,
            "home_has_old_title": old_title != post.title and old_title.encode() in home.body,
        })  # fmt: skip
        checks = [(url, post.title if live else None), ("/", post.title if live else None)]
        if not live:
            checks[1] = ("/", "Harbour")  # the home page is still there, without the unpublished post
        lags.append(_wait_for_store(store, checks))
        if not live:
            with open(_store_file(store, "/"), encoding="utf-8") as handle:
                reads[-1]["store_home_has_unpublished"] = post.title in handle.read()
    from broadsheet.publishing.stream import stream_key

    return {"reads": reads, "store_lags": lags, "save_seconds": saves, "stream": stream_key()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "edit"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--store", default="")
    parser.add_argument("--changes", type=int, default=10)
    return run_script(parser, {"setup": lambda args: setup(),
                               "edit": lambda args: edit(args.port, args.store, args.changes)})  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
