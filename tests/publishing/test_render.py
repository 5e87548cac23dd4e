"""Stored pages are exactly what Django answers an anonymous reader; private answers are never stored."""

import pytest
from django.test import Client

from broadsheet.publishing.catalogue import collect_urls
from broadsheet.publishing.render import inline_parts, render_parts, render_url
from broadsheet.publishing.store import NOT_FOUND_KEY
from tests import factories


def _served(store, url) -> bytes:
    """What the store's server sends for ``url``: the stored file with the current parts spliced in."""
    record = store.pages()[url]
    parts = {name: store.read(relative) for name, (relative, _etag, _modified) in store.parts().items()}
    return inline_parts(store.read(record.file), parts)


def test_every_stored_page_equals_django_s_answer(site, store):
    client = Client()
    urls = [url for url in collect_urls().all() if url != NOT_FOUND_KEY]
    assert set(urls) == set(store.pages()) - {NOT_FOUND_KEY}
    assert len(urls) > 60
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _served(store, url) == response.content, url
        assert store.pages()[url].content_type == response["Content-Type"], url


def test_pages_store_the_site_wide_parts_as_include_markers(site, store):
    record = store.pages()["/2010/07/"]
    stored = store.read(record.file)
    assert b'<!--# include file="/_parts/sidebar.html" -->' in stored
    assert b'<!--# include file="/_parts/menu.html" -->' in stored
    assert set(record.parts) == {"menu", "sidebar"}
    assert b"Archives" not in stored  # the sidebar's heading lives in the part only
    assert b"Archives" in store.read("_parts/sidebar.html")
    assert render_parts()["sidebar"] == store.read("_parts/sidebar.html")


def test_feeds_sitemap_and_robots_are_whole_files_with_compressed_siblings(site, store):
    pages = store.pages()
    assert pages["/feed/"].file == "feed/index.xml"
    assert pages["/feed/"].content_type == "application/rss+xml; charset=utf-8"
    assert pages["/feed/atom/"].content_type.startswith("application/atom+xml")
    assert pages["/sitemap.xml"].file == "sitemap.xml"
    assert pages["/robots.txt"].file == "robots.txt"
    for url in ("/feed/", "/sitemap.xml"):
        assert pages[url].compressed and not pages[url].parts
        assert (store.root / (pages[url].file + ".gz")).exists()
        assert (store.root / (pages[url].file + ".br")).exists()
    assert not (store.root / (pages["/2010/07/"].file + ".gz")).exists()  # a page with parts: compressed when served
    assert pages[NOT_FOUND_KEY].file == "_404.html"
    assert b"Page not found" in store.read("_404.html")


@pytest.mark.parametrize("status", ["draft", "pending", "private"])
def test_unpublished_posts_are_never_stored(site, store, status):
    post = factories.post("Hidden", "2010-07-05 09:00", status=status)
    assert post.get_absolute_url() not in collect_urls().all()
    assert render_url(post.get_absolute_url()).status == 404


def test_future_posts_are_never_stored(site, store):
    post = factories.post("Tomorrow", "2999-01-01 09:00")
    assert not any("tomorrow" in url for url in collect_urls().all())
    assert render_url(post.get_absolute_url()).storable is False


def test_password_protected_posts_are_rendered_but_never_stored(site, store):
    post = factories.post("Secret", "2010-07-05 09:00", password="sesame")
    rendered = render_url(post.get_absolute_url())
    assert rendered.status == 200 and not rendered.storable
    assert rendered.reason == "marked private"
    assert post.get_absolute_url() not in collect_urls().all()
    assert post.get_absolute_url() + "feed/" not in collect_urls().all()


def test_search_results_are_never_stored(site, store):
    assert not any(url.startswith("/search") for url in collect_urls().all())
    rendered = render_url("/search/july/")
    assert rendered.status == 200 and rendered.reason == "never stored"
