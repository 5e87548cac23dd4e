"""The public comment form end to end: where it may post from, what it accepts, where it leads."""

import datetime
import json
from unittest import mock
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.comments.threads import PREVIEW_SECONDS
from broadsheet.content.passwords import COOKIE_NAME, make_unlock_cookie
from tests import factories
from tests.comments.conftest import ORIGIN, add_comment, form_data, make_user, post_comment, recent

pytestmark = pytest.mark.django_db


# -- accepted comments -------------------------------------------------------------


def test_anonymous_comment_is_stored_and_redirects_to_its_permalink(client, post):
    response = post_comment(client, post, url="example.org/me", comment="Hello\n\nWorld", headers={"HTTP_USER_AGENT": "Tester"})
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert (comment.post, comment.author_name, comment.author_email) == (post, "Ada Reader", "ada@example.net")
    assert comment.author_url == "https://example.org/me"
    assert (comment.author_ip, comment.author_agent) == ("127.0.0.1", "Tester")
    assert comment.rendered_html == "<p>Hello</p>\n<p>World</p>"
    assert comment.status == Comment.Status.APPROVED
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in page and f'href="#comment-{comment.pk}"' in page


def test_wordpress_form_address_works_too(client, post):
    response = post_comment(client, post, path="/wp-comments-post.php")
    assert response.status_code == 303 and Comment.objects.count() == 1


def test_comments_on_pages(client, page):
    page.comment_status = "open"
    page.save()
    response = post_comment(client, page)
    comment = Comment.objects.get()
    assert response.status_code == 303 and comment.page == page and comment.post is None
    assert f'id="comment-{comment.pk}"' in client.get(page.get_absolute_url()).content.decode()


def test_the_form_target_answers_posts_only(client, post):
    assert client.get("/comments/post/").status_code == 405


# -- same-site checks and CSRF -----------------------------------------------------


@pytest.mark.parametrize(
    "headers, accepted",
    [
        ({}, False),  # neither Origin nor Referer
        ({"HTTP_ORIGIN": "https://evil.example"}, False),
        ({"HTTP_ORIGIN": "null"}, False),
        ({"HTTP_ORIGIN": "http://testserver.evil.example"}, False),
        ({"HTTP_REFERER": "https://evil.example/page"}, False),
        ({"HTTP_ORIGIN": "https://evil.example", "HTTP_REFERER": f"{ORIGIN}/post/"}, False),  # Origin wins
        ({"HTTP_ORIGIN": ORIGIN}, True),
        ({"HTTP_REFERER": f"{ORIGIN}/2010/07/28/an-essay/"}, True),
        ({"HTTP_ORIGIN": "http://127.0.0.1:8000"}, True),  # the configured site address
    ],
)
def test_only_posts_from_this_site_are_accepted(client, post, headers, accepted):
    response = client.post("/comments/post/", form_data(post), **headers)
    assert (response.status_code == 303) is accepted, response.status_code
    assert Comment.objects.exists() is accepted
    if not accepted:
        assert response.status_code == 403
        assert "Comment not posted" in response.content.decode()


def test_missing_headers_are_explained(client, post):
    response = client.post("/comments/post/", form_data(post))
    assert "neither an Origin nor a Referer" in response.content.decode()


def test_anonymous_posts_need_no_csrf_token(post):
    client = Client(enforce_csrf_checks=True)
    assert post_comment(client, post).status_code == 303


def test_signed_in_users_need_a_csrf_token(post):
    user = make_user("contributor", "carol")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    refused = post_comment(client, post)
    assert refused.status_code == 403 and not Comment.objects.exists()
    page = client.get(post.get_absolute_url())
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    accepted = post_comment(client, post, csrfmiddlewaretoken=token)
    assert accepted.status_code == 303 and Comment.objects.count() == 1


def test_signed_in_users_post_as_themselves(client, post):
    user = make_user("contributor", "carol")
    client.force_login(user)
    response = post_comment(client, post, author="Someone Else", email="else@example.net")
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert (comment.user, comment.author_name, comment.author_email) == (user, "Carol", "carol@example.org")


def test_the_stamp_endpoint_gives_a_csrf_token_to_signed_in_users_only(client, post):
    anonymous = client.get("/comments/stamp/")
    assert set(anonymous.json()) == {"stamp"}
    assert "no-store" in anonymous["Cache-Control"]
    client.force_login(make_user("contributor", "carol"))
    assert set(client.get("/comments/stamp/").json()) == {"stamp", "csrf"}


