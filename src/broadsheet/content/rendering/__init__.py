"""Body source -> safe HTML.

The pipeline, in order: split at the fold (``fold.py``), turn each part into
HTML by its format (``markdown.py`` or ``wpautop.py``), then sanitise the final
HTML last (``sanitise.py``), so no later step can re-open what it removed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from broadsheet.content.rendering.fold import split_fold
from broadsheet.content.rendering.sanitise import sanitise_html

_TAG = re.compile(r"<[^>]*>")
_NEXTPAGE = re.compile(r"<!--nextpage-->")


def _mark_page_breaks(source: str) -> str:
    """Turn WordPress's ``<!--nextpage-->`` into anchored breaks: the pages are shown in one document.

    Old ``/post/2/`` addresses redirect to ``#page-2`` (see content.views).
    """
    if "<!--nextpage-->" not in source:
        return source
    parts = _NEXTPAGE.split(source)
    marked = [parts[0]]
    for number, part in enumerate(parts[1:], start=2):
        marked.append(f'\n\n<div class="page-break" id="page-{number}"></div>\n\n{part}')
    return "".join(marked)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class RenderedBody:
    html: str  # the whole text, fold marked by <span id="more-ID"></span>
    teaser_html: str  # the text up to the fold ("" when there is no fold)
    has_fold: bool
    more_text: str  # custom "Continue reading" text from <!--more Text-->, or ""
    plain_text: str  # the whole text without markup, for search and descriptions


def render_source(source: str, body_format: str, resolve_attachment=None, post_meta=None) -> str:
    """Turn source text of ``body_format`` into (unsanitised) HTML.

    HTML is WordPress's: block-editor content is its blocks' HTML, classic
    content gets WordPress's paragraph rules; then WordPress's shortcodes.
    """
    if body_format == "html":
        from broadsheet.content.rendering.blocks import has_blocks, render_blocks
        from broadsheet.content.rendering.shortcodes import autoembed, render_shortcodes
        from broadsheet.content.rendering.wpautop import wpautop

        markup = render_blocks(source, post_meta=post_meta) if has_blocks(source) else wpautop(autoembed(source))
        if resolve_attachment is None:
            return render_shortcodes(markup).html
        return render_shortcodes(markup, resolve_attachment=resolve_attachment).html
    from broadsheet.content.rendering.markdown import render_markdown

    return render_markdown(source)


def html_to_text(markup: str) -> str:
    """Return the visible text of ``markup`` on one line."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def render_body(
    source: str,
    body_format: str,
    *,
    anchor_id: int | None,
    trusted: bool = False,
    resolve_attachment=None,
    filter_html=None,
    post_meta=None,
) -> RenderedBody:
    """Render ``source``; ``resolve_attachment(id)`` gives galleries their images.

    ``post_meta(key)`` gives block content the entry's WordPress post meta (footnotes).

    ``filter_html(markup)`` runs on the HTML just before sanitising (the media app adds
    ``srcset`` to library images there), so the sanitiser still has the last word.
    """
    fold = split_fold(_mark_page_breaks(source))
    sanitise = (lambda markup: markup) if trusted else sanitise_html
    clean = (lambda markup: sanitise(filter_html(markup))) if filter_html else sanitise
    if fold.has_fold:
        anchor = f'<span id="more-{anchor_id}"></span>'
        full_source = fold.rest if fold.no_teaser else fold.teaser + anchor + fold.rest
        full_html = clean(render_source(full_source, body_format, resolve_attachment, post_meta))
        teaser_html = clean(render_source(fold.teaser, body_format, resolve_attachment, post_meta))
    else:
        full_html = clean(render_source(fold.teaser, body_format, resolve_attachment, post_meta))
        teaser_html = ""
    return RenderedBody(
        html=full_html,
        teaser_html=teaser_html,
        has_fold=fold.has_fold,
        more_text=fold.more_text,
        plain_text=html_to_text(full_html),
    )
