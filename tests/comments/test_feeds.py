"""Comment feeds carry approved comments only, newest first, and are valid."""

import datetime

import feedparser
import pytest

from broadsheet.comments import moderation
from broadsheet.comments.models import Comment
from tests import factories
from tests.comments.conftest import add_comment, post_comment, recent

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def discussion(site, post):
    page = factories.page("Guestbook", published_at=recent(20))
    protected = factories.post("Secret", recent(3), password="pw")
    draft = factories.post("Draft", recent(3), status="draft")
    start = recent(1)
    made = {
        "first": add_comment(post, body="First words", created_at=start),
        "second": add_comment(post, body="Second <b>words</b> http://example.org", created_at=start + datetime.timedelta(minutes=5)),
        "on_page": add_comment(page, body="Page words", created_at=start + datetime.timedelta(minutes=2)),
    }
    for status in (Status.PENDING, Status.SPAM, Status.TRASH):
        add_comment(post, status=status, body=f"Hidden {status}")
    add_comment(post, kind=Comment.Kind.NOTE, body="Hidden note")
    add_comment(protected, body="Hidden protected")
    add_comment(draft, body="Hidden draft")
    return made


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return parsed


@pytest.mark.parametrize("url", ["/comments/feed/", "/comments/feed/atom/"])
def test_the_site_comment_feed(client, discussion, url):
    parsed = _parse(client, url)
    texts = [entry.summary for entry in parsed.entries]
    assert texts == ["Second <b>words</b> http://example.org", "Page words", "First words"]  # newest first
    assert not any("Hidden" in entry.get("summary", "") + entry.get("title", "") for entry in parsed.entries)
    assert parsed.entries[0].link.endswith(f"#comment-{discussion['second'].pk}")


def test_the_full_text_is_escaped_html_with_nofollow_links(client, discussion):
    parsed = _parse(client, "/comments/feed/")
    content = parsed.entries[0].content[0].value
    assert "&lt;b&gt;words&lt;/b&gt;" in content and "<b>" not in content
    assert 'rel="nofollow ugc"' in content


@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_a_posts_comment_feed(client, post, discussion, suffix):
    parsed = _parse(client, post.get_absolute_url() + suffix)
    assert [entry.link.rsplit("#", 1)[1] for entry in parsed.entries] == [
        f"comment-{discussion['second'].pk}", f"comment-{discussion['first'].pk}",
    ]  # fmt: skip


def test_held_comments_appear_once_approved(client, site, post):
    site.comments_require_approved_before = True
    site.save()
    post_comment(client, post, comment="Awaiting approval")
    assert _parse(client, "/comments/feed/").entries == []
    moderation.apply_action(Comment.objects.get(), "approve")
    assert [entry.summary for entry in _parse(client, "/comments/feed/").entries] == ["Awaiting approval"]
