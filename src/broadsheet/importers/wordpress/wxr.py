"""Stream a WordPress export (WXR 1.0, 1.1, 1.2) into records, safely.

- A real XML parser (expat through defusedxml), never regexes: CDATA split as
  ``]]]]><![CDATA[>`` by WordPress's exporter comes back whole.
- No DTD at all: external entities, entity-expansion bombs and network access
  are refused with :class:`WXRError` before anything is read into records.
- Streaming: each ``<item>`` is turned into an :class:`ItemRecord` and dropped
  from the tree, so memory stays flat whatever the file's size.
- Namespaces are matched by local name and purpose, not by URI, since
  WordPress.com writes ``https://`` namespace URIs and 1.0/1.1 files differ.
- Repairs, counted in :class:`ParseStats`: C0 control characters (not allowed
  in XML) are removed; bytes that are not UTF-8 in a file declared UTF-8 are
  read as Windows-1252 (what ``utf8_encode`` failures leave); a file declared
  ISO-8859-1 whose bytes are UTF-8 is read as UTF-8.
"""

from __future__ import annotations

import codecs
import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from broadsheet.importers.wordpress.records import (
    AuthorRecord,
    CommentRecord,
    ItemRecord,
    ItemTerm,
    SiteRecord,
    TermRecord,
)

_CHUNK = 64 * 1024
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_REPAIR_HANDLER = "broadsheet-wxr-cp1252"
_repaired_bytes = [0]


def _read_as_cp1252(error: UnicodeDecodeError):
    bad = error.object[error.start : error.end]
    _repaired_bytes[0] += len(bad)
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error(_REPAIR_HANDLER, _read_as_cp1252)


class WXRError(Exception):
    """The file cannot be imported; ``line`` and ``column`` say where, when known."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None):
        self.reason, self.line, self.column = reason, line, column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + reason)


@dataclass
class ParseStats:
    control_characters_removed: int = 0
    bytes_reencoded: int = 0
    declared_encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)


class _RepairingReader:
    """A byte stream of the export re-encoded as clean UTF-8 (see the module docstring)."""

    def __init__(self, raw: BinaryIO, stats: ParseStats):
        self._raw, self._stats = raw, stats
        self._decoder = None
        self._done = False

    def _start(self, head: bytes) -> bytes:
        match = _DECLARATION.match(head)
        encoding = match.group(2).decode("ascii").lower() if match else "utf-8"
        self._stats.declared_encoding = encoding
        if encoding in ("utf-8", "utf8"):
            codec = "utf-8"
        else:
            try:
                codec = codecs.lookup(encoding).name
            except LookupError as error:
                raise WXRError(f"unknown encoding {encoding!r} declared") from error
            try:
                head.decode("utf-8")
                if any(byte > 127 for byte in head):
                    codec = "utf-8"  # declared otherwise, but the bytes are UTF-8
                    self._stats.notes.append(f"declared {encoding} but the bytes are UTF-8; read as UTF-8")
            except UnicodeDecodeError:
                pass
        self._decoder = codecs.getincrementaldecoder(codec)(errors=_REPAIR_HANDLER)
        if match:  # the text we hand on is UTF-8, so its declaration must say so
            head = b'<?xml version="1.0" encoding="UTF-8"?>' + head[match.end() :]
        return head

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        data = self._raw.read(_CHUNK if size is None or size < 0 else max(size, 4096))
        if self._decoder is None:
            data = self._start(data)
        final = not data
        before = _repaired_bytes[0]
        text = self._decoder.decode(data, final=final)
        self._stats.bytes_reencoded += _repaired_bytes[0] - before
        text, removed = _CONTROLS.subn("", text)
        self._stats.control_characters_removed += removed
        if final:
            self._done = True
        return text.encode("utf-8")


_LOCAL_NAMES: dict[str, tuple[str, str]] = {}


def _local(tag: str) -> tuple[str, str]:
    """Return (namespace kind, local name): kind is wp, excerpt, content, dc or "" (memoised: few distinct tags)."""
    known = _LOCAL_NAMES.get(tag)
    if known is None:
        known = _LOCAL_NAMES[tag] = _split_tag(tag)
    return known


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        uri = uri.lower()
        if "/export/" in uri:
            return ("excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"), local
        if "purl.org/rss/1.0/modules/content" in uri:
            return "content", local
        if "purl.org/dc/elements" in uri:
            return "dc", local
        return "other", local
    return "", tag


def _text(element) -> str:
    return element.text or ""


def _int(value: str, default: int = 0) -> int:
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else default


def parse_wp_date(value: str) -> datetime.datetime | None:
    """Parse WordPress's ``YYYY-MM-DD HH:MM:SS``; ``0000-00-00 00:00:00`` (and garbage) is None."""
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value[:19])
        return parsed.replace(tzinfo=None)
    except ValueError:
        try:
            return datetime.datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None


