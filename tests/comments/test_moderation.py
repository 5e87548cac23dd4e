"""WordPress's discussion rules: held, approved or spam, and where replies hang."""

import pytest

from broadsheet.comments import moderation
from broadsheet.comments.models import Comment
from tests import factories
from tests.comments.conftest import add_comment, make_user, post_comment, recent

pytestmark = pytest.mark.django_db
Status = Comment.Status


def _status_of_new(client, post, **fields) -> str:
    response = post_comment(client, post, **fields)
    assert response.status_code == 303, response.content.decode()[:500]
    return Comment.objects.latest("id").status


# -- first comment held, approved commenters trusted --------------------------------


def test_a_new_commenter_is_held_then_trusted_once_approved(client, site, post):
    site.comments_require_approved_before = True
    site.save()
    assert _status_of_new(client, post, comment="First") == Status.PENDING
    assert _status_of_new(client, post, comment="Second, still unknown") == Status.PENDING
    moderation.apply_action(Comment.objects.get(body="First"), "approve")
    assert _status_of_new(client, post, comment="Third", email="ada@EXAMPLE.net") == Status.APPROVED
    assert _status_of_new(client, post, comment="Another person", email="bob@example.net") == Status.PENDING


def test_with_the_setting_off_new_commenters_are_approved(client, site, post):
    assert site.comments_require_approved_before is False
    assert _status_of_new(client, post) == Status.APPROVED


def test_a_spam_or_trashed_comment_earns_no_trust(client, site, post):
    site.comments_require_approved_before = True
    site.save()
    add_comment(post, author_email="ada@example.net", status=Status.SPAM)
    add_comment(post, author_email="ada@example.net", status=Status.TRASH, body="Other")
    assert _status_of_new(client, post) == Status.PENDING


# -- links and moderation words -----------------------------------------------------------


@pytest.mark.parametrize(
    "links, setting, expected",
    [(1, 2, Status.APPROVED), (2, 2, Status.PENDING), (5, 2, Status.PENDING), (5, 0, Status.APPROVED), (1, 1, Status.PENDING)],
)
def test_comments_with_many_links_are_held(client, site, post, links, setting, expected):
    site.comments_moderation_links = setting
    site.save()
    text = " ".join(f"https://example.org/{n}" for n in range(links))
    assert _status_of_new(client, post, comment=text) == expected


@pytest.mark.parametrize(
    "fields, extra",
    [
        ({"comment": "Cheap VIAGRA here"}, {}),
        ({"author": "viagra seller"}, {}),
        ({"email": "viagra@example.net"}, {}),
        ({"url": "https://viagra.example/"}, {}),
        ({}, {"headers": {"HTTP_USER_AGENT": "ViagraBot/1.0"}}),
    ],
)
def test_a_moderation_word_in_any_checked_field_holds_the_comment(client, site, post, fields, extra):
    site.comments_moderation_words = "\n  viagra  \n\n"
    site.save()
    assert _status_of_new(client, post, **fields, **extra) == Status.PENDING


def test_a_moderation_word_matching_the_address_holds_the_comment(client, site, post):
    site.comments_moderation_words = "127.0.0."
    site.save()
    assert _status_of_new(client, post) == Status.PENDING


@pytest.mark.parametrize(
    "fields",
    [{"comment": "buy CASINO chips"}, {"author": "Casino Royale"}, {"email": "casino@example.net"}, {"url": "https://casino.example"}],
)
def test_a_blocked_word_makes_the_comment_spam(client, site, post, fields):
    site.comments_blocked_words = "casino"
    site.save()
    assert _status_of_new(client, post, **fields) == Status.SPAM


def test_a_blocked_address_makes_the_comment_spam(client, site, post):
    site.comments_blocked_words = "127.0.0.1"
    site.save()
    assert _status_of_new(client, post) == Status.SPAM


