"""How an item of the export becomes a post's or page's fields (text, status, dates).

Used by the loader, and by the reader process, which renders new posts' bodies before the
loader writes them (``preparation.py``): both must fill an entry the same way.
"""

from __future__ import annotations

import datetime
from urllib.parse import unquote

from django.utils import timezone

from broadsheet.importers.wordpress.records import ItemRecord

STATUSES = {"publish": "publish", "future": "future", "draft": "draft", "pending": "pending", "private": "private"}


def aware(local: datetime.datetime | None, gmt: datetime.datetime | None, zone) -> datetime.datetime | None:
    """Return the aware time: from the GMT value, else the local value in ``zone`` (WordPress's rule)."""
    if gmt is not None:
        return gmt.replace(tzinfo=datetime.UTC)
    if local is not None:
        return local.replace(tzinfo=zone)
    return None


def body_format(item: ItemRecord) -> str:
    """Return the body's format: Broadsheet's own export marks a body that is not HTML (Markdown) with a postmeta."""
    return "markdown" if item.meta_value("_broadsheet_body_format") == "markdown" else "html"


def fill_entry(entry, item: ItemRecord, *, body: str, zone) -> None:
    """Set ``entry``'s fields from ``item``; ``body`` is its content with uploads URLs rewritten (or not)."""
    entry.title = item.title
    entry.body = body
    entry.imported_meta = item.meta  # read by blocks rendered from post meta (footnotes)
    entry.body_format = body_format(item)
    entry.excerpt = item.excerpt
    entry.status = STATUSES[item.status] if item.status in STATUSES else "draft"
    entry.password = item.post_password[:255]
    entry.comment_status = "open" if item.comment_status == "open" else "closed"
    entry.ping_status = "open" if item.ping_status == "open" else "closed"
    entry.slug = unquote(item.post_name)[:200]
    if entry.status in ("publish", "future", "private") or item.post_date_gmt is not None:
        # A draft with a GMT date had its date set (WordPress writes 0000-00-00 for a floating one).
        entry.published_at = aware(item.post_date, item.post_date_gmt, zone)
    else:
        entry.published_at = None  # a draft keeps no publication date, as in WordPress
    created = aware(item.post_date, item.post_date_gmt, zone)
    entry.created_at = created or timezone.now()
    entry.modified_at = aware(item.post_modified, item.post_modified_gmt, zone) or created or timezone.now()
