"""Signing in by login or email, the session's rotation, signing out, and where a sign-in leads."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from broadsheet.accounts.roles import set_active
from tests.accounts.conftest import PASSWORD, make_user, sign_in


@pytest.fixture
def ann(site):
    return make_user("editor", "ann", email="Ann@Example.org")


def _signed_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_sign_in_with_the_login(ann, client):
    response = sign_in(client, "ann")
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    assert _signed_in_as(client) == str(ann.pk)


def test_sign_in_with_the_email_address_in_any_case(ann, client):
    response = sign_in(client, "ann@EXAMPLE.org")
    assert response.status_code == 302
    assert _signed_in_as(client) == str(ann.pk)


def test_sign_in_with_the_login_in_another_case(ann, client):
    assert sign_in(client, "ANN").status_code == 302
    assert _signed_in_as(client) == str(ann.pk)


def test_wrong_password_does_not_sign_in(ann, client):
    response = sign_in(client, "ann", "not the password")
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert _signed_in_as(client) is None


def test_deactivated_user_cannot_sign_in_even_with_the_right_password(ann, client):
    make_user("administrator", "root")
    set_active(ann, False)
    response = sign_in(client, "ann")
    assert response.status_code == 400
    assert _signed_in_as(client) is None


def test_an_address_shared_by_two_accounts_signs_in_neither(site, client):
    make_user("author", "one", email="shared@example.org")
    from django.contrib.auth import get_user_model

    other = make_user("author", "two", email="two@example.org")
    get_user_model().objects.filter(pk=other.pk).update(email="shared@example.org")  # made outside the forms
    assert sign_in(client, "shared@example.org").status_code == 400
    assert sign_in(client, "two").status_code == 302


def test_passwords_are_hashed_with_argon2(ann):
    from broadsheet.conf import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert ann.password.startswith("argon2$")  # here with tests' small costs, see conftest


def test_session_key_changes_at_sign_in(ann, client):
    """A session planted before signing in (session fixation) is not the one signed in."""
    session = client.session
    session["planted"] = "yes"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    assert sign_in(client, "ann").status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert _signed_in_as(client) == str(ann.pk)
    from django.contrib.sessions.backends.db import SessionStore

    assert SessionStore(session_key=before).get(SESSION_KEY) is None  # the old key signs nobody in


def test_sign_out_is_post_only(ann, client):
    sign_in(client, "ann")
    assert client.get("/accounts/logout/").status_code == 405
    assert _signed_in_as(client) == str(ann.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert _signed_in_as(client) is None
    assert client.get("/desk/").status_code == 302  # back to the sign-in page


def test_sign_out_needs_the_csrf_token(site):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/logout/").status_code == 403


def test_login_form_needs_the_csrf_token(ann):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "ann", "password": PASSWORD}).status_code == 403


def test_sign_in_page_is_not_cached(site, client):
    response = client.get("/accounts/login/")
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("next_url", ["/desk/posts/", "/desk/posts/?status=draft", "/2010/07/"])
def test_next_on_this_site_is_followed(ann, client, next_url):
    response = sign_in(client, "ann", next=next_url)
    assert response["Location"] == next_url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://elsewhere.example/",
        "http://elsewhere.example/desk/",
        "//elsewhere.example/",
        "///elsewhere.example/",
        "/\\elsewhere.example/",
        "\\\\elsewhere.example",
        "https:elsewhere.example",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        " https://elsewhere.example/",
        "\x00https://elsewhere.example/",
        "http://testserver@elsewhere.example/",
        "/" + "a" * 2100,
    ],
)
def test_next_elsewhere_is_refused(ann, client, next_url):
    """Open redirects: ``next=`` leads only to this site; anything else goes to the desk."""
    response = sign_in(client, "ann", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_next_from_the_query_string_is_kept_in_the_form(ann, client):
    page = client.get("/accounts/login/?next=/desk/pages/").content.decode()
    assert 'name="next" value="/desk/pages/"' in page
    page = client.get("/accounts/login/?next=https://elsewhere.example/").content.decode()
    assert "elsewhere.example" not in page


def test_https_site_refuses_next_to_plain_http_of_itself(ann):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "ann", "password": PASSWORD, "next": "http://testserver/desk/posts/"},
        secure=True,
    )
    assert response["Location"] == "/desk/"


def test_desk_pages_send_anonymous_visitors_to_sign_in_and_back(ann, client):
    response = client.get("/desk/posts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desk/posts/"
    assert sign_in(client, "ann", next="/desk/posts/")["Location"] == "/desk/posts/"


def test_the_admin_sign_in_page_sends_people_to_ours(ann, client):
    """Django's admin has its own sign-in form, which would skip the throttle and two-factor."""
    response = client.get("/admin/login/?next=/admin/content/post/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fcontent%2Fpost%2F"
    response = client.post("/admin/login/", {"username": "ann", "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) is None


def test_signing_in_gives_a_user_without_an_author_one_named_from_nothing_private(site, client):
    """Users made by other means (Django's createsuperuser) get an author; never named after the login."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("secret-login", "s@example.org", PASSWORD, is_superuser=True)
    assert sign_in(client, "secret-login").status_code == 302
    user.refresh_from_db()
    assert user.author.display_name == "Author"
    assert "secret" not in user.author.slug
