"""Footprints: what of an entry or comment the public pages can show.

A footprint is taken from the database before a change (in ``pre_save``)
and again after it (after the commit); ``dependencies.py`` compares the two
to find the pages to render again. A footprint holds the keys a page is
built from (its permalink, its place in each listing, its day) and digests
of everything a page may show about it, so "nothing readers can see
changed" costs no render at all.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.content.models import Category, Page, Post, SiteSettings
from broadsheet.content.models.entries import LIVE_STATUSES

# Listing keys: ("home",), ("year", y), ("month", y, m), ("day", y, m, d),
# ("category", base path), ("tag", base path), ("author", base path).
ListingKey = tuple


@dataclass(frozen=True)
class SiteShape:
    """What footprints need from the site: its time zone, page size, permalinks and category tree."""

    tzinfo: datetime.tzinfo
    posts_per_page: int
    permalink_structure: str
    category_paths: dict[int, str] = field(default_factory=dict)
    category_ids: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> SiteShape:
        site = SiteSettings.current()
        paths = dict(Category.objects.values_list("pk", "path"))
        return cls(site.tzinfo, max(site.posts_per_page, 1), site.permalink_structure, paths,
                   {path: pk for pk, path in paths.items()})  # fmt: skip

    def listing_categories(self, category_ids) -> frozenset[int]:
        """Return the categories whose archives list a post in ``category_ids`` (they and their ancestors)."""
        found = set()
        for pk in category_ids:
            path = self.category_paths.get(pk)
            if path is None:
                continue
            parts = path.split("/")
            for end in range(1, len(parts) + 1):
                ancestor = self.category_ids.get("/".join(parts[:end]))
                if ancestor is not None:
                    found.add(ancestor)
        return frozenset(found)


def _digest(*values) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class PostFootprint:
    pk: int
    listed: bool  # in listings, feeds, sitemap and counts
    stored_path: str | None  # its own page, when readers may see it and it may be stored (live, no password)
    live_path: str | None  # its permalink while live (protected included): for old-address redirects
    published_at: datetime.datetime | None
    sticky: bool
    local_date: datetime.date | None
    listings: frozenset = frozenset()  # listing keys it appears in (when listed)
    link: tuple = ()  # (title, path): what links to it show (neighbours, recent posts)
    comment_pages: int = 1  # its comments' pages (page N > 1 at <path>comment-page-N/)
    appearance: str = ""  # digest of everything a page may show about it
    feed_appearance: str = ""  # the same without its discussion (feeds show no comment count): a comment changes none
    sitemap: tuple = ()  # what its sitemap entries depend on
    sidebar: tuple = ()  # what the site-wide parts depend on (month, categories)

    def order_key(self, *, sticky_first: bool) -> tuple:
        """Return the sort key of listings (newest first: a larger key comes first)."""
        key = (self.published_at, self.pk)
        return ((1 if self.sticky else 0), *key) if sticky_first else key


@dataclass(frozen=True)
class PageFootprint:
    pk: int
    listed: bool
    stored_path: str | None
    live_path: str | None
    published_at: datetime.datetime | None = None
    link: tuple = ()
    comment_pages: int = 1
    appearance: str = ""
    sitemap: tuple = ()
    menu: tuple = ()


@dataclass(frozen=True)
class CommentFootprint:
    pk: int
    entry: tuple  # ("post", id) or ("page", id)
    approved: bool
    created_at: datetime.datetime
    appearance: str = ""


def _discussion(entry, now) -> tuple:
    """What pages show of an entry's comments: the count, the number of comment pages, open or closed."""
    from broadsheet.comments.moderation import closing_reason
    from broadsheet.comments.threads import build_thread

    site = SiteSettings.current()
    count = Comment.objects.approved().on(entry).count()
    pages = 1
    if count:
        thread = build_thread(entry, site, page=1)
        pages = thread.pages if thread is not None else 1
    return count, pages, closing_reason(entry, site, now)