# -- cached pages stay the same for everyone --------------------------------------


def test_anonymous_post_pages_carry_no_per_visitor_data(client, post):
    add_comment(post, author_name="Earlier")
    first = client.get(post.get_absolute_url())
    post_comment(client, post, **{"wp-comment-cookies-consent": "yes"})  # now the client has the cookie
    assert "broadsheet_commenter" in client.cookies
    Comment.objects.filter(author_name="Ada Reader").delete()
    second = client.get(post.get_absolute_url())
    body = second.content.decode()
    assert first.content == second.content
    assert "csrfmiddlewaretoken" not in body and "Ada Reader" not in body and "ada@example.net" not in body
    assert "Set-Cookie" not in str(second.headers) and not second.cookies


def test_signed_in_pages_render_the_token_and_the_identity(client, post):
    client.force_login(make_user("contributor", "carol"))
    body = client.get(post.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in body and "Logged in as Carol." in body
    assert 'name="author"' not in body


# -- field limits (WordPress's) ----------------------------------------------------


@pytest.mark.parametrize(
    "field, limit, message",
    [
        ("author", 245, "Your name is too long: at most 245 characters, and yours has 246."),
        ("comment", 65525, "Your comment is too long: at most 65,525 characters, and yours has 65526."),
    ],
)
def test_text_at_the_limit_is_kept_whole_and_over_it_refused(client, post, field, limit, message):
    refused = post_comment(client, post, **{field: "x" * (limit + 1)})
    assert refused.status_code == 400 and message in refused.content.decode()
    assert not Comment.objects.exists()
    accepted = post_comment(client, post, **{field: "y" * limit})
    assert accepted.status_code == 303
    stored = Comment.objects.get()
    assert len(stored.author_name if field == "author" else stored.body) == limit


def test_email_and_website_limits(client, post):
    email = "a" * 88 + "@example.net"  # 100 characters
    assert len(email) == 100
    long_email = post_comment(client, post, email="b" + email)
    assert long_email.status_code == 400
    assert "Your email address is too long: at most 100 characters" in long_email.content.decode()
    url = "https://example.org/" + "p" * 180  # 200 characters
    long_url = post_comment(client, post, url=url + "q")
    assert long_url.status_code == 400
    assert "Your website address is too long: at most 200 characters" in long_url.content.decode()
    assert not Comment.objects.exists()
    assert post_comment(client, post, email=email, url=url).status_code == 303
    stored = Comment.objects.get()
    assert (stored.author_email, stored.author_url) == (email, url)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"author": ""}, "Please give your name."),
        ({"email": ""}, "Please give your email address"),
        ({"email": "not an address"}, "Please enter a valid email address."),
        ({"url": "javascript:alert(1)"}, "valid website address"),
        ({"url": "ftp://example.org/"}, "valid website address"),
        ({"comment": "   "}, "Please type your comment text."),
        ({"comment": "nul\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_invalid_input_is_refused_with_a_message(client, post, fields, message):
    response = post_comment(client, post, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_the_refusal_page_keeps_what_was_typed_escaped(client, post):
    response = post_comment(client, post, author="x" * 300, comment='<script>alert("kept")</script>')
    body = response.content.decode()
    assert "&lt;script&gt;alert(&#34;kept&#34;)&lt;/script&gt;</textarea>" in body
    assert "<script>alert" not in body
    assert "no-store" in response["Cache-Control"]


# -- where comments are refused ----------------------------------------------------


def test_closed_posts_refuse_comments(client, post):
    post.comment_status = "closed"
    post.save()
    response = post_comment(client, post)
    assert response.status_code == 403 and "comments are closed" in response.content.decode()
    assert not Comment.objects.exists()
    assert 'id="commentform"' not in client.get(post.get_absolute_url()).content.decode()
    add_comment(post, body="Said before closing.")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Said before closing." in page and "Comments are closed." in page and "comment-reply-link" not in page


def test_old_posts_close_after_the_setting(client, site, post):
    site.comments_close_after_days = 1
    site.save()
    response = post_comment(client, post)  # the post is two days old
    assert response.status_code == 403 and "older than 1 days" in response.content.decode()
    site.comments_close_after_days = 3
    site.save()
    assert post_comment(client, post).status_code == 303


def test_pages_do_not_close_with_age(client, site, page):
    site.comments_close_after_days = 1
    site.save()
    assert post_comment(client, page).status_code == 303


@pytest.mark.parametrize("status, when", [("draft", None), ("pending", None), ("private", None), ("future", 3)])
def test_non_public_entries_are_not_found(client, site, status, when):
    published = timezone.now() + datetime.timedelta(days=when) if when else None
    hidden = factories.post("Hidden", recent(), status=status)
    hidden.published_at = published
    hidden.save()
    response = post_comment(client, hidden)
    assert response.status_code == 404 and "no such post" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("fields, status", [({"comment_post_ID": "999999"}, 404), ({"comment_post_ID": "abc"}, 400)])
def test_unknown_or_malformed_targets(client, post, fields, status):
    assert post_comment(client, post, **fields).status_code == status


def test_a_post_needs_a_target(client, post):
    data = form_data(post)
    del data["comment_post_ID"]
    assert client.post("/comments/post/", data, HTTP_ORIGIN=ORIGIN).status_code == 400


def test_protected_posts_take_comments_only_once_unlocked(client, post):
    post.password = "open sesame"
    post.save()
    refused = post_comment(client, post)
    assert refused.status_code == 403 and "password protected" in refused.content.decode()
    client.cookies[COOKIE_NAME] = make_unlock_cookie("open sesame")
    assert post_comment(client, post).status_code == 303


# -- replies -------------------------------------------------------------------------


def test_a_reply_is_threaded_under_its_parent(client, post):
    parent = add_comment(post)
    post_comment(client, post, comment_parent=parent.pk)
    assert Comment.objects.get(author_name="Ada Reader").parent == parent


@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_replies_to_unseen_comments_are_refused(client, post, status):
    parent = add_comment(post, status=status)
    response = post_comment(client, post, comment_parent=parent.pk)
    assert response.status_code == 400 and "not approved" in response.content.decode()


def test_replies_to_a_comment_elsewhere_are_refused(client, site, post):
    other = factories.post("Other", recent())
    parent = add_comment(other)
    assert post_comment(client, post, comment_parent=parent.pk).status_code == 400


# -- held comments: shown to their writer only --------------------------------------


def test_a_held_comment_is_shown_to_its_writer_only(client, site, post):
    site.comments_require_approved_before = True
    site.save()
    response = post_comment(client, post, comment="Waiting <b>patiently</b>")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(f"{post.get_absolute_url()}?unapproved={comment.pk}&moderation-hash=")
    preview = client.get(location)
    body = preview.content.decode()
    assert "Your comment is awaiting moderation." in body and "Waiting &lt;b&gt;patiently&lt;/b&gt;" in body
    assert "no-store" in preview["Cache-Control"] and "private" in preview["Cache-Control"]
    public = client.get(post.get_absolute_url()).content.decode()
    assert "Waiting" not in public and "awaiting moderation" not in public
    forged = client.get(f"{post.get_absolute_url()}?unapproved={comment.pk}&moderation-hash=0123abcd")
    assert "Waiting" not in forged.content.decode()


def test_the_preview_link_expires(client, site, post):
    site.comments_require_approved_before = True
    site.save()
    location = post_comment(client, post, comment="Soon stale")["Location"]
    later = timezone.now() + datetime.timedelta(seconds=PREVIEW_SECONDS + 1)
    with mock.patch("broadsheet.comments.threads.timezone.now", return_value=later):
        assert "Soon stale" not in client.get(location).content.decode()


# -- remembering the commenter ---------------------------------------------------------


def test_details_are_remembered_only_with_consent(client, post):
    post_comment(client, post, comment="First")
    assert "broadsheet_commenter" not in client.cookies
    post_comment(client, post, comment="Second", url="https://ada.example", **{"wp-comment-cookies-consent": "yes"})
    cookie = client.cookies["broadsheet_commenter"]
    assert json.loads(unquote(cookie.value)) == {"name": "Ada Reader", "email": "ada@example.net", "url": "https://ada.example"}
    assert not cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 30 * 24 * 3600
    post_comment(client, post, comment="Third")  # consent withdrawn: the cookie goes
    assert client.cookies["broadsheet_commenter"].value == ""
