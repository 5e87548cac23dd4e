"""A user's public identity: their ``content.Author`` (name and slug shown on the site), never their login.

Logins are half of what a password guesser needs, so they never appear on public pages: the
byline, the author archive's address (``/author/<slug>/``) and the feeds use the author's display
name and a slug made from it. Every user gets an author when created here, and at sign-in if
they have none (users made by other means), so no other code needs to fall back to the login.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from broadsheet.content.models import Author
from broadsheet.content.slugs import slugify_title, unique_slug

# What a user with no name given is called on the site until they set one on their profile page.
FALLBACK_DISPLAY_NAME = "Author"


def default_display_name(user) -> str:
    """Return the user's full name, else a neutral placeholder (never the login)."""
    return user.get_full_name().strip() or FALLBACK_DISPLAY_NAME


def ensure_author(user, display_name: str | None = None) -> Author:
    """Return ``user.author``, creating it (a unique slug from the display name) if missing."""
    try:
        return user.author
    except Author.DoesNotExist:
        pass
    name = (display_name or "").strip() or default_display_name(user)
    for _attempt in range(3):  # another request may take the slug (or make the author) meanwhile
        try:
            with transaction.atomic():
                author = Author.objects.create(
                    user=user,
                    display_name=name,
                    slug=_new_slug(name),
                    email=user.email or "",
                    first_name=user.first_name,
                    last_name=user.last_name,
                )
        except IntegrityError:
            existing = Author.objects.filter(user=user).first()
            if existing is not None:
                user.author = existing
                return existing
            continue
        user.author = author
        return author
    raise IntegrityError(f"could not give user {user.pk} an author profile")


def update_author(author: Author, *, display_name: str, bio: str, website: str, email: str) -> bool:
    """Save the public details of ``author``; return whether anything changed.

    An author with no posts yet also gets a slug from the new name (so a placeholder's
    ``author-2`` becomes ``ada-lovelace``); one with posts keeps theirs, so links to their
    archive keep working.
    """
    changed = []
    for field, value in (("display_name", display_name), ("bio", bio), ("website", website), ("email", email)):
        if getattr(author, field) != value:
            setattr(author, field, value)
            changed.append(field)
    if "display_name" in changed and not author.posts.exists() and not author.pages.exists():
        slug = _new_slug(display_name, exclude_pk=author.pk)
        if slug != author.slug:
            author.slug = slug
            changed.append("slug")
    if changed:
        author.save(update_fields=changed)  # a full save: the publishing app re-renders bylines
    return bool(changed)


def _new_slug(name: str, exclude_pk=None) -> str:
    return unique_slug(Author.objects.all(), slugify_title(name) or "author", exclude_pk=exclude_pk)


def ensure_author_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a user signing in without an author gets one."""
    ensure_author(user)
