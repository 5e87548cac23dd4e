"""Revisions and autosaves (WordPress's semantics).

* Every save of a post or page stores a revision of its text (title, slug, excerpt, format, body),
  unless the text is the same as the latest revision's. Only the newest ``MAX_REVISIONS`` of an
  entry are kept; older ones are deleted as new ones come.
* An autosave is a revision of what the writer is typing, stored every half minute by the editor's
  script; it never changes the entry itself. Each user has one autosave per entry (replaced each
  time, deleted when the user saves). A user who has never saved a new post has one autosave of
  "a new post" (no entry yet).
* Restoring a revision copies its text onto the entry and saves it, which stores a new revision.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from broadsheet.content.models import Page
from broadsheet.desk.models import TEXT_FIELDS, Revision

MAX_REVISIONS = 50


def _entry_type(entry) -> str:
    return "page" if isinstance(entry, Page) else "post"


def _of(entry) -> dict:
    """Return the lookup for revisions of ``entry`` (a saved post or page)."""
    return {"page": entry} if isinstance(entry, Page) else {"post": entry}


def revisions_of(entry):
    """Return the saved revisions of ``entry``, newest first (autosaves not included)."""
    return Revision.objects.filter(kind=Revision.Kind.REVISION, **_of(entry)).select_related("user")


def record_revision(entry, user, *, note: str = "") -> Revision | None:
    """Store the text of ``entry`` as just saved by ``user``; None when it is the same as the latest revision's."""
    latest = revisions_of(entry).first()
    if latest is not None and not note and latest.same_text_as(entry):
        return None
    revision = Revision.objects.create(
        entry_type=_entry_type(entry),
        kind=Revision.Kind.REVISION,
        user=user,
        note=note,
        **_of(entry),
        **{name: getattr(entry, name) for name in TEXT_FIELDS},
    )
    _prune(entry)
    return revision


def _prune(entry) -> None:
    """Delete all but the newest ``MAX_REVISIONS`` revisions of ``entry``."""
    stale = list(revisions_of(entry).values_list("pk", flat=True)[MAX_REVISIONS:])
    if stale:
        Revision.objects.filter(pk__in=stale).delete()


def _autosave_lookup(entry, entry_type: str, user) -> dict:
    if entry is not None and entry.pk is not None:
        return {"kind": Revision.Kind.AUTOSAVE, "user": user, "entry_type": entry_type, **_of(entry)}
    return {"kind": Revision.Kind.AUTOSAVE, "user": user, "entry_type": entry_type, "post": None, "page": None}


def autosave_of(entry, entry_type: str, user) -> Revision | None:
    """Return ``user``'s autosave of ``entry`` (None: of a new entry of ``entry_type``), if any."""
    return Revision.objects.filter(**_autosave_lookup(entry, entry_type, user)).first()


def newer_autosave(entry, entry_type: str, user) -> Revision | None:
    """Return ``user``'s autosave when it is worth offering: newer than the entry's last change and different."""
    autosave = autosave_of(entry, entry_type, user)
    if autosave is None or entry is None or entry.pk is None:
        return autosave
    if autosave.created_at <= entry.modified_at or autosave.same_text_as(entry):
        return None
    return autosave


def store_autosave(entry, entry_type: str, user, text: dict) -> Revision | None:
    """Keep ``text`` as ``user``'s autosave of ``entry``; the entry itself is not touched.

    Returns None (and stores nothing) when the text is the entry's own.
    """
    values = {name: text[name] for name in TEXT_FIELDS}
    if entry is not None and entry.pk is not None and all(getattr(entry, name) == values[name] for name in TEXT_FIELDS):
        discard_autosave(entry, entry_type, user)
        return None
    with transaction.atomic():
        autosave, _created = Revision.objects.update_or_create(
            **_autosave_lookup(entry, entry_type, user), defaults={**values, "created_at": timezone.now()}
        )
    return autosave


def discard_autosave(entry, entry_type: str, user, *, new_too: bool = False) -> None:
    """Delete ``user``'s autosave of ``entry`` (and, with ``new_too``, of a new entry of that type)."""
    Revision.objects.filter(**_autosave_lookup(entry, entry_type, user)).delete()
    if new_too:
        Revision.objects.filter(**_autosave_lookup(None, entry_type, user)).delete()


def restore_revision(revision: Revision, user):
    """Copy ``revision``'s text onto its entry and save it; the restore is itself a new revision."""
    entry = revision.entry
    with transaction.atomic():
        for name in TEXT_FIELDS:
            setattr(entry, name, getattr(revision, name))
        entry.slug = revision.slug  # re-checked for uniqueness by the entry's save
        entry.save()
        when = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
        who = _who(revision.user)
        record_revision(entry, user, note=f"Restored the revision of {when}" + (f" by {who}" if who else ""))
        discard_autosave(entry, _entry_type(entry), user)
    return entry


def _who(user) -> str:
    if user is None:
        return ""
    author = getattr(user, "author", None)
    return author.display_name if author is not None else user.get_username()
