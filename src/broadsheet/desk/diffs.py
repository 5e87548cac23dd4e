"""Side-by-side differences between two revisions, as rows a template lays out (difflib underneath).

Lines are compared first; a changed line is then compared word by word, and the changed words
are wrapped in ``<del>``/``<ins>``. Unchanged stretches are folded to ``CONTEXT`` lines around each
change. Every piece of text is escaped here, so the template may output the cells as they are.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from broadsheet.desk.models import TEXT_FIELDS

CONTEXT = 3
WORD_DIFF_LIMIT = 4000  # tokens per line; longer lines are shown changed as a whole (bounded work)
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
LABELS = {"title": "Title", "slug": "Slug", "excerpt": "Excerpt", "body_format": "Format", "body": "Text"}


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "same", "changed", "removed", "added" or "gap" (unchanged lines left out)
    old_number: int | None = None
    new_number: int | None = None
    old: Markup = Markup("")
    new: Markup = Markup("")
    skipped: int = 0  # for "gap" rows


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    changed: bool
    rows: list[DiffRow]


def diff_texts(old: str, new: str, *, context: int = CONTEXT) -> list[DiffRow]:
    """Return the rows showing how ``old`` became ``new``."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows: list[DiffRow] = []
    previous_end = 0
    for group in matcher.get_grouped_opcodes(context):
        first_old = group[0][1]
        if first_old > previous_end:
            rows.append(DiffRow("gap", skipped=first_old - previous_end))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffRow("same", i + 1, j + 1, escape(old_lines[i]), escape(new_lines[j]))
                         for i, j in zip(range(i1, i2), range(j1, j2))]  # fmt: skip
            elif tag == "delete":
                rows += [DiffRow("removed", old_number=i + 1, old=escape(old_lines[i])) for i in range(i1, i2)]
            elif tag == "insert":
                rows += [DiffRow("added", new_number=j + 1, new=escape(new_lines[j])) for j in range(j1, j2)]
            else:
                rows += _replaced(old_lines, new_lines, i1, i2, j1, j2)
        previous_end = group[-1][2]
    if rows and previous_end < len(old_lines):
        rows.append(DiffRow("gap", skipped=len(old_lines) - previous_end))
    return rows


def _replaced(old_lines, new_lines, i1, i2, j1, j2) -> list[DiffRow]:
    rows = []
    pairs = min(i2 - i1, j2 - j1)
    for offset in range(pairs):
        old_html, new_html = highlight_words(old_lines[i1 + offset], new_lines[j1 + offset])
        rows.append(DiffRow("changed", i1 + offset + 1, j1 + offset + 1, old_html, new_html))
    rows += [DiffRow("removed", old_number=i + 1, old=escape(old_lines[i])) for i in range(i1 + pairs, i2)]
    rows += [DiffRow("added", new_number=j + 1, new=escape(new_lines[j])) for j in range(j1 + pairs, j2)]
    return rows


def highlight_words(old: str, new: str) -> tuple[Markup, Markup]:
    """Return both lines escaped, with the words that differ in ``<del>`` (old) and ``<ins>`` (new)."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    if len(old_tokens) > WORD_DIFF_LIMIT or len(new_tokens) > WORD_DIFF_LIMIT:
        return Markup("<del>%s</del>") % old, Markup("<ins>%s</ins>") % new
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_text, new_text = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if tag == "equal":
            old_parts.append(escape(old_text))
            new_parts.append(escape(new_text))
            continue
        if old_text:
            old_parts.append(Markup("<del>%s</del>") % old_text)
        if new_text:
            new_parts.append(Markup("<ins>%s</ins>") % new_text)
    return Markup("").join(old_parts), Markup("").join(new_parts)


def diff_revisions(old, new) -> list[FieldDiff]:
    """Compare the text fields of two revisions (or entries), in the order ``TEXT_FIELDS`` gives."""
    diffs = []
    for name in TEXT_FIELDS:
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        changed = before != after
        diffs.append(FieldDiff(name, LABELS[name], changed, diff_texts(before, after) if changed else []))
    return diffs
