"""WordPress shortcodes -> HTML.

A port of the parser in WordPress's ``wp-includes/shortcodes.php``
(``get_shortcode_regex``, ``do_shortcode_tag``, ``shortcode_parse_atts``,
``do_shortcodes_in_html_tags``), ``shortcode_unautop`` from ``formatting.php``,
``WP_Embed::autoembed`` from ``class-wp-embed.php`` and the core shortcodes of
``media.php`` (``img_caption_shortcode``, ``gallery_shortcode``,
``wp_playlist_shortcode``, ``wp_audio_shortcode``, ``wp_video_shortcode``).

Parsing follows WordPress exactly, but by a hand-written scanner instead of
the PCRE pattern, so it stays linear on hostile input:

- ``[name attrs]``: the tag runs to the first ``]``; a ``/`` just before it
  makes it self-closing (``[name /]``);
- otherwise, when a ``[/name]`` follows anywhere later, everything up to the
  *first* one is the enclosed content (same-name nesting is not supported,
  as in WordPress), else the tag encloses nothing;
- ``[[name]]`` is an escape: it becomes the literal text ``[name]``;
- square brackets inside HTML tags and comments never form shortcodes (what
  WordPress does with ``$ignore_html``; it would also run shortcodes inside
  attribute values, we deliberately do not);
- names are matched case-sensitively and must not be followed by a word
  character or ``-``; only ``KNOWN_SHORTCODES`` are rendered, the rest are
  left exactly as written and reported.

What the shortcodes render to is our own markup, chosen to survive the
sanitiser that runs after us: figures without inline styles, embeds as
links (no iframes), ``<audio>``/``<video>`` with a fallback link. Every value
taken from an attribute is escaped here, URLs must be http(s) (or, for media
files, relative: no scheme at all) and attachment ids must be plain integers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "KNOWN_SHORTCODES",
    "Attachment",
    "ShortcodeResult",
    "autoembed",
    "embed_link",
    "find_unknown_shortcodes",
    "parse_shortcode_atts",
    "render_shortcodes",
    "safe_url",
    "split_html",
]

# The shortcodes WordPress core registers.
KNOWN_SHORTCODES = frozenset({"caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"})

# wp_get_audio_extensions() / wp_get_video_extensions().
AUDIO_EXTENSIONS = ("mp3", "ogg", "flac", "m4a", "wav")
VIDEO_EXTENSIONS = ("mp4", "m4v", "webm", "ogv", "flv")

# A gallery or playlist never asks the resolver about more ids than this.
MAX_ATTACHMENTS = 1000


@dataclass(frozen=True)
class Attachment:
    """What a gallery or playlist needs to know about a WordPress attachment (text fields are plain text)."""

    url: str
    title: str = ""
    caption: str = ""
    alt: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class ShortcodeResult:
    html: str
    unknown: frozenset[str]  # names of shortcodes left as written


Resolver = Callable[[int], Attachment | None]


# --------------------------------------------------------------------------- HTML splitting


def split_html(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(piece, is_tag)`` like WordPress's ``wp_html_split``.

    A tag is ``<!--`` … ``-->``, ``<![CDATA[`` … ``]]>`` or ``<`` … ``>``; an
    unclosed one runs to the end of the text, as in WordPress.
    """
    pieces: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("<", i)
        if j < 0:
            pieces.append((text[i:], False))
            break
        if j > i:
            pieces.append((text[i:j], False))
        if text.startswith("<!--", j):
            k = text.find("-->", j + 2)
            end = n if k < 0 else k + 3
        elif text.startswith("<![CDATA[", j):
            k = text.find("]]>", j + 9)
            end = n if k < 0 else k + 3
        else:
            k = text.find(">", j + 1)
            end = n if k < 0 else k + 1
        pieces.append((text[j:end], True))
        i = end
    return pieces


_BRACKET_MASK = str.maketrans({"[": "\x00", "]": "\x00"})


def _mask_tags(text: str) -> str:
    """``text`` with the square brackets inside HTML tags and comments hidden (same length)."""
    if "<" not in text:
        return text
    return "".join(piece.translate(_BRACKET_MASK) if is_tag else piece for piece, is_tag in split_html(text))


def _free_char(text: str, *taken: str) -> str:
    """A private-use character that occurs neither in ``text`` nor in ``taken``."""
    used = set(text)
    used.update(taken)
    code = 0xE000
    while chr(code) in used:
        code += 1
        if code == 0xF900:  # past the BMP private-use area: use plane 15
            code = 0xF0000
    return chr(code)