# -- who writes ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "administrator"])
def test_moderators_comments_are_approved(client, site, post, role):
    site.comments_require_approved_before = True
    site.comments_moderation_words = "remark"
    site.save()
    client.force_login(make_user(role))
    assert _status_of_new(client, post, comment="A remark with https://a.example https://b.example") == Status.APPROVED


def test_the_posts_own_author_is_approved(client, site, post, writer):
    site.comments_require_approved_before = True
    site.save()
    client.force_login(writer)
    assert _status_of_new(client, post) == Status.APPROVED


def test_another_author_follows_the_rules(client, site, post):
    site.comments_require_approved_before = True
    site.save()
    client.force_login(make_user("author", "stranger"))
    assert _status_of_new(client, post) == Status.PENDING


def test_blocked_words_apply_to_everyone(client, site, post):
    site.comments_blocked_words = "forbidden"
    site.save()
    client.force_login(make_user("editor"))
    assert _status_of_new(client, post, comment="A forbidden thought") == Status.SPAM


# -- open or closed ---------------------------------------------------------------------


def test_comments_open_follows_the_entry_and_the_age_limit(site):
    young = factories.post("Young", recent(1))
    old = factories.post("Old", recent(40))
    closed = factories.post("Closed", recent(1), comment_status="closed")
    assert [moderation.comments_open(p, site) for p in (young, old, closed)] == [True, True, False]
    site.comments_close_after_days = 30
    assert [moderation.comments_open(p, site) for p in (young, old, closed)] == [True, False, False]


# -- thread depth -------------------------------------------------------------------------


def _chain(post, length: int) -> list[Comment]:
    chain, parent = [], None
    for n in range(length):
        parent = add_comment(post, parent=parent, body=f"Level {n + 1}")
        chain.append(parent)
    return chain


def test_a_reply_beyond_the_depth_hangs_at_the_deepest_level(client, site, post):
    site.comments_thread_depth = 3
    site.save()
    chain = _chain(post, 3)
    post_comment(client, post, comment_parent=chain[2].pk, comment="Too deep")
    assert Comment.objects.get(body="Too deep").parent == chain[1]  # shown at depth 3, after level 3
    post_comment(client, post, comment_parent=chain[1].pk, comment="Just fits")
    assert Comment.objects.get(body="Just fits").parent == chain[1]


def test_without_threading_replies_are_top_level(client, site, post):
    site.comments_thread_depth = 1
    site.save()
    parent = add_comment(post)
    post_comment(client, post, comment_parent=parent.pk)
    assert Comment.objects.get(author_name="Ada Reader").parent is None


def test_attach_parent_counts_only_what_readers_see(site, post):
    hidden = add_comment(post, status=Status.TRASH)
    visible = add_comment(post, parent=hidden)
    child = add_comment(post, parent=visible)
    # The trashed ancestor is not shown, so ``visible`` is top-level and ``child`` at depth 2.
    assert moderation.attach_parent(child, 3) == child
    assert moderation.attach_parent(child, 2) == visible


# -- moderators' actions -----------------------------------------------------------------


def test_spam_and_trash_remember_where_the_comment_was(post):
    approved = add_comment(post)
    assert moderation.apply_action(approved, "trash")
    assert (approved.status, approved.previous_status) == (Status.TRASH, Status.APPROVED)
    assert moderation.apply_action(approved, "restore")
    assert approved.status == Status.APPROVED
    held = add_comment(post, status=Status.PENDING, body="Held")
    moderation.apply_action(held, "spam")
    moderation.apply_action(held, "unspam")
    assert held.status == Status.PENDING


def test_actions_that_do_not_apply_change_nothing(post):
    approved = add_comment(post)
    assert moderation.apply_action(approved, "approve") is False
    assert moderation.apply_action(approved, "delete") is False  # only from spam or trash
    assert Comment.objects.filter(pk=approved.pk, status=Status.APPROVED).exists()
