"""WordPress permalink structures: tokens <-> a post's path.

A structure such as ``/%year%/%monthnum%/%day%/%postname%/`` is both how a
post's URL is built (``build_post_path``) and how a request path is matched
back to a post (``match_post_path``). Dates are in the site's time zone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

TOKEN_PATTERNS = {
    "%year%": r"(?P<year>[0-9]{4})",
    "%monthnum%": r"(?P<monthnum>[0-9]{2})",
    "%day%": r"(?P<day>[0-9]{2})",
    "%hour%": r"(?P<hour>[0-9]{2})",
    "%minute%": r"(?P<minute>[0-9]{2})",
    "%second%": r"(?P<second>[0-9]{2})",
    "%post_id%": r"(?P<post_id>[0-9]{1,19})",
    "%postname%": r"(?P<postname>[^/]+)",
    "%category%": r"(?P<category>[^?#]+?)",
    "%author%": r"(?P<author>[^/]+)",
}
_TOKEN = re.compile(r"%[a-z_]+%")
DEFAULT_CATEGORY_SLUG = "uncategorized"


def validate_structure(structure: str) -> None:
    """Raise ValidationError unless ``structure`` is a usable permalink structure."""
    if not structure.startswith("/"):
        raise ValidationError("A permalink structure starts with /.")
    unknown = [token for token in _TOKEN.findall(structure) if token not in TOKEN_PATTERNS]
    if unknown:
        raise ValidationError(f"Unknown permalink tokens: {', '.join(unknown)}.")
    if "%postname%" not in structure and "%post_id%" not in structure:
        raise ValidationError("A permalink structure needs %postname% or %post_id%.")
    if any(structure.count(token) > 1 for token in TOKEN_PATTERNS):
        raise ValidationError("Each permalink token may appear once.")


@lru_cache(maxsize=16)
def compile_structure(structure: str) -> re.Pattern:
    pattern = []
    position = 0
    for match in _TOKEN.finditer(structure):
        pattern.append(re.escape(structure[position : match.start()]))
        pattern.append(TOKEN_PATTERNS[match.group()])
        position = match.end()
    pattern.append(re.escape(structure[position:]))
    return re.compile("".join(pattern) + r"\Z")


def match_post_path(path: str, structure: str) -> dict[str, str] | None:
    """Return the token values in ``path`` if it has the shape of a post permalink."""
    match = compile_structure(structure).match(path)
    return match.groupdict() if match else None


def build_post_path(post, site) -> str:
    """Return the path of ``post`` under the site's permalink structure.

    Entries not yet published have no pretty URL; like WordPress, they are ``/?p=ID``.
    """
    structure = site.permalink_structure
    if post.published_at is None or not post.slug and "%postname%" in structure:
        return f"/?p={post.pk}"
    local = timezone.localtime(post.published_at, site.tzinfo)
    pieces = []
    for literal, token in _structure_pieces(structure):
        pieces.append(literal)
        if token is not None:
            value = _TOKEN_VALUES.get(token)
            pieces.append(value(post, local) if value is not None else token)
    return "".join(pieces)


def _primary_category_path(post, _local) -> str:
    category = post.primary_category
    return category.path if category else DEFAULT_CATEGORY_SLUG


def _first_author_slug(post, _local) -> str:
    authors = post.ordered_authors
    return authors[0].slug if authors else "author"


_TOKEN_VALUES = {
    "%year%": lambda _post, local: f"{local.year:04d}",
    "%monthnum%": lambda _post, local: f"{local.month:02d}",
    "%day%": lambda _post, local: f"{local.day:02d}",
    "%hour%": lambda _post, local: f"{local.hour:02d}",
    "%minute%": lambda _post, local: f"{local.minute:02d}",
    "%second%": lambda _post, local: f"{local.second:02d}",
    "%post_id%": lambda post, _local: str(post.pk),
    "%postname%": lambda post, _local: post.slug,
    "%category%": _primary_category_path,
    "%author%": _first_author_slug,
}


@lru_cache(maxsize=16)
def _structure_pieces(structure: str) -> tuple[tuple[str, str | None], ...]:
    """The structure as (literal text, token or None) pairs, worked out once per structure."""
    pieces = []
    position = 0
    for match in _TOKEN.finditer(structure):
        pieces.append((structure[position : match.start()], match.group()))
        position = match.end()
    pieces.append((structure[position:], None))
    return tuple(pieces)


def reverse_memoized(viewname: str, *args, **kwargs) -> str:
    """``reverse()``, remembered: archive links (bylines, terms) are asked for on every page.

    Keyed by everything ``reverse()`` depends on: the URLconf in use and the
    script prefix as well as the arguments.
    """
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(urlconf, get_script_prefix(), viewname, args, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=8192)
def _reversed(urlconf, _prefix: str, viewname: str, args: tuple, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)