# --------------------------------------------------------------------------- attributes

_ATTS = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
    r'''|"([^"]*)"(?:\s|$)'''
    r"""|'([^']*)'(?:\s|$)"""
    r"""|(\S+)(?:\s|$)""",
    re.ASCII,
)
_ODD_SPACES = re.compile("[\u00a0\u200b]+")
_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "v": "\v", "b": "\b", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")


def _stripcslashes(value: str) -> str:
    """PHP's ``stripcslashes``."""
    if "\\" not in value:
        return value
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        char = value[i]
        if char != "\\" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        nxt = value[i + 1]
        if nxt in _C_ESCAPES:
            out.append(_C_ESCAPES[nxt])
            i += 2
        elif nxt == "x" and i + 2 < n and value[i + 2] in _HEX:
            j = i + 2
            while j < n and j < i + 4 and value[j] in _HEX:
                j += 1
            out.append(chr(int(value[i + 2 : j], 16)))
            i = j
        elif "0" <= nxt <= "7":
            j = i + 1
            while j < n and j < i + 4 and "0" <= value[j] <= "7":
                j += 1
            out.append(chr(int(value[i + 1 : j], 8) & 0xFF))
            i = j
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def parse_shortcode_atts(text: str) -> dict[str | int, str]:
    """WordPress's ``shortcode_parse_atts``: named attributes (keys lower-cased) and positional ones (int keys)."""
    atts: dict[str | int, str] = {}
    position = 0
    for match in _ATTS.finditer(_ODD_SPACES.sub(" ", text)):
        groups = match.groups()
        if groups[0]:
            atts[groups[0].lower()] = _stripcslashes(groups[1])
        elif groups[2]:
            atts[groups[2].lower()] = _stripcslashes(groups[3])
        elif groups[4]:
            atts[groups[4].lower()] = _stripcslashes(groups[5])
        else:
            positional = next(g for g in groups[6:] if g is not None)
            atts[position] = _stripcslashes(positional)
            position += 1
    for key, value in atts.items():
        # Reject any unclosed HTML elements (a "<" after the last ">").
        if "<" in value and value.rfind("<") > value.rfind(">"):
            atts[key] = ""
    return atts


# --------------------------------------------------------------------------- URLs and escaping

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_TRIM = "".join(chr(c) for c in range(0x21))
_URL_BAD = re.compile(r'[\x00-\x20\x7f<>"\s]')


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _text(value: str) -> str:
    """An attribute value as escaped text (entities in it are decoded first, so nothing is double-escaped)."""
    return _e(html.unescape(value))


def safe_url(raw: str, *, allow_relative: bool = False) -> str | None:
    """``raw`` (entity-decoded) when it is an http(s) URL, or with ``allow_relative`` one with no scheme; else None."""
    url = html.unescape(raw).strip(_URL_TRIM).replace("\t", "").replace("\n", "").replace("\r", "")
    if not url or _URL_BAD.search(url):
        return None
    scheme = _SCHEME.match(url)
    if scheme is None:
        return url if allow_relative else None
    if scheme.group(1).lower() not in ("http", "https"):
        return None
    rest = url[scheme.end() :]
    if not rest.startswith("//") or len(rest) == 2:
        return None
    return url


def embed_link(raw: str) -> str:
    """An embed as a link paragraph; a URL that is not http(s) comes back as escaped text."""
    url = safe_url(raw)
    if url is None:
        return _text(raw.strip())
    return f'<p class="embed"><a href="{_e(url)}">{_e(url)}</a></p>'


def _php_intval(value: object) -> int:
    match = re.match(r"[ \t\n\r\v\f]*([+-]?[0-9]{1,18})", str(value))
    return int(match.group(1)) if match else 0


def _php_bool(value: str | None) -> bool:
    """``wp_validate_boolean`` on a string."""
    return bool(value) and value != "0" and value.lower() != "false"


