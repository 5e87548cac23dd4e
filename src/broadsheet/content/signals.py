"""Receivers that keep derived state in step with content.

Every change to public content bumps ``SiteSettings.content_version``, which
keys the cache of site-wide parts (sidebar archive list, category counts).
Bulk writers (importers) wrap their work in ``batched_changes()`` so the
version is bumped once at the end instead of once per row.
"""

import contextlib
import threading

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from broadsheet.content.models import Author, Category, MenuItem, Page, Post, PostAuthor, SiteSettings, Tag

_CONTENT_MODELS = (Post, Page, Category, Tag, Author, PostAuthor, MenuItem)
_state = threading.local()


@contextlib.contextmanager
def batched_changes():
    """Defer content-version bumps until the block ends (then bump once)."""
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth
        if depth == 0:
            SiteSettings.bump_content_version()


def in_batch() -> bool:
    """Whether this thread is inside ``batched_changes()`` (bulk writers; the page store re-renders all after)."""
    return bool(getattr(_state, "depth", 0))


def _bump():
    if not getattr(_state, "depth", 0):
        SiteSettings.bump_content_version()


@receiver(post_save)
@receiver(post_delete)
def bump_version_on_change(sender, raw=False, **kwargs):
    if sender in _CONTENT_MODELS and not raw:
        _bump()


@receiver(m2m_changed, sender=Post.categories.through)
@receiver(m2m_changed, sender=Post.tags.through)
def bump_version_on_terms_change(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _bump()
