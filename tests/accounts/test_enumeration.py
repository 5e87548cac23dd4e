"""No user enumeration: public pages and feeds never show a login, whatever made the user."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from broadsheet.accounts.roles import create_user
from tests import factories
from tests.accounts.conftest import PASSWORD, sign_in

LOGIN = "zqx-secret-login"


def _public_pages(post, author):
    return [
        "/",
        post.get_absolute_url(),
        author.get_absolute_url(),
        "/feed/",
        "/feed/atom/",
        f"/author/{author.slug}/feed/",
        "/sitemap.xml",
        "/wp-login.php",
    ]


@pytest.mark.parametrize("display_name", ["Jane Doe", None])
def test_public_pages_show_the_display_name_never_the_login(site, display_name):
    user = create_user(LOGIN, email="jane@example.org", role="author", password=PASSWORD, display_name=display_name)
    sign_in(Client(), LOGIN)  # a user with no name given gets their author at sign-in
    user.refresh_from_db()
    author = user.author
    assert LOGIN not in author.slug and "secret" not in author.display_name
    post = factories.post("A post by Jane", authors=[author])
    for path in _public_pages(post, author):
        response = Client().get(path, follow=True)
        assert response.status_code == 200, path
        assert LOGIN not in response.content.decode(), path
    assert author.display_name in Client().get(post.get_absolute_url()).content.decode()


def test_a_users_full_name_is_the_default_display_name(site):
    user = get_user_model().objects.create_user(LOGIN, "j@example.org", PASSWORD, first_name="Jane", last_name="Doe")
    from broadsheet.accounts.roles import set_role

    set_role(user, "author")
    sign_in(Client(), LOGIN)
    user.refresh_from_db()
    assert (user.author.display_name, user.author.slug) == ("Jane Doe", "jane-doe")


def test_authors_named_alike_get_distinct_slugs(site):
    first = create_user("one", email="1@example.org", role="author", password=PASSWORD, display_name="Sam Lee")
    second = create_user("two", email="2@example.org", role="author", password=PASSWORD, display_name="Sam Lee")
    assert (first.author.slug, second.author.slug) == ("sam-lee", "sam-lee-2")
