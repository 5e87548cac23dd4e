"""The number of queries for a page does not grow with the number of posts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories


def _build_site(count: int):
    factories.site(posts_per_page=10)
    authors = [factories.author(f"Writer {n}") for n in range(3)]
    categories = [factories.category(f"Topic {n}") for n in range(4)]
    tags = [factories.tag(f"Tag {n}") for n in range(4)]
    start = datetime.datetime(2010, 7, 1, 8, tzinfo=datetime.UTC)
    posts = []
    for n in range(count):
        when = start + datetime.timedelta(hours=7 * n) if n < 40 else start - datetime.timedelta(days=n)
        posts.append(
            factories.post(
                f"Essay {n}",
                when,
                authors=authors[: 1 + n % 3],
                categories=[categories[n % 4]],
                tags=tags[: n % 4],
                body="Opening.\n\n<!--more-->\n\nRest." if n % 2 else "Whole.",
            )
        )
    factories.page("About")
    return posts[5]


def _count_queries(client, url):
    client.get(url)  # warm the site-wide cache, as a running site has it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("size", [10, 500])
def test_query_counts_are_bounded(db, client, size):
    post = _build_site(size)
    counts = {
        "home": _count_queries(client, "/"),
        "month": _count_queries(client, "/2010/07/"),
        "post": _count_queries(client, post.get_absolute_url()),
        "feed": _count_queries(client, "/feed/"),
    }
    # The same numbers at 10 and at 500 posts: a fixed budget per page. Listings: the settings row,
    # the posts (comment counts annotated, totals from the sidebar's month counts), their bylines.
    # A post: the settings row, the post, bylines, categories and tags (one query), previous and
    # next (one query) (no page has its path and it has no comments, so neither is looked up).
    assert counts == {"home": 3, "month": 3, "post": 5, "feed": 4}, counts
