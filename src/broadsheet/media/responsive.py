"""Responsive images: ``srcset``/``sizes`` from a library item's generated sizes.

Two callers: the rendering pipeline (:func:`add_image_attributes`, run on a body's HTML
before it is sanitised, as WordPress's ``wp_filter_content_tags``) and the theme
(:func:`image_tag`, for featured images). Every value written here is escaped; the
sanitiser still runs after the content filter.

An ``<img>`` shows a library item when its ``src`` is in the media store (the item's file
or one of its sizes), or, as WordPress finds it, when its class ``wp-image-N`` names the
item (an import keeps WordPress's attachment IDs as keys) and its ``src`` is the item's URL
or a size's: imported images still served from the old site get their ``srcset`` too.
"""

from __future__ import annotations

import contextlib
import contextvars
import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.conf import settings
from markupsafe import Markup

from broadsheet.media.filenames import original_name_of

MAX_SRCSET_WIDTH = 2048  # WordPress's max_srcset_image_width
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE_NAME = re.compile(r"[a-z_:][-a-z0-9_:.]*\Z")
_WP_IMAGE_CLASS = re.compile(r"(?:^|\s)wp-image-([0-9]{1,18})(?=\s|$)")
_LOOKUPS_BY_CLASS = contextvars.ContextVar("broadsheet_media_lookups_by_class", default=True)


@contextlib.contextmanager
def lookups_by_class(enabled: bool):
    """Within the block, look library items up by ``wp-image-N`` classes or not (on by default).

    The WordPress import turns them off while it loads (its reader process has no database,
    and it renders again, at the end, the entries whose classes name its attachments).
    """
    token = _LOOKUPS_BY_CLASS.set(enabled)
    try:
        yield
    finally:
        _LOOKUPS_BY_CLASS.reset(token)


def srcset_candidates(item, width: int, height: int) -> list[tuple[str, int]]:
    """Return ``(url, width)`` for the item's versions with the proportions of a ``width``×``height`` image.

    As WordPress's ``wp_calculate_image_srcset``: same aspect ratio (within a pixel of
    rounding), no wider than ``MAX_SRCSET_WIDTH``, the original included when it qualifies.
    """
    versions = [(item.url, item.width, item.height)] if item.width and item.height else []
    versions += [(size["url"], size["width"], size["height"]) for size in item.sizes.values()]
    candidates: dict[int, str] = {}
    for url, version_width, version_height in versions:
        if version_width > MAX_SRCSET_WIDTH or not _same_ratio(width, height, version_width, version_height):
            continue
        candidates.setdefault(version_width, url)
    return sorted(((url, w) for w, url in candidates.items()), key=lambda pair: pair[1])


def _same_ratio(width: int, height: int, other_width: int, other_height: int) -> bool:
    """Whether two boxes have the same proportions, allowing for the rounding of a resize."""
    if not (width and height and other_width and other_height):
        return False
    if other_width > width:
        width, height, other_width, other_height = other_width, other_height, width, height
    expected = height * other_width / width
    return abs(expected - other_height) <= 1


def srcset_attributes(item, width: int, height: int, shown_width: int | None = None) -> dict[str, str]:
    """Return ``srcset`` and ``sizes`` for a ``width``×``height`` version of ``item`` (empty when there is no choice)."""
    candidates = srcset_candidates(item, width, height)
    if len(candidates) < 2:
        return {}
    shown = shown_width or width
    return {
        "srcset": ", ".join(f"{candidate} {candidate_width}w" for candidate, candidate_width in candidates),
        "sizes": f"(max-width: {shown}px) 100vw, {shown}px",
    }


def version_at(item, url: str) -> tuple[str, int, int] | None:
    """Return ``(url, width, height)`` of the version of ``item`` served at ``url`` (the original or a size)."""
    url = url.strip()
    if url and url == item.url:
        return (item.url, item.width, item.height) if item.width and item.height else None
    for size in item.sizes.values():
        if size.get("url") == url:
            return size["url"], size["width"], size["height"]
    return None


def version_named(item, name: str) -> tuple[str, int, int] | None:
    """Return ``(url, width, height)`` of the version of ``item`` stored as ``name`` (the original or a size)."""
    if item.file and name == item.file.name:
        return (item.url, item.width, item.height) if item.width and item.height else None
    for size in item.sizes.values():
        if size.get("file") == name:
            return size["url"], size["width"], size["height"]
    return None


