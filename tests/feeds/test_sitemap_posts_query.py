"""The sitemap's posts are read lean: the columns a permalink and lastmod need, whatever the permalink structure."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.feeds.sitemaps import PostSitemap
from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize("structure", ["/%year%/%monthnum%/%day%/%postname%/", "/%category%/%postname%/",
                                       "/%author%/%post_id%/"])  # fmt: skip
def test_post_locations_and_lastmods_come_from_a_fixed_number_of_lean_queries(client, structure):
    factories.site(permalink_structure=structure)
    politics = factories.category("Politics")
    posts = [factories.post(f"Post {number}", f"2010-07-{number + 1:02d} 09:00", categories=[politics],
                            body="A long body. " * 200) for number in range(6)]  # fmt: skip
    factories.post("Draft", "2010-05-02 09:00", status="draft")
    sitemap = PostSitemap()
    with CaptureQueriesContext(connection) as queries:
        urls = sitemap.get_urls()
    assert [url["location"] for url in urls] == [settings.SITE_URL + post.get_absolute_url() for post in reversed(posts)]
    assert [url["lastmod"] for url in urls] == [post.modified_at for post in reversed(posts)]
    # The site's settings, the paginator's count, the posts, and their categories or bylines when named.
    assert len(queries) <= 4
    post_queries = [query["sql"] for query in queries if query["sql"].startswith('SELECT "content_post"."id"')]
    assert len(post_queries) == 1
    assert '"rendered_html"' not in post_queries[0] and '"body"' not in post_queries[0]
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and posts[0].get_absolute_url().encode() in response.content
