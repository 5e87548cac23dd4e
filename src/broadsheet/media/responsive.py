"""Responsive images: ``srcset``/``sizes`` from a library item's generated sizes.

Two callers: the rendering pipeline (:func:`add_image_attributes`, run on a body's HTML
before it is sanitised, as WordPress's ``wp_filter_content_tags``) and the theme
(:func:`image_tag`, for featured images). Every value written here is escaped; the
sanitiser still runs after the content filter.
"""

from __future__ import annotations

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
    names = {}
    for _, attributes in tags:
        name = _media_name(attributes.get("src") or "")
        if name:
            names[name] = original_name_of(name)
    if not names:
        return markup
    from broadsheet.media.models import MediaItem

    wanted = set(names) | set(names.values())
    items = {}
    for item in MediaItem.objects.filter(file__in=wanted).only("file", "width", "height", "sizes", "alt_text", "mime_type"):
        items[item.file.name] = item
    if not items:
        return markup

    pieces, position = [], 0
    for match, attributes in tags:
        name = _media_name(attributes.get("src") or "")
        item = items.get(name) or items.get(names.get(name, ""))
        if item is None:
            continue
        rewritten = _rewrite_tag(attributes, item, name)
        if rewritten is None:
            continue
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


def _rewrite_tag(attributes: dict[str, str | None], item, name: str) -> str | None:
    version = version_named(item, name)
    if version is None:
        return None
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
