"""What a writer pastes into a post to show a library item: Markdown and HTML, escaped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]])")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippets:
    markdown: str
    html: str


def insert_snippets(item) -> Snippets:
    """Return the Markdown and HTML that place ``item`` in a post (images at their large size).

    The rendering pipeline adds ``srcset`` and ``sizes`` to the image when the post is saved.
    """
    url = item.size_url("large") if item.is_image else item.url
    if item.is_image:
        size = item.sizes.get("large") or {"width": item.width, "height": item.height}
        dimensions = f' width="{size["width"]}" height="{size["height"]}"' if size.get("width") else ""
        return Snippets(
            markdown=f"![{_markdown_text(item.alt_text)}]({_markdown_url(url)})",
            html=f'<img src="{_attribute(url)}" alt="{_attribute(item.alt_text)}"{dimensions}>',
        )
    if item.kind in ("audio", "video"):
        tag = f'<{item.kind} controls src="{_attribute(url)}"></{item.kind}>'
        return Snippets(markdown=tag, html=tag)  # Markdown bodies take HTML; the sanitiser keeps these tags
    label = item.title or item.original_name or url
    return Snippets(
        markdown=f"[{_markdown_text(label)}]({_markdown_url(url)})",
        html=f'<a href="{_attribute(url)}">{html.escape(label, quote=False)}</a>',
    )


def _markdown_text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _SPACE.sub(" ", text).strip())


def _markdown_url(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _attribute(value: str) -> str:
    return html.escape(_SPACE.sub(" ", value).strip(), quote=True)
