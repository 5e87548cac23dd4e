"""Users of each role, each with a client signed in, and helpers to drive the editor through HTTP."""

from __future__ import annotations

import pytest

from broadsheet.accounts.roles import ROLES, create_user
from broadsheet.content.models import Author
from tests import factories

PASSWORD = "a long enough Passphrase 42!"


def make_user(role: str, name: str | None = None, *, display_name: str | None = None):
    name = name or role
    user = create_user(name, email=f"{name}@example.org", role=role, password=PASSWORD)
    Author.objects.create(user=user, display_name=display_name or name.title(), slug=name)
    return user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is slow on purpose; these tests make many users and never test hashing itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(db):
    return factories.site(title="The Long View", time_zone="Europe/London")


@pytest.fixture
def users(site):
    return {role: make_user(role) for role in ROLES}


@pytest.fixture
def clients(users):
    """A signed-in client per role, and ``None``: an anonymous one."""
    return factories.signed_in_clients(users)


def editor_data(**fields) -> dict:
    """Return what the editor's form posts for a simple Markdown post (override any field)."""
    data = {
        "title": "A title",
        "slug": "",
        "body_format": "markdown",
        "body": "Some *text*.",
        "excerpt": "",
        "publish_at": "",
        "password": "",
        "comment_status": "open",
        "tags": "",
        "authors": "",
        "action": "draft",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def page_data(**fields) -> dict:
    data = editor_data(**fields)
    data.pop("tags")
    data.pop("authors")
    data.setdefault("menu_order", "0")
    data.setdefault("parent", "")
    data.setdefault("author", "")
    data.update(fields)
    return data
