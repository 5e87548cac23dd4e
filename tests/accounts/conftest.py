"""Users of each role (with public names unlike their logins), signed-in clients, and helpers."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

from broadsheet.accounts.roles import ROLES, create_user
from tests import factories

PASSWORD = "a long enough Passphrase 42!"


def make_user(role: str, username: str | None = None, **fields):
    username = username or f"{role}-login"
    fields.setdefault("email", f"{username}@example.org")
    fields.setdefault("display_name", f"{role.title()} Person")
    return create_user(username, role=role, password=PASSWORD, **fields)


def sign_in(client: Client, username: str, password: str = PASSWORD, *, next: str | None = None, **headers):
    """Post the sign-in form (``headers`` as Django's test client takes them: ``HTTP_…``, ``secure``)."""
    data = {"username": username, "password": password}
    if next is not None:
        data["next"] = next
    return client.post("/accounts/login/", data, **headers)


def without_csrf_token(html: str) -> str:
    """Return ``html`` without the per-response CSRF token (masked differently on every render)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with the smallest costs: the same code path, fast enough for hundreds of sign-ins."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


@pytest.fixture(autouse=True)
def _fast_argon2(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.conftest.FastArgon2PasswordHasher"]


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
