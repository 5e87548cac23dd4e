"""Where an old WordPress address lives now.

Each resolver takes a request that Broadsheet's own routes did not answer and
returns the new location (for a 301), or None. They cover what WordPress
answered: query-string URLs (``?p=``, ``?page_id=``, ``?cat=``, ``?tag=``,
``?author=``, ``?m=``, ``?feed=``, ``?paged=``, ``?attachment_id=``),
``/index.php/…`` links, feed aliases, and recorded old paths (old permalinks,
``_wp_old_slug``, ``_wp_old_date``, attachment pages).
"""

from __future__ import annotations

import re


from broadsheet.content.models import Author, Category, Page, Post, Tag
from broadsheet.legacy.models import OldPath
from broadsheet.media.models import MediaItem

_DIGITS = re.compile(r"[0-9]{1,18}\Z")
_PAGED = re.compile(r"(.+/)([0-9]{1,4})/\Z")
_FEEDS = {"rss2": "", "rss": "", "rdf": "", "atom": "atom/", "comments-rss2": "comments"}


def _wordpress_item(wp_id: int, field: str):
    """The Broadsheet object imported from WordPress ID ``wp_id``, when it differs from Broadsheet's own ID."""
    from broadsheet.importers.wordpress.models import WordPressItem

    link = WordPressItem.objects.filter(wp_id=wp_id).exclude(**{field: None}).select_related(field).first()
    return getattr(link, field) if link else None


def _entry_url(entry) -> str | None:
    if entry is None or not entry.is_live:
        return None
    url = entry.get_absolute_url()
    return None if url.startswith("/?") else url


def by_query(request) -> str | None:
    """Resolve WordPress's query-string addresses on the front page."""
    query = request.GET
    if request.path != "/" or not query:
        return None
    for key, model, field in (("p", Post, "post"), ("page_id", Page, "page")):
        value = query.get(key, "")
        if _DIGITS.match(value):
            entry = _wordpress_item(int(value), field) or model.objects.filter(pk=int(value)).first()
            return _entry_url(entry)
    if _DIGITS.match(query.get("attachment_id", "")):
        media = _wordpress_item(int(query["attachment_id"]), "media") or MediaItem.objects.filter(
            pk=int(query["attachment_id"])
        ).first()
        return media.url if media else None
    if _DIGITS.match(query.get("cat", "")):
        return _category_url(int(query["cat"]))
    if query.get("category_name"):
        category = Category.objects.filter(slug=query["category_name"].rsplit("/", 1)[-1][:200]).first()
        return category.get_absolute_url() if category else None
    if query.get("tag"):
        tag = Tag.objects.filter(slug=query["tag"][:200]).first()
        return tag.get_absolute_url() if tag else None
    if _DIGITS.match(query.get("author", "")):
        return _author_url(int(query["author"]))
    if query.get("author_name"):
        author = Author.objects.filter(slug=query["author_name"][:200]).first()
        return author.get_absolute_url() if author else None
    if query.get("m"):
        return _month_url(query["m"])
    if query.get("feed") in _FEEDS:
        kind = _FEEDS[query["feed"]]
        return "/comments/feed/" if kind == "comments" else f"/feed/{kind}"
    if _DIGITS.match(query.get("paged", "")) and int(query["paged"]) > 1:
        return f"/page/{int(query['paged'])}/"
    return None


def _category_url(term_id: int) -> str | None:
    from broadsheet.importers.wordpress.models import WordPressTerm

    term = WordPressTerm.objects.filter(taxonomy="category", term_id=term_id).exclude(category=None).first()
    category = term.category if term else Category.objects.filter(pk=term_id).first()
    return category.get_absolute_url() if category else None


def _author_url(wp_id: int) -> str | None:
    from broadsheet.importers.wordpress.models import WordPressAuthor

    link = WordPressAuthor.objects.filter(wp_id=wp_id).select_related("author").first()
    author = link.author if link else Author.objects.filter(pk=wp_id).first()
    return author.get_absolute_url() if author else None


def _month_url(value: str) -> str | None:
    if not re.fullmatch(r"[0-9]{4}(?:[0-9]{2}){0,2}", value):
        return None
    year, month, day = value[:4], value[4:6], value[6:8]
    if month and not 1 <= int(month) <= 12:
        return None
    return "/" + "/".join(part for part in (year, month, day) if part) + "/"


def by_path(request) -> str | None:
    """Resolve old paths: recorded ones, ``/index.php/…`` and WordPress's feed aliases."""
    path = request.path
    if path.startswith("/index.php"):
        rest = path[len("/index.php") :] or "/"
        query = request.META.get("QUERY_STRING", "")
        return rest + ("?" + query if query else "")
    for alias in ("feed/rss2/", "feed/rss/", "feed/rdf/"):
        if path.endswith("/" + alias):
            return path[: -len(alias)] + "feed/"
    old = OldPath.objects.filter(path=path).select_related("post", "page", "media").first()
    if old is None and path.endswith("/feed/"):
        old = OldPath.objects.filter(path=path[: -len("feed/")]).select_related("post", "page", "media").first()
        target = old.target_url() if old else None
        return target + "feed/" if target and target.endswith("/") else None
    if old is None and not path.endswith("/"):
        old = OldPath.objects.filter(path=path + "/").select_related("post", "page", "media").first()
    if old is None and (paged := _PAGED.match(path)):  # an old <!--nextpage--> page: /old-post/2/
        old = OldPath.objects.filter(path=paged.group(1)).select_related("post", "page", "media").first()
        target = old.target_url() if old else None
        return f"{target}#page-{paged.group(2)}" if target else None
    return old.target_url() if old else None


def resolve(request) -> str | None:
    """Return the new address for an old one, or None."""
    return by_query(request) or by_path(request)



