"""The store's server: a WSGI layer that answers anonymous GET and HEAD requests from the page store.

It sits in front of Django (``broadsheet.conf.wsgi``) and answers, without
the database and without rendering, every request that

* is a ``GET`` or ``HEAD`` with no query string,
* carries no session cookie (Django's ``sessionid``; ``csrftoken`` alone is fine),
* asks for a path the store holds,

while the store is current (not marked stale after a bulk change, and no
scheduled post has come due since it was rendered). Everything else goes to
Django unchanged.

Answers carry ``ETag`` and ``Last-Modified`` and are ``304 Not Modified`` on
``If-None-Match``/``If-Modified-Since``; they are brotli or gzip encoded when
the client accepts it (precompressed files for whole pages, and for pages
that include a site-wide part, the assembled page compressed once and kept
in memory); ``Vary: Accept-Encoding, Cookie`` and ``Cache-Control: public,
max-age=0, must-revalidate``: shared caches may keep a page but must ask
again each time (a cheap 304), so an edit shows at once.

The manifest is kept in memory; every request costs one ``stat`` of the
store's version file, and after a change the server reads only the rows
that changed.

A background thread (started with the application object, so in every
worker process as it starts, before any request) publishes scheduled posts
at their time, renders a stale store again and renders deferred pages. With
Redis configured it also follows the stream of changes other machines'
stores applied (stream.py): a path named by a change not yet rendered here,
or any path while this process is not in step with the stream, goes to
Django.
"""

from __future__ import annotations

import collections
import email.utils
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from broadsheet.publishing import stream
from broadsheet.publishing.store import PageRecord, PageStore, compress, etag_for

log = logging.getLogger("broadsheet.publishing")

CACHE_CONTROL = "public, max-age=0, must-revalidate"
CACHE_BYTES = 256 * 1024 * 1024  # assembled and compressed pages kept in memory (least recently used dropped)
TICK_SECONDS = 2.0  # how often the background thread looks for due posts, stale stores and deferred pages
_SAFE = frozenset({"GET", "HEAD"})
_ENCODINGS = ("br", "gzip")


class _Response:
    """One stored page, ready to send: bodies and header lists per encoding."""

    __slots__ = ("etag", "last_modified", "modified", "variants", "size")

    def __init__(self, etag: str, modified: float, variants: dict[str, tuple[list, bytes]]):
        self.etag = etag
        self.modified = int(modified)
        self.last_modified = email.utils.formatdate(modified, usegmt=True)
        self.variants = variants
        self.size = sum(len(body) for _headers, body in variants.values())


def _parse_accept_encoding(value: str) -> str:
    """Return the encoding to answer with: "br", "gzip" or "identity"."""
    accepted = {}
    for item in value.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip().lower()] = quality
    for encoding in _ENCODINGS:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return "identity"


def _matches(if_none_match: str, etag: str) -> bool:
    bare = etag.strip('"')
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        candidate = candidate.removeprefix("W/").strip('"')
        if candidate == bare or candidate.rsplit("-", 1)[0] == bare:
            return True
    return False