def image_tag(item, size: str = "large", *, css_class: str = "", sizes: str = "", loading: str = "lazy") -> Markup:
    """Return an ``<img>`` for ``item`` at ``size`` (or the original when that size was not made), escaped.

    Empty for items that are not images.
    """
    if item is None or not item.is_image or not item.url:
        return Markup("")
    chosen = item.sizes.get(size)
    url, width, height = (chosen["url"], chosen["width"], chosen["height"]) if chosen else (item.url, item.width, item.height)
    attributes = {"src": url, "alt": item.alt_text}
    if width and height:
        attributes.update(width=str(width), height=str(height))
        responsive = srcset_attributes(item, width, height)
        if responsive and sizes:
            responsive["sizes"] = sizes
        attributes.update(responsive)
    if css_class:
        attributes["class"] = css_class
    if loading:
        attributes["loading"] = loading
    attributes["decoding"] = "async"
    return Markup(_build_tag(attributes))


def featured_image(post, size: str = "large", *, sizes: str = "", css_class: str = "featured-image") -> Markup:
    """Return the post's featured image as an ``<img>`` with ``srcset`` and alt text, or "" when it has none."""
    return image_tag(getattr(post, "featured_image", None), size, css_class=css_class, sizes=sizes)


# -- content ---------------------------------------------------------------------


def add_image_attributes(markup: str) -> str:
    """Give ``<img>`` tags that show a library item ``srcset``, ``sizes``, ``width``, ``height`` and alt text.

    Tags that already have a ``srcset`` keep it; an empty or missing ``alt`` is filled from
    the item's alt text. One query for the whole body, none when it shows no media.
    """
    if _IMG.search(markup) is None:
        return markup
    tags = [(match, _parse_tag(match.group(0))) for match in _IMG.finditer(markup)]
    by_class = _LOOKUPS_BY_CLASS.get()
    names, ids = {}, set()
    for _, attributes in tags:
        name = _media_name(attributes.get("src") or "")
        if name:
            names[name] = original_name_of(name)
        elif by_class:
            ids.add(_class_id(attributes))
    ids.discard(None)
    if not names and not ids:
        return markup
    from django.db.models import Q

    from broadsheet.media.models import MediaItem

    wanted = set(names) | set(names.values())
    items, by_id = {}, {}
    fields = ("file", "original_url", "width", "height", "sizes", "alt_text", "mime_type")
    for item in MediaItem.objects.filter(Q(file__in=wanted) | Q(pk__in=ids)).only(*fields):
        if item.file:
            items[item.file.name] = item
        by_id[item.pk] = item
    if not by_id:
        return markup

    pieces, position = [], 0
    for match, attributes in tags:
        src = attributes.get("src") or ""
        name = _media_name(src)
        if name:
            item = items.get(name) or items.get(names.get(name, ""))
            version = version_named(item, name) if item is not None else None
        else:
            item = by_id.get(_class_id(attributes)) if by_class else None
            version = version_at(item, src) if item is not None else None
        if version is None:
            continue
        rewritten = _rewrite_tag(attributes, item, version)
        pieces += [markup[position : match.start()], rewritten]
        position = match.end()
    pieces.append(markup[position:])
    return "".join(pieces)


def _media_name(src: str) -> str:
    """Return the media-store name a ``src`` points at ("" for anything else)."""
    src = src.strip()  # the parser has already decoded character references
    media_url = settings.MEDIA_URL
    if src.startswith(settings.SITE_URL + media_url):
        src = src[len(settings.SITE_URL) :]
    if not src.startswith(media_url) or src.startswith("//"):
        return ""
    path = unquote(urlsplit(src).path)[len(media_url) :]
    if not path or ".." in path.split("/") or "\x00" in path:
        return ""
    return path


def _class_id(attributes: dict[str, str | None]) -> int | None:
    """Return N of a ``wp-image-N`` class, as WordPress's editor writes on an attachment's image."""
    match = _WP_IMAGE_CLASS.search(attributes.get("class") or "")
    return int(match.group(1)) if match else None


def _rewrite_tag(attributes: dict[str, str | None], item, version: tuple[str, int, int]) -> str:
    _, width, height = version
    changed = dict(attributes)
    if not (changed.get("alt") or "").strip() and item.alt_text:
        changed["alt"] = item.alt_text
    shown_width = _int_attribute(changed.get("width"))
    if shown_width is None:
        changed["width"], changed["height"] = str(width), str(height)
        shown_width = width
    if "srcset" not in changed:
        changed.update(srcset_attributes(item, width, height, shown_width))
    return _build_tag(changed)


def _int_attribute(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip()) or None


def _build_tag(attributes: dict[str, str | None]) -> str:
    parts = ["<img"]
    for name, value in attributes.items():
        if not _ATTRIBUTE_NAME.match(name):
            continue  # a name no HTML attribute has (quotes, "<"...): dropped rather than written back
        parts.append(f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"')
    return "".join(parts) + ">"


class _TagParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        if not self.attributes:
            for name, value in attrs:
                self.attributes.setdefault(name, value)

    handle_startendtag = handle_starttag


def _parse_tag(tag: str) -> dict[str, str | None]:
    parser = _TagParser()
    parser.feed(tag)
    parser.close()
    return parser.attributes
