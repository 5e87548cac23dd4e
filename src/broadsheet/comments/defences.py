"""Spam and abuse defences for the public comment form, with no outside service.

The form is on pages cached and served identically to everyone, so nothing
per-visitor can be baked into it. Instead:

- **same-site check**: a post must carry an ``Origin`` (or, failing that, a
  ``Referer``) of this site; a post with neither is refused. Signed-in users
  also need Django's CSRF token (their pages are not cached);
- **honeypot**: a field hidden by the theme's stylesheet; anything typed in it
  makes the comment spam;
- **minimum fill time**: the form's script asks ``/comments/stamp/`` for a
  signed time when the form is first used. A post whose stamp is younger than
  ``COMMENTS_MIN_FILL_SECONDS`` is spam; one with no stamp (no JavaScript) or an
  expired one is held for moderation rather than refused;
- **rate limit**: counted in the database, so it holds across server
  processes: at most ``COMMENTS_RATE_LIMITS`` comments per address and window;
- **duplicates**: the same text by the same writer in the same place is refused.

Limits are Django settings read when used (defaults below), so tests and
sites can change them.
"""

from __future__ import annotations

import datetime
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils import timezone

from broadsheet.comments.models import Comment

DEFAULT_RATE_LIMITS = ((60, 5), (3600, 30))  # (seconds, comments): 5 a minute, 30 an hour
DEFAULT_MIN_FILL_SECONDS = 3
STAMP_MAX_AGE = 24 * 3600
_STAMP_SALT = "broadsheet.comments.stamp"
DUPLICATE_MESSAGE = "Duplicate comment detected; it looks as though you’ve already said that!"


# -- where the request comes from --------------------------------------------------


def client_ip(request) -> str | None:
    """Return the reader's address (None if it is not an IP address).

    With ``TRUSTED_PROXIES = N`` (``BROADSHEET_TRUSTED_PROXIES``), the N proxies in
    front each appended the address they saw to ``X-Forwarded-For``, so the reader's
    is the Nth from the right; anything further left was sent by the client and is
    not trusted. With 0, the header is ignored.
    """
    value = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            value = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}".lower()}
    site = _origin(settings.SITE_URL)
    if site:
        origins.add(site)
    origins.update(origin.lower() for origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", ()) if "*" not in origin)
    return origins


def same_site_problem(request) -> str | None:
    """Return why the post does not come from this site's pages, or None if it does."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        if origin == "null" or _origin(origin) not in allowed_origins(request):
            return "The comment was sent from another site."
        return None
    referer = request.META.get("HTTP_REFERER")
    if not referer:
        return "Your browser sent neither an Origin nor a Referer header, so the comment cannot be checked."
    if _origin(referer) not in allowed_origins(request):
        return "The comment was sent from another site."
    return None


# -- how fast the form was filled ----------------------------------------------------


def make_stamp(now: float | None = None) -> str:
    """Return a signed record of the time the form was opened."""
    return signing.dumps(int((now if now is not None else time.time()) * 1000), salt=_STAMP_SALT)


@dataclass(frozen=True)
class StampVerdict:
    status: str | None  # None: no objection; else the status the comment gets
    reason: str = ""


def judge_stamp(stamp: str, now: float | None = None) -> StampVerdict:
    """Judge the form's time stamp: too fast is spam, missing or expired is held."""
    if not stamp:
        return StampVerdict(Comment.Status.PENDING, "no form time stamp (JavaScript off?)")
    try:
        started_ms = signing.loads(stamp, salt=_STAMP_SALT, max_age=STAMP_MAX_AGE)
    except signing.SignatureExpired:
        return StampVerdict(Comment.Status.PENDING, "the form was opened more than a day ago")
    except signing.BadSignature:
        return StampVerdict(Comment.Status.SPAM, "a forged form time stamp")
    if not isinstance(started_ms, int):
        return StampVerdict(Comment.Status.SPAM, "a forged form time stamp")
    elapsed = (now if now is not None else time.time()) - started_ms / 1000
    minimum = getattr(settings, "COMMENTS_MIN_FILL_SECONDS", DEFAULT_MIN_FILL_SECONDS)
    if elapsed > STAMP_MAX_AGE:
        return StampVerdict(Comment.Status.PENDING, "the form was opened more than a day ago")
    if elapsed < minimum:
        return StampVerdict(Comment.Status.SPAM, f"the form was sent {max(elapsed, 0):.1f} s after it was opened")
    return StampVerdict(None)


# -- how often, and how repetitive ---------------------------------------------------


def rate_limit_exceeded(ip: str | None, now: datetime.datetime | None = None) -> int | None:
    """Return the seconds to wait if ``ip`` has used up a window's comments, else None.

    Every stored comment from the address counts (spam and held ones too).
    """
    if ip is None:
        return None
    now = now or timezone.now()
    for seconds, allowed in getattr(settings, "COMMENTS_RATE_LIMITS", DEFAULT_RATE_LIMITS):
        since = now - datetime.timedelta(seconds=seconds)
        recent = Comment.objects.filter(author_ip=ip, created_at__gt=since).order_by("-created_at")
        times = list(recent.values_list("created_at", flat=True)[:allowed])
        if len(times) >= allowed:
            oldest = times[-1]
            return max(1, int((oldest - since).total_seconds()) + 1)
    return None


def is_duplicate(comment: Comment) -> bool:
    """Whether the same writer has said the same thing in the same place (WordPress's check)."""
    writer = Q(author_name=comment.author_name)
    if comment.author_email:
        writer |= Q(author_email=comment.author_email)
    return (
        Comment.objects.on(comment.entry)
        .filter(writer, parent_id=comment.parent_id, body=comment.body)
        .exclude(status=Comment.Status.TRASH)
        .exists()
    )
