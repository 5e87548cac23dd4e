"""Spam defences with no outside service: honeypot, fill time, rate limit, duplicates."""

import datetime
import pathlib
import time

import pytest
from django.contrib.staticfiles import finders
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from broadsheet.comments import defences
from broadsheet.comments.models import Comment
from tests import factories
from tests.comments.conftest import add_comment, make_user, post_comment, recent

pytestmark = pytest.mark.django_db
Status = Comment.Status


# -- honeypot -----------------------------------------------------------------------------


def test_the_honeypot_is_in_the_form_hidden_by_the_stylesheet(client, post):
    body = client.get(post.get_absolute_url()).content.decode()
    field = body[body.index('<p class="comment-form-reference"') :]
    field = field[: field.index("</p>")]
    assert 'aria-hidden="true"' in field and 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in field and "hidden" not in field.replace("aria-hidden", "")
    stylesheet = pathlib.Path(finders.find("broadsheet/theme.css")).read_text()
    assert ".comment-form-reference { display: none; }" in stylesheet


def test_a_filled_honeypot_makes_the_comment_spam(client, post):
    response = post_comment(client, post, comment_reference="http://spam.example")
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == Status.SPAM
    assert "unapproved=" in response["Location"]  # the sender learns nothing
    assert "A thoughtful remark." not in client.get(post.get_absolute_url()).content.decode()


# -- minimum fill time ------------------------------------------------------------------------


def _stamp(seconds_ago: float) -> str:
    return defences.make_stamp(time.time() - seconds_ago)


@pytest.mark.parametrize(
    "stamp, expected",
    [
        (lambda: _stamp(60), Status.APPROVED),
        (lambda: _stamp(0.5), Status.SPAM),  # faster than a person types
        (lambda: "", Status.PENDING),  # no JavaScript: held, not refused
        (lambda: _stamp(2 * 24 * 3600), Status.PENDING),  # opened two days ago
        (lambda: "1700000000000", Status.SPAM),  # unsigned
        (lambda: signing.dumps(int(time.time() * 1000) - 60_000, salt="other"), Status.SPAM),
        (lambda: signing.dumps("soon", salt="broadsheet.comments.stamp"), Status.SPAM),
    ],
)
def test_the_fill_time_stamp(client, post, stamp, expected):
    response = post_comment(client, post, comment_stamp=stamp())
    assert response.status_code == 303
    assert Comment.objects.get().status == expected


@override_settings(COMMENTS_MIN_FILL_SECONDS=120)
def test_the_minimum_fill_time_is_a_setting(client, post):
    post_comment(client, post, comment_stamp=_stamp(60))
    assert Comment.objects.get().status == Status.SPAM


def test_a_missing_stamp_does_not_approve_over_the_rules(client, site, post):
    site.comments_blocked_words = "remark"
    site.save()
    post_comment(client, post, comment_stamp="")
    assert Comment.objects.get().status == Status.SPAM


def test_signed_in_users_need_no_stamp(client, post):
    client.force_login(make_user("editor"))
    post_comment(client, post, comment_stamp="")
    assert Comment.objects.get().status == Status.APPROVED


def test_the_stamp_endpoint_signs_the_server_time(client, db):
    response = client.get("/comments/stamp/")
    started = signing.loads(response.json()["stamp"], salt="broadsheet.comments.stamp")
    assert abs(started / 1000 - time.time()) < 60


# -- per-address rate limit ----------------------------------------------------------------------


def test_the_sixth_comment_in_a_minute_is_refused(client, post):
    for n in range(5):
        assert post_comment(client, post, comment=f"Remark {n}").status_code == 303
    refused = post_comment(client, post, comment="One too many")
    assert refused.status_code == 429
    assert "You are posting comments too quickly" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Comment.objects.count() == 5


def test_the_hourly_limit(client, post):
    start = timezone.now() - datetime.timedelta(minutes=50)
    for n in range(30):
        add_comment(post, body=f"Old {n}", author_ip="127.0.0.1", created_at=start + datetime.timedelta(seconds=n))
    refused = post_comment(client, post)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 60


def test_the_limit_counts_one_address_only_and_only_recent_comments(client, post):
    for n in range(5):
        add_comment(post, body=f"Other {n}", author_ip="192.0.2.7")
        add_comment(post, body=f"Old {n}", author_ip="127.0.0.1", created_at=recent(1))
    assert post_comment(client, post).status_code == 303


def test_spam_counts_towards_the_limit(client, post):
    for n in range(5):
        post_comment(client, post, comment=f"Spam {n}", comment_reference="x")
    assert post_comment(client, post).status_code == 429


def test_moderators_are_not_limited(client, post):
    client.force_login(make_user("editor"))
    for n in range(7):
        assert post_comment(client, post, comment=f"Note {n}").status_code == 303


@override_settings(COMMENTS_RATE_LIMITS=((60, 2),))
def test_the_limits_are_a_setting(client, post):
    assert [post_comment(client, post, comment=f"R{n}").status_code for n in range(3)] == [303, 303, 429]


def test_the_limit_works_across_processes_because_it_is_counted_in_the_database(post):
    # Comments stored by another server process are rows like any other.
    for n in range(5):
        Comment.objects.create(post=post, author_name="X", body=f"{n}", author_ip="198.51.100.4")
    assert defences.rate_limit_exceeded("198.51.100.4") is not None
    assert defences.rate_limit_exceeded("198.51.100.5") is None


# -- duplicates ---------------------------------------------------------------------------------


def test_a_duplicate_comment_is_refused(client, post):
    assert post_comment(client, post, comment="Same words").status_code == 303
    refused = post_comment(client, post, comment="Same words")
    assert refused.status_code == 409
    assert "Duplicate comment detected; it looks as though you’ve already said that!" in refused.content.decode()
    assert Comment.objects.count() == 1


def test_the_same_email_under_another_name_is_still_a_duplicate(client, post):
    post_comment(client, post, comment="Same words")
    assert post_comment(client, post, comment="Same words", author="Ada R.").status_code == 409


def test_what_is_not_a_duplicate(client, site, post):
    post_comment(client, post, comment="Same words")
    other = factories.post("Another", recent())
    assert post_comment(client, other, comment="Same words").status_code == 303  # another post
    assert post_comment(client, post, comment="Same words", author="Bob", email="bob@example.net").status_code == 303
    Comment.objects.filter(author_name="Ada Reader").update(status=Status.TRASH)
    assert post_comment(client, post, comment="Same words").status_code == 303  # trashed ones do not count


# -- the reader's address --------------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.5", "127.0.0.1"),  # no proxy trusted: the header is anyone's to forge
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the left one was sent by the client
        (2, "198.51.100.1, 203.0.113.5", "198.51.100.1"),
        (2, "203.0.113.5", "127.0.0.1"),  # fewer addresses than proxies: the connection's
        (1, "not-an-address", None),
    ],
)
def test_the_readers_address_behind_trusted_proxies(client, post, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    post_comment(client, post, headers={"HTTP_X_FORWARDED_FOR": forwarded})
    assert Comment.objects.get().author_ip == expected
