"""Every public URL of the site, for a full build (Pelican's "generate context" phase).

Home and its pages, posts and pages (with their comment feeds and comment pages), year, month
and day archives with their pages, every category, tag and author archive
(an existing one answers even when empty, as in WordPress) with pages and
feeds, the site feeds and comment feeds, the sitemap, robots.txt and the
not-found page. Counts come from a handful of queries over the whole site,
not one per listing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from broadsheet.content.models import Author, Category, Page, Post, Tag
from broadsheet.publishing.dependencies import (
    COMMENT_FEEDS,
    SITE_FEEDS,
    SITEMAP,
    comment_page_urls,
    listing_feeds,
    listing_page_url,
    term_listing_key,
)
from broadsheet.publishing.footprints import SiteShape
from broadsheet.publishing.store import NOT_FOUND_KEY

ROBOTS = "/robots.txt"


@dataclass
class Catalogue:
    """The URLs of a full build, grouped by kind (the order renders go in).

    ``jobs`` says how to render a URL in bulk (batch.py): ``("listing", key,
    page number)``, ``("post", pk)``, ``("entry_feed", pk, atom)``; any other
    URL is rendered through Django (``("view",)``). ``paths`` gives the address
    of each post and page that has a page of its own: ``{("post" or "page", pk): path}``.
    """

    entries: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    jobs: dict[str, tuple] = field(default_factory=dict)
    paths: dict[tuple, str] = field(default_factory=dict)

    def job(self, url: str) -> tuple:
        return self.jobs.get(url, ("view",))

    def all(self) -> list[str]:
        seen, urls = set(), []
        for url in (*self.other, *self.listings, *self.entries, *self.feeds):
            if url not in seen:
                seen.add(url)
                urls.append(url)
        return urls


def _pages(total: int, per_page: int, allow_empty: bool) -> int:
    if total == 0:
        return 1 if allow_empty else 0
    return -(-total // per_page)


def collect_urls(now: datetime.datetime | None = None) -> Catalogue:
    """Return every public URL of the site as it is now."""
    now = now or timezone.now()
    shape = SiteShape.load()
    pp = shape.posts_per_page
    catalogue = Catalogue(other=[NOT_FOUND_KEY, ROBOTS, SITEMAP, *SITE_FEEDS, *COMMENT_FEEDS])
    catalogue.jobs[SITEMAP] = ("sitemap",)
    listed = Post.objects.listed(now)
    listed_ids = set(listed.values_list("pk", flat=True))
    # Posts and pages that readers may open without a password.
    posts = Post.objects.live(now).filter(password="")
    if "%category%" in shape.permalink_structure or "%author%" in shape.permalink_structure:
        posts = posts.for_listing()  # their permalinks name a category or an author
    else:
        posts = posts.only("id", "slug", "published_at")
    page_paths = set()
    paths = catalogue.paths
    for page in Page.objects.live(now).filter(password="").exclude(path="").only("id", "path"):
        path = page.get_absolute_url()
        page_paths.add(path)
        paths[("page", page.pk)] = path
        catalogue.entries.append(path)
        catalogue.feeds.extend((path + "feed/", path + "feed/atom/"))
    for post in posts:
        path = post.get_absolute_url()
        if path.startswith("/?") or path in page_paths:  # a page at that path wins, as in the view
            continue
        paths[("post", post.pk)] = path
        catalogue.entries.append(path)
        catalogue.feeds.extend((path + "feed/", path + "feed/atom/"))
        catalogue.jobs[path] = ("post", post.pk)
        catalogue.jobs[path + "feed/"] = ("entry_feed", post.pk, False)
        catalogue.jobs[path + "feed/atom/"] = ("entry_feed", post.pk, True)
    catalogue.entries.extend(_comment_pages(paths))
    # Listings.
    counts: Counter = Counter()
    counts[("home",)] = len(listed_ids)
    for published_at in listed.values_list("published_at", flat=True):
        local = timezone.localtime(published_at, shape.tzinfo)
        counts[("year", local.year)] += 1
        counts[("month", local.year, local.month)] += 1
        counts[("day", local.year, local.month, local.day)] += 1
    category_posts: dict[int, set[int]] = {}
    for post_id, category_id in Post.categories.through.objects.filter(post_id__in=listed.values("pk")).values_list(
        "post_id", "category_id"
    ):
        for ancestor in shape.listing_categories([category_id]):
            category_posts.setdefault(ancestor, set()).add(post_id)
    for category in Category.objects.only("id", "path"):
        counts[term_listing_key("category", category)] = len(category_posts.get(category.pk, ()))
    tag_counts = Counter(
        Post.tags.through.objects.filter(post_id__in=listed.values("pk")).values_list("tag_id", flat=True)
    )
    for tag in Tag.objects.only("id", "slug"):
        counts[term_listing_key("tag", tag)] = tag_counts.get(tag.pk, 0)
    author_counts = Counter(
        Post.authors.through.objects.filter(post_id__in=listed.values("pk")).values_list("author_id", flat=True)
    )
    for author in Author.objects.only("id", "slug"):
        counts[term_listing_key("author", author)] = author_counts.get(author.pk, 0)
    for key, total in sorted(counts.items(), key=lambda item: repr(item[0])):
        allow_empty = key[0] not in ("year", "month", "day")
        for number in range(1, _pages(total, pp, allow_empty) + 1):
            url = listing_page_url(key, number)
            catalogue.listings.append(url)
            catalogue.jobs[url] = ("listing", key, number)
        if key[0] != "home":
            catalogue.feeds.extend(listing_feeds(key))
        for url, atom in zip(listing_feeds(key), (False, True)):
            catalogue.jobs[url] = ("listing_feed", key, atom)
    return catalogue


def _comment_pages(paths: dict[tuple, str]) -> list[str]:
    """The comment pages after the first (``<entry>comment-page-N/``) of the entries with more than one.

    Only an entry with more approved comments than a page holds can have a second page: one aggregate
    query finds those, and each one's thread is counted as its pages are (``comments.threads``).
    """
    from django.db.models import Count

    from broadsheet.comments.models import Comment
    from broadsheet.comments.threads import comment_page_count
    from broadsheet.content.models import SiteSettings

    site = SiteSettings.current()
    per_page = site.comments_per_page
    if not per_page:
        return []
    urls = []
    for kind, model in (("post", Post), ("page", Page)):
        crowded = (
            Comment.objects.approved().filter(**{f"{kind}__isnull": False}).values(kind)
            .annotate(count=Count("id")).filter(count__gt=per_page).values_list(kind, flat=True)
        )  # fmt: skip
        entries = model.objects.filter(pk__in=[pk for pk in crowded if (kind, pk) in paths]).only("id")
        for entry in entries.order_by("pk"):
            urls.extend(comment_page_urls(paths[(kind, entry.pk)], comment_page_count(entry, site)))
    return urls
