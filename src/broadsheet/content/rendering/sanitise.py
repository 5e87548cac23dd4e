"""The allow-list every body passes through last (nh3, the Ammonia sanitiser).

It keeps what real posts use (figures, tables, media, code, footnotes,
embeds as links) and drops scripts, event handlers, styles, forms, frames and
any URL scheme but http, https, mailto and tel. ``clean(clean(x)) == clean(x)``.
"""

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blockquote",
    "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "source",
    "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "track", "tt", "u", "ul", "var", "video", "wbr", "cite",
}  # fmt: skip

_COMMON = {"id", "class", "title", "lang", "dir", "aria-label"}
ALLOWED_ATTRIBUTES = {
    "*": _COMMON,
    "a": {"href", "rel", "hreflang", "name", "target"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading", "decoding"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "video": {"src", "controls", "loop", "muted", "preload", "poster", "width", "height", "playsinline"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "td": {"colspan", "rowspan", "align", "headers"},
    "th": {"colspan", "rowspan", "align", "scope", "headers", "abbr"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "details": {"open"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    # target="_blank" is only kept with rel protection added by the theme's links; drop odd targets.
    if attribute == "target" and value not in ("_blank", "_self"):
        return None
    return value


def sanitise_html(markup: str) -> str:
    """Return ``markup`` with everything outside the allow-list removed."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )
