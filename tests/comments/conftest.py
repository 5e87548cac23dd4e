"""Builders for comment tests: a site with a post and a page, users of each role, posting helpers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from broadsheet.accounts.roles import create_user
from broadsheet.comments.defences import make_stamp
from broadsheet.comments.models import Comment
from broadsheet.content.models import Author
from tests import factories

ORIGIN = "http://testserver"
PASSWORD = "a long enough Passphrase 42!"


def recent(days: float = 1) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def make_user(role: str, name: str | None = None, *, author: bool = True):
    name = name or role
    user = create_user(name, email=f"{name}@example.org", role=role, password=PASSWORD)
    if author:
        Author.objects.create(user=user, display_name=name.title(), slug=name, email="")
    return user


def add_comment(entry, **fields) -> Comment:
    """Store a comment directly (no rules), approved unless told."""
    fields.setdefault("author_name", "Reader")
    fields.setdefault("author_email", "reader@example.net")
    fields.setdefault("body", "A remark.")
    fields.setdefault("status", Comment.Status.APPROVED)
    comment = Comment(**fields)
    comment.post, comment.page = (entry, None) if entry.__class__.__name__ == "Post" else (None, entry)
    comment.save()
    return comment


def form_data(entry, **fields) -> dict:
    """Return a valid anonymous form post for ``entry``, stamped as opened a minute ago."""
    target = "comment_post_ID" if entry.__class__.__name__ == "Post" else "comment_page_ID"
    data = {
        target: str(entry.pk),
        "author": "Ada Reader",
        "email": "ada@example.net",
        "url": "",
        "comment": "A thoughtful remark.",
        "comment_parent": "0",
        "comment_reference": "",
        "comment_stamp": make_stamp(timezone.now().timestamp() - 60),
    }
    data.update({key: str(value) for key, value in fields.items()})
    return data


def post_comment(client, entry, *, origin: str | None = ORIGIN, path: str = "/comments/post/", headers=None, **fields):
    """Post the form for ``entry`` with ``fields`` changed; ``headers`` are request META entries."""
    meta = {"HTTP_ORIGIN": origin} if origin else {}
    meta.update(headers or {})
    return client.post(path, form_data(entry, **fields), **meta)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Argon2 is the real hasher; these tests make many users and never check passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(db):
    return factories.site(
        title="The Long View", comments_require_approved_before=False, comments_per_page=50,
        comments_moderation_links=2, comments_thread_depth=5,
    )  # fmt: skip


@pytest.fixture
def writer(db):
    return make_user("author", "writer")


@pytest.fixture
def post(site, writer):
    return factories.post("An essay", recent(2), authors=[writer.author], body="Body text.")


@pytest.fixture
def page(site):
    return factories.page("About", published_at=recent(30))
