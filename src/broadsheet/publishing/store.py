"""The page store: one file per public URL, written atomically, and a manifest.

Layout of a store folder (``BROADSHEET_PAGE_STORE``, default ``$BROADSHEET_HOME/pages``)::

    index.html                      /            (pages: <path>/index.html)
    page/2/index.html               /page/2/
    2010/07/index.html              /2010/07/
    2010/07/28/a-post/index.html    a post's permalink
    feed/index.xml (+ .gz, .br)     /feed/       (feeds: <path>/index.xml)
    sitemap.xml (+ .gz, .br)        /sitemap.xml (paths without a final slash: the path itself)
    robots.txt (+ .gz, .br)         /robots.txt
    _404.html                       the not-found page
    _parts/menu.html                the site-wide parts that stored pages include
    _parts/sidebar.html
    _manifest.sqlite3               URL -> file, content type, ETag, Last-Modified, parts, headers
    _version                        {"seq": N, ...}: rewritten after every change, watched by servers
    _lock                           the render lock (see locks.py)

Every file is written to a temporary name in its folder and renamed over the
old one, so a reader (nginx, the store's server) sees the old page or the new
one, never half of one. A file is rewritten only when its bytes change, so
its ``Last-Modified`` is when its content last changed. Pages with an include
marker for a site-wide part (``<!--# include file="/_parts/sidebar.html" -->``)
are stored with the marker; files without one also get precompressed ``.gz``
and ``.br`` siblings (a compressed copy of a page with a marker would skip
nginx's SSI). Names beginning with ``_`` at the top level belong to the store:
no URL under them is stored.

The manifest is a small SQLite file: each change increments ``seq``, and
rows carry the ``seq`` of their last change (removals are kept in
``removed``), so a server refreshes its in-memory copy with two indexed
queries instead of reloading everything.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import brotli

from broadsheet.publishing.locks import get_render_lock

MANIFEST = "_manifest.sqlite3"
VERSION = "_version"
PARTS_DIR = "_parts"
NOT_FOUND_KEY = "_404"  # the manifest key of the not-found page (not a URL: never served for a path)
NOT_FOUND_FILE = "_404.html"

GZIP_LEVEL = 9
BROTLI_QUALITY = 5  # ~1 ms for a 40 KB page; quality 11 costs ~70 ms for 15% less
COMPRESS_MIN_BYTES = 256
_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    file TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    etag TEXT NOT NULL,
    modified REAL NOT NULL,
    parts TEXT NOT NULL DEFAULT '',
    compressed INTEGER NOT NULL DEFAULT 0,
    headers INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_seq ON pages(seq);
CREATE TABLE IF NOT EXISTS removed (url TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS removed_seq ON removed(seq);
CREATE TABLE IF NOT EXISTS parts (
    name TEXT PRIMARY KEY, file TEXT NOT NULL, etag TEXT NOT NULL, modified REAL NOT NULL, seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS header_sets (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS pending (url TEXT PRIMARY KEY, priority INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shows (post INTEGER NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL,
                                  PRIMARY KEY (post, url));
CREATE INDEX IF NOT EXISTS shows_url ON shows(url);
CREATE TABLE IF NOT EXISTS windows (url TEXT PRIMARY KEY, total INTEGER NOT NULL, number INTEGER NOT NULL,
                                    posts TEXT NOT NULL);
"""


class StoreError(Exception):
    """A page cannot be stored (a reserved or malformed path, or two URLs on one file)."""


