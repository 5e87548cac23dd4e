"""What a WordPress export holds, as named records (no positional tuples).

``wxr.py`` turns the file into these; ``load.py`` writes them; the exporter
writes them back out. Field names follow WXR's element names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass
class SiteRecord:
    title: str = ""
    link: str = ""
    description: str = ""
    language: str = ""
    wxr_version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""


@dataclass
class AuthorRecord:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    author_id: int | None = None


@dataclass
class TermRecord:
    taxonomy: str  # "category", "post_tag", "nav_menu", "author", any custom taxonomy
    slug: str
    name: str = ""
    parent_slug: str = ""
    description: str = ""
    term_id: int | None = None
    meta: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ItemTerm:
    domain: str  # the taxonomy: "category", "post_tag" ("tag" in WXR 1.0), "author", ...
    slug: str
    name: str


@dataclass
class CommentRecord:
    comment_id: int
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: datetime.datetime | None = None  # local wall time, naive
    date_gmt: datetime.datetime | None = None  # UTC, naive; None for 0000-00-00
    content: str = ""
    approved: str = "1"  # "1", "0", "spam", "trash", "post-trashed"
    type: str = ""  # "", "comment", "pingback", "trackback", "note"
    parent: int = 0
    user_id: int = 0
    meta: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ItemRecord:
    post_id: int
    post_type: str = "post"
    title: str = ""
    link: str = ""
    guid: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: datetime.datetime | None = None  # local wall time, naive
    post_date_gmt: datetime.datetime | None = None  # UTC, naive; None for 0000-00-00
    post_modified: datetime.datetime | None = None
    post_modified_gmt: datetime.datetime | None = None
    comment_status: str = "open"
    ping_status: str = "open"
    post_name: str = ""
    status: str = "publish"
    post_parent: int = 0
    menu_order: int = 0
    post_password: str = ""
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[ItemTerm] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[CommentRecord] = field(default_factory=list)
    line: int = 0  # where the item starts in the file, for reports

    def meta_value(self, key: str, default: str = "") -> str:
        for meta_key, value in self.meta:
            if meta_key == key:
                return value
        return default

    def meta_values(self, key: str) -> list[str]:
        return [value for meta_key, value in self.meta if meta_key == key]


def to_json(record) -> dict:
    """Return a record as JSON-ready data (datetimes as ISO strings, tuples as lists)."""
    data = {}
    for name, value in vars(record).items():
        if name == "comments":
            continue
        if isinstance(value, datetime.datetime):
            value = value.isoformat(sep=" ")
        elif isinstance(value, list):
            value = [vars(v).copy() if hasattr(v, "__dataclass_fields__") else list(v) for v in value]
        data[name] = value
    return data


def item_from_json(data: dict) -> ItemRecord:
    """Rebuild an ItemRecord stored with :func:`to_json` (without its comments)."""
    fields = dict(data)
    for name in ("post_date", "post_date_gmt", "post_modified", "post_modified_gmt"):
        if fields.get(name):
            fields[name] = datetime.datetime.fromisoformat(fields[name])
    fields["terms"] = [ItemTerm(**term) for term in fields.get("terms", [])]
    fields["meta"] = [tuple(pair) for pair in fields.get("meta", [])]
    return ItemRecord(**fields)


def comment_from_json(data: dict) -> CommentRecord:
    fields = dict(data)
    for name in ("date", "date_gmt"):
        if fields.get(name):
            fields[name] = datetime.datetime.fromisoformat(fields[name])
    fields["meta"] = [tuple(pair) for pair in fields.get("meta", [])]
    return CommentRecord(**fields)
