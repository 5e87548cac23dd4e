"""Reader-typed search text -> a safe, structured query.

Whatever is typed (quotes, FTS operators, 10 kB of input, control
characters) becomes a list of terms: words, ``"quoted phrases"`` and
``prefix*`` words. Backends quote every term themselves, so no user text is
ever interpreted as query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 500
MAX_TERMS = 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKENS = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the cleaned text, safe to show back (escaped) to the reader
    terms: tuple[Term, ...] = field(default_factory=tuple)

    def __bool__(self):
        return bool(self.terms)


def parse_query(raw: str | None) -> ParsedQuery:
    text = _CONTROL.sub(" ", raw or "")[:MAX_QUERY_LENGTH].strip()
    terms: list[Term] = []
    for quoted, bare in _TOKENS.findall(text):
        if len(terms) >= MAX_TERMS:
            break
        if bare:
            if bare in _OPERATORS:
                continue
            words = tuple(word.lower() for word in _WORD.findall(bare))
            prefix = bare.endswith("*") and len(words) == 1
        else:
            words = tuple(word.lower() for word in _WORD.findall(quoted))
            prefix = False
        if words:
            terms.append(Term(words=words, prefix=prefix))
    return ParsedQuery(text=text, terms=tuple(terms))
