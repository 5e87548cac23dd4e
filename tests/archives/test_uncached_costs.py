"""What an uncached page costs, and that the shortcuts behind it never change what readers get.

Listings take their totals from the sidebar's per-version month counts and
their comment counts from the listing's own query; the settings row and the
site-wide parts are shared by requests while unchanged; a post's page skips
the page lookup and the empty comment thread. Each test bounds a query count
or shows that a change made behind those shortcuts' backs still shows.
"""

import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.archives.views import CountedPaginator
from broadsheet.comments.models import Comment
from broadsheet.content.models import Post, SiteSettings
from broadsheet.media.models import MediaItem
from tests import factories
from tests.comments.conftest import add_comment

pytestmark = pytest.mark.django_db

START = datetime.datetime(2010, 7, 1, 8, tzinfo=datetime.UTC)


def _queries(client, url, *, warm=True):
    if warm:
        client.get(url)  # the site-wide parts are built once per content version, as on a running site
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def _posts(count, **fields):
    return [factories.post(f"Essay {n}", START + datetime.timedelta(hours=n), **fields) for n in range(count)]


def test_listing_comment_counts_cost_no_query_of_their_own(client):
    factories.site(posts_per_page=10)
    talked, quiet = _posts(2)
    add_comment(talked)
    add_comment(talked, body="Two")
    add_comment(talked, status=Comment.Status.PENDING, body="Held")
    add_comment(talked, kind=Comment.Kind.NOTE, body="Editorial note")
    add_comment(quiet, status=Comment.Status.SPAM, body="Spam")
    for path in ("/", "/2010/07/"):
        response, count = _queries(client, path)
        html = response.content.decode()
        assert count == 3, path  # settings row, posts with their counts, bylines
        assert f'href="{talked.get_absolute_url()}#comments">2 comments<' in html
        assert f'href="{quiet.get_absolute_url()}#respond">Leave a comment<' in html


def test_featured_images_are_loaded_only_when_a_listed_post_has_one(client):
    factories.site(posts_per_page=10)
    _posts(3)
    assert _queries(client, "/")[1] == 3
    item = MediaItem.objects.create(
        original_url="https://old.example/wp-content/uploads/cover.jpg",
        mime_type="image/jpeg", width=640, height=480, alt_text="The cover",
    )  # fmt: skip
    factories.post("With a cover", START + datetime.timedelta(days=1), featured_image=item)
    response, count = _queries(client, "/")
    assert count == 4  # one query for the page's featured images
    assert 'alt="The cover"' in response.content.decode()


def test_post_page_skips_the_page_lookup_and_the_empty_thread(client):
    factories.site()
    quiet, talked = _posts(2)
    factories.page("About")
    # The settings row, the post, its bylines, its categories and tags, the previous and next posts.
    assert _queries(client, quiet.get_absolute_url())[1] == 5
    add_comment(talked)
    response, count = _queries(client, talked.get_absolute_url())
    assert count == 7  # the thread's shape and its comments
    assert "A remark." in response.content.decode()


def test_a_page_is_found_as_soon_as_it_exists(client):
    factories.site()
    _posts(1)
    client.get("/")  # the per-version set of page paths is built without it
    assert client.get("/colophon/").status_code == 404
    factories.page("Colophon")
    response = client.get("/colophon/")
    assert response.status_code == 200 and "Colophon" in response.content.decode()


def test_a_settings_change_shows_on_the_next_request_even_without_signals(client):
    factories.site(title="Old title")
    _posts(1)
    assert "Old title" in client.get("/").content.decode()
    SiteSettings.objects.filter(pk=1).update(title="New title")  # another process, no save()
    html = client.get("/").content.decode()
    assert "New title" in html and "Old title" not in html


def test_site_parts_follow_content_changes(client):
    factories.site()
    _posts(1)
    assert "Fresh arrival" not in client.get("/2010/07/").content.decode()
    factories.post("Fresh arrival", START + datetime.timedelta(days=400))
    assert '">Fresh arrival</a></li>' in client.get("/2010/07/").content.decode()  # the sidebar's recent posts


def test_month_pages_and_links_from_the_sidebar_totals(client):
    factories.site(posts_per_page=10)
    _posts(25)
    first, first_count = _queries(client, "/2010/07/")
    assert first_count == 3 and 'href="/2010/07/page/2/"' in first.content.decode()
    last = client.get("/2010/07/page/3/").content.decode()
    assert last.count('class="post-summary') == 5 and "Older posts" not in last
    assert client.get("/2010/07/page/4/").status_code == 404
    assert client.get("/2010/06/").status_code == 404  # an empty month, found without a query of its own
    assert client.get("/2010/").status_code == 200 and client.get("/2011/").status_code == 404


def test_listings_stay_right_when_posts_change_without_the_content_version(client):
    factories.site(posts_per_page=10)
    posts = _posts(20)
    client.get("/2010/07/")  # sidebar: 20 posts in July 2010
    # Written behind the signals' backs: the version (and the sidebar's counts) do not move.
    Post.objects.filter(pk__in=[post.pk for post in posts[:5]]).update(published_at=START - datetime.timedelta(days=40))
    second = client.get("/2010/07/page/2/").content.decode()
    assert second.count('class="post-summary') == 5 and "Older posts" not in second
    assert client.get("/2010/07/page/3/").status_code == 404
    Post.objects.bulk_create(
        [Post(title=f"Bulk {n}", slug=f"bulk-{n}", body="x", status="publish", published_at=START + datetime.timedelta(days=2, hours=n))
         for n in range(6)]
    )  # fmt: skip
    second = client.get("/2010/07/page/2/").content.decode()
    assert second.count('class="post-summary') == 10 and 'href="/2010/07/page/3/"' in second


def test_counted_paginator_agrees_with_counting():
    rows = list(range(23))
    for known in (0, 5, 22, 23, 24, 40):
        for number in (1, 2, 3):
            counted = CountedPaginator(rows, 10, known_count=known).page(number)
            real = Paginator(rows, 10).page(number)
            assert list(counted.object_list) == list(real.object_list), (known, number)
            assert (counted.has_next(), counted.has_previous()) == (real.has_next(), real.has_previous())
    assert CountedPaginator(rows, 10, known_count=40).page(3).paginator.count == 23  # recounted
    assert CountedPaginator(rows, 10, known_count=23).page(3).paginator.count == 23
