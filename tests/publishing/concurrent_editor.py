"""An editor process for the multi-process test: random changes to shared posts, each its own transaction.

    python -m tests.publishing.concurrent_editor setup
    python -m tests.publishing.concurrent_editor edit --seed N --changes K --go FILE

Runs with its own Django (settings from the environment: ``DATABASE_URL``,
``BROADSHEET_REDIS_URL``, ``BROADSHEET_HOME``), so two of them are two app
processes. ``setup`` creates a small site; ``edit`` waits until ``FILE``
exists (so both start together), then makes K random changes, each saved
(and so rendered into the page store after its commit), and prints a JSON
summary on its last line.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time

from tests.publishing.deployment import run_script

TITLES = ["Rivers", "Bridges", "Harbours", "Canals", "Ferries", "Tunnels", "Viaducts", "Locks"]


def setup() -> dict:
    from django.utils import timezone

    from broadsheet.content.models import Author, Category, Post, SiteSettings, Tag

    site = SiteSettings.load()
    site.title, site.posts_per_page = "Concurrent", 3
    site.save()
    authors = [Author.objects.create(display_name=name, slug=name.lower()) for name in ("Ann", "Bob")]
    categories = [Category.objects.create(name=name, slug=name.lower()) for name in ("Ports", "Roads", "Rail")]
    tags = [Tag.objects.create(name=name, slug=name.lower()) for name in ("Old", "New", "Long")]
    rng = random.Random(7)
    for number, title in enumerate(TITLES):
        post = Post(title=title, body=f"About {title.lower()}.\n\n<!--more-->\n\nMore.", status="publish",
                    published_at=timezone.make_aware(datetime.datetime(2010, 5 + number % 3, 1 + number, 9)))  # fmt: skip
        post.save()
        post.set_authors([authors[number % 2]])
        post.categories.set([rng.choice(categories)])
        post.tags.set(rng.sample(tags, 2))
    return {"posts": Post.objects.count()}


def _change(rng: random.Random, post, number: int, seed: int) -> str:
    from django.db import transaction

    from broadsheet.content.models import Category, Tag

    action = rng.choice(["title", "body", "redate", "reslug", "status", "category", "tags"])
    with transaction.atomic():
        post.refresh_from_db()
        if action == "title":
            post.title = f"{rng.choice(TITLES)} {seed}-{number}"
        elif action == "body":
            post.body = f"Edited by {seed} ({number}).\n\n<!--more-->\n\nStill more {rng.random()}."
        elif action == "redate":
            post.published_at = post.published_at.replace(month=rng.choice([5, 6, 7]), day=rng.randint(1, 28))
        elif action == "reslug":
            post.slug = f"{post.title.split()[0].lower()}-{seed}-{number}"
        elif action == "status":
            post.status = "draft" if post.status == "publish" else "publish"
        if action in ("title", "body", "redate", "reslug", "status"):
            post.save()
        elif action == "category":
            post.categories.set([rng.choice(list(Category.objects.all()))])
            post.save()
        else:
            post.tags.set(rng.sample(list(Tag.objects.all()), rng.randint(0, 3)))
            post.save()
    return action


def edit(seed: int, changes: int, go: str) -> dict:
    from broadsheet.content.models import Post
    from broadsheet.publishing.publish import get_store

    deadline = time.monotonic() + 120
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            raise SystemExit("never told to go")
        time.sleep(0.01)
    rng = random.Random(seed)
    pks = sorted(Post.objects.values_list("pk", flat=True))
    started = time.time()
    actions: dict[str, int] = {}
    for number in range(changes):
        post = Post.objects.get(pk=rng.choice(pks))
        action = _change(rng, post, number, seed)
        actions[action] = actions.get(action, 0) + 1
    lock = get_store().lock
    from broadsheet.publishing.locks import get_render_lock

    return {
        "seed": seed,
        "started": started,
        "finished": time.time(),
        "actions": actions,
        "lock": type(get_render_lock(get_store().root)).__name__,
        "store_lock": getattr(lock, "__qualname__", ""),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "edit"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--go", default="")
    return run_script(parser, {"setup": lambda args: setup(),
                               "edit": lambda args: edit(args.seed, args.changes, args.go)})  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
