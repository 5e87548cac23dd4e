"""URL -> bytes, through Django's own URL resolver, middleware and views.

A page is rendered for the store with a synthetic anonymous ``GET`` (no
cookies, no query string, the site's own host and scheme), so what is stored
is exactly what Django answers an anonymous reader. The site-wide parts are
written as include markers (``broadsheet.theme.parts``) and rendered once,
separately (``render_parts``).

What is never stored, whatever the URL: any status but 200, a response that
sets a cookie or is marked private, ``no-store`` or ``no-cache``
(password-protected entries and held comments shown to their writer are),
streaming responses, and content types that are not pages, feeds or text.
A page that varies by ``Cookie`` only because Django looked for a session
is stored as anonymous readers get it: the store's server hands every
request that carries a session cookie to Django.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.template import engines
from django.utils.cache import cc_delim_re

from broadsheet.publishing.store import NOT_FOUND_KEY, Rendered
from broadsheet.theme.parts import PART_NAMES, include_marker, parts_as_includes, render_part
from broadsheet.theme.parts import rendering_parts_as_includes as rendering_for_store

STORABLE_TYPES = (
    "text/html",
    "text/plain",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
)
# Response headers replayed by the store's server (the rest are per-response or hop-by-hop).
REPLAYED_HEADERS = frozenset(
    {
        "content-security-policy",
        "content-security-policy-report-only",
        "cross-origin-opener-policy",
        "referrer-policy",
        "x-content-type-options",
        "x-frame-options",
        "x-robots-tag",
        "content-language",
        "strict-transport-security",
    }
)
NOT_FOUND_PATH = "/404.html"  # the path the not-found page is rendered for
# Never stored whatever they answer: results that depend on what was typed, and the private areas.
NEVER_STORED_PREFIXES = ("/search/", "/desk/", "/admin/", "/accounts/", "/comments/post/")


class _Handler(BaseHandler):
    """Django's request handler with the project's middleware, without request signals.

    (``request_started``/``request_finished`` would close database connections,
    which a render inside a transaction's ``on_commit`` must not do.)
    """

    def __init__(self):
        super().__init__()
        self.load_middleware()

    def __call__(self, request):
        from django.urls import set_urlconf

        set_urlconf(settings.ROOT_URLCONF)
        response = self.get_response(request)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response


_handler: _Handler | None = None


def _get_handler() -> _Handler:
    global _handler
    if _handler is None:
        _handler = _Handler()
    return _handler


def anonymous_request(path: str) -> WSGIRequest:
    """Return an anonymous GET for ``path`` at the site's own address."""
    site = urlsplit(settings.SITE_URL)
    scheme = site.scheme or "http"
    host = site.hostname or "localhost"
    port = site.port or (443 if scheme == "https" else 80)
    environ = {
        "REQUEST_METHOD": "GET",
        # A WSGI server hands Django the decoded path as UTF-8 bytes read as latin-1; store keys are that
        # decoded path already ("/author/sofía/"), so quoting it here would name another URL.
        "PATH_INFO": path.encode().decode("latin-1"),
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": site.netloc or host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": scheme,
        "wsgi.input": _EmptyInput(),
        "wsgi.errors": _EmptyInput(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if scheme == "https" and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    return WSGIRequest(environ)


class _EmptyInput:
    def read(self, *args):
        return b""

    def readline(self, *args):
        return b""

    def write(self, *args):
        pass

    def flush(self):
        pass


class QuietStoreRenders(logging.Filter):
    """Keep "Not Found" warnings of store renders out of the log: finding what no longer exists is their job."""

    def filter(self, record):
        return not rendering_for_store()


def render_url(path: str) -> Rendered:
    """Render ``path`` as an anonymous reader gets it, with site-wide parts as include markers."""
    with parts_as_includes():
        if path == NOT_FOUND_KEY:
            return _render_not_found()
        response = _get_handler()(anonymous_request(path))
    rendered = to_rendered(path, response)
    if path.startswith(NEVER_STORED_PREFIXES) and rendered.storable and not _static_copy_page(path):
        return Rendered(path, rendered.status, rendered.body, rendered.content_type, reason="never stored")
    return rendered


def _static_copy_page(path: str) -> bool:
    """A page only a static copy of the site holds: its search page (searching in the browser)."""
    from broadsheet.search.static_index import SEARCH_PAGE
    from broadsheet.theme.static_copy import static_copy

    return path == SEARCH_PAGE and static_copy()


def _render_not_found() -> Rendered:
    from django.urls import get_resolver
    from django.utils.module_loading import import_string

    from broadsheet.content.middleware import SiteSettingsMiddleware

    handler_path = get_resolver().urlconf_module.handler404
    view = import_string(handler_path) if isinstance(handler_path, str) else handler_path
    request = anonymous_request(NOT_FOUND_PATH)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = SiteSettingsMiddleware(lambda request: view(request, None))(request)
    rendered = to_rendered(NOT_FOUND_KEY, response)
    if rendered.status == 404:
        return Rendered(NOT_FOUND_KEY, 200, rendered.body, rendered.content_type, rendered.headers, parts=rendered.parts)
    return rendered


# Each part's include marker as bytes, and what every marker starts with: one search of a page before one
# per part (most pages have none).
_MARKERS = {name: include_marker(name).encode() for name in PART_NAMES}
_MARKERS_START = os.path.commonprefix(list(_MARKERS.values()))


def to_rendered(path: str, response) -> Rendered:
    """Turn a Django response into a ``Rendered`` page, saying why it may not be stored if so."""
    content_type = response.get("Content-Type", "")
    if response.streaming:
        return Rendered(path, response.status_code, reason="streaming response")
    body = response.content
    location = response.get("Location", "")
    reason = _reason_not_to_store(response, content_type)
    headers = tuple((name, value) for name, value in response.items() if name.lower() in REPLAYED_HEADERS)
    parts = tuple(name for name, marker in _MARKERS.items() if marker in body) if _MARKERS_START in body else ()
    listing, neighbours = _what_it_shows(response)
    return Rendered(path, response.status_code, body, content_type, headers, location, parts, reason, listing,
                    neighbours)  # fmt: skip


def _what_it_shows(response) -> tuple[tuple | None, tuple[int, ...]]:
    """The posts a listing page or a post's page shows, from the view's context (templates show them)."""
    context = getattr(response, "context_data", None) or {}
    page = context.get("page_obj")
    listing = None
    if page is not None and hasattr(page, "paginator") and context.get("listing_kind"):
        listing = (page.paginator.count, page.number, tuple(post.pk for post in page.object_list))
    neighbours = tuple(
        post.pk for post in (context.get("previous_post"), context.get("next_post")) if post is not None
    )
    return listing, neighbours


def _reason_not_to_store(response, content_type: str) -> str:
    if response.cookies:
        return "sets a cookie"
    # "Vary: Cookie" alone is fine: this request had no cookies, and the store's server
    # passes every request with a session cookie to Django. Private answers (a password
    # form, a held comment shown to its writer) say so in Cache-Control.
    vary = {value.strip().lower() for value in cc_delim_re.split(response.get("Vary", "")) if value.strip()}
    if "*" in vary:
        return "varies by everything"
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return "marked private"
    if not content_type.startswith(STORABLE_TYPES):
        return f"content type {content_type!r}"
    return ""


def render_parts() -> dict[str, bytes]:
    """Render every site-wide part with the site-wide context, as a page would include it."""
    from django.utils import timezone

    from broadsheet.content.models import SiteSettings
    from broadsheet.theme.context import get_sidebar

    site = SiteSettings.load()
    token = SiteSettings.use(site)
    try:
        with timezone.override(site.tzinfo):  # (and back to the caller's zone after)
            environment = engines["jinja2"].env
            sidebar = get_sidebar(site)
            return {name: render_part(environment, name, site, sidebar).encode() for name in PART_NAMES}
    finally:
        SiteSettings.reset_current(token)


def inline_parts(body: bytes, parts: dict[str, bytes]) -> bytes:
    """Replace the include markers in ``body`` with the parts' bytes (what a reader receives)."""
    for name, part in parts.items():
        marker = _MARKERS[name]
        if marker in body:
            body = body.replace(marker, part)
    return body