class StoreApplication:
    """WSGI middleware: stored pages first, Django for the rest."""

    def __init__(self, application, store: PageStore, *, session_cookie: str = "sessionid", ticker: bool = True):
        self.application = application
        self.store = store
        self.session_marker = session_cookie + "="
        self._version_key = None
        self._seq = -1
        self._epoch = None
        self._active = False
        self._next_due = None
        self._records: dict[str, PageRecord] = {}
        self._parts: dict[str, tuple[bytes, str, float]] = {}
        self._parts_tag = ""
        self._cache: collections.OrderedDict[str, tuple[str, _Response]] = collections.OrderedDict()
        self._cache_bytes = 0
        self._accept_memo: dict[str, str] = {}
        self._lock = threading.Lock()
        self._ticker_wanted = ticker
        self._ticker: threading.Thread | None = None
        # The background thread writes through its own connection to the manifest, never the one requests read.
        self._writer_store = PageStore(store.root)
        self._following = ticker and stream.enabled()  # then the store answers only what the follower allows
        self._follower: stream.Follower | None = None
        if ticker:
            self._start_ticker()  # now, not at the first request: behind nginx, none may ever come
            os.register_at_fork(after_in_child=self._after_fork)

    # -- the hot path ----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] in _SAFE and not environ.get("QUERY_STRING"):
            cookie = environ.get("HTTP_COOKIE")
            if not cookie or self.session_marker not in cookie:
                response = self._lookup(environ)
                if response is not None:
                    return self._answer(response, environ, start_response)
        return self.application(environ, start_response)

    def _lookup(self, environ) -> _Response | None:
        path = environ.get("PATH_INFO", "")
        if not path.isascii():
            try:
                path = path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return None
        if self._following and (self._follower is None or not self._follower.allows(path)):
            return None  # another machine changed it and this store does not have it yet (or may not)
        self._check_version()  # after the follower's answer: a change it has settled is in the version read here
        if not self._active:
            return None
        if self._next_due is not None and time.time() >= self._next_due:
            return None  # a scheduled post is due: Django answers until the store has it
        cached = self._cache.get(path)
        record = self._records.get(path)
        if record is None:
            return None
        key = record.etag + self._parts_tag if record.parts else record.etag
        if cached is not None and cached[0] == key:
            return cached[1]
        return self._prepare(path, record, key)

    def _answer(self, response: _Response, environ, start_response):
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        encoding = self._accept_memo.get(accept)
        if encoding is None:
            encoding = _parse_accept_encoding(accept)
            if len(self._accept_memo) < 512:
                self._accept_memo[accept] = encoding
        headers, body = response.variants.get(encoding) or response.variants["identity"]
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            not_modified = _matches(if_none_match, response.etag)
        else:
            since = environ.get("HTTP_IF_MODIFIED_SINCE")
            not_modified = since is not None and self._not_modified_since(since, response.modified)
        if not_modified:
            start_response("304 Not Modified", [h for h in headers if h[0] not in ("Content-Length", "Content-Type")])
            return [b""]
        start_response("200 OK", headers)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    @staticmethod
    def _not_modified_since(value: str, modified: int) -> bool:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return False
        return parsed is not None and modified <= parsed.timestamp()

    # -- keeping the manifest in memory --------------------------------------------------------------

    def _check_version(self) -> None:
        try:
            stat = os.stat(self.store.version_path)
            key = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
        except FileNotFoundError:
            key = None
        if key != self._version_key:
            with self._lock:
                if key != self._version_key:
                    self._reload(key)
        if self._ticker_wanted and self._ticker is None:
            self._start_ticker()

    def _reload(self, key) -> None:
        if key is None:
            self._active, self._records, self._version_key = False, {}, None
            return
        version = self.store.read_version()
        try:
            if version.get("epoch") != self._epoch or self._seq < 0:
                records = self.store.pages()
            else:
                records = dict(self._records)
                for url in self.store.removed_since(self._seq):
                    records.pop(url, None)
                records.update(self.store.pages(since_seq=self._seq))
            parts = {}
            for name, (relative, etag, modified) in self.store.parts().items():
                cached = self._parts.get(name)
                parts[name] = cached if cached and cached[1] == etag else (self.store.read(relative), etag, modified)
        except (OSError, ValueError, sqlite3.Error) as error:  # a store being created: Django answers meanwhile
            log.warning("Page store not readable yet: %s", error)
            self._active = False
            return
        self._records = {url: record for url, record in records.items() if url.startswith("/")}
        self._parts = parts
        self._parts_tag = "|" + ",".join(f"{name}:{etag}" for name, (_body, etag, _m) in sorted(parts.items()))
        self._seq, self._epoch = version.get("seq", 0), version.get("epoch")
        self._next_due = version.get("next_due")
        self._active = not version.get("stale") and self.store.exists()
        self._version_key = key

    def _prepare(self, path: str, record: PageRecord, key: str) -> _Response | None:
        try:
            body = self.store.read(record.file)
            if record.parts:
                modified = record.modified
                for name in record.parts:
                    part = self._parts.get(name)
                    if part is None:
                        return None
                    body = body.replace(f'<!--# include file="/_parts/{name}.html" -->'.encode(), part[0])
                    modified = max(modified, part[2])
                etag = etag_for(body)
                gz, br = compress(body) if len(body) >= 256 else (None, None)
            else:
                modified, etag = record.modified, record.etag
                gz = br = None
                if record.compressed:
                    gz = self.store.read(record.file + ".gz")
                    br = self.store.read(record.file + ".br")
        except FileNotFoundError:
            return None  # removed since the manifest was read: Django answers
        response = self._build(record, etag, modified, body, gz, br)
        with self._lock:
            previous = self._cache.pop(path, None)
            if previous is not None:
                self._cache_bytes -= previous[1].size
            self._cache[path] = (key, response)
            self._cache_bytes += response.size
            while self._cache_bytes > CACHE_BYTES and self._cache:
                _path, (_key, dropped) = self._cache.popitem(last=False)
                self._cache_bytes -= dropped.size
        return response

    @staticmethod
    def _build(record: PageRecord, etag: str, modified: float, body: bytes, gz, br) -> _Response:
        last_modified = email.utils.formatdate(modified, usegmt=True)
        common = [
            ("Content-Type", record.content_type),
            ("Last-Modified", last_modified),
            ("Cache-Control", CACHE_CONTROL),
            ("Vary", "Accept-Encoding, Cookie"),
            *record.headers,
        ]
        bare = etag.strip('"')
        variants = {"identity": ([*common, ("ETag", etag), ("Content-Length", str(len(body)))], body)}
        if gz is not None:
            variants["gzip"] = (
                [*common, ("ETag", f'"{bare}-gz"'), ("Content-Encoding", "gzip"), ("Content-Length", str(len(gz)))],
                gz,
            )
        if br is not None:
            variants["br"] = (
                [*common, ("ETag", f'"{bare}-br"'), ("Content-Encoding", "br"), ("Content-Length", str(len(br)))],
                br,
            )
        return _Response(etag, modified, variants)

    # -- the background thread ------------------------------------------------------------------

    def _start_ticker(self) -> None:
        with self._lock:
            if self._ticker is None or not self._ticker.is_alive():
                self._ticker = threading.Thread(target=self._tick_forever, name="broadsheet-store", daemon=True)
                self._ticker.start()

    def _after_fork(self) -> None:
        """In a worker forked from a process that made the application: its threads did not come along."""
        self._lock = threading.Lock()
        self._ticker = None
        self._follower = None
        self._writer_store = PageStore(self.store.root)
        self._start_ticker()

    def _tick_forever(self) -> None:
        while True:
            if self._following and self._follower is None:
                self._start_follower()
            time.sleep(TICK_SECONDS)
            try:
                tick(self._writer_store)
            except Exception:
                log.exception("Keeping the page store current failed")
            finally:
                from django.db import close_old_connections

                close_old_connections()  # as after a request: this thread's connection may be stale

    def _start_follower(self) -> None:
        if not self._writer_store.exists():
            return  # not rendered yet: answered by Django meanwhile
        try:
            self._follower = stream.Follower(PageStore(self.store.root)).start()
        except Exception:
            log.exception("Could not follow the page store stream (answering through Django meanwhile)")


def tick(store: PageStore) -> str:
    """Do what is due: publish scheduled entries, refresh a stale store, render deferred pages.

    Return what was done ("" when nothing), for tests and logs.
    """
    from broadsheet.publishing.publish import drain_pending, publish_due, refresh_store

    if not store.exists():
        return ""
    version = store.read_version()
    if version.get("stale"):
        refresh_store(store, workers=1, only_if_stale=True)
        return "refreshed"
    if version.get("next_due") and time.time() >= version["next_due"]:
        publish_due(store)
        return "published"
    if store.pending():
        drain_pending(store)
        return "rendered deferred pages"
    return ""


def wrap(application, store_root: Path | str | None = None):
    """Return ``application`` behind the store's server (unchanged when the store is off)."""
    from django.conf import settings

    root = store_root or getattr(settings, "PAGE_STORE", None)
    if not root:
        return application
    from broadsheet.publishing import publish

    publish.DEFERRED_MODE["mode"] = "thread"  # a publish in a request does not wait for deferred pages
    return StoreApplication(application, PageStore(root), session_cookie=settings.SESSION_COOKIE_NAME)
