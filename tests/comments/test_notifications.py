"""Email about comments: authors hear of approved ones, moderators of held ones, nobody of their own."""

import smtplib
from unittest import mock

import pytest
from django.conf import settings

from broadsheet.comments import moderation
from broadsheet.comments.models import Comment
from broadsheet.content.models import Author
from tests import factories
from tests.comments.conftest import add_comment, make_user, post_comment, recent

pytestmark = pytest.mark.django_db


def _recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


@pytest.fixture
def staff(db):
    return {
        "editor": make_user("editor"),
        "administrator": make_user("administrator"),
        "contributor": make_user("contributor"),
        "other_author": make_user("author", "other"),
    }


def test_the_posts_authors_hear_of_an_approved_comment(client, post, writer, staff, mailoutbox):
    guest = Author.objects.create(display_name="Guest", slug="guest", email="guest@example.com")
    post.set_authors([writer.author, guest])
    post_comment(client, post, comment="Nice essay")
    assert _recipients(mailoutbox) == ["guest@example.com", "writer@example.org"]
    message = mailoutbox[0]
    assert message.subject == "[The Long View] Comment: “An essay”"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Nice essay" in message.body and "Author: Ada Reader" in message.body and "#comments" in message.body
    assert len(message.to) == 1  # one message per recipient: addresses are never shared


def test_moderators_hear_of_a_held_comment(client, site, post, writer, staff, mailoutbox):
    site.comments_require_approved_before = True
    site.save()
    post_comment(client, post, comment="Please approve me")
    # Editors, administrators and the post's author (who may moderate it); not contributors or other authors.
    assert _recipients(mailoutbox) == ["administrator@example.org", "editor@example.org", "writer@example.org"]
    assert mailoutbox[0].subject == "[The Long View] Please moderate: “An essay”"
    assert "/desk/comments/?status=pending" in mailoutbox[0].body


def test_spam_is_never_announced(client, site, post, staff, mailoutbox):
    post_comment(client, post, comment_reference="bot")
    assert Comment.objects.get().status == Comment.Status.SPAM and mailoutbox == []


def test_the_settings_turn_notifications_off(client, site, post, staff, mailoutbox):
    site.comments_notify_authors = False
    site.comments_notify_moderators = False
    site.save()
    post_comment(client, post, comment="Approved one")
    site.comments_require_approved_before = True
    site.save()
    post_comment(client, post, comment="Held one", email="new@example.net")
    assert Comment.objects.count() == 2 and mailoutbox == []


def test_nobody_is_sent_their_own_comment(client, post, writer, mailoutbox):
    client.force_login(writer)
    post_comment(client, post, comment="The author answers")
    assert mailoutbox == []
    client.logout()
    post_comment(client, post, comment="Same person, signed out", author="Writer", email="writer@example.org")
    assert mailoutbox == []


def test_a_moderators_comment_notifies_the_author_but_not_the_moderator(client, post, staff, mailoutbox):
    client.force_login(staff["editor"])
    post_comment(client, post, comment="Editor's note")
    assert _recipients(mailoutbox) == ["writer@example.org"]


def test_approving_a_held_comment_notifies_the_authors(post, staff, mailoutbox):
    held = add_comment(post, status=Comment.Status.PENDING)
    moderation.apply_action(held, "approve", staff["editor"])
    assert _recipients(mailoutbox) == ["writer@example.org"]
    mailoutbox.clear()
    moderation.apply_action(held, "unapprove", staff["editor"])
    assert mailoutbox == []


def test_comments_on_pages_notify_the_pages_author(client, site, mailoutbox):
    owner = make_user("editor", "owner")
    page = factories.page("About", published_at=recent(3), author=owner.author)
    post_comment(client, page)
    assert _recipients(mailoutbox) == ["owner@example.org"]


def test_a_mail_failure_does_not_lose_the_comment(client, post, writer, caplog):
    with mock.patch("broadsheet.comments.notifications.send_mail", side_effect=smtplib.SMTPException("down")):
        response = post_comment(client, post)
    assert response.status_code == 303 and Comment.objects.count() == 1
    assert "Could not send comment notification" in caplog.text


def test_odd_titles_make_a_one_line_subject(client, site, writer, mailoutbox):
    post = factories.post("Line one\nline two", recent(), authors=[writer.author])
    post_comment(client, post)
    assert mailoutbox[0].subject == "[The Long View] Comment: “Line one line two”"
