"""Each user's own profile (/desk/profile/): public details, email address, password."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from broadsheet.content.models import Author
from tests import factories
from tests.accounts.conftest import PASSWORD, make_user, sign_in


@pytest.fixture
def ann(site):
    return make_user("contributor", "ann", email="ann@example.org", display_name="Ann Example")


@pytest.fixture
def client(ann):
    client = Client()
    client.force_login(ann)
    return client


def _profile(**fields):
    data = {"display_name": "Ann Example", "email": "ann@example.org", "website": "", "bio": "", "current_password": ""}
    data.update(fields)
    return data


def test_every_role_has_a_profile_page(clients):
    for role in ("administrator", "editor", "author", "contributor"):
        assert clients[role].get("/desk/profile/").status_code == 200, role
    assert clients[None].get("/desk/profile/")["Location"] == "/accounts/login/?next=/desk/profile/"


def test_change_display_name_bio_and_website(ann, client):
    response = client.post(
        "/desk/profile/", _profile(display_name="Ann Q. Example", bio="Writes things.", website="ann.example")
    )
    assert response.status_code == 302
    author = Author.objects.get(user=ann)
    assert (author.display_name, author.bio, author.website) == ("Ann Q. Example", "Writes things.", "https://ann.example")
    assert author.slug == "ann-q-example"  # no posts yet: the slug follows the name


def test_the_slug_stays_once_the_author_has_posts(ann, client):
    factories.post("Mine", authors=[ann.author])
    client.post("/desk/profile/", _profile(display_name="Someone Else"))
    assert Author.objects.get(user=ann).slug == "ann-example"


def test_changing_the_email_address_needs_the_password(ann, client):
    response = client.post("/desk/profile/", _profile(email="new@example.org"))
    assert response.status_code == 400
    assert "Enter your current password to change your email address" in response.content.decode()
    response = client.post("/desk/profile/", _profile(email="new@example.org", current_password="wrong"))
    assert response.status_code == 400
    ann.refresh_from_db()
    assert ann.email == "ann@example.org"
    response = client.post("/desk/profile/", _profile(email="new@example.org", current_password=PASSWORD))
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.email == "new@example.org"
    assert sign_in(Client(), "new@example.org").status_code == 302


def test_an_address_another_account_uses_is_refused(ann, client):
    make_user("author", "bob", email="bob@example.org")
    response = client.post("/desk/profile/", _profile(email="BOB@example.org", current_password=PASSWORD))
    assert response.status_code == 400
    assert "Another account uses that address" in response.content.decode()


def test_over_long_fields_are_refused_not_truncated(ann, client):
    response = client.post("/desk/profile/", _profile(display_name="x" * 251, bio="y" * 5001))
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 250 characters" in page and "at most 5000 characters" in page
    assert Author.objects.get(user=ann).display_name == "Ann Example"


def test_change_password_keeps_this_session_and_ends_others(ann, client):
    elsewhere = Client()
    elsewhere.force_login(ann)
    new = "a brand new passphrase 31"
    response = client.post(
        "/desk/profile/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.get("/desk/profile/").status_code == 200
    assert elsewhere.get("/desk/profile/").status_code == 302
    assert elsewhere.session.get(SESSION_KEY) is None
    assert sign_in(Client(), "ann", new).status_code == 302


def test_change_password_needs_the_current_one(ann, client):
    response = client.post(
        "/desk/profile/password/", {"old_password": "wrong", "new_password1": "x new one 12345", "new_password2": "x new one 12345"}
    )
    assert response.status_code == 400
    assert "That is not your current password" in response.content.decode()
    assert sign_in(Client(), "ann").status_code == 302


def test_change_password_is_post_only(client):
    assert client.get("/desk/profile/password/").status_code == 405
