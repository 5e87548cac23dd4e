"""Comment text to HTML: plain text with paragraphs and links, never the writer's markup.

A blank line starts a paragraph, a single newline is a line break, and
``http(s)://`` and ``www.`` addresses become links with ``rel="nofollow ugc"``
(the writer's links earn no ranking, as search engines ask of user content).
Everything else is escaped, so ``<script>`` shows as text. The result is
passed through nh3 with an allow-list of ``p``, ``br`` and ``a href`` as a
second wall; ``render_comment_text`` is what nh3 would leave unchanged.
"""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape

LINK_REL = "nofollow ugc"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# An address runs to the next space or character that cannot be in one unencoded.
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`\x00-\x1f\x7f]+", re.IGNORECASE)
_TRAILING = ".,;:!?*'\""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def render_comment_text(text: str) -> str:
    """Return ``text`` as paragraphs of escaped text with auto-linked addresses."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]
    html = "\n".join(f"<p>{_render_paragraph(paragraph)}</p>" for paragraph in paragraphs)
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _render_paragraph(paragraph: str) -> str:
    lines = [_link_line(line.strip()) for line in paragraph.split("\n")]
    return "<br>\n".join(lines)


def _link_line(line: str) -> str:
    out, position = [], 0
    for match in _URL.finditer(line):
        address = _trim(match.group(0))
        if "." not in address.split("//", 1)[-1]:
            continue  # "http://" alone, or "www." at the end of a sentence
        start, end = match.start(), match.start() + len(address)
        href = address if "://" in address else "http://" + address
        out.append(escape(line[position:start]))
        out.append(f'<a href="{escape(href)}" rel="{LINK_REL}">{escape(address)}</a>')
        position = end
    out.append(escape(line[position:]))
    return "".join(out)


def _trim(address: str) -> str:
    """Drop the sentence's punctuation after an address, and a closing bracket it did not open."""
    while address:
        last = address[-1]
        if last in _TRAILING:
            address = address[:-1]
        elif last == ")" and address.count("(") < address.count(")"):
            address = address[:-1]
        elif last in "]}" and address.count("[" if last == "]" else "{") < address.count(last):
            address = address[:-1]
        else:
            break
    return address
