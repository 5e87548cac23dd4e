"""Sample content written for Broadsheet, loaded by ``broadsheet serve`` on a new site.

A small commentary blog over several months of 2010: posts with and without a
fold, a custom fold text, a co-authored and a three-author post, nested
categories, tags and a few pages.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml
from django.db import transaction

from broadsheet.content.models import Author, Category, Page, Post, SiteSettings, Tag

SAMPLE_FILE = Path(__file__).with_name("sample.yaml")


def site_is_empty() -> bool:
    return not Post.objects.exists() and not Page.objects.exists()


@transaction.atomic
def create_sample_site() -> int:
    """Create the sample site; return the number of posts created."""
    data = yaml.safe_load(SAMPLE_FILE.read_text(encoding="utf-8"))
    site = SiteSettings.load()
    site.title = data["site"]["title"]
    site.tagline = data["site"]["tagline"]
    site.time_zone = data["site"]["time_zone"]
    site.save()
    authors = {
        slug: Author.objects.update_or_create(slug=slug, defaults=fields)[0]
        for slug, fields in data["authors"].items()
    }
    categories: dict[str, Category] = {}
    for slug, fields in data["categories"].items():
        parent = categories.get(fields.pop("parent", None))
        categories[slug], _ = Category.objects.update_or_create(slug=slug, defaults={**fields, "parent": parent})
    tags: dict[str, Tag] = {}
    zone = site.tzinfo
    for item in data["posts"]:
        post = Post(
            title=item["title"],
            slug=item.get("slug", ""),
            body=item["body"],
            body_format=item.get("format", "markdown"),
            excerpt=item.get("excerpt", ""),
            status=item.get("status", "publish"),
            sticky=item.get("sticky", False),
            password=item.get("password", ""),
            published_at=datetime.datetime.fromisoformat(item["date"]).replace(tzinfo=zone),
        )
        post.save()
        post.set_authors([authors[slug] for slug in item["authors"]])
        post.categories.set([categories[slug] for slug in item.get("categories", [])])
        for name in item.get("tags", []):
            slug = name.lower().replace(" ", "-")
            tags.setdefault(slug, Tag.objects.get_or_create(slug=slug, defaults={"name": name})[0])
        post.tags.set([tags[name.lower().replace(" ", "-")] for name in item.get("tags", [])])
    pages: dict[str, Page] = {}
    for item in data["pages"]:
        page = Page(
            title=item["title"],
            slug=item["slug"],
            body=item["body"],
            status="publish",
            menu_order=item.get("menu_order", 0),
            parent=pages.get(item.get("parent")),
            author=authors.get(item.get("author")),
            published_at=datetime.datetime.fromisoformat(item["date"]).replace(tzinfo=zone),
        )
        page.save()
        pages[item["slug"]] = page
    return len(data["posts"])
