"""One Feed subclass per listing, RSS 2.0 at ``…/feed/`` and Atom at ``…/feed/atom/``.

Links are absolute from ``BROADSHEET_SITE_URL`` (never from the request's Host).
Only listed entries appear: no drafts, scheduled, private or protected posts.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404

from broadsheet.comments.models import Comment
from broadsheet.content.models import Author, Category, Post, SiteSettings, Tag
from broadsheet.feeds.generators import FullTextAtomFeed, FullTextRssFeed
from broadsheet.search.query import parse_query

FEED_ITEMS = 10
EMPTY_FEED_DATE = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


class PostsFeed(Feed):
    """The site's posts, newest first."""

    feed_type = FullTextRssFeed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @classmethod
    def as_atom(cls):
        """Return this feed as Atom 1.0 instead of RSS 2.0."""
        return type(f"{cls.__name__}Atom", (cls,), {"feed_type": FullTextAtomFeed})()

    def site(self):
        return SiteSettings.current()

    def title(self, obj=None):
        return self.site().title

    def subtitle(self, obj=None):
        return self.site().tagline

    description = subtitle

    def link(self, obj=None):
        return _absolute("/")

    def feed_url(self, obj=None):
        return None  # Django fills in the request's own URL, made absolute below

    def feed_extra_kwargs(self, obj):
        return {"empty_feed_date": lambda: self.empty_feed_date(obj)}

    def empty_feed_date(self, obj):
        """The date of this feed when it has no items (a fixed one: the same content, the same bytes)."""
        return EMPTY_FEED_DATE

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = _absolute(request.path)
        return feed

    def items(self, obj=None):
        return Post.objects.listed().for_listing()[:FEED_ITEMS]

    def item_title(self, item):
        return item.title or "(no title)"

    def item_link(self, item):
        return _absolute(item.get_absolute_url())

    def item_guid(self, item):
        return _absolute(f"/?p={item.pk}")

    item_guid_is_permalink = False

    def item_description(self, item):
        return item.summary_text

    def item_author_name(self, item):
        return item.byline or None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]

    def item_extra_kwargs(self, item):
        return {"content_html": item.rendered_html}

    def item_comments(self, item):
        return _absolute(item.get_absolute_url() + "#comments")


class CategoryFeed(PostsFeed):
    def get_object(self, request, path):
        return get_object_or_404(Category, path=path)

    def title(self, obj):
        return f"{self.site().title} » {obj.name}"

    def link(self, obj):
        return _absolute(obj.get_absolute_url())

    def items(self, obj):
        return Post.objects.listed().for_listing().in_category(obj)[:FEED_ITEMS]


class TagFeed(PostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return f"{self.site().title} » {obj.name}"

    def link(self, obj):
        return _absolute(obj.get_absolute_url())

    def items(self, obj):
        return Post.objects.listed().for_listing().filter(tags=obj)[:FEED_ITEMS]


class AuthorFeed(PostsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"{self.site().title} » Posts by {obj.display_name}"

    def link(self, obj):
        return _absolute(obj.get_absolute_url())

    def items(self, obj):
        return Post.objects.listed().for_listing().filter(authors=obj)[:FEED_ITEMS]


class SearchFeed(PostsFeed):
    def get_object(self, request, words=None):
        return words if words is not None else request.GET.get("s", "")

    def title(self, obj):
        return f"{self.site().title} » Search results for “{obj[:200]}”"

    def link(self, obj):
        return _absolute("/")

    def items(self, obj):
        from broadsheet.search.backends import search_entries

        results = search_entries(parse_query(obj), limit=FEED_ITEMS, offset=0)
        return [hit.entry for hit in results.hits if isinstance(hit.entry, Post)]


class CommentsFeed(PostsFeed):
    """Approved comments on listed posts and pages, newest first (never held or spam ones)."""

    def title(self, obj=None):
        return f"Comments for {self.site().title}"

    def items(self, obj=None):
        return Comment.objects.public().select_related("post", "page").order_by("-created_at", "-id")[:FEED_ITEMS]

    def item_title(self, item):
        return f"Comment on {item.entry.title} by {item.author_name}"

    def item_link(self, item):
        return _absolute(item.get_absolute_url())

    def item_guid(self, item):
        return _absolute(f"/?{'p' if item.post_id else 'page_id'}={item.entry.pk}#comment-{item.pk}")

    def item_description(self, item):
        return item.body[:500]

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

    def item_categories(self, item):
        return []

    def item_extra_kwargs(self, item):
        return {"content_html": item.html}  # escaped text and nofollow links (comments.rendering)

    def item_comments(self, item):
        return None


class EntryCommentsFeed(CommentsFeed):
    """Approved comments on one post or page, newest first, as WordPress's post comment feed."""

    def get_object(self, request, entry):
        return entry

    def title(self, obj):
        return f"Comments on: {obj.title}"

    def empty_feed_date(self, obj):
        return obj.published_at or EMPTY_FEED_DATE

    def link(self, obj):
        return _absolute(obj.get_absolute_url())

    def items(self, obj):
        if not obj.is_listed:
            return []
        return obj.comments.approved().select_related("post", "page").order_by("-created_at", "-id")[:FEED_ITEMS]
