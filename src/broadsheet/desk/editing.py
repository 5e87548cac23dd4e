"""Saving from the editor: who may take which action, what status it gives, and the save itself.

WordPress's publishing actions, each a submit button of the editor:

=============  ========================================  ================================
action         what it does                              who may
=============  ========================================  ================================
``draft``      save as a draft (or switch a live one)    anyone who may edit the entry
``pending``    submit for review                         anyone who may edit the entry
``publish``    publish now (or at a past time given)     ``can_publish_entry``
``schedule``   publish at a later time (site's zone)     ``can_publish_entry``
``update``     save, keeping the status                  anyone who may edit the entry
=============  ========================================  ================================

A refused action is a 403 (``PermissionDenied``), never a quiet downgrade to another status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from broadsheet.accounts.capabilities import (
    Capability,
    can_edit_entry,
    can_publish_entry,
    has_capability,
    require,
)
from broadsheet.content.models import Category, Page, Post, Status, Tag
from broadsheet.content.models.entries import LIVE_STATUSES
from broadsheet.content.slugs import slugify_title, unique_slug
from broadsheet.desk.kinds import kind_of
from broadsheet.desk.revisions import discard_autosave, record_revision


@dataclass
class SaveResult:
    entry: Post | Page
    created: bool
    notes: list[str] = field(default_factory=list)  # for the user: a changed slug, a new category


def check_may_open(user, entry) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may open ``entry`` in the editor."""
    require(user, kind_of(entry).capability)
    if not can_edit_entry(user, entry):
        if isinstance(entry, Post) and entry.status in LIVE_STATUSES:
            raise PermissionDenied("This post is published: your role cannot change it.")
        raise PermissionDenied(f"You may not edit this {kind_of(entry).label}.")


def check_action(user, entry, action: str, data) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may take ``action`` on ``entry`` with the POSTed ``data``."""
    check_may_open(user, entry)
    if action in ("publish", "schedule") and not can_publish_entry(user, entry):
        raise PermissionDenied("Your role cannot publish or schedule: submit it for review instead.")
    if (data.get("new_category") or "").strip() and not has_capability(user, Capability.MANAGE_CATEGORIES):
        raise PermissionDenied("Your role cannot create categories: choose among the existing ones.")


def target_status(entry, action: str, publish_at, *, can_set_time: bool, now=None) -> tuple[str, object]:
    """Return the (status, published_at) that ``action`` gives ``entry``.

    ``publish_at`` is the time typed in the editor (aware, or None), used only when the user may
    set it (``can_set_time``). A live entry whose time is still to come is scheduled, else published.
    """
    now = now or timezone.now()
    when = publish_at if can_set_time else entry.published_at
    if action == "draft":
        return Status.DRAFT, when
    if action == "pending":
        return Status.PENDING, when
    if action == "schedule":
        return Status.SCHEDULED, publish_at
    if action == "publish":
        if publish_at is not None:
            return Status.PUBLISHED, publish_at
        earlier = entry.published_at if entry.status in LIVE_STATUSES else None
        return Status.PUBLISHED, earlier if earlier is not None and earlier <= now else now
    # update: keep the status; a live entry follows its (perhaps changed) time
    if entry.status in LIVE_STATUSES:
        when = when or entry.published_at or now
        return (Status.SCHEDULED if when > now else Status.PUBLISHED), when
    return entry.status, when


@transaction.atomic
def save_entry(form, action: str) -> SaveResult:
    """Save the validated editor ``form`` with ``action`` (already allowed by ``check_action``)."""
    entry, user, data = form.entry, form.user, form.cleaned_data
    created = entry.pk is None
    result = SaveResult(entry=entry, created=created)
    wanted_slug = data["slug"] or slugify_title(data["title"])
    form.apply_text(entry)
    entry.status, entry.published_at = target_status(
        entry, action, data.get("publish_at"), can_set_time="publish_at" in form.fields
    )
    if isinstance(entry, Post):
        _apply_post_fields(form, entry)
    else:
        entry.parent = data["parent"]
        entry.menu_order = data["menu_order"]
        entry.author = data["author"]
    entry.save()
    if isinstance(entry, Post):
        result.notes += _apply_post_relations(form, entry)
    if wanted_slug and entry.slug != wanted_slug:
        result.notes.append(f"The slug “{wanted_slug}” is taken, so this {kind_of(entry).label} is at “{entry.slug}”.")
    record_revision(entry, user)
    discard_autosave(entry, kind_of(entry).name, user, new_too=created)
    return result


def _apply_post_fields(form, post: Post) -> None:
    data = form.cleaned_data
    if "sticky" in form.fields:
        post.sticky = data["sticky"]
    if "featured_image" in form.fields:
        post.featured_image = data["featured_image"]


def _apply_post_relations(form, post: Post) -> list[str]:
    data, notes = form.cleaned_data, []
    authors = data["authors"]
    if [author.pk for author in authors] != [author.pk for author in post.ordered_authors]:
        post.set_authors(authors)
    categories = list(data["categories"])
    if data.get("new_category"):
        category, made = _category(data["new_category"], data.get("new_category_parent"))
        categories.append(category)
        if made:
            notes.append(f"Category “{category.name}” created.")
    post.categories.set(categories)
    tags, made = _tags(data["tags"])
    post.tags.set(tags)
    if made:
        notes.append("New tags: " + ", ".join(tag.name for tag in made) + ".")
    return notes


def _category(name: str, parent: Category | None) -> tuple[Category, bool]:
    existing = Category.objects.filter(name__iexact=name, parent=parent).first()
    if existing is not None:
        return existing, False
    slug = unique_slug(Category.objects.all(), slugify_title(name))
    return Category.objects.create(name=name, slug=slug, parent=parent), True


def _tags(names: list[str]) -> tuple[list[Tag], list[Tag]]:
    """Return the tags called ``names`` (by name, else by slug), creating those that do not exist."""
    tags, made = [], []
    for name in names:
        slug = slugify_title(name)
        tag = Tag.objects.filter(name__iexact=name).first() or (Tag.objects.filter(slug=slug).first() if slug else None)
        if tag is None:
            tag = Tag.objects.create(name=name, slug=unique_slug(Tag.objects.all(), slug or "tag"))
            made.append(tag)
        if tag not in tags:
            tags.append(tag)
    return tags, made
