"""The permission matrix: every role against every action, each cell one HTTP request.

``MATRIX`` below is the table (README.md, "Permission matrix", prints it; a test keeps the two
equal). Each cell is ``test_matrix[<role>-<action>]``: it makes what the action works on, sends
the request a browser would, then checks both the answer and the database:

- allowed: a redirect (302, or 303 from the comment queue), and the change is made;
- forbidden, signed in: 403, and no row of any table (nor any stored file) changed;
- anonymous: a redirect to the sign-in page, and nothing changed.

"own" means the post, comment or upload belongs to the user acting; "other's" to another author.
``no_role`` is a signed-in account without any role (Broadsheet has no subscriber role: this is
what a WordPress subscriber, or a user whose role was taken away, would be).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from broadsheet.accounts.authors import ensure_author
from broadsheet.accounts.capabilities import role_of
from broadsheet.accounts.roles import create_user
from broadsheet.comments.models import Comment
from broadsheet.content.models import Page, Post, SiteSettings, Status
from broadsheet.media.models import MediaItem
from broadsheet.media.uploads import accept_upload
from tests import factories
from tests.comments.conftest import add_comment
from tests.desk.conftest import editor_data, make_user, page_data
from tests.desk.test_settings import settings_data
from tests.media import samples

pytestmark = pytest.mark.django_db

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
ROLES = ("administrator", "editor", "author", "contributor", "no_role", "anonymous")
Y, N = True, False

# fmt: off
MATRIX: dict[str, tuple[bool, ...]] = {
    #                               admin editor author contrib no_role anonymous
    "create_post":                 (Y,    Y,     Y,     Y,      N,      N),
    "edit_own_draft":              (Y,    Y,     Y,     Y,      N,      N),
    "edit_own_published":          (Y,    Y,     Y,     N,      N,      N),
    "edit_others_post":            (Y,    Y,     N,     N,      N,      N),
    "publish_own":                 (Y,    Y,     Y,     N,      N,      N),
    "publish_others":              (Y,    Y,     N,     N,      N,      N),
    "delete_own_draft":            (Y,    Y,     Y,     Y,      N,      N),
    "delete_own_published":        (Y,    Y,     Y,     N,      N,      N),
    "delete_others_post":          (Y,    Y,     N,     N,      N,      N),
    "upload_media":                (Y,    Y,     Y,     N,      N,      N),
    "edit_own_media":              (Y,    Y,     Y,     N,      N,      N),
    "delete_own_media":            (Y,    Y,     Y,     N,      N,      N),
    "edit_others_media":           (Y,    Y,     N,     N,      N,      N),
    "delete_others_media":         (Y,    Y,     N,     N,      N,      N),
    "approve_comment_own_post":    (Y,    Y,     Y,     N,      N,      N),
    "spam_comment_own_post":       (Y,    Y,     Y,     N,      N,      N),
    "trash_comment_own_post":      (Y,    Y,     Y,     N,      N,      N),
    "approve_comment_others_post": (Y,    Y,     N,     N,      N,      N),
    "spam_comment_others_post":    (Y,    Y,     N,     N,      N,      N),
    "trash_comment_others_post":   (Y,    Y,     N,     N,      N,      N),
    "create_page":                 (Y,    Y,     N,     N,      N,      N),
    "edit_page":                   (Y,    Y,     N,     N,      N,      N),
    "delete_page":                 (Y,    Y,     N,     N,      N,      N),
    "change_settings":             (Y,    N,     N,     N,      N,      N),
    "create_user":                 (Y,    N,     N,     N,      N,      N),
    "change_role":                 (Y,    N,     N,     N,      N,      N),
}
# fmt: on


# -- the people and what they act on -----------------------------------------------------------


class World:
    """A user of each role (each with an author profile), another author, and a user to manage."""

    def __init__(self):
        self.users = {role: make_user(role) for role in ROLES[:4]}
        self.users["no_role"] = get_user_model().objects.create_user("no_role", "no_role@example.org", "x")
        ensure_author(self.users["no_role"], "No Role")  # as signing in would give them
        self.other = make_user("author", "other")
        self.managed = create_user("managed", email="managed@example.org", role="contributor", password=None)
        self.clients = factories.signed_in_clients(self.users)
        self.clients["anonymous"] = self.clients.pop(None)

    def owner(self, role):
        """The user whose things count as "own": the actor, or for the anonymous an author."""
        return self.users.get(role, self.users["author"])

    def slug(self, role) -> str:
        return self.owner(role).author.slug


@dataclass(frozen=True)
class Action:
    label: str  # for the README's table
    arrange: Callable[[World, str], Any]  # make what the action works on (before the request)
    send: Callable[[Any, Any, World, str], Any]  # (client, target, world, role) -> response
    done: Callable[[Any], bool]  # whether the change the action asks for was made


def _post(world, role, status, *, own=True) -> Post:
    author = world.owner(role).author if own else world.other.author
    return factories.post(f"{status} post", authors=[author], status=status)


def _edit_post(title="Edited", *, own=True, action="update"):
    def send(client, post, world, role):
        authors = world.slug(role) if own else world.other.author.slug
        return client.post(f"/desk/posts/{post.pk}/", editor_data(title=title, authors=authors, action=action))

    return send


def _refreshed(model, pk):
    return model.objects.filter(pk=pk).first()


def _title_is(title):
    return lambda entry: _refreshed(type(entry), entry.pk).title == title


def _published(post):
    return _refreshed(Post, post.pk).status == Status.PUBLISHED


def _delete_entry(plural):
    return lambda client, entry, world, role: client.post(f"/desk/{plural}/{entry.pk}/delete/")


def _gone(entry):
    return not type(entry).objects.filter(pk=entry.pk).exists()


def _image(name="matrix.jpg"):
    return SimpleUploadedFile(name, samples.image_bytes(size=(20, 20)))


def _upload_of(whose):
    def arrange(world, role):
        return accept_upload(_image(), user=world.owner(role) if whose == "own" else world.other)

    return arrange


def _edit_media(client, item, world, role):
    return client.post(f"/desk/media/{item.pk}/", {"title": "Edited", "alt_text": "Alt", "caption": "", "description": ""})


def _delete_media(client, item, world, role):
    return client.post(f"/desk/media/{item.pk}/delete/")


def _comment_on(whose, status):
    def arrange(world, role):
        return add_comment(_post(world, role, "publish", own=whose == "own"), status=status)

    return arrange


def _moderate(action):
    return lambda client, comment, world, role: client.post(f"/desk/comments/{comment.pk}/{action}/")


def _comment_status_is(status):
    return lambda comment: Comment.objects.get(pk=comment.pk).status == status


def _nothing(world, role):
    return None


def _moderation_actions():
    actions = {}
    for whose in ("own", "others"):
        for action, before, after in (
            ("approve", Comment.Status.PENDING, Comment.Status.APPROVED),
            ("spam", Comment.Status.APPROVED, Comment.Status.SPAM),
            ("trash", Comment.Status.APPROVED, Comment.Status.TRASH),
        ):
            label = f"{action} a comment on {'their own' if whose == 'own' else 'another author’s'} post"
            actions[f"{action}_comment_{whose}_post"] = Action(
                label, _comment_on(whose, before), _moderate(action), _comment_status_is(after)
            )
    return actions


ACTIONS: dict[str, Action] = {
    "create_post": Action(
        "create a post as a draft",
        _nothing,
        lambda client, _, world, role: client.post(
            "/desk/posts/new/", editor_data(title="Matrix post", authors=world.slug(role))
        ),
        lambda _: Post.objects.filter(title="Matrix post").exists(),
    ),
    "edit_own_draft": Action(
        "edit their own draft", lambda world, role: _post(world, role, "draft"), _edit_post(action="draft"), _title_is("Edited")
    ),
    "edit_own_published": Action(
        "edit their own published post", lambda world, role: _post(world, role, "publish"), _edit_post(), _title_is("Edited")
    ),
    "edit_others_post": Action(
        "edit another author’s published post",
        lambda world, role: _post(world, role, "publish", own=False),
        _edit_post(own=False),
        _title_is("Edited"),
    ),
    "publish_own": Action(
        "publish their own draft",
        lambda world, role: _post(world, role, "draft"),
        _edit_post("draft post", action="publish"),
        _published,
    ),
    "publish_others": Action(
        "publish another author’s pending post",
        lambda world, role: _post(world, role, "pending", own=False),
        _edit_post("pending post", own=False, action="publish"),
        _published,
    ),
    "delete_own_draft": Action(
        "delete their own draft", lambda world, role: _post(world, role, "draft"), _delete_entry("posts"), _gone
    ),
    "delete_own_published": Action(
        "delete their own published post", lambda world, role: _post(world, role, "publish"), _delete_entry("posts"), _gone
    ),
    "delete_others_post": Action(
        "delete another author’s published post",
        lambda world, role: _post(world, role, "publish", own=False),
        _delete_entry("posts"),
        _gone,
    ),
    "upload_media": Action(
        "upload a file to the media library",
        _nothing,
        lambda client, _, world, role: client.post("/desk/media/upload/", {"files": [_image("uploaded.jpg")]}),
        lambda _: MediaItem.objects.filter(original_name="uploaded.jpg").exists(),
    ),
    "edit_own_media": Action("edit their own upload’s details", _upload_of("own"), _edit_media, _title_is("Edited")),
    "delete_own_media": Action("delete their own upload", _upload_of("own"), _delete_media, _gone),
    "edit_others_media": Action("edit another user’s upload’s details", _upload_of("others"), _edit_media, _title_is("Edited")),
    "delete_others_media": Action("delete another user’s upload", _upload_of("others"), _delete_media, _gone),
    **_moderation_actions(),
    "create_page": Action(
        "create a page",
        _nothing,
        lambda client, _, world, role: client.post("/desk/pages/new/", page_data(title="Matrix page")),
        lambda _: Page.objects.filter(title="Matrix page").exists(),
    ),
    "edit_page": Action(
        "edit a published page",
        lambda world, role: factories.page("Colophon"),
        lambda client, page, world, role: client.post(
            f"/desk/pages/{page.pk}/", page_data(title="Edited", action="update")
        ),
        _title_is("Edited"),
    ),
    "delete_page": Action(
        "delete a page", lambda world, role: factories.page("Colophon"), _delete_entry("pages"), _gone
    ),
    "change_settings": Action(
        "change the site’s settings at `/desk/settings/`",
        _nothing,
        lambda client, _, world, role: client.post("/desk/settings/", settings_data(title="Taken over")),
        lambda _: SiteSettings.objects.get().title == "Taken over",
    ),
    "create_user": Action(
        "create a user at `/desk/users/new/`",
        _nothing,
        lambda client, _, world, role: client.post(
            "/desk/users/new/",
            {
                "username": "newbie", "email": "newbie@example.org", "display_name": "Nina Newbie", "role": "author",
                "password_choice": "set", "password1": "set by the admin 77", "password2": "set by the admin 77",
            },
        ),  # fmt: skip
        lambda _: get_user_model().objects.filter(username="newbie").exists(),
    ),
    "change_role": Action(
        "change a user’s role at `/desk/users/<id>/`",
        lambda world, role: world.managed,
        lambda client, user, world, role: client.post(
            f"/desk/users/{user.pk}/", {"email": user.email, "display_name": "Managed", "role": "editor"}
        ),
        lambda user: role_of(get_user_model().objects.get(pk=user.pk)) == "editor",
    ),
}


# -- what "nothing changed" means --------------------------------------------------------------


def _database_rows() -> dict[str, list[dict]]:
    """Every row of every table (the many-to-many ones too), in primary-key order."""
    return {
        model._meta.db_table: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def _stored_files(root: pathlib.Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# -- the matrix --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow on purpose; these tests make many users and never test hashing itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db, media_root):
    factories.site(title="The Long View", time_zone="Europe/London")
    return World()


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, media_root, django_capture_on_commit_callbacks, role, action):
    allowed = MATRIX[action][ROLES.index(role)]
    spec = ACTIONS[action]
    target = spec.arrange(world, role)
    rows_before, files_before = _database_rows(), _stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        response = spec.send(world.clients[role], target, world, role)

    status, location = response.status_code, response.get("Location", "")
    if role == "anonymous":
        assert status == 302 and location.startswith("/accounts/login/"), (status, location)
    elif allowed:
        assert status in (302, 303) and not location.startswith("/accounts/login/"), (status, response.content[:800])
    else:
        assert status == 403, (status, response.content[:800])
    assert spec.done(target) is allowed
    if not allowed:
        assert _database_rows() == rows_before
        assert _stored_files(media_root) == files_before


def test_every_action_has_a_row_and_every_row_an_action():
    assert list(ACTIONS) == list(MATRIX)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


def matrix_markdown() -> str:
    """Return ``MATRIX`` as the README's Markdown table."""
    lines = [
        "| Action | " + " | ".join(role.replace("_", " ") for role in ROLES) + " |",
        "| --- |" + " :-: |" * len(ROLES),
    ]
    for name, row in MATRIX.items():
        cells = " | ".join("yes" if allowed else "no" for allowed in row)
        lines.append(f"| {ACTIONS[name].label} (`{name}`) | {cells} |")
    return "\n".join(lines) + "\n"


def test_the_readme_prints_this_matrix():
    assert matrix_markdown() in README.read_text(), "regenerate the README's table with matrix_markdown()"