def _meta(element) -> tuple[str, str]:
    key = value = ""
    for child in element:
        _, name = _local(child.tag)
        if name == "meta_key":
            key = _text(child)
        elif name == "meta_value":
            value = _text(child)
    return key, value


def _author(element) -> AuthorRecord:
    fields = {_local(child.tag)[1]: _text(child) for child in element}
    return AuthorRecord(
        login=fields.get("author_login", "").strip(),
        email=fields.get("author_email", "").strip(),
        display_name=fields.get("author_display_name", "").strip(),
        first_name=fields.get("author_first_name", "").strip(),
        last_name=fields.get("author_last_name", "").strip(),
        author_id=_int(fields.get("author_id", "")) or None,
    )


def _term(element, kind: str) -> TermRecord:
    fields: dict[str, str] = {}
    meta = []
    for child in element:
        name = _local(child.tag)[1]
        if name == "termmeta":
            meta.append(_meta(child))
        else:
            fields[name] = _text(child)
    if kind == "category":
        return TermRecord(
            "category", fields.get("category_nicename", "").strip(), fields.get("cat_name", ""),
            fields.get("category_parent", "").strip(), fields.get("category_description", ""),
            _int(fields.get("term_id", "")) or None, meta,
        )  # fmt: skip
    if kind == "tag":
        return TermRecord(
            "post_tag", fields.get("tag_slug", "").strip(), fields.get("tag_name", ""), "",
            fields.get("tag_description", ""), _int(fields.get("term_id", "")) or None, meta,
        )  # fmt: skip
    return TermRecord(
        fields.get("term_taxonomy", "").strip(), fields.get("term_slug", "").strip(), fields.get("term_name", ""),
        fields.get("term_parent", "").strip(), fields.get("term_description", ""),
        _int(fields.get("term_id", "")) or None, meta,
    )  # fmt: skip


def _comment(element) -> CommentRecord:
    fields: dict[str, str] = {}
    meta = []
    for child in element:
        name = _local(child.tag)[1]
        if name == "commentmeta":
            meta.append(_meta(child))
        else:
            fields[name] = _text(child)
    return CommentRecord(
        comment_id=_int(fields.get("comment_id", "")),
        author=fields.get("comment_author", ""),
        author_email=fields.get("comment_author_email", "").strip(),
        author_url=fields.get("comment_author_url", "").strip(),
        author_ip=fields.get("comment_author_IP", "").strip(),
        date=parse_wp_date(fields.get("comment_date", "")),
        date_gmt=parse_wp_date(fields.get("comment_date_gmt", "")),
        content=fields.get("comment_content", ""),
        approved=fields.get("comment_approved", "1").strip() or "0",
        type=fields.get("comment_type", "").strip(),
        parent=_int(fields.get("comment_parent", "")),
        user_id=_int(fields.get("comment_user_id", "")),
        meta=meta,
    )


_GUID_ID = re.compile(r"[?&](?:p|page_id|attachment_id)=(\d+)")