@dataclass(frozen=True)
class Rendered:
    """A page rendered for the store: its URL, status and bytes, and what serving it needs."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    location: str = ""
    parts: tuple[str, ...] = ()
    reason: str = ""  # why it may not be stored, when it may not
    # What the page shows (recorded in the manifest, so an edit finds the pages that show a post):
    listing: tuple | None = None  # a listing page: (total posts, page number, ids of its posts in order)
    neighbours: tuple[int, ...] = ()  # a post's page: its previous and next posts

    @property
    def storable(self) -> bool:
        return self.status == 200 and not self.reason


@dataclass
class PageRecord:
    url: str
    file: str
    content_type: str
    etag: str
    modified: float
    parts: tuple[str, ...] = ()
    compressed: bool = False
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'


def is_compressible(content_type: str, size: int) -> bool:
    return size >= COMPRESS_MIN_BYTES and content_type.startswith(_COMPRESSIBLE)


def compress(body: bytes) -> tuple[bytes, bytes]:
    """Return ``(gzip, brotli)`` encodings of ``body`` (gzip without a timestamp, so it is reproducible)."""
    return gzip.compress(body, GZIP_LEVEL, mtime=0), brotli.compress(body, quality=BROTLI_QUALITY)


def file_for(url: str, content_type: str) -> str:
    """Return the store-relative file of ``url`` ("/2010/07/" -> "2010/07/index.html").

    Raise StoreError for paths the store must not hold: relative or malformed
    ones, and those under the store's own top-level ``_`` names.
    """
    if url == NOT_FOUND_KEY:
        return NOT_FOUND_FILE
    if not url.startswith("/") or "\x00" in url or "\\" in url:
        raise StoreError(f"{url!r} is not a path")
    segments = url[1:].split("/")
    inner = segments[:-1] if url.endswith("/") else segments
    if url != "/" and any(segment in ("", ".", "..") for segment in inner):
        raise StoreError(f"{url!r} has an empty or relative segment")
    if segments[0].startswith("_"):
        raise StoreError(f"{url!r} is under a name reserved for the store")
    if url.endswith("/"):
        if "xml" in content_type:
            name = "index.xml"
        elif content_type.startswith("text/plain"):
            name = "index.txt"
        else:
            name = "index.html"
        return url[1:] + name
    if len(segments[-1].encode()) > 200:
        raise StoreError(f"{url!r} has a file name too long for the file system")
    return url[1:]


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    try:
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:  # a new folder (making it only then saves a system call per file)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_page_files(root: Path, relative: str, body: bytes, *, with_siblings: bool, content_type: str,
                     url: str = "", had_siblings: bool = True) -> bool:
    """Write a page (and its compressed siblings when it has no include marker); return whether compressed."""
    compressed = with_siblings and is_compressible(content_type, len(body))
    path = root / relative
    try:
        write_atomically(path, body)
        if compressed:
            gz, br = compress(body)
            write_atomically(path.with_name(path.name + ".gz"), gz)
            write_atomically(path.with_name(path.name + ".br"), br)
        elif had_siblings:
            for suffix in (".gz", ".br"):
                with contextlib.suppress(FileNotFoundError):
                    path.with_name(path.name + suffix).unlink()
    except (IsADirectoryError, NotADirectoryError, FileExistsError) as error:
        raise StoreError(f"{url or relative} clashes with another stored path: {error}") from error
    return compressed


class PageStore:
    """A store folder and its manifest."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._connection: sqlite3.Connection | None = None
        self._connection_pid = None

    def __repr__(self):
        return f"<PageStore {self.root}>"

    # -- state ---------------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    @property
    def version_path(self) -> Path:
        return self.root / VERSION

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def create(self) -> None:
        """Create the folder and an empty manifest (idempotent)."""
        self.root.mkdir(parents=True, exist_ok=True)
        connection = self.connect()
        connection.executescript(_SCHEMA)
        connection.commit()
        if not self.version_path.exists():
            self._write_version(connection)

    def lock(self, *, blocking: bool = True):
        return get_render_lock(self.root)(blocking=blocking)

    def connect(self) -> sqlite3.Connection:
        """Return this process's connection to the manifest (a new one after a fork)."""
        if self._connection is None or self._connection_pid != os.getpid():
            self.root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.manifest_path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            self._connection, self._connection_pid = connection, os.getpid()
        return self._connection

    def close(self) -> None:
        if self._connection is not None and self._connection_pid == os.getpid():
            self._connection.close()
        self._connection = None

    def read_version(self) -> dict:
        try:
            return json.loads(self.version_path.read_text())
        except (FileNotFoundError, ValueError):
            return {"seq": 0, "epoch": 0, "stale": False, "next_due": None}

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.connect().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    # -- reading -------------------------------------------------------------------------------

    def pages(self, since_seq: int = -1) -> dict[str, PageRecord]:
        """Return the stored pages (changed after ``since_seq``), keyed by URL."""
        connection = self.connect()
        header_sets = {row[0]: tuple(tuple(pair) for pair in json.loads(row[1]))
                       for row in connection.execute("SELECT id, value FROM header_sets")}  # fmt: skip
        rows = connection.execute(
            "SELECT url, file, content_type, etag, modified, parts, compressed, headers FROM pages WHERE seq > ?",
            (since_seq,),
        )
        return {
            url: PageRecord(url, file, content_type, etag, modified, tuple(filter(None, parts.split(","))),
                            bool(compressed), header_sets.get(headers, ()))  # fmt: skip
            for url, file, content_type, etag, modified, parts, compressed, headers in rows
        }

    def removed_since(self, since_seq: int) -> list[str]:
        return [row[0] for row in self.connect().execute("SELECT url FROM removed WHERE seq > ?", (since_seq,))]

    def parts(self) -> dict[str, tuple[str, str, float]]:
        """Return ``{name: (file, etag, modified)}`` of the stored site-wide parts."""
        rows = self.connect().execute("SELECT name, file, etag, modified FROM parts")
        return {name: (file, etag, modified) for name, file, etag, modified in rows}

    def read(self, relative: str) -> bytes:
        return (self.root / relative).read_bytes()

    def shown_on(self, post_id: int) -> list[tuple[str, str]]:
        """Return ``(url, kind)`` of the stored pages that show post ``post_id`` ("listing" or "neighbour")."""
        rows = self.connect().execute("SELECT url, kind FROM shows WHERE post = ? ORDER BY url", (post_id,))
        return [(url, kind) for url, kind in rows]

    def window(self, url: str) -> tuple[int, int, tuple[int, ...]] | None:
        """Return ``(total, page number, post ids)`` of the stored listing page ``url``."""
        row = self.connect().execute("SELECT total, number, posts FROM windows WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return row[0], row[1], tuple(int(pk) for pk in row[2].split(",") if pk)

    def listing_page_numbers(self, base: str) -> list[int]:
        """The numbers (2 and up) of the stored pages ``<base>page/<n>/`` of the listing whose first page is ``base``."""
        prefix = base + "page/"
        rows = self.connect().execute("SELECT url FROM pages WHERE url > ? AND url < ?", (prefix, prefix + "\U0010ffff"))
        numbers = []
        for (url,) in rows:
            rest = url[len(prefix) :]
            if rest.endswith("/") and rest[:-1].isdigit() and rest[:-1].isascii():
                numbers.append(int(rest[:-1]))
        return sorted(numbers)

    def pending(self) -> list[str]:
        return [row[0] for row in self.connect().execute("SELECT url FROM pending ORDER BY priority, url")]

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, *, lock: bool = True):
        """Open a change: yield a ``StoreWriter``; commit the manifest and bump the version at the end."""
        with self.lock() if lock else contextlib.nullcontext():
            connection = self.connect()
            connection.execute("BEGIN IMMEDIATE")
            seq = int(self._meta_in(connection, "seq", "0")) + 1
            writer = StoreWriter(self, connection, seq)
            try:
                yield writer
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('seq', ?)", (str(seq),))
            connection.execute("COMMIT")
            self._write_version(connection)

    @staticmethod
    def _meta_in(connection, key, default):
        row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def _write_version(self, connection) -> None:
        values = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        next_due = values.get("next_due")
        version = {
            "seq": int(values.get("seq", 0)),
            "epoch": int(values.get("epoch", 0)),
            "stale": values.get("stale", "") == "1",
            "next_due": float(next_due) if next_due else None,
        }
        write_atomically(self.version_path, json.dumps(version).encode())


