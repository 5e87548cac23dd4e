"""Previews: the live preview renders exactly as the public page; private links work signed-out and expire."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core import signing

from broadsheet.content.models import Post
from broadsheet.desk.previews import make_preview_link
from tests import factories
from tests.desk.conftest import editor_data

pytestmark = pytest.mark.django_db

ESSAY = """\
The opening paragraph, with a [link](https://example.com/) and *emphasis*.

<!--more-->

## A heading

- one
- two

Footnote here.[^1]

[^1]: The note.
"""


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


# -- live preview -----------------------------------------------------------------------------------


def test_live_preview_is_what_the_public_page_will_show(clients, users, client):
    response = clients["author"].post("/desk/posts/new/", editor_data(title="Essay", body=ESSAY, authors="author", action="draft"))
    post = Post.objects.get()
    preview = clients["author"].post(f"/desk/posts/{post.pk}/preview/", {"body": ESSAY, "body_format": "markdown"})
    assert preview.status_code == 200
    assert preview["Content-Type"] == "text/html; charset=utf-8"
    html = preview.content.decode()
    assert f'<span id="more-{post.pk}"></span>' in html and "<h2>A heading</h2>" in html
    clients["author"].post(f"/desk/posts/{post.pk}/", editor_data(title="Essay", body=ESSAY, authors="author", action="publish"))
    post.refresh_from_db()
    assert html == post.rendered_html
    assert html in client.get(post.get_absolute_url()).content.decode()
    assert response.status_code == 302


def test_live_preview_of_html_follows_wordpress_paragraph_rules(clients, users):
    response = clients["editor"].post("/desk/posts/preview/", {"body": "One\n\nTwo", "body_format": "html"})
    assert response.content.decode().strip() == "<p>One</p>\n<p>Two</p>"


@pytest.mark.parametrize("role, kept", [("contributor", False), ("author", False), ("editor", True), ("administrator", True)])
def test_live_preview_sanitises_unless_trusted(clients, users, role, kept):
    body = '<p>Hi</p><script>alert(1)</script>'
    response = clients[role].post("/desk/posts/preview/", {"body": body, "body_format": "html", "allow_raw_html": "on"})
    assert response.status_code == 200
    assert ("<script>alert(1)</script>" in response.content.decode()) is kept


def test_live_preview_needs_csrf(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["author"])
    assert client.post("/desk/posts/preview/", {"body": "x"}).status_code == 403


def test_preview_button_without_javascript_saves_nothing(clients, users):
    response = clients["author"].post("/desk/posts/new/", editor_data(title="Not yet", body="# Big\n\nWords.", authors="author", action="preview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<div id="preview"[^>]*>\s*<h1>Big</h1>', page)
    assert 'value="Not yet"' in page  # the form keeps what was typed
    assert not Post.objects.exists()
    post = factories.post("Saved", authors=[users["author"].author], body="Old.", status="draft")
    clients["author"].post(f"/desk/posts/{post.pk}/", editor_data(title="Saved", body="New.", authors="author", action="preview"))
    post.refresh_from_db()
    assert post.body == "Old."


# -- private preview links --------------------------------------------------------------------------


@pytest.fixture
def draft(users):
    return factories.post("Embargoed report", authors=[users["author"].author], body="Secret *findings*.", status="draft", when=None)


def test_the_editor_offers_a_link_for_unpublished_entries_only(clients, users, draft):
    page = clients["author"].get(f"/desk/posts/{draft.pk}/").content.decode()
    assert "Private preview link" in page and "/desk/preview/" in page
    live = factories.post("Out", authors=[users["author"].author])
    assert "Private preview link" not in clients["author"].get(f"/desk/posts/{live.pk}/").content.decode()


def test_preview_link_works_signed_out(client, draft):
    path, _expires = make_preview_link(draft)
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Embargoed report" in page and "Secret <em>findings</em>." in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Embargoed report" not in client.get("/").content.decode()  # still unlisted


@pytest.mark.parametrize("status", ["pending", "future"])
def test_preview_link_for_pending_and_scheduled(client, users, status):
    post = factories.post("Later", authors=[users["author"].author], status=status, when="2099-01-01 09:00")
    path, _expires = make_preview_link(post)
    response = client.get(path)
    assert response.status_code == 200 and "Later" in response.content.decode()


def test_an_expired_link_is_gone(client, draft, settings):
    two_days_and_a_minute_ago = int(time.time()) - 2 * 24 * 3600 - 60
    with mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(two_days_and_a_minute_ago)):
        path, _expires = make_preview_link(draft)
    response = client.get(path)
    assert response.status_code == 410
    assert "This preview link has expired." in response.content.decode()
    assert "Secret" not in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_lifetime_is_a_setting(client, draft, settings):
    settings.DESK_PREVIEW_MAX_AGE = 3600
    two_hours_ago = int(time.time()) - 7200
    with mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(two_hours_ago)):
        path, _expires = make_preview_link(draft)
    assert client.get(path).status_code == 410
    settings.DESK_PREVIEW_MAX_AGE = 3 * 3600
    assert client.get(path).status_code == 200


def test_a_tampered_link_is_not_found(client, draft, users):
    path, _expires = make_preview_link(draft)
    token = _token(path)
    other = factories.post("Other draft", authors=[users["author"].author], status="draft")
    other_token = _token(make_preview_link(other)[0])
    payload, timestamp, signature = token.split(":")
    forged = [
        f"{other_token.split(':')[0]}:{timestamp}:{signature}",  # someone else's entry, this signature
        f"{payload}:{timestamp}:{signature[:-2]}xx",  # a changed signature
        f"{payload}:{signing.b62_encode(int(time.time()) + 10**6)}:{signature}",  # a later timestamp
        "not-a-token",
    ]
    for bad in forged:
        response = client.get(f"/desk/preview/{bad}/")
        assert response.status_code == 404, bad
        assert "This preview link is not valid." in response.content.decode()
        assert "Secret" not in response.content.decode()


def test_a_link_to_a_deleted_entry_is_not_found(client, draft):
    path, _expires = make_preview_link(draft)
    draft.delete()
    response = client.get(path)
    assert response.status_code == 404
    assert "has been deleted" in response.content.decode()


def test_a_link_to_a_published_entry_leads_to_it(client, draft):
    path, _expires = make_preview_link(draft)
    draft.status = "publish"
    draft.save()
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == draft.get_absolute_url()


def test_preview_link_for_a_page(client, users):
    page = factories.page("Coming soon", status="draft", body="Opening in spring.")
    path, _expires = make_preview_link(page)
    response = client.get(path)
    assert response.status_code == 200 and "Opening in spring." in response.content.decode()
