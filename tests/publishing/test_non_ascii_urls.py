"""Slugs outside ASCII (an author "Sofía", posts "Ça va", a tag "Zürich", a category "Économie", a page "À propos")
get their pages in the store, from ``serve`` and in a static build, under the decoded path readers' URLs name."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.content.models import Author
from broadsheet.publishing import changes
from broadsheet.publishing.build import build_site, check_store
from broadsheet.publishing.publish import is_stale, refresh_store
from broadsheet.publishing.serve import StoreApplication
from broadsheet.theme.static_copy import rendering_static_copy
from tests import factories
from tests.publishing.test_serve import _call, _Django

ACCENTED = [
    "/author/sofía-lindqvist/",
    "/author/sofía-lindqvist/page/2/",
    "/author/sofía-lindqvist/feed/",
    "/author/sofía-lindqvist/feed/atom/",
    "/tag/zürich/",
    "/tag/zürich/page/2/",
    "/tag/zürich/feed/",
    "/category/économie/",
    "/category/économie/feed/atom/",
    "/à-propos/",
    "/2010/07/01/ça-va-1/",
    "/2010/07/03/ça-va-3/feed/",
]


def build_accented_site():
    factories.site(title="Accents", posts_per_page=2)
    sofia = factories.author("Sofía Lindqvist", slug="sofía-lindqvist")
    economy = factories.category("Économie", slug="économie")
    zurich = factories.tag("Zürich", slug="zürich")
    posts = [
        factories.post(f"Ça va {day}", f"2010-07-0{day} 09:00", slug=f"ça-va-{day}", authors=[sofia],
                       categories=[economy], tags=[zurich])  # fmt: skip
        for day in range(1, 4)
    ]
    factories.page("À propos", slug="à-propos")
    return posts


@pytest.fixture
def accented(db, store):
    posts = build_accented_site()
    changes.reset()
    refresh_store(store, workers=1)
    return posts


def test_the_store_holds_every_accented_page_as_django_renders_it(accented, store):
    pages = store.pages()
    client = Client()
    for url in ACCENTED:
        assert url in pages, url
        reply = client.get(quote(url))  # what a browser sends: the percent-encoded path
        assert reply.status_code == 200, url
        stored = (store.root / pages[url].file).read_bytes()
        if not pages[url].parts:
            assert stored == reply.content, url
        assert (store.root / pages[url].file).parent.name in url  # a file named with the decoded slug
    assert not [url for url in pages if "%" in url]  # no key percent-encoded (or encoded twice)
    assert check_store(store, workers=1).ok


def test_serve_answers_accented_pages_from_the_store(accented, store):
    app = StoreApplication(_Django(), store, ticker=False)
    client = Client()
    for url in ACCENTED:
        # A WSGI server passes the decoded path's UTF-8 bytes as latin-1 text.
        with CaptureQueriesContext(connection) as queries:
            status, _headers, body = _call(app, url.encode().decode("latin-1"))
        assert status == 200, url
        assert len(queries) == 0, url
        assert body == client.get(quote(url)).content, url
    assert app.application.calls == 0


def test_changes_re_render_the_accented_archives(accented, store, publishing):
    author = Author.objects.get(slug="sofía-lindqvist")
    with publishing():
        author.display_name = "Sofía L. Lindqvist"
        author.save()
    assert is_stale(store)  # a renamed author shows on every page: servers answer through Django until re-rendered
    refresh_store(store, workers=1, only_if_stale=True)
    assert not is_stale(store)
    with publishing():
        factories.post("Nouveau", "2010-07-05 09:00", slug="nouveau", authors=[author])
    page = (store.root / store.pages()["/author/sofía-lindqvist/"].file).read_text()
    assert "Sofía L. Lindqvist" in page and "Nouveau" in page
    assert check_store(store, workers=1).ok


def test_the_static_build_writes_accented_pages_under_decoded_names(accented, tmp_path):
    output = tmp_path / "public"
    report = build_site(output, workers=1)
    assert report.failed == {}
    client = Client()
    for url in ACCENTED:
        name = "index.xml" if "/feed/" in url else "index.html"
        with rendering_static_copy():  # Django's bytes for a static copy
            assert (output / url.lstrip("/") / name).read_bytes() == client.get(quote(url)).content, url
    assert not [path for path in output.rglob("*") if "%" in path.name]
