"""Noticing changes: an entry's footprint before it changes, and a render after the commit.

Receivers of Django's model signals record, the first time an entry, a
comment or an authorship changes in a transaction, the footprint the
database still holds (``pre_save``, ``pre_delete``, ``m2m_changed`` before
the write). When the transaction commits (``transaction.on_commit``; at once
outside a transaction), ``publish.apply_changes`` compares them with the
footprints after the change and renders what they touch.

Changes made in bulk (``content.signals.batched_changes()``, which the
WordPress importer uses, or more than ``BULK_LIMIT`` entries in one
transaction) mark the store stale instead: servers stop answering from it
until ``publish.refresh_store`` has rendered the whole site again (the
import commands and the server do that).

Writes that bypass model signals (``QuerySet.update()``, ``bulk_create()``)
are invisible here: do them inside ``tracked(posts=[...])``, or in the same
transaction as a ``save()`` of the entry they change.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from broadsheet.comments.models import Comment
from broadsheet.content.models import Author, Category, MenuItem, Page, Post, PostAuthor, SiteSettings, Tag
from broadsheet.content.signals import in_batch
from broadsheet.publishing.locks import LockBusy

log = logging.getLogger("broadsheet.publishing")

BULK_LIMIT = 50  # more entries than this in one transaction: render the whole site instead

# Fields of site-wide objects that public pages show; a change to any of them re-renders everything.
_TERM_FIELDS = {
    Category: ("name", "slug", "parent_id", "description", "path"),
    Tag: ("name", "slug", "description"),
    Author: ("display_name", "slug", "bio", "website", "first_name", "last_name"),
}

_local = threading.local()


class _Pending:
    def __init__(self):
        self.before: dict[tuple, object] = {}
        self.full = False
        self.parts = False
        self.new_terms: set[tuple] = set()
        self.shape = None


def _pending() -> _Pending:
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = _Pending()
    return pending


def reset() -> None:
    """Forget changes not yet applied (tests use it between cases)."""
    _local.pending = None


def _store_active() -> bool:
    from broadsheet.publishing.publish import get_store

    store = get_store()
    return store is not None and store.exists()


def _shape():
    from broadsheet.publishing.footprints import SiteShape

    pending = _pending()
    if pending.shape is None:
        pending.shape = SiteShape.load()
    return pending.shape


def _footprint(key: tuple):
    from broadsheet.publishing.footprints import comment_footprint, page_footprint, post_footprint

    kind, pk = key
    if kind == "post":
        return post_footprint(pk, _shape())
    if kind == "page":
        return page_footprint(pk, _shape())
    return comment_footprint(pk)


def note_before(key: tuple) -> None:
    """Record the footprint of ``key`` (("post", pk), ("page", pk) or ("comment", pk)) before it changes."""
    if not _store_active():
        return
    pending = _pending()
    if in_batch():
        pending.full = True
        return
    if key[1] is not None and key not in pending.before:
        pending.before[key] = _footprint(key)


def note_changed(*keys: tuple, full: bool = False, parts: bool = False) -> None:
    """Record that ``keys`` changed (their footprints after the commit are compared with those before).

    Name every entry one write changed in one call: outside a transaction the render runs at
    once, and an entry noted by a later call would look created (nothing before), which renders
    every listing it is in.
    """
    if not _store_active():
        return
    pending = _pending()
    if full or in_batch():
        pending.full = True
    else:
        for key in keys:
            if key[1] is not None:
                pending.before.setdefault(key, None)  # created in this transaction: nothing before
    pending.parts = pending.parts or parts
    transaction.on_commit(flush)


def flush() -> None:
    """Apply the changes recorded in this thread (called after the commit); never raises.

    Where deferred pages are not rendered inline (a server process: by a background thread), a
    change that finds the render lock busy does not wait for it: see ``_defer_while_busy``.
    """
    pending = getattr(_local, "pending", None)
    if pending is None or not (pending.before or pending.full or pending.parts or pending.new_terms):
        return
    _local.pending = None
    from broadsheet.publishing.publish import DEFERRED_MODE, get_store

    try:
        store = get_store()
        if DEFERRED_MODE["mode"] != "inline" and store is not None and store.exists() and not _is_full(pending):
            if _render_lock_free(store):
                _apply(pending)  # (were it taken meanwhile, this waits for one render, as every change used to)
            else:
                _defer_while_busy(store, pending)
        else:
            _apply(pending)
    except Exception:  # a failed render must not fail the edit that caused it
        _mark_stale_after_failure()


def _render_lock_free(store) -> bool:
    try:
        with store.lock(blocking=False):
            return True
    except LockBusy:
        return False


def _is_full(pending: _Pending) -> bool:
    return pending.full or len(pending.before) > BULK_LIMIT


def _apply(pending: _Pending) -> None:
    from broadsheet.publishing.publish import apply_changes

    apply_changes(pending.before, full=_is_full(pending), parts=pending.parts, new_terms=pending.new_terms)


def _mark_stale_after_failure() -> None:
    log.exception("Rendering pages after a change failed; the store was marked stale")
    with contextlib.suppress(Exception):
        from broadsheet.publishing.publish import get_store, mark_stale

        store = get_store()
        if store is not None and store.exists():
            mark_stale(store)


# -- when the render lock is busy (server processes) ------------------------------------------------


def _defer_while_busy(store, pending: _Pending) -> None:
    """Defer a change that found the render lock busy, instead of queueing behind the render in progress.

    The request plans the change now (from the database after its commit), withdraws the pages it
    touches from the store, so servers answer them through Django (nobody sees them stale, the
    commenter included), and adds them to the store's deferred pages, which the background thread
    renders under the lock. The deferred pages are a set: twenty comments on one post arriving
    while a render runs cost one more render of its page, not twenty. A change that moves an
    address, touches the site-wide parts or adds a term waits for the lock as before. The deferral
    is announced to other machines' stores (stream.py) as any change is.
    """
    from django.utils import timezone

    from broadsheet.publishing.dependencies import plan_changes
    from broadsheet.publishing.footprints import SiteShape, comment_footprint, page_footprint, post_footprint
    from broadsheet.publishing.publish import _after_deferral
    from broadsheet.publishing.stream import Entry, announce

    shape, now = SiteShape.load(), timezone.now()
    after = {"post": lambda pk: post_footprint(pk, shape, now), "page": lambda pk: page_footprint(pk, shape, now),
             "comment": comment_footprint}  # fmt: skip
    plan = plan_changes({key: (state, after[key[0]](key[1])) for key, state in pending.before.items()}, shape, now,
                        store=store)  # fmt: skip
    if plan.redirects or plan.parts or pending.parts or pending.new_terms:
        _apply(pending)
        return
    deferred = {**plan.deferred, **plan.render}
    if not deferred and not plan.remove:
        return  # nothing readers see changed (a held comment)
    # Without the lock, through this thread's own connection to the manifest (the process's one is
    # the lock holder's); the manifest's transaction keeps it consistent.
    with _own_connection(store).writing(lock=False) as writer:
        for url in sorted({*deferred, *plan.remove}):
            writer.remove(url)
        writer.add_pending(deferred)
    announce(store, Entry(remove=sorted(plan.remove - set(deferred)), defer=sorted(deferred)))  # other machines
    _after_deferral(store)


def _own_connection(store):
    from broadsheet.publishing.store import PageStore

    stores = _local.__dict__.setdefault("stores", {})
    if str(store.root) not in stores:
        stores[str(store.root)] = PageStore(store.root)
    return stores[str(store.root)]


@contextlib.contextmanager
def tracked(*, posts=(), pages=(), comments=()):
    """Track changes made without model signals (``update()``, ``bulk_create()``) to these entries."""
    with transaction.atomic():
        for kind, pks in (("post", posts), ("page", pages), ("comment", comments)):
            for pk in pks:
                note_before((kind, pk))
        yield
        note_changed(*[(kind, pk) for kind, pks in (("post", posts), ("page", pages), ("comment", comments))
                       for pk in pks])  # fmt: skip


# -- receivers ------------------------------------------------------------------------------------

_KIND = {Post: "post", Page: "page", Comment: "comment"}


@receiver(pre_save)
@receiver(pre_delete)
def _before_write(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if sender in _KIND:
        note_before((_KIND[sender], instance.pk))
        if sender is Comment:  # its entry shows it (and counts it)
            for entry in _comment_entries(instance):
                note_before(entry)
    elif sender is PostAuthor:
        note_before(("post", instance.post_id))
    elif sender in _TERM_FIELDS and instance.pk is not None and _store_active():
        shown = _TERM_FIELDS[sender]
        old = sender.objects.filter(pk=instance.pk).values(*shown).first()
        if old is not None and (kwargs.get("signal") is pre_delete or any(old[f] != getattr(instance, f) for f in shown)):
            _pending().full = True
    elif sender is SiteSettings and _store_active():
        old = SiteSettings.objects.filter(pk=instance.pk).values().first()
        new = {field.attname: getattr(instance, field.attname) for field in SiteSettings._meta.concrete_fields}
        if old is None or any(old[name] != new[name] for name in old if name != "content_version"):
            _pending().full = True


@receiver(post_save)
@receiver(post_delete)
def _after_write(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    if sender in _KIND:
        entries = _comment_entries(instance, stored=False) if sender is Comment else ()
        note_changed((_KIND[sender], instance.pk), *entries)  # its entry shows it
    elif sender is PostAuthor:
        note_changed(("post", instance.post_id))
    elif sender in _TERM_FIELDS:
        if created and _store_active():
            _pending().new_terms.add((sender.__name__.lower(), instance.pk))
        note_changed()
    elif sender is SiteSettings:
        note_changed()
    elif sender is MenuItem:
        note_changed(parts=True)


def _comment_entries(comment, *, stored: bool = True) -> set[tuple]:
    """The entries ``comment`` is on: as given, and (``stored``) as the database still has it."""
    entries = {("post", comment.post_id) if comment.post_id else ("page", comment.page_id)}
    if stored and comment.pk is not None and _store_active():
        row = Comment.objects.filter(pk=comment.pk).values_list("post_id", "page_id").first()
        if row is not None:
            entries.add(("post", row[0]) if row[0] else ("page", row[1]))
    return {entry for entry in entries if entry[1] is not None}


@receiver(m2m_changed, sender=Post.categories.through)
@receiver(m2m_changed, sender=Post.tags.through)
def _terms_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Django sends these inside the atomic block of add()/remove()/clear(), so the
    # render registered here runs after the write even outside a transaction.
    if action not in ("pre_add", "pre_remove", "pre_clear") or not _store_active():
        return
    if not reverse:
        post_ids = {instance.pk}
    elif action == "pre_clear":  # category.posts.clear()
        post_ids = set(instance.posts.values_list("pk", flat=True))
    else:  # category.posts.add(...): pk_set holds posts
        post_ids = set(pk_set or ())
    for pk in post_ids:
        note_before(("post", pk))
        note_changed(("post", pk))
