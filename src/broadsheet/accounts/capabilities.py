"""What each role may do: WordPress's capability model, checked on every view and action.

WordPress users know these roles, so Broadsheet keeps their meaning:

- contributor: write and edit their own posts while unpublished, submit them for review;
  no publishing, no uploads;
- author: also publish their own posts, edit and delete them once published, upload media;
- editor: also edit, publish and delete everyone's posts and pages, moderate comments,
  manage categories and tags, write unfiltered HTML;
- administrator: everything, including site settings and users.

Views call :func:`require` (raises ``PermissionDenied``, i.e. 403) or the ``can_*``
predicates; templates use the same predicates to hide what a user cannot do, but hiding
is never the protection.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied


class Capability(StrEnum):
    READ_DESK = "read_desk"
    EDIT_POSTS = "edit_posts"  # write own posts (drafts, pending)
    PUBLISH_POSTS = "publish_posts"  # publish or schedule own posts
    EDIT_PUBLISHED_POSTS = "edit_published_posts"  # edit own posts once published
    DELETE_POSTS = "delete_posts"  # delete own unpublished posts
    DELETE_PUBLISHED_POSTS = "delete_published_posts"
    EDIT_OTHERS_POSTS = "edit_others_posts"
    DELETE_OTHERS_POSTS = "delete_others_posts"
    EDIT_PAGES = "edit_pages"  # pages are editors' work in WordPress
    PUBLISH_PAGES = "publish_pages"
    DELETE_PAGES = "delete_pages"
    UPLOAD_FILES = "upload_files"
    MODERATE_COMMENTS = "moderate_comments"
    MANAGE_CATEGORIES = "manage_categories"
    UNFILTERED_HTML = "unfiltered_html"
    MANAGE_OPTIONS = "manage_options"  # site settings
    MANAGE_USERS = "manage_users"  # list, create, edit, delete users and change roles


_CONTRIBUTOR = {Capability.READ_DESK, Capability.EDIT_POSTS, Capability.DELETE_POSTS}
_AUTHOR = _CONTRIBUTOR | {
    Capability.PUBLISH_POSTS,
    Capability.EDIT_PUBLISHED_POSTS,
    Capability.DELETE_PUBLISHED_POSTS,
    Capability.UPLOAD_FILES,
}
_EDITOR = _AUTHOR | {
    Capability.EDIT_OTHERS_POSTS,
    Capability.DELETE_OTHERS_POSTS,
    Capability.EDIT_PAGES,
    Capability.PUBLISH_PAGES,
    Capability.DELETE_PAGES,
    Capability.MODERATE_COMMENTS,
    Capability.MANAGE_CATEGORIES,
    Capability.UNFILTERED_HTML,
}
_ADMINISTRATOR = _EDITOR | {Capability.MANAGE_OPTIONS, Capability.MANAGE_USERS}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "administrator": frozenset(_ADMINISTRATOR),
    "editor": frozenset(_EDITOR),
    "author": frozenset(_AUTHOR),
    "contributor": frozenset(_CONTRIBUTOR),
}


def role_of(user) -> str | None:
    """Return the user's role name, or None for anonymous users and users with no role.

    Superusers are administrators. The answer is kept on the user object for the request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_broadsheet_role", False)
    if cached is not False:
        return cached
    if user.is_superuser:
        role = "administrator"
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((name for name in ROLE_CAPABILITIES if name in names), None)
    user._broadsheet_role = role
    return role


def has_capability(user, capability: Capability) -> bool:
    role = role_of(user)
    return role is not None and capability in ROLE_CAPABILITIES[role]


def require(user, capability: Capability) -> None:
    """Raise ``PermissionDenied`` unless ``user`` has ``capability``."""
    if not has_capability(user, capability):
        raise PermissionDenied(f"Your role does not allow this ({capability}).")


def _is_own(user, entry) -> bool:
    """A post is the user's own when the user's author profile is among its authors."""
    from broadsheet.content.models import Post

    if not isinstance(entry, Post) or entry.pk is None:
        return entry.pk is None  # a new entry is its writer's own
    author = getattr(user, "author", None)  # the reverse one-to-one raises AttributeError when absent
    return author is not None and entry.authorships.filter(author=author).exists()


def _is_published(entry) -> bool:
    from broadsheet.content.models.entries import LIVE_STATUSES

    return entry.pk is not None and entry.status in LIVE_STATUSES


def can_edit_entry(user, entry) -> bool:
    """Whether ``user`` may open and save ``entry`` (a post or page, saved or new)."""
    from broadsheet.content.models import Page

    if isinstance(entry, Page):
        return has_capability(user, Capability.EDIT_PAGES)
    if not has_capability(user, Capability.EDIT_POSTS):
        return False
    if not _is_own(user, entry):
        return has_capability(user, Capability.EDIT_OTHERS_POSTS)
    if _is_published(entry):
        return has_capability(user, Capability.EDIT_PUBLISHED_POSTS)
    return True


def can_publish_entry(user, entry) -> bool:
    """Whether ``user`` may publish or schedule ``entry`` (and so edit it while live)."""
    from broadsheet.content.models import Page

    if isinstance(entry, Page):
        return has_capability(user, Capability.PUBLISH_PAGES)
    return can_edit_entry(user, entry) and has_capability(user, Capability.PUBLISH_POSTS)


def can_delete_entry(user, entry) -> bool:
    from broadsheet.content.models import Page

    if isinstance(entry, Page):
        return has_capability(user, Capability.DELETE_PAGES)
    if not _is_own(user, entry):
        return has_capability(user, Capability.DELETE_OTHERS_POSTS)
    if _is_published(entry):
        return has_capability(user, Capability.DELETE_PUBLISHED_POSTS)
    return has_capability(user, Capability.DELETE_POSTS)


def can_edit_media(user, item) -> bool:
    """Whether ``user`` may change a media item's details: their own upload, or anyone's for editors."""
    if not has_capability(user, Capability.UPLOAD_FILES):
        return False
    if item.uploaded_by_id is not None and item.uploaded_by_id == user.pk:
        return True
    return has_capability(user, Capability.EDIT_OTHERS_POSTS)


def can_delete_media(user, item) -> bool:
    """Whether ``user`` may delete a media item: their own upload, or anyone's for editors."""
    if not has_capability(user, Capability.UPLOAD_FILES):
        return False
    if item.uploaded_by_id is not None and item.uploaded_by_id == user.pk:
        return True
    return has_capability(user, Capability.DELETE_OTHERS_POSTS)
