"""Comments as readers see them: threaded, in date order, paginated, with permalinks and reply links."""

import datetime
import re

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.comments.models import Comment
from tests import factories
from tests.comments.conftest import add_comment, post_comment, recent

pytestmark = pytest.mark.django_db
Status = Comment.Status


def _tree(html: str) -> list:
    """Return the thread as nested [(comment id, [children...]), ...] read from the page's lists."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    top = document.find(".//ol[@class='comment-list']")
    if top is None:
        return []

    def read(ol):
        items = []
        for li in ol.findall("li"):
            children = li.find("ol[@class='children']")
            items.append((int(li.get("id").removeprefix("comment-")), read(children) if children is not None else []))
        return items

    return read(top)


def _at(minutes: int) -> datetime.datetime:
    return recent(1) + datetime.timedelta(minutes=minutes)


def test_replies_nest_under_their_parents_in_date_order(client, post):
    first = add_comment(post, created_at=_at(1))
    reply = add_comment(post, parent=first, created_at=_at(3))
    early_reply = add_comment(post, parent=first, created_at=_at(2))
    nested = add_comment(post, parent=reply, created_at=_at(4))
    second = add_comment(post, created_at=_at(0))  # stored last, written first
    html = client.get(post.get_absolute_url()).content.decode()
    assert _tree(html) == [(second.pk, []), (first.pk, [(early_reply.pk, []), (reply.pk, [(nested.pk, [])])])]
    assert f'class="comment depth-3" id="comment-{nested.pk}"' in html
    assert "5 comments" in html


def test_only_approved_comments_are_shown(client, post):
    shown = add_comment(post, body="Visible words")
    for status in (Status.PENDING, Status.SPAM, Status.TRASH):
        add_comment(post, status=status, body=f"Hidden {status} words")
    add_comment(post, kind=Comment.Kind.NOTE, body="Editorial note words")
    html = client.get(post.get_absolute_url()).content.decode()
    assert _tree(html) == [(shown.pk, [])]
    assert "Hidden" not in html and "Editorial note" not in html and "1 comment<" in html


def test_deeper_replies_show_at_the_deepest_level_after_their_ancestor(client, site, post):
    site.comments_thread_depth = 3
    site.save()
    chain, parent = [], None
    for n in range(6):
        parent = add_comment(post, parent=parent, created_at=_at(n))
        chain.append(parent.pk)
    html = client.get(post.get_absolute_url()).content.decode()
    a, b, c, d, e, f = chain
    assert _tree(html) == [(a, [(b, [(c, []), (d, []), (e, []), (f, [])])])]


def test_a_reply_whose_parent_is_hidden_shows_at_the_top(client, post):
    held = add_comment(post, status=Status.PENDING, created_at=_at(0))
    orphan = add_comment(post, parent=held, created_at=_at(1))
    assert _tree(client.get(post.get_absolute_url()).content.decode()) == [(orphan.pk, [])]


def test_without_threading_everything_is_flat(client, site, post):
    site.comments_thread_depth = 1
    site.save()
    parent = add_comment(post, created_at=_at(0))
    reply = add_comment(post, parent=parent, created_at=_at(1))
    html = client.get(post.get_absolute_url()).content.decode()
    assert _tree(html) == [(parent.pk, []), (reply.pk, [])]
    assert 'class="comment-reply-link"' not in html


def test_hostile_names_and_addresses_are_escaped(client, post):
    add_comment(post, author_name='<script>alert("name")</script>', author_url="javascript:alert(1)", body="<b>hi</b>")
    add_comment(post, author_name="Linked", author_url='https://example.org/"onmouseover="x', body="Fine")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    assert "javascript:" not in html and "<b>hi</b>" not in html
    assert 'href="https://example.org/&#34;onmouseover=&#34;x" rel="external nofollow ugc"' in html


# -- reply links ---------------------------------------------------------------------------


def test_each_comment_has_a_reply_link_that_works_without_javascript(client, post):
    comment = add_comment(post, author_name="Grace")
    html = client.get(post.get_absolute_url()).content.decode()
    assert f'href="?replytocom={comment.pk}#respond" data-comment-id="{comment.pk}"' in html
    reply_page = client.get(post.get_absolute_url(), {"replytocom": comment.pk}).content.decode()
    assert f'name="comment_parent" id="comment_parent" value="{comment.pk}"' in reply_page
    assert "Reply to Grace</span>" in reply_page
    assert f'id="cancel-comment-reply-link" href="{post.get_absolute_url()}#respond">' in reply_page


@pytest.mark.parametrize("value", ["999999", "abc", "-1", ""])
def test_unknown_reply_targets_are_ignored(client, post, value):
    add_comment(post)
    html = client.get(post.get_absolute_url(), {"replytocom": value}).content.decode()
    assert 'id="comment_parent" value="0"' in html


def test_no_reply_to_a_held_comment(client, post):
    held = add_comment(post, status=Status.PENDING)
    html = client.get(post.get_absolute_url(), {"replytocom": held.pk}).content.decode()
    assert 'id="comment_parent" value="0"' in html


def test_no_reply_link_at_the_deepest_level(client, site, post):
    site.comments_thread_depth = 2
    site.save()
    top = add_comment(post)
    deep = add_comment(post, parent=top)
    html = client.get(post.get_absolute_url()).content.decode()
    assert f"replytocom={top.pk}" in html and f"replytocom={deep.pk}" not in html


def test_the_form_script_is_a_static_file(client, post):
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<script src="/static/comments/comments.js" defer></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # no inline script


# -- pagination ------------------------------------------------------------------------------


@pytest.fixture
def long_thread(site, post):
    site.comments_per_page = 2
    site.save()
    threads = []
    for n in range(5):
        top = add_comment(post, body=f"Top {n}", created_at=_at(10 * n))
        reply = add_comment(post, parent=top, body=f"Reply {n}", created_at=_at(10 * n + 5))
        threads.append((top, reply))
    return threads


def test_long_threads_are_paginated_by_top_level_comments(client, post, long_thread):
    base = post.get_absolute_url()
    first = client.get(base).content.decode()
    assert [pk for pk, _ in _tree(first)] == [long_thread[0][0].pk, long_thread[1][0].pk]
    assert "10 comments" in first and "Comment page 1 of 3" in first
    assert f'href="{base}comment-page-2/#comments">Newer comments' in first
    second = client.get(f"{base}comment-page-2/").content.decode()
    assert _tree(second) == [(long_thread[2][0].pk, [(long_thread[2][1].pk, [])]), (long_thread[3][0].pk, [(long_thread[3][1].pk, [])])]
    assert f'href="{base}#comments">Older comments' in second
    last = client.get(f"{base}comment-page-3/").content.decode()
    assert [pk for pk, _ in _tree(last)] == [long_thread[4][0].pk] and "Newer comments" not in last


def test_comment_pages_out_of_range(client, post, long_thread):
    base = post.get_absolute_url()
    assert client.get(f"{base}comment-page-4/").status_code == 404
    first = client.get(f"{base}comment-page-1/")
    assert first.status_code == 301 and first["Location"] == base
    assert client.get(f"{base}comment-page-99999999/").status_code == 404


def test_permalinks_point_at_the_comment_page(client, post, long_thread):
    base = post.get_absolute_url()
    assert long_thread[0][1].get_absolute_url() == f"{base}#comment-{long_thread[0][1].pk}"
    assert long_thread[3][1].get_absolute_url() == f"{base}comment-page-2/#comment-{long_thread[3][1].pk}"
    response = post_comment(client, post, comment="Newest")
    newest = Comment.objects.get(body="Newest")
    assert response["Location"] == f"{base}comment-page-3/#comment-{newest.pk}"
    reply = post_comment(client, post, comment="Late reply", comment_parent=long_thread[0][0].pk)
    assert reply["Location"].startswith(f"{base}#comment-")


def test_comment_pages_under_permalinks_without_a_trailing_slash(client, site, post, long_thread):
    site.permalink_structure = "/archives/%post_id%"
    site.save()
    assert post.get_absolute_url() == f"/archives/{post.pk}"
    response = client.get(f"/archives/{post.pk}/comment-page-2/")
    assert response.status_code == 200
    assert [pk for pk, _ in _tree(response.content.decode())] == [long_thread[2][0].pk, long_thread[3][0].pk]


def test_a_post_page_costs_the_same_queries_with_few_or_many_comments(client, site, post):
    other = factories.post("Other", recent(3))
    add_comment(post)
    add_comment(other)
    client.get(post.get_absolute_url())

    def count(entry):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(entry.get_absolute_url()).status_code == 200
        return len(queries)

    few = count(post)
    parent = None
    for n in range(120):
        parent = add_comment(other, parent=parent if n % 3 else None, body=f"Remark {n}")
    client.get(other.get_absolute_url())
    assert count(other) == few


# -- counts on listings -----------------------------------------------------------------------


def test_listings_show_comment_counts(client, site):
    talked = factories.post("Talked about", recent(1))
    quiet = factories.post("Quiet", recent(2))
    closed = factories.post("Closed", recent(3), comment_status="closed")
    add_comment(talked)
    add_comment(talked, body="Two")
    add_comment(talked, status=Status.PENDING, body="Held")
    add_comment(talked, status=Status.SPAM, body="Spam")
    html = client.get("/").content.decode()
    assert f'<a href="{talked.get_absolute_url()}#comments">2 comments<span class="screen-reader-text"> on “Talked about”' in html
    assert f'<a href="{quiet.get_absolute_url()}#respond">Leave a comment' in html
    assert closed.get_absolute_url() + "#" not in html


def test_listing_queries_do_not_grow_with_posts_or_comments(client, site):
    site.posts_per_page = 20
    site.save()

    def count():
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        return len(queries)

    posts = [factories.post(f"Post {n}", recent(n + 1)) for n in range(3)]
    add_comment(posts[0])
    few = count()
    for n in range(15):
        post = factories.post(f"More {n}", recent(10 + n))
        for m in range(3):
            add_comment(post, body=f"{n}-{m}")
    assert count() == few
