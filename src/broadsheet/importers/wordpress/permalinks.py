"""Find the permalink structure a WordPress site used, from its items' links.

WXR does not record the structure, but every item carries its ``<link>``.
Each candidate structure is tried against the published posts; the one that
reproduces the most links wins (and the report says how many).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from broadsheet.content.permalinks import match_post_path

CANDIDATES = [
    "/%year%/%monthnum%/%day%/%postname%/",
    "/%year%/%monthnum%/%postname%/",
    "/%year%/%postname%/",
    "/%postname%/",
    "/archives/%post_id%",
    "/%category%/%postname%/",
    "/%year%/%monthnum%/%day%/%postname%.html",
    "/%postname%.html",
    "/%post_id%/%postname%/",
    "/%author%/%postname%/",
]


@dataclass(frozen=True)
class LinkSample:
    path: str  # the link's path below the site's base path, decoded
    post_id: int
    slug: str
    local_date: datetime.datetime
    category_slugs: tuple[str, ...] = ()
    author_login: str = ""


def link_path(link: str, base_path: str) -> str:
    """Return the decoded path of ``link`` below ``base_path`` ("/blog"), or ""."""
    parts = urlsplit(link)
    if parts.query:
        return ""
    path = re.sub(r"/{2,}", "/", unquote(parts.path))
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :]
    if path.startswith("/index.php/"):
        path = path[len("/index.php") :]
    return path or "/"


def _fits(structure: str, sample: LinkSample) -> bool:
    tokens = match_post_path(sample.path, structure)
    if tokens is None:
        return False
    date = sample.local_date
    checks = {
        "year": f"{date.year:04d}", "monthnum": f"{date.month:02d}", "day": f"{date.day:02d}",
        "postname": sample.slug, "post_id": str(sample.post_id),
    }  # fmt: skip
    for name, expected in checks.items():
        if tokens.get(name) is not None and tokens[name] != expected:
            return False
    if tokens.get("category") is not None and tokens["category"].rsplit("/", 1)[-1] not in sample.category_slugs:
        return False
    if tokens.get("author") is not None and not sample.author_login:
        return False
    return True


def infer_structure(samples: list[LinkSample]) -> tuple[str, int]:
    """Return the best structure and how many samples it explains (0: none fit; links were plain ``?p=``)."""
    best, best_count = "", 0
    for structure in CANDIDATES:
        count = sum(1 for sample in samples if _fits(structure, sample))
        if count > best_count:
            best, best_count = structure, count
    return best, best_count