def _item(element) -> ItemRecord:
    item = ItemRecord(post_id=0)
    for child in element:
        kind, name = _local(child.tag)
        value = _text(child)
        if kind == "" and name in ("title", "link", "guid"):
            setattr(item, name, value.strip() if name != "title" else value)
        elif kind == "" and name == "pubDate":
            item.pub_date = value.strip()
        elif kind == "" and name == "category":
            domain = child.get("domain", "category")
            item.terms.append(ItemTerm("post_tag" if domain == "tag" else domain, child.get("nicename", ""), value))
        elif kind == "dc" and name == "creator":
            item.creator = value.strip()
        elif kind == "content" and name == "encoded":
            item.content = value
        elif kind == "excerpt" and name == "encoded":
            item.excerpt = value
        elif kind == "wp":
            _item_wp_field(item, name, child, value)
    if not item.post_id:  # some exports (WordPress.com previews) carry the ID only in the GUID or link
        match = _GUID_ID.search(item.guid) or _GUID_ID.search(item.link)
        item.post_id = int(match.group(1)) if match else 0
    return item


def _item_wp_field(item: ItemRecord, name: str, child, value: str) -> None:
    if name == "post_id":
        item.post_id = _int(value)
    elif name in ("post_date", "post_date_gmt", "post_modified", "post_modified_gmt"):
        setattr(item, name, parse_wp_date(value))
    elif name in ("comment_status", "ping_status", "post_name", "status", "post_type", "post_password"):
        setattr(item, name, value.strip())
    elif name in ("post_parent", "menu_order"):
        setattr(item, name, _int(value))
    elif name == "is_sticky":
        item.is_sticky = value.strip() == "1"
    elif name == "attachment_url":
        item.attachment_url = value.strip()
    elif name == "postmeta":
        item.meta.append(_meta(child))
    elif name == "comment":
        item.comments.append(_comment(child))


def read_wxr(stream: BinaryIO, stats: ParseStats | None = None) -> Iterator:
    """Yield the export's records in file order: authors and terms, the site, then items.

    Repairs are counted in ``stats``. Raises :class:`WXRError` with the line and column.
    """
    stats = stats if stats is not None else ParseStats()
    reader = _RepairingReader(stream, stats)
    parser = ET.XMLPullParser(events=("start", "end"), _parser=DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=True))
    site = SiteRecord()
    site_sent = False
    channel = None
    depth = 0
    seen_rss = False
    try:
        while True:
            data = reader.read(_CHUNK)
            if data:
                parser.feed(data)
            else:
                parser.close()
            for event, element in parser.read_events():
                kind, name = _local(element.tag)
                if event == "start":
                    depth += 1
                    if depth == 1:
                        if name != "rss":
                            raise WXRError(f"not a WordPress export: the root element is <{name}>, not <rss>")
                        seen_rss = True
                    elif depth == 2 and name == "channel":
                        channel = element
                    continue
                depth -= 1
                if channel is None or depth != 2:
                    continue
                # Direct children of <channel>, complete.
                if kind == "" and name in ("title", "link", "description", "language"):
                    setattr(site, name, _text(element).strip())
                elif kind == "wp" and name in ("wxr_version", "base_site_url", "base_blog_url"):
                    setattr(site, name, _text(element).strip())
                elif kind == "wp" and name == "author":
                    yield _author(element)
                elif kind == "wp" and name in ("category", "tag", "term"):
                    yield _term(element, name)
                elif kind == "" and name == "item":
                    if not site_sent:
                        _check_version(site)
                        site_sent = True
                        yield site
                    yield _item(element)
                channel.remove(element)
            if not data:
                break
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise WXRError(f"malformed XML ({reason})", line, column) from error
    except DefusedXmlException as error:
        raise WXRError(
            "the file declares a DTD or entities, which a WordPress export never does "
            "(refused: it could be an entity-expansion bomb or an external entity)"
        ) from error
    if not seen_rss or channel is None:
        raise WXRError("not a WordPress export: no <rss><channel>")
    if not site_sent:
        _check_version(site)
        yield site


def _check_version(site: SiteRecord) -> None:
    if not site.wxr_version:
        raise WXRError("not a WordPress export: <wp:wxr_version> is missing")
    if not re.fullmatch(r"\d+\.\d+", site.wxr_version):
        raise WXRError(f"unreadable WXR version {site.wxr_version!r}")

