"""Previews: the body as the public page will show it, and private links to unpublished entries.

* ``render_preview`` runs the editor's text through the entry's own rendering (``Entry.render``:
  fold, Markdown or WordPress's paragraph rules, media ``srcset``, the sanitiser), so what the
  writer sees is byte for byte what readers will get.
* A preview link is a signed token naming the entry, with the time it was made
  (``django.core.signing``, a ``TimestampSigner``): it needs no table, cannot be forged or
  altered, and stops working after ``settings.DESK_PREVIEW_MAX_AGE`` seconds (two days by
  default, ``BROADSHEET_PREVIEW_LINK_HOURS``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from broadsheet.accounts.capabilities import Capability, has_capability
from broadsheet.content.models import BodyFormat, Page, Post
from broadsheet.desk.kinds import KINDS, kind_of

_SALT = "broadsheet.desk.previews"
DEFAULT_MAX_AGE = 2 * 24 * 3600


class PreviewLinkError(Exception):
    """A preview token that is not valid (``expired`` tells whether it merely ran out of time)."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def render_preview(model: type, *, body: str, body_format: str, raw_html: bool, user, pk: int | None = None) -> str:
    """Return the HTML readers will see for ``body``; unfiltered only when asked by a user allowed it."""
    if body_format not in BodyFormat.values:
        body_format = BodyFormat.MARKDOWN
    trusted = raw_html and has_capability(user, Capability.UNFILTERED_HTML)
    entry = model(pk=pk, body=body, body_format=body_format, allow_raw_html=trusted)
    entry.render()
    return entry.rendered_html


def preview_max_age() -> int:
    return int(getattr(settings, "DESK_PREVIEW_MAX_AGE", DEFAULT_MAX_AGE))


def can_share_preview(entry) -> bool:
    """Whether ``entry`` may get a preview link: saved, and not yet visible to readers."""
    return entry.pk is not None and not entry.is_live


def make_preview_link(entry) -> tuple[str, datetime.datetime]:
    """Return the path of a private preview of ``entry`` and when it stops working."""
    token = signing.dumps([kind_of(entry).name, entry.pk], salt=_SALT, compress=False)
    expires = timezone.now() + datetime.timedelta(seconds=preview_max_age())
    return reverse("desk:shared_preview", kwargs={"token": token}), expires


def read_preview_link(token: str, *, max_age: int | None = None) -> Post | Page | None:
    """Return the entry a preview ``token`` names (None if it no longer exists).

    Raises ``PreviewLinkError`` for a token that was altered, made with another key, or is too old.
    """
    try:
        value = signing.loads(token, salt=_SALT, max_age=preview_max_age() if max_age is None else max_age)
    except signing.SignatureExpired as error:
        raise PreviewLinkError("This preview link has expired.", expired=True) from error
    except signing.BadSignature as error:
        raise PreviewLinkError("This preview link is not valid.") from error
    if not (isinstance(value, list) and len(value) == 2 and value[0] in KINDS and isinstance(value[1], int)):
        raise PreviewLinkError("This preview link is not valid.")
    kind, pk = KINDS[value[0]], value[1]
    entries = kind.model.objects.all()
    entries = entries.for_listing() if kind.model is Post else entries.select_related("author")
    return entries.filter(pk=pk).first()


def as_it_will_be(entry):
    """Give an undated ``entry`` (in memory only) the publication time it would have if published now."""
    if entry.published_at is None:
        entry.published_at = timezone.now()
    return entry
