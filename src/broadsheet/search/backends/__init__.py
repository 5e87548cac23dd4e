"""Full-text search, by the database in use: FTS5 on SQLite, tsvector on PostgreSQL.

Both backends answer the same question the same way: the listed, already
published documents matching every term, best first, with highlighted
snippets. ``search_entries`` then loads the posts and pages (two queries).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from broadsheet.search.query import ParsedQuery

# Backends mark highlights with these control characters (which parse_query
# removes from input), so the snippet can be escaped before <mark> is added.
MARK_START = "\x02"
MARK_END = "\x03"


@dataclass(frozen=True)
class RawHit:
    kind: str
    object_id: int
    title: str
    snippet: str


@dataclass(frozen=True)
class Hit:
    entry: object
    title_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit]


def highlight_to_html(text: str) -> SafeString:
    """Escape ``text`` then turn the backend's highlight marks into <mark> elements."""
    return mark_safe(escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _backend():
    if connection.vendor == "postgresql":
        from broadsheet.search.backends import postgres

        return postgres
    from broadsheet.search.backends import sqlite_fts

    return sqlite_fts


def search_entries(query: ParsedQuery, *, limit: int, offset: int = 0) -> SearchResults:
    from broadsheet.content.models import Page, Post

    if not query:
        return SearchResults(total=0, hits=[])
    backend = _backend()
    total, raw_hits = backend.search(query, limit=limit, offset=offset)
    posts = Post.objects.listed().for_listing().in_bulk([h.object_id for h in raw_hits if h.kind == "post"])
    pages = Page.objects.listed().in_bulk([h.object_id for h in raw_hits if h.kind == "page"])
    hits = []
    for raw in raw_hits:
        entry = (posts if raw.kind == "post" else pages).get(raw.object_id)
        if entry is not None:
            hits.append(Hit(entry, highlight_to_html(raw.title), highlight_to_html(raw.snippet)))
    return SearchResults(total=total, hits=hits)
