"""Malformed and unknown addresses are the theme's 404 page, never a 500; HEAD works everywhere."""

import pytest
from django.test import Client

from tests import factories

BAD_URLS = [
    "/2010/13/", "/2010/00/", "/2010/02/30/", "/2010/07/32/", "/0000/", "/10000/01/", "/2011/",
    "/page/0/", "/page/abc/", "/page/99/", "/page/99999999999999999999/", "/2010/07/page/0/",
    "/2010/07/page/9/", "/no-such-post/", "/2010/07/28/no-such-post/", "/2010/07/28/first-post/extra/",
    "/category/nope/", "/category/politics/nope/", "/tag/nope/", "/author/nope/", "/tag/a%00b/",
    "/?p=99999", "/?p=abc", "/?p=-1", "/?p=18446744073709551617", "/?page_id=1e9", "/?paged=abc&s=x",
    "/search/x/page/0/", "/search/x/page/999/", "/about/nope/", "/feed/nope/", "/category/nope/feed/",
    "/" + "a/" * 1200, "/%ff%fe/", "/<img src=x onerror=alert(1)>/",
]  # fmt: skip


@pytest.fixture
def small_site(db):
    factories.site()
    category = factories.category("Politics")
    factories.post("First post", "2010-07-28 09:00", authors=[factories.author("Ann")], categories=[category])
    factories.page("About")


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_url_is_themed_404(small_site, url):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == 404, url
    html = response.content.decode()
    assert "Page not found" in html
    assert "<img src=x" not in html  # reflected paths are escaped
    assert client.head(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/", "/2010/", "/2010/07/", "/2010/07/28/", "/2010/07/28/first-post/", "/about/", "/category/politics/",
            "/tag/", "/feed/", "/sitemap.xml", "/robots.txt", "/?s=first", "/search/first/"],
)  # fmt: skip
def test_head_answers_like_get(small_site, client, url):
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code
    assert head.content == b""


def test_missing_trailing_slash_redirects(small_site, client):
    response = client.get("/2010/07?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/2010/07/?x=1"


def test_query_string_variants_never_500(small_site):
    client = Client(raise_request_exception=False)
    for query in ["s=%00", "s=" + "x" * 10_000, "p=1%00", "page_id=", "s=\"unterminated", "s=NEAR(a b)",
                  "s=a AND OR NOT", "s=*", "s=-", "paged=-1&s=a"]:  # fmt: skip
        response = client.get("/?" + query)
        assert response.status_code in (200, 301, 404), query