def post_footprint(pk: int, shape: SiteShape, now: datetime.datetime | None = None) -> PostFootprint | None:
    """Return the footprint of post ``pk`` as the database holds it now (None if it does not exist).

    ``now`` is the moment readers look (scheduled posts and closing comments depend on it).
    """
    now = now or timezone.now()
    post = Post.objects.for_listing().filter(pk=pk).first()
    if post is None:
        return None
    discussion = _discussion(post, now)
    live = post.status in LIVE_STATUSES and post.published_at is not None and post.published_at <= now
    listed = live and not post.password
    path = post.get_absolute_url() if live else None
    if path is not None and path.startswith("/?"):
        path = None
    authors = [(author.pk, author.display_name, author.slug) for author in post.ordered_authors]
    categories = sorted((category.pk, category.name, category.path) for category in post.categories.all())
    tags = sorted(post.tags.values_list("pk", "name", "slug"))
    local = timezone.localtime(post.published_at, shape.tzinfo) if post.published_at else None
    local_date = local.date() if local else None
    listings: set = set()
    if listed:
        listings = {
            ("home",),
            ("year", local.year),
            ("month", local.year, local.month),
            ("day", local.year, local.month, local.day),
        }
        listings |= {("category", "/category/" + shape.category_paths[pk] + "/")
                     for pk in shape.listing_categories(category[0] for category in categories)}  # fmt: skip
        listings |= {("tag", f"/tag/{slug}/") for _pk, _name, slug in tags}
        listings |= {("author", f"/author/{slug}/") for _pk, _name, slug in authors}
    modified_day = timezone.localtime(post.modified_at, shape.tzinfo).date() if post.modified_at else None
    feed_appearance = _digest(
        post.title, post.slug, post.excerpt, post.rendered_html, post.rendered_teaser, post.has_fold,
        post.more_text, post.plain_text, post.published_at, post.modified_at, post.sticky, post.status,
        bool(post.password), post.comment_status, post.ping_status, post.featured_image_id, authors,
        categories, tags, path,
    )  # fmt: skip
    return PostFootprint(
        pk=pk,
        listed=listed,
        stored_path=path if live and not post.password else None,
        live_path=path,
        published_at=post.published_at,
        sticky=post.sticky,
        local_date=local_date,
        listings=frozenset(listings),
        link=(post.title, path),
        comment_pages=discussion[1],
        appearance=_digest(feed_appearance, discussion),
        feed_appearance=feed_appearance,
        # The sitemap lists posts newest first, so their order (the publication time) is part of it.
        sitemap=(listed, path, post.published_at, modified_day, local_date.replace(day=1) if listed else None,
                 tuple(category[0] for category in categories), tuple(tag[0] for tag in tags)) if listed else (),
        sidebar=(listed, local_date.replace(day=1) if listed else None,
                 tuple(category[0] for category in categories)) if listed else (),
    )  # fmt: skip


def page_footprint(pk: int, shape: SiteShape, now: datetime.datetime | None = None) -> PageFootprint | None:
    now = now or timezone.now()
    page = Page.objects.select_related("author").filter(pk=pk).first()
    if page is None:
        return None
    live = page.status in LIVE_STATUSES and page.published_at is not None and page.published_at <= now
    path = page.get_absolute_url() if live and page.path else None
    listed = live and not page.password
    modified_day = timezone.localtime(page.modified_at, shape.tzinfo).date() if page.modified_at else None
    author = (page.author.pk, page.author.display_name, page.author.slug) if page.author_id else None
    discussion = _discussion(page, now)
    return PageFootprint(
        pk=pk,
        listed=listed,
        stored_path=path if not page.password else None,
        live_path=path,
        published_at=page.published_at,
        link=(page.title, path),
        comment_pages=discussion[1],
        appearance=_digest(
            page.title, page.slug, page.path, page.excerpt, page.rendered_html, page.has_fold, page.plain_text,
            page.published_at, page.modified_at, page.status, bool(page.password), page.comment_status,
            page.parent_id, page.menu_order, author, discussion,
        ),  # fmt: skip
        sitemap=(listed, path, modified_day) if listed else (),
        menu=(listed, page.parent_id, page.menu_order, page.title, path),
    )


def comment_footprint(pk: int) -> CommentFootprint | None:
    comment = Comment.objects.filter(pk=pk).first()
    if comment is None:
        return None
    approved = comment.status == Comment.Status.APPROVED and comment.kind != Comment.Kind.NOTE
    entry = ("post", comment.post_id) if comment.post_id else ("page", comment.page_id)
    fields = {name: getattr(comment, name, None) for name in
              ("author_name", "author_url", "body", "parent_id", "kind", "created_at", "rendered_html")}  # fmt: skip
    return CommentFootprint(pk, entry, approved, comment.created_at, _digest(sorted(fields.items())))
