"""Every feed parses with feedparser (bozo == 0) and carries the right items."""

import feedparser
import pytest
from django.conf import settings

from broadsheet.comments.models import Comment
from tests import factories


@pytest.fixture
def site(db):
    factories.site(title="The Long View", tagline="Commentary")
    ann, ben = factories.author("Ann Archer"), factories.author("Ben Brook")
    politics = factories.category("Politics")
    europe = factories.category("Europe", parent=politics)
    budget = factories.tag("Budget")
    posts = {
        "folded": factories.post(
            "Folded essay", "2010-07-28 09:00", authors=[ann, ben], categories=[europe], tags=[budget],
            body="Teaser text.\n\n<!--more-->\n\nThe rest <script>alert(1)</script>.",
            excerpt="A hand-written excerpt.",
        ),
        "plain": factories.post("Plain note", "2010-07-20 09:00", authors=[ben], categories=[politics]),
        "draft": factories.post("Secret draft", "2010-07-29 09:00", authors=[ann], status="draft", categories=[europe]),
    }  # fmt: skip
    Comment.objects.create(post=posts["folded"], author_name="Reader One", body="Approved remark", status="approved")
    Comment.objects.create(post=posts["folded"], author_name="Spammer", body="Buy pills", status="spam")
    Comment.objects.create(post=posts["folded"], author_name="Held", body="Held remark", status="pending")
    return posts


FEEDS = [
    ("/feed/", ["Folded essay", "Plain note"]),
    ("/feed/atom/", ["Folded essay", "Plain note"]),
    ("/feed/rss2/", ["Folded essay", "Plain note"]),
    ("/category/politics/feed/", ["Folded essay", "Plain note"]),  # children's posts included
    ("/category/politics/europe/feed/", ["Folded essay"]),
    ("/category/politics/europe/feed/atom/", ["Folded essay"]),
    ("/tag/budget/feed/", ["Folded essay"]),
    ("/author/ben-brook/feed/", ["Folded essay", "Plain note"]),
    ("/author/ann-archer/feed/atom/", ["Folded essay"]),
    ("/search/teaser/feed/", ["Folded essay"]),
    ("/search/teaser/feed/atom/", ["Folded essay"]),
]


@pytest.mark.parametrize("url,titles", FEEDS)
def test_feed_is_valid_and_lists_published_posts(site, client, url, titles):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(("application/rss+xml", "application/atom+xml"))
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [entry.title for entry in parsed.entries] == titles
    assert all(entry.link.startswith(settings.SITE_URL + "/2010/07/") for entry in parsed.entries)


def test_feed_item_fields(site, client):
    parsed = feedparser.parse(client.get("/feed/").content)
    assert parsed.feed.title == "The Long View"
    folded = parsed.entries[0]
    assert folded.summary == "A hand-written excerpt."  # the excerpt, where one is set
    assert "Teaser text." in folded.content[0].value and "The rest" in folded.content[0].value
    assert "<script" not in folded.content[0].value
    assert folded.author == "Ann Archer and Ben Brook"
    assert {tag.term for tag in folded.tags} == {"Europe"}
    assert folded.published_parsed[:3] == (2010, 7, 28)
    plain = parsed.entries[1]
    assert plain.summary == "Some text."  # no excerpt: the start of the text


def test_comment_feeds_carry_approved_comments_only(site, client):
    for url in ("/comments/feed/", "/comments/feed/atom/", site["folded"].get_absolute_url() + "feed/"):
        parsed = feedparser.parse(client.get(url).content)
        assert parsed.bozo == 0
        assert [entry.title for entry in parsed.entries] == ["Comment on Folded essay by Reader One"], url
    empty = feedparser.parse(client.get(site["plain"].get_absolute_url() + "feed/").content)
    assert empty.bozo == 0 and empty.entries == []


def test_feed_links_ignore_the_request_host(site, client):
    response = client.get("/feed/", HTTP_HOST="localhost")
    assert b"://localhost" not in response.content
    assert settings.SITE_URL.encode() in response.content


def test_unknown_term_feed_is_404(site, client):
    assert client.get("/tag/nope/feed/").status_code == 404
    assert client.get(site["draft"].get_absolute_url() + "feed/").status_code == 404
