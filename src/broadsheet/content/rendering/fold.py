"""WordPress's fold: ``<!--more-->``, ``<!--more Custom text-->`` and ``<!--noteaser-->``.

As in WordPress's ``get_the_content()``: the text is split at the first
``<!--more…-->``; text after ``more`` (trimmed) is the link text; a
``<!--noteaser-->`` anywhere hides the teaser on the post's own page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MORE = re.compile(r"<!--more(.*?)?-->", re.DOTALL)
_NOTEASER = "<!--noteaser-->"


@dataclass(frozen=True)
class Fold:
    teaser: str
    rest: str
    has_fold: bool
    more_text: str
    no_teaser: bool


def split_fold(source: str) -> Fold:
    match = _MORE.search(source)
    if match is None:
        return Fold(teaser=source, rest="", has_fold=False, more_text="", no_teaser=False)
    teaser = source[: match.start()]
    rest = source[match.end() :]
    no_teaser = _NOTEASER in source
    if no_teaser:
        teaser = teaser.replace(_NOTEASER, "")
        rest = rest.replace(_NOTEASER, "")
    more_text = (match.group(1) or "").strip()
    return Fold(teaser=teaser, rest=rest, has_fold=True, more_text=more_text, no_teaser=no_teaser)
