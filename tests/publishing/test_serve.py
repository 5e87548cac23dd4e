"""The store's server answers anonymous GET/HEAD from the store, without the database, and leaves the rest to Django."""

import gzip
import time

import brotli
import pytest
from django.db import connection
from django.test.client import ClientHandler, FakePayload
from django.test.utils import CaptureQueriesContext

from broadsheet.publishing.publish import mark_stale
from broadsheet.publishing.serve import StoreApplication, _parse_accept_encoding


class _Django:
    """Django as a WSGI application (the test client's handler), counting the requests it gets."""

    def __init__(self):
        self.handler = ClientHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        response = self.handler(environ)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else response.content]


def _environ(path, method="GET", **headers):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http", "wsgi.input": FakePayload(b""),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }  # fmt: skip
    environ.update({"HTTP_" + name.upper(): value for name, value in headers.items()})
    return environ


def _call(app, path, method="GET", query="", **headers):
    environ = _environ(path, method, **headers)
    environ["QUERY_STRING"] = query
    reply = {}

    def start_response(status, response_headers, exc_info=None):
        reply["status"] = int(status.split()[0])
        reply["headers"] = dict(response_headers)

    body = b"".join(app(environ, start_response))
    return reply["status"], reply["headers"], body


@pytest.fixture
def app(site, store):
    return StoreApplication(_Django(), store, ticker=False)


def test_a_stored_page_is_answered_without_the_database_or_django(app, client):
    with CaptureQueriesContext(connection) as queries:
        status, headers, body = _call(app, "/2010/07/")
    assert status == 200
    assert len(queries) == 0 and app.application.calls == 0
    assert body == client.get("/2010/07/").content  # the parts spliced in: Django's bytes
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert headers["Vary"] == "Accept-Encoding, Cookie"
    assert headers["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in headers
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")
    assert headers["Content-Length"] == str(len(body))


def test_revalidation_answers_304(app):
    _status, headers, _body = _call(app, "/2010/07/")
    status, revalidated, body = _call(app, "/2010/07/", if_none_match=headers["ETag"])
    assert (status, body) == (304, b"")
    assert revalidated["ETag"] == headers["ETag"] and "Content-Length" not in revalidated
    assert _call(app, "/2010/07/", if_none_match='"something-else"')[0] == 200
    assert _call(app, "/2010/07/", if_modified_since=headers["Last-Modified"])[0] == 304
    assert _call(app, "/2010/07/", if_modified_since="Thu, 01 Jan 2004 00:00:00 GMT")[0] == 200
    assert _call(app, "/2010/07/", if_modified_since="not a date")[0] == 200
    assert app.application.calls == 0


def test_compressed_by_accept_encoding(app, client):
    expected = client.get("/feed/").content
    status, headers, body = _call(app, "/feed/", accept_encoding="gzip, deflate, br")
    assert status == 200 and headers["Content-Encoding"] == "br" and brotli.decompress(body) == expected
    status, headers, body = _call(app, "/feed/", accept_encoding="gzip")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == expected
    status, headers, body = _call(app, "/feed/", accept_encoding="br;q=0, gzip;q=0")
    assert "Content-Encoding" not in headers and body == expected
    # a page with site-wide parts is assembled, then compressed once and kept in memory
    status, headers, body = _call(app, "/2010/07/", accept_encoding="br")
    assert brotli.decompress(body) == client.get("/2010/07/").content
    assert headers["ETag"].endswith('-br"')
    assert _call(app, "/2010/07/", accept_encoding="br", if_none_match=headers["ETag"])[0] == 304


@pytest.mark.parametrize(
    "value,expected",
    [("br", "br"), ("gzip, br", "br"), ("gzip", "gzip"), ("*", "br"), ("", "identity"), ("identity", "identity"),
     ("br;q=0, gzip", "gzip"), ("br;q=0,*;q=0", "identity"), ("br;q=bogus", "identity")],
)  # fmt: skip
def test_accept_encoding_parsing(value, expected):
    assert _parse_accept_encoding(value) == expected


def test_head_answers_headers_only(app):
    _status, get_headers, _body = _call(app, "/2010/07/")
    status, headers, body = _call(app, "/2010/07/", method="HEAD")
    assert (status, body) == (200, b"") and headers["Content-Length"] == get_headers["Content-Length"]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"cookie": "sessionid=abc"},  # a signed-in visitor
        {"cookie": "csrftoken=x; sessionid=abc"},
        {"query": "s=july"},  # a query string: search, old addresses, previews
        {"query": "p=1"},
        {"method": "POST"},
    ],
)
def test_everything_else_goes_to_django(app, request_kwargs):
    method = request_kwargs.get("method", "GET")
    headers = {"cookie": request_kwargs["cookie"]} if "cookie" in request_kwargs else {}
    _call(app, "/2010/07/", method=method, query=request_kwargs.get("query", ""), **headers)
    assert app.application.calls == 1


def test_csrftoken_alone_is_served_from_the_store(app):
    status, _headers, _body = _call(app, "/2010/07/", cookie="csrftoken=abc")
    assert status == 200 and app.application.calls == 0


@pytest.mark.parametrize(
    "path", ["/2010/07", "/no/such/page/", "/_manifest.sqlite3", "/_parts/sidebar.html", "/_404.html",
             "/2010/07/index.html", "/feed/index.xml", "/feed/index.xml.gz"],
)  # fmt: skip
def test_paths_the_store_does_not_hold_go_to_django(app, path):
    """Only URLs are served: not the store's own files, nor a page's file name."""
    status, _headers, _body = _call(app, path)
    assert app.application.calls == 1
    assert status in (301, 404)


def test_a_stale_store_is_bypassed_until_it_is_rendered_again(app, store):
    assert _call(app, "/2010/07/")[0] == 200 and app.application.calls == 0
    mark_stale(store)
    assert _call(app, "/2010/07/")[0] == 200 and app.application.calls == 1


def test_a_change_is_served_at_once(app, store, site, publishing):
    posts, _about = site
    _status, before, _body = _call(app, "/2010/07/")
    with publishing():
        posts["july4"].title = "July four, renamed"
        posts["july4"].save()
    status, headers, body = _call(app, "/2010/07/", if_none_match=before["ETag"])
    assert status == 200 and b"July four, renamed" in body and headers["ETag"] != before["ETag"]
    assert app.application.calls == 0
    # a page whose own file did not change still shows the new sidebar (recent posts)
    _status, _headers, body = _call(app, "/2010/05/")
    assert b"July four, renamed" in body


def test_a_due_scheduled_post_sends_readers_to_django_until_it_is_stored(app, store, publishing):
    from tests import factories

    with publishing():
        factories.post("Soon", time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 3600)))
    assert store.read_version()["next_due"] is not None
    assert _call(app, "/2010/07/")[0] == 200 and app.application.calls == 0
    app._next_due = time.time() - 1  # as if the hour had passed
    _call(app, "/2010/07/")
    assert app.application.calls == 1