def _sanitize_html_class(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", re.sub(r"%[a-fA-F0-9]{2}", "", value))


def _classes(*values: str) -> str:
    tokens = (_sanitize_html_class(token) for value in values for token in value.split())
    return " ".join(token for token in tokens if token)


def _extension(raw: str) -> str:
    try:
        path = urlsplit(html.unescape(raw).strip()).path
    except ValueError:
        return ""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _parse_ids(raw: str) -> list[int]:
    """``wp_parse_id_list``, strictly: only tokens made of digits count."""
    ids: list[int] = []
    seen: set[int] = set()
    for token in re.split(r"[\s,]+", raw):
        if not (token.isascii() and token.isdigit() and len(token) <= 18):
            continue
        number = int(token)
        if number and number not in seen:
            seen.add(number)
            ids.append(number)
            if len(ids) >= MAX_ATTACHMENTS:
                break
    return ids


# --------------------------------------------------------------------------- autoembed

_PROTECTED = frozenset({"a", "pre", "code", "kbd", "samp", "textarea", "script", "style"})
# Where an embeddable URL can start: at the start of a line, or just inside a <p>. Masking
# (below) only ever removes such places, so a text without one is returned as it is, unread.
_EMBED_CANDIDATE = re.compile(r"(?:^|\n|<p(?: [^<>]*)?>)\s*https?://", re.IGNORECASE)
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


def autoembed(text: str, *, _placeholder: str = "") -> str:
    """WordPress's ``WP_Embed::autoembed``: a URL alone on a line, or alone in a ``<p>``, becomes an embed link.

    Newlines inside tags do not count (as in WordPress), and unlike WordPress
    neither do those inside ``<a>``, ``<pre>``, ``<code>`` and similar elements.
    """
    if not _EMBED_CANDIDATE.search(text):
        return text
    newline = _free_char(text, _placeholder)
    pieces: list[str] = []
    open_counts: dict[str, int] = {}
    for piece, is_tag in split_html(text):
        if is_tag:
            name = _TAG_NAME.match(piece)
            if name and name.group(2).lower() in _PROTECTED and not piece.endswith("/>"):
                key = name.group(2).lower()
                open_counts[key] = max(0, open_counts.get(key, 0) + (-1 if name.group(1) else 1))
            pieces.append(piece.replace("\n", newline))
        elif any(open_counts.values()):
            pieces.append(piece.replace("\n", newline))
        else:
            pieces.append(piece)
    masked = "".join(pieces)
    url = r'https?://[^\s<>"' + re.escape(newline + _placeholder) + r"]+"
    # URLs alone in a paragraph (the whole paragraph is replaced, so no <p> ends up inside a <p>).
    masked = re.sub(
        r"<p(?: [^<>]*)?>\s*(" + url + r")\s*</p>",
        lambda m: _embed_or_keep(m.group(1), m.group(0)),
        masked,
        flags=re.IGNORECASE,
    )
    # URLs on their own line.
    masked = re.sub(
        r"^([^\S\n]*)(" + url + r")([^\S\n]*)$",
        lambda m: m.group(1) + _embed_or_keep(m.group(2), m.group(2)) + m.group(3),
        masked,
        flags=re.IGNORECASE | re.MULTILINE,
    )
    return masked.replace(newline, "\n")


def _embed_or_keep(raw: str, original: str) -> str:
    return embed_link(raw) if safe_url(raw) else original


# --------------------------------------------------------------------------- scanning

_NAME_RUN = re.compile(r"[A-Za-z0-9_-]*")


@dataclass
class _Tag:
    start: int
    end: int
    name: str
    attrs: str
    content: str | None
    open_escape: str
    close_escape: str

    @property
    def escaped(self) -> bool:
        return self.open_escape == "[" and self.close_escape == "]"


class _Finder:
    """``haystack.find(needle, start)`` for non-decreasing ``start``, in linear time overall."""

    def __init__(self, haystack: str, needle: str) -> None:
        self.haystack, self.needle, self.last = haystack, needle, -2

    def find(self, start: int) -> int:
        if self.last == -1 or self.last >= start:
            return self.last
        self.last = self.haystack.find(self.needle, start)
        return self.last


def _scan(source: str, masked: str, names: frozenset[str]) -> list[_Tag]:
    """The shortcodes in ``source`` whose name is in ``names``, left to right, as ``preg_replace_callback`` finds them."""
    tags: list[_Tag] = []
    close_bracket = _Finder(masked, "]")
    closers: dict[str, _Finder] = {}
    i = masked.find("[")
    while i >= 0:
        tag = _tag_at(source, masked, i, names, close_bracket, closers)
        if tag is None:
            i = masked.find("[", i + 1)
        else:
            tags.append(tag)
            i = masked.find("[", tag.end)
    return tags


def _tag_at(
    source: str, masked: str, i: int, names: frozenset[str], close_bracket: _Finder, closers: dict[str, _Finder]
) -> _Tag | None:
    j = i + 1
    open_escape = ""
    if masked.startswith("[", j):
        open_escape, j = "[", j + 1
    run = _NAME_RUN.match(masked, j)
    name = run.group(0) if run else ""
    if name not in names:
        return None
    after_name = j + len(name)
    close = close_bracket.find(after_name)
    if close < 0:
        return None
    self_closing = close > after_name and masked[close - 1] == "/"
    attrs = source[after_name : close - 1 if self_closing else close]
    end = close + 1
    content = None
    if not self_closing:
        closer = f"[/{name}]"
        finder = closers.setdefault(name, _Finder(masked, closer))
        at = finder.find(end)
        if at >= 0:
            content = source[end:at]
            end = at + len(closer)
    close_escape = ""
    if masked.startswith("]", end):
        close_escape, end = "]", end + 1
    return _Tag(i, end, name, attrs, content, open_escape, close_escape)


_UNKNOWN = re.compile(r"\[([A-Za-z][A-Za-z0-9_-]*)(?:[\s/][^\[\]]*)?\]", re.ASCII)


def _unknown_in(masked: str) -> set[str]:
    found: set[str] = set()
    for match in _UNKNOWN.finditer(masked):
        name = match.group(1)
        if name in KNOWN_SHORTCODES:
            continue
        if match.start() > 0 and masked[match.start() - 1] == "[" and masked.startswith("]", match.end()):
            continue  # [[name]]: an escaped shortcode is text
        found.add(name)
    return found


def find_unknown_shortcodes(text: str) -> set[str]:
    """Names of things that look like shortcodes but are not ones we render (for import reports).

    Anything of the form ``[name]``, ``[name attrs]`` or ``[name /]`` outside
    HTML tags counts, so bracketed words such as ``[sic]`` are reported too.
    """
    if "[" not in text:
        return set()
    return _unknown_in(_mask_tags(text))


# --------------------------------------------------------------------------- rendering


@dataclass
class _Context:
    resolve: Resolver
    unknown: set[str] = field(default_factory=set)


_SPACES = r"(?:[\r\n\t ]|\u00a0|&nbsp;)*"


def render_shortcodes(html: str, *, resolve_attachment: Resolver = lambda _id: None) -> ShortcodeResult:
    """Render the core WordPress shortcodes in ``html`` and autoembed bare URLs.

    Does what WordPress's ``the_content`` does with them: ``[embed]`` and
    ``autoembed`` (priority 8), ``shortcode_unautop`` and ``do_shortcode``
    (priority 11). ``<p>[gallery …]</p>`` loses its paragraph, so it may run
    after ``wpautop``. The result still needs sanitising.
    """
    context = _Context(resolve_attachment)
    rendered = _render(html, context, with_autoembed=True)
    return ShortcodeResult(rendered, frozenset(context.unknown))


def _render(source: str, context: _Context, *, with_autoembed: bool) -> str:
    if "[" not in source:
        return autoembed(source) if with_autoembed else source
    masked = _mask_tags(source)
    tags = _scan(source, masked, KNOWN_SHORTCODES)
    if not tags:
        context.unknown |= _unknown_in(masked)
        return autoembed(source) if with_autoembed else source

    mark = _free_char(source)
    parts: list[str] = []
    position = 0
    for index, tag in enumerate(tags):
        context.unknown |= _unknown_in(masked[position : tag.start])
        parts.append(source[position : tag.start])
        parts.append(f"{mark}{index}{mark}")
        position = tag.end
    context.unknown |= _unknown_in(masked[position:])
    parts.append(source[position:])
    text = "".join(parts)

    if with_autoembed:
        text = autoembed(text, _placeholder=mark)

    def unautop(match: re.Match[str]) -> str:
        tag = tags[int(match.group(1))]
        return f"{mark}{match.group(1)}{mark}" if not (tag.open_escape or tag.close_escape) else match.group(0)

    text = re.sub(f"<p>{_SPACES}{mark}([0-9]+){mark}{_SPACES}</p>", unautop, text)
    return re.sub(f"{mark}([0-9]+){mark}", lambda m: _render_tag(tags[int(m.group(1))], source, context), text)


def _render_tag(tag: _Tag, source: str, context: _Context) -> str:
    if tag.escaped:  # [[name]] -> [name], content and all
        return source[tag.start + 1 : tag.end - 1]
    atts = parse_shortcode_atts(tag.attrs)
    if tag.name in ("caption", "wp_caption"):
        output = _caption(atts, tag.content, context)
    elif tag.name == "gallery":
        output = _gallery(atts, context)
    elif tag.name == "embed":
        output = _embed(atts, tag.content)
    elif tag.name == "audio":
        output = _audio(atts)
    elif tag.name == "video":
        output = _video(atts, tag.content)
    else:
        output = _playlist(atts, context)
    return tag.open_escape + output + tag.close_escape


def _attr(atts: dict[str | int, str], name: str, default: str = "") -> str:
    return atts.get(name, default)


# --------------------------------------------------------------------------- [caption]


def _captioned_image(content: str) -> tuple[str, str] | None:
    """``img_caption_shortcode``'s ``#((?:<a [^>]+>\\s*)?<img [^>]+>(?:\\s*</a>)?)(.*)#is``, without backtracking."""
    lower = content.lower()
    position = 0
    while True:
        start = lower.find("<img ", position)
        if start < 0:
            return None
        close = content.find(">", start + 5)
        if close < 0:
            return None
        if close > start + 5:
            break
        position = start + 1
    end = close + 1
    # An <a …> right before the image (whitespace between) belongs to it.
    before = len(content[:start].rstrip(" \t\n\r\f\v"))
    if before and content[before - 1] == ">":
        a_start = content.rfind("<", 0, before)
        if a_start >= 0 and re.fullmatch(r"<a [^>]+>", content[a_start:before], re.IGNORECASE):
            start = a_start
    after = end + (len(content[end:]) - len(content[end:].lstrip(" \t\n\r\f\v")))
    if lower.startswith("</a>", after):
        end = after + 4
    return content[start:end], content[end:].strip(" \t\n\r\x00\x0b")


def _caption(atts: dict[str | int, str], content: str | None, context: _Context) -> str:
    content = content or ""
    if "caption" in atts:
        caption = _text(atts["caption"])  # the old form: the caption is an attribute, so it is text
    else:
        found = _captioned_image(content)
        caption = ""
        if found:
            content, caption = found  # the new form: the caption is the HTML after the image
            context.unknown |= _unknown_in(_mask_tags(caption))  # left as written, as in WordPress
    inner = _render(content, context, with_autoembed=False)
    if _php_intval(_attr(atts, "width")) < 1 or caption in ("", "0"):
        return inner
    ident = _sanitize_html_class(_attr(atts, "id"))
    id_attr = f' id="{_e(ident)}"' if ident else ""
    classes = _classes("wp-caption", _attr(atts, "align", "alignnone"), _attr(atts, "class"))
    return (
        f'<figure{id_attr} class="{_e(classes)}">{inner}'
        f'<figcaption class="wp-caption-text">{caption}</figcaption></figure>'
    )


# --------------------------------------------------------------------------- [gallery] and [playlist]


def _attachments(atts: dict[str | int, str], context: _Context) -> list[tuple[Attachment, str]]:
    """The resolvable attachments named by ``ids`` (or ``include``), with their safe URL."""
    found = []
    for number in _parse_ids(_attr(atts, "ids") or _attr(atts, "include")):
        attachment = context.resolve(number)
        if attachment is None:
            continue
        url = safe_url(attachment.url, allow_relative=True)
        if url is not None:
            found.append((attachment, url))
    return found


def _dimension(name: str, value: int | None) -> str:
    return f' {name}="{value}"' if isinstance(value, int) and not isinstance(value, bool) and value > 0 else ""


def _gallery(atts: dict[str | int, str], context: _Context) -> str:
    attachments = _attachments(atts, context)
    if not attachments:
        return ""
    columns = _php_intval(_attr(atts, "columns", "3"))
    columns = 3 if columns < 1 else min(columns, 9)
    link = _attr(atts, "link").strip().lower()
    items = []
    for attachment, url in attachments:
        image = (
            f'<img src="{_e(url)}" alt="{_e(attachment.alt)}"'
            f"{_dimension('width', attachment.width)}{_dimension('height', attachment.height)}>"
        )
        if link != "none":  # "file" and the attachment-page default both link to the file
            image = f'<a href="{_e(url)}">{image}</a>'
        caption = f"<figcaption>{_e(attachment.caption)}</figcaption>" if attachment.caption.strip() else ""
        items.append(f'<figure class="gallery-item">{image}{caption}</figure>')
    return f'<figure class="wp-block-gallery gallery columns-{columns}">{"".join(items)}</figure>'


def _playlist(atts: dict[str | int, str], context: _Context) -> str:
    kind = _attr(atts, "type", "audio").strip().lower()
    kind = kind if kind in ("audio", "video") else "audio"
    items = []
    for attachment, url in _attachments(atts, context):
        title = attachment.title or attachment.caption or url.rsplit("/", 1)[-1]
        items.append(
            f'<li><{kind} controls preload="none" src="{_e(url)}"></{kind}>'
            f'<a href="{_e(url)}">{_e(title)}</a></li>'
        )
    return f'<ol class="wp-playlist wp-{kind}-playlist">{"".join(items)}</ol>' if items else ""


# --------------------------------------------------------------------------- [embed], [audio], [video]


def _embed(atts: dict[str | int, str], content: str | None) -> str:
    raw = (content or "").strip() or _attr(atts, "src").strip()
    return embed_link(raw) if raw else ""


def _media_link(raw: str, css_class: str) -> str:
    url = safe_url(raw, allow_relative=True)
    if url is None:
        return _text(raw)
    return f'<a class="{css_class}" href="{_e(url)}">{_e(url)}</a>'


def _media_sources(atts: dict[str | int, str], extensions: tuple[str, ...]) -> list[str] | None:
    """The candidate file URLs of ``[audio]``/``[video]``, or None when there is no usable source."""
    src = _attr(atts, "src").strip()
    if src:
        return [src] + [atts[ext] for ext in extensions if atts.get(ext)]
    if not any(atts.get(ext) and _extension(atts[ext]) == ext for ext in extensions):
        return None  # WordPress would fall back on the post's attached media; we cannot
    return [atts[ext] for ext in extensions if atts.get(ext)]


def _first_safe(candidates: list[str]) -> str | None:
    for candidate in candidates:
        url = safe_url(candidate, allow_relative=True)
        if url is not None:
            return url
    return None


def _audio(atts: dict[str | int, str]) -> str:
    src = _attr(atts, "src").strip()
    if src and _extension(src) not in AUDIO_EXTENSIONS:
        return _media_link(src, "wp-embedded-audio")
    sources = _media_sources(atts, AUDIO_EXTENSIONS)
    url = _first_safe(sources) if sources else None
    if url is None:
        return ""
    preload = _attr(atts, "preload", "none").strip().lower()
    extra = ' loop=""' if _php_bool(atts.get("loop")) else ""
    extra += f' preload="{preload}"' if preload in ("none", "metadata", "auto") else ""
    return f'<audio controls src="{_e(url)}"{extra}><a href="{_e(url)}">{_e(url)}</a></audio>'


_YOUTUBE = re.compile(r"https?://(?:www\.)?(?:youtube\.com/watch|youtu\.be/)", re.IGNORECASE)
_VIMEO = re.compile(r"https?://(?:.+\.)?vimeo\.com/", re.IGNORECASE)
_TRACK = re.compile(r"<track\b[^<>]*>", re.IGNORECASE)


def _video(atts: dict[str | int, str], content: str | None) -> str:
    src = _attr(atts, "src").strip()
    if src and (_YOUTUBE.match(src) or _VIMEO.match(src)):
        return embed_link(src)  # WordPress plays these through MediaElement; we link to them
    if src and _extension(src) not in VIDEO_EXTENSIONS:
        return _media_link(src, "wp-embedded-video")
    sources = _media_sources(atts, VIDEO_EXTENSIONS)
    url = _first_safe(sources) if sources else None
    if url is None:
        return ""
    extra = ""
    poster = safe_url(_attr(atts, "poster"), allow_relative=True)
    if poster:
        extra += f' poster="{_e(poster)}"'
    extra += _dimension("width", abs(_php_intval(_attr(atts, "width"))))
    extra += _dimension("height", abs(_php_intval(_attr(atts, "height"))))
    if _php_bool(atts.get("loop")):
        extra += ' loop=""'
    preload = _attr(atts, "preload", "metadata").strip().lower()
    if preload in ("none", "metadata", "auto"):
        extra += f' preload="{preload}"'
    tracks = "".join(_TRACK.findall(content or ""))  # WordPress keeps the enclosed <track>s
    return f'<video controls src="{_e(url)}"{extra}>{tracks}<a href="{_e(url)}">{_e(url)}</a></video>'
