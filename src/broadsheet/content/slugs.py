"""Slugs as WordPress makes them: from the title, unique with "-2", "-3" suffixes."""

from __future__ import annotations

import re
import unicodedata

from django.utils.text import slugify

MAX_SLUG_LENGTH = 200  # WordPress's post_name is varchar(200)
# Bidi controls, zero-width characters and other invisible format characters.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def slugify_title(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Return a lower-case, NFC-normalised slug for ``text``; "" if nothing is left."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text or ""))
    slug = slugify(text, allow_unicode=True)
    return slug[:max_length].strip("-_")


def unique_slug(queryset, slug: str, *, exclude_pk=None, field: str = "slug", reserved=frozenset()) -> str:
    """Return ``slug``, or ``slug-2``, ``slug-3``... : the first not used in ``queryset``."""
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    base = slug
    candidate = slug
    suffix = 2
    while candidate in reserved or queryset.filter(**{field: candidate}).exists():
        tail = f"-{suffix}"
        candidate = base[: MAX_SLUG_LENGTH - len(tail)].rstrip("-") + tail
        suffix += 1
    return candidate
