"""Small builders for the project's own test content (no factory library needed)."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

from broadsheet.content.models import Author, Category, Page, Post, SiteSettings, Tag
from broadsheet.content.slugs import slugify_title

_counter = itertools.count(1)


def aware(value: str, zone: str = "UTC") -> datetime.datetime:
    """Return the aware datetime for "YYYY-MM-DD HH:MM" in ``zone``."""
    return datetime.datetime.fromisoformat(value).replace(tzinfo=zoneinfo.ZoneInfo(zone))


def site(**fields) -> SiteSettings:
    settings = SiteSettings.load()
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def author(name: str = "", **fields) -> Author:
    name = name or f"Author {next(_counter)}"
    return Author.objects.create(display_name=name, slug=fields.pop("slug", slugify_title(name)), **fields)


def category(name: str, parent: Category | None = None, **fields) -> Category:
    return Category.objects.create(name=name, slug=fields.pop("slug", slugify_title(name)), parent=parent, **fields)


def tag(name: str, **fields) -> Tag:
    return Tag.objects.create(name=name, slug=fields.pop("slug", slugify_title(name)), **fields)


def post(
    title: str = "",
    when: str | datetime.datetime = "2010-07-28 09:00",
    *,
    authors: list[Author] | None = None,
    categories: list[Category] = (),
    tags: list[Tag] = (),
    body: str = "Some text.",
    status: str = "publish",
    zone: str = "UTC",
    **fields,
) -> Post:
    title = title or f"Post {next(_counter)}"
    published_at = aware(when, zone) if isinstance(when, str) else when
    entry = Post(title=title, body=body, status=status, published_at=published_at, **fields)
    entry.save()
    entry.set_authors(authors if authors is not None else [])
    if categories:
        entry.categories.set(categories)
    if tags:
        entry.tags.set(tags)
    return entry


def page(title: str, *, parent: Page | None = None, body: str = "Page text.", status: str = "publish", **fields) -> Page:
    entry = Page(
        title=title,
        parent=parent,
        body=body,
        status=status,
        published_at=fields.pop("published_at", aware("2010-01-01 09:00")),
        **fields,
    )
    entry.save()
    return entry


def main_html(html: str) -> str:
    """Return the page's <main> element only (listings without the sidebar)."""
    start = html.index("<main")
    return html[start : html.index("</main>", start)]


def signed_in_clients(users: dict) -> dict:
    """A test client signed in as each user, keyed like ``users``, plus ``None``: an anonymous one."""
    from django.test import Client

    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        clients[key].force_login(user)
    clients[None] = Client()
    return clients
