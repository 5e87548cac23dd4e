"""Block-editor (Gutenberg) content -> HTML.

WordPress stores block-editor posts as HTML with the blocks marked by
comments: ``<!-- wp:name {"json":"attrs"} -->`` … ``<!-- /wp:name -->``, or
``<!-- wp:name {…} /-->`` for a block with no saved HTML. On display it parses
them (``WP_Block_Parser``) and renders each block: a static block is its saved
HTML, a dynamic block is rendered by PHP on the server. ``wpautop`` is not run
on such posts (``has_blocks``).

We keep static blocks' HTML and drop the delimiters. Dynamic blocks need the
live site (latest posts, archives, search, navigation, query loops…), so they
render as nothing, except embeds, which become links as elsewhere, and
footnotes, rendered from the post's ``footnotes`` meta as WordPress does. Shortcodes
inside blocks (``wp:shortcode``, or typed into a paragraph) are left for
``shortcodes.render_shortcodes``.

The delimiter grammar is ``WP_Block_Parser::next_token``'s pattern, matched by
a scanner that stays linear on hostile input.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from html import escape as html_escape

from broadsheet.content.rendering.shortcodes import embed_link, safe_url

__all__ = ["DROPPED_BLOCKS", "has_blocks", "render_blocks", "render_footnotes"]

# Paired core blocks whose saved inner HTML is only a template for server-side
# rendering (a query loop, comments, navigation): the whole block is dropped.
DROPPED_BLOCKS = frozenset(
    {
        "query",
        "post-template",
        "query-pagination",
        "query-no-results",
        "comments",
        "comment-template",
        "comments-pagination",
        "navigation",
        "navigation-submenu",
    }
)

# <!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)\s+ — then attrs, void, -->.
_OPENING = re.compile(r"<!--\s+(/)?wp:([a-z][a-z0-9_-]*/)?([a-z][a-z0-9_-]*)\s+")
# The attrs end at the first "}" followed by whitespace and "-->" or "/-->".
_ATTRS_END = re.compile(r"\}\s+(/)?-->")


def has_blocks(text: str) -> bool:
    """WordPress's ``has_blocks``: whether ``text`` contains a block delimiter."""
    return "<!-- wp:" in text


@dataclass
class _Token:
    start: int
    end: int
    closer: bool
    namespace: str  # "" for core blocks ("core/" is normalised to "")
    name: str
    attrs: str | None  # the raw JSON text, if any
    void: bool


def _tokens(text: str) -> list[_Token]:
    ends: list[tuple[int, int, bool]] = [(m.start(), m.end(), m.group(1) is not None) for m in _ATTRS_END.finditer(text)]
    end_starts = [start for start, _, _ in ends]
    tokens: list[_Token] = []
    position = 0
    while True:
        match = _OPENING.search(text, position)
        if match is None:
            break
        after = match.end()
        attrs = None
        if text.startswith("{", after):
            k = bisect.bisect_left(end_starts, after + 1)
            if k == len(ends):
                position = match.start() + 1
                continue
            brace_end, token_end, void = ends[k]
            attrs = text[after : brace_end + 1]
        elif text.startswith("/-->", after):
            token_end, void = after + 4, True
        elif text.startswith("-->", after):
            token_end, void = after + 3, False
        else:
            position = match.start() + 1
            continue
        namespace = match.group(2) or ""
        tokens.append(
            _Token(
                start=match.start(),
                end=token_end,
                closer=match.group(1) is not None,
                namespace="" if namespace == "core/" else namespace,
                name=match.group(3),
                attrs=attrs,
                void=void,
            )
        )
        position = token_end
    return tokens


def _json_attrs(token: _Token) -> dict:
    if not token.attrs:
        return {}
    try:
        value = json.loads(token.attrs)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _is_embed(token: _Token) -> bool:
    # core/embed, and before WordPress 5.6 one block per provider: core-embed/youtube, …
    return (token.namespace == "" and token.name == "embed") or token.namespace == "core-embed/"


def _embed_url(token: _Token) -> str:
    url = _json_attrs(token).get("url")
    return url.strip() if isinstance(url, str) else ""


_EMBED_WRAPPER = re.compile(
    r'(<div class="wp-block-embed__wrapper">)\s*(https?://[^\s<>"]+)?\s*(</div>)',
    re.IGNORECASE,
)


def _render_embed(inner: str, url: str) -> str:
    """A paired embed block: the URL in its wrapper becomes a link paragraph."""

    def link(match: re.Match[str]) -> str:
        target = url if safe_url(url) else (match.group(2) or "")
        if not target:
            return match.group(0)
        return match.group(1) + embed_link(target) + match.group(3)

    return _EMBED_WRAPPER.sub(link, inner, count=1)


@dataclass
class _Open:
    token: _Token
    start: int  # index in the output list where this block's HTML begins
    dropped: bool


def render_footnotes(meta_value: str | None) -> str:
    """The footnotes block (WordPress 6.3+), as ``render_block_core_footnotes`` writes it from the post's meta.

    The notes live in the ``footnotes`` post meta, a JSON list of ``{"id", "content"}``;
    each reference in the text links to ``#<id>`` and each note links back to
    ``#<id>-link``. The notes' HTML is sanitised with the rest of the body.
    Missing or unreadable meta renders nothing, as in WordPress.
    """
    try:
        notes = json.loads(meta_value) if meta_value else None
    except (ValueError, RecursionError):
        return ""
    if not isinstance(notes, list):
        return ""
    items = []
    for number, note in enumerate((note for note in notes if isinstance(note, dict)), start=1):
        note_id = html_escape(str(note.get("id", "")), quote=True)
        content = note.get("content", "")
        items.append(
            f'<li id="{note_id}">{content if isinstance(content, str) else ""} '
            f'<a href="#{note_id}-link" aria-label="Jump to footnote reference {number}">↩︎</a></li>'
        )
    return f'<ol class="wp-block-footnotes">{"".join(items)}</ol>' if items else ""


def render_blocks(html: str, *, post_meta=None) -> str:
    """``html`` with block delimiters removed and dynamic blocks rendered (as nothing, or embeds as links).

    Like WordPress's parser, a closer closes the innermost open block whatever
    its name; a stray closer is dropped and blocks left open run to the end.
    ``post_meta(key)`` gives the entry's post meta to the blocks WordPress renders
    from it (footnotes); without it they render as nothing.
    """
    if "<!--" not in html:
        return html
    out: list[str] = []
    stack: list[_Open] = []
    dropping = 0  # how many open blocks are dropped
    position = 0
    for token in _tokens(html):
        if not dropping:
            out.append(html[position : token.start])
        position = token.end
        if token.closer:
            if not stack:
                continue
            block = stack.pop()
            if block.dropped:
                dropping -= 1
            elif _is_embed(block.token) and not dropping:
                url = _embed_url(block.token)
                if url:
                    out[block.start :] = [_render_embed("".join(out[block.start :]), url)]
        elif token.void:
            if not dropping and _is_embed(token):
                url = _embed_url(token)
                if url:
                    out.append(embed_link(url))
            elif not dropping and token.namespace == "" and token.name == "footnotes" and post_meta is not None:
                out.append(render_footnotes(post_meta("footnotes")))
        else:
            dropped = token.namespace == "" and token.name in DROPPED_BLOCKS
            stack.append(_Open(token, len(out), dropped))
            dropping += dropped
    if not dropping:
        out.append(html[position:])
    return "".join(out)
