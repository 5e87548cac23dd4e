"""Search for a static copy of the site: an index of the listed entries that the reader's browser searches.

``broadsheet build`` writes ``/search/index.json`` (from ``static_search_index``)
and the ``/search/`` page, whose script (``search/static-search.js``) reads
``?s=`` and shows the entries that hold every word, titles first. It searches
what listings show of an entry (title, excerpt or its first 55 words, byline,
categories and tags), not the whole text: the index of a 10,000-post site
stays a few megabytes. A site served by Broadsheet searches everything
in the database (``search.backends``).
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.utils import timezone

SEARCH_PAGE = "/search/"  # rendered by the search view; in a static copy its script searches the index
INDEX_PATH = "search/index.json"
INDEX_FORMAT = 1
_CHUNK = 500


def static_search_index(paths: dict[tuple, str], now=None) -> bytes:
    """The index as JSON bytes: ``{"format": 1, "entries": [{title, url, date, shown_date, text, by, terms}]}``.

    Posts newest first, then pages, as anonymous readers see them (listed: live, no password), each at
    its address in ``paths`` (the full build's catalogue: ``{("post" or "page", pk): path}``; entries
    without a page of their own are left out). Bylines and terms come from one query each over the
    whole site, not one per post.
    """
    from broadsheet.content.models import Page, Post, PostAuthor, SiteSettings
    from broadsheet.content.models.posts import join_names
    from broadsheet.theme.environment import format_date

    now = now or timezone.now()
    site = SiteSettings.current()
    authors: dict[int, list[str]] = defaultdict(list)
    for post_id, name in PostAuthor.objects.order_by("post_id", "position").values_list("post_id", "author__display_name"):
        authors[post_id].append(name)
    terms: dict[int, list[str]] = defaultdict(list)
    for relation, name_field in ((Post.categories.through, "category__name"), (Post.tags.through, "tag__name")):
        for post_id, name in relation.objects.order_by("pk").values_list("post_id", name_field):
            terms[post_id].append(name)
    posts = Post.objects.listed(now).order_by("-published_at", "-pk")
    posts = posts.only("id", "title", "published_at", "excerpt", "plain_text")
    pages = Page.objects.listed(now).select_related("author").order_by("path")
    entries = []
    with timezone.override(site.tzinfo):
        for post in posts.iterator(chunk_size=_CHUNK):
            if ("post", post.pk) in paths:
                by = join_names(authors[post.pk])
                entries.append(_entry(post, paths[("post", post.pk)], site, format_date, by=by, terms=terms[post.pk]))
        for page in pages.iterator(chunk_size=_CHUNK):
            if ("page", page.pk) in paths:
                entries.append(_entry(page, paths[("page", page.pk)], site, format_date, by=page.byline, terms=[]))
    index = {"format": INDEX_FORMAT, "entries": entries}
    return json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode()


def _entry(entry, url: str, site, format_date, *, by: str, terms: list[str]) -> dict:
    return {
        "title": entry.title or "(no title)",
        "url": url,
        "date": timezone.localtime(entry.published_at).isoformat() if entry.published_at else "",
        "shown_date": format_date(entry.published_at, site.date_format),
        "text": entry.summary_text,
        "by": by,
        "terms": terms,
    }