class StoreWriter:
    """The changes of one store transaction (see ``PageStore.writing``)."""

    def __init__(self, store: PageStore, connection: sqlite3.Connection, seq: int):
        self.store, self.connection, self.seq = store, connection, seq
        self.written: list[str] = []
        self.unchanged: list[str] = []
        self.removed: list[str] = []
        self._header_ids: dict[tuple, int] = {}

    def put(self, rendered: Rendered) -> bool:
        """Store ``rendered`` at its URL (if its bytes changed); return whether a file was written."""
        if not rendered.storable:
            raise StoreError(f"{rendered.url} may not be stored: {rendered.reason or rendered.status}")
        relative = file_for(rendered.url, rendered.content_type)
        etag = etag_for(rendered.body)
        headers_id = self._header_set(rendered.headers)
        parts = ",".join(rendered.parts)
        found = self.connection.execute(
            "SELECT file, etag, content_type, parts, headers, compressed FROM pages WHERE url = ?", (rendered.url,)
        ).fetchone()
        row, had_siblings = (found[:5], bool(found[5])) if found else (None, False)
        self.record_shows(rendered.url, rendered.listing, rendered.neighbours)
        if row == (relative, etag, rendered.content_type, parts, headers_id) and (self.store.root / relative).exists():
            self.unchanged.append(rendered.url)
            return False
        clash = self.connection.execute(
            "SELECT url FROM pages WHERE file = ? AND url != ?", (relative, rendered.url)
        ).fetchone()
        if clash:
            raise StoreError(f"{rendered.url} and {clash[0]} would both be stored as {relative}")
        if row and row[0] != relative:
            self._delete_files(row[0])
        compressed = write_page_files(self.store.root, relative, rendered.body, with_siblings=not rendered.parts,
                                      content_type=rendered.content_type, url=rendered.url,
                                      had_siblings=had_siblings)  # fmt: skip
        self.record(rendered.url, relative, rendered.content_type, etag, parts, compressed, headers_id)
        self.written.append(rendered.url)
        return True

    def record(self, url, relative, content_type, etag, parts: str, compressed: bool, headers_id: int) -> None:
        """Record in the manifest a page whose files are written (by this writer or a build worker)."""
        self.connection.execute(
            "INSERT OR REPLACE INTO pages(url, file, content_type, etag, modified, parts, compressed, headers, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url, relative, content_type, etag, time.time(), parts, int(compressed), headers_id, self.seq),
        )
        self.connection.execute("DELETE FROM removed WHERE url = ?", (url,))

    def remove(self, url: str) -> bool:
        """Remove ``url`` from the store; return whether it was there."""
        row = self.connection.execute("SELECT file FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return False
        self._delete_files(row[0])
        self.connection.execute("DELETE FROM pages WHERE url = ?", (url,))
        self.record_shows(url, None, ())
        self.connection.execute("INSERT OR REPLACE INTO removed(url, seq) VALUES (?, ?)", (url, self.seq))
        self.removed.append(url)
        return True

    def record_shows(self, url: str, listing: tuple | None, neighbours: tuple[int, ...]) -> None:
        """Record which posts the page at ``url`` shows (replacing what it showed before)."""
        self.connection.execute("DELETE FROM shows WHERE url = ?", (url,))
        self.connection.execute("DELETE FROM windows WHERE url = ?", (url,))
        rows = [(pk, url, "neighbour") for pk in dict.fromkeys(neighbours)]
        if listing is not None:
            total, number, posts = listing
            rows += [(pk, url, "listing") for pk in dict.fromkeys(posts)]
            self.connection.execute(
                "INSERT INTO windows(url, total, number, posts) VALUES (?, ?, ?, ?)",
                (url, total, number, ",".join(map(str, posts))),
            )
        if rows:
            self.connection.executemany("INSERT OR REPLACE INTO shows(post, url, kind) VALUES (?, ?, ?)", rows)

    def put_part(self, name: str, body: bytes) -> bool:
        """Store the site-wide part ``name``; return whether it changed."""
        relative = f"{PARTS_DIR}/{name}.html"
        etag = etag_for(body)
        row = self.connection.execute("SELECT etag FROM parts WHERE name = ?", (name,)).fetchone()
        if row and row[0] == etag and (self.store.root / relative).exists():
            return False
        write_atomically(self.store.root / relative, body)
        self.connection.execute(
            "INSERT OR REPLACE INTO parts(name, file, etag, modified, seq) VALUES (?, ?, ?, ?, ?)",
            (name, relative, etag, time.time(), self.seq),
        )
        return True

    def urls(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT url FROM pages")}

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.connection.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str, default: str | None = None) -> str | None:
        return PageStore._meta_in(self.connection, key, default)

    def new_epoch(self) -> None:
        """Tell servers to reload the whole manifest (after a full refresh)."""
        self.connection.execute("DELETE FROM removed")
        self.set_meta("epoch", str(int(self.meta("epoch", "0")) + 1))

    def add_pending(self, urls: dict[str, int]) -> None:
        self.connection.executemany(
            "INSERT INTO pending(url, priority) VALUES (?, ?) "
            "ON CONFLICT(url) DO UPDATE SET priority = min(priority, excluded.priority)",
            list(urls.items()),
        )

    def take_pending(self, limit: int) -> list[str]:
        rows = self.connection.execute("SELECT url FROM pending ORDER BY priority, url LIMIT ?", (limit,)).fetchall()
        urls = [row[0] for row in rows]
        self.connection.executemany("DELETE FROM pending WHERE url = ?", [(url,) for url in urls])
        return urls

    def header_set(self, headers: tuple[tuple[str, str], ...]) -> int:
        return self._header_set(headers)

    def _header_set(self, headers: tuple[tuple[str, str], ...]) -> int:
        if not headers:
            return 0
        if headers not in self._header_ids:
            value = json.dumps([list(pair) for pair in headers])
            self.connection.execute("INSERT OR IGNORE INTO header_sets(value) VALUES (?)", (value,))
            row = self.connection.execute("SELECT id FROM header_sets WHERE value = ?", (value,)).fetchone()
            self._header_ids[headers] = row[0]
        return self._header_ids[headers]

    def _delete_files(self, relative: str) -> None:
        path = self.store.root / relative
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._delete_siblings(path)
        parent = path.parent
        while parent != self.store.root and parent.is_relative_to(self.store.root):
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent

    @staticmethod
    def _delete_siblings(path: Path) -> None:
        for suffix in (".gz", ".br"):
            with contextlib.suppress(FileNotFoundError):
                path.with_name(path.name + suffix).unlink()
