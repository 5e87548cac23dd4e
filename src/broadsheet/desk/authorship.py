"""A user's public identity on the site: their ``content.Author``, made when first needed."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from broadsheet.content.models import Author
from broadsheet.content.slugs import slugify_title, unique_slug


def public_name(user) -> str:
    """Return the name to show for ``user``: full name, else first name, else (nothing else known) the login."""
    return user.get_full_name().strip() or user.first_name.strip() or user.get_username()


def author_for(user) -> Author:
    """Return ``user.author``, creating it (display name and slug from the user's name) if missing."""
    try:
        return user.author
    except Author.DoesNotExist:
        pass
    name = public_name(user)
    base = slugify_title(name) or "author"
    for _attempt in range(3):  # another request may take the slug (or make the author) meanwhile
        try:
            with transaction.atomic():
                author = Author.objects.create(
                    user=user,
                    display_name=name,
                    slug=unique_slug(Author.objects.all(), base),
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
    raise IntegrityError(f"could not give {user.get_username()!r} an author profile")
