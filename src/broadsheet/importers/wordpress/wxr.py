"""Stream a WordPress export (WXR 1.0, 1.1, 1.2) into records, safely.

- A real XML parser (Expat, with defusedxml's refusals), never regexes: CDATA split as
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
import pyexpat
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

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
_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")  # the same, in UTF-8
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
    comments_counted: int = 0  # comments read without being parsed (read_wxr(comments=False))


class _RepairingReader:
    """A byte stream of the export re-encoded as clean UTF-8 (see the module docstring)."""

    def __init__(self, raw: BinaryIO, stats: ParseStats):
        self._raw, self._stats = raw, stats
        self._decoder = None
        self._utf8 = False
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
        self._utf8 = codec == "utf-8"
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
        whole = not self._decoder.getstate()[0]  # no bytes of a character held back from the last chunk
        text = self._decoder.decode(data, final=final)
        repaired = _repaired_bytes[0] - before
        self._stats.bytes_reencoded += repaired
        if final:
            self._done = True
        if self._utf8 and whole and not repaired and not self._decoder.getstate()[0]:
            if _CONTROL_BYTES.search(data) is None:
                return data  # whole characters of clean UTF-8 already: handed on as they are
        text, removed = _CONTROLS.subn("", text)
        self._stats.control_characters_removed += removed
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


class _Builder:
    """Expat's handlers: each child of ``<channel>`` is built as a small element tree, then made a record.

    Nothing above the channel's children is kept, and each child is dropped once its record is
    made, so memory stays flat. An element's text is its text before its first child, as in
    ElementTree: Expat hands text only to the innermost open element's list of parts (the
    character-data handler is that list's ``append``, and none between a child's end and
    the next start). With ``comments=False`` (the survey), ``<wp:comment>`` elements are only counted.
    """

    def __init__(self, parser, stats: ParseStats, comments: bool):
        self.parser, self.stats, self.comments = parser, stats, comments
        self.ready: list = []  # records complete since the last chunk
        self.site = SiteRecord()
        self.site_sent = False
        self.seen_rss = self.seen_channel = False
        self.depth = 0
        self.in_channel = False
        self.open: list = []  # the open elements below <channel> (depth 3 and more)
        self.parts: list | None = None  # the innermost open element's text so far, until a child begins
        self.skip_depth = 0  # inside a comment not built (the survey): its depth
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

    def start(self, name: str, attributes: dict) -> None:
        self.depth = depth = self.depth + 1
        if depth <= 2:
            self._start_outer(depth, name)
            return
        if not self.in_channel or self.skip_depth:
            return
        tag = _TAGS.get(name) or _tag(name)
        open_elements = self.open
        if depth == 4 and not self.comments and _local(tag) == ("wp", "comment") and _local(open_elements[0].tag) == ("", "item"):
            self.stats.comments_counted += 1
            self.skip_depth = depth
            self.parts = self.parser.CharacterDataHandler = None
            return
        element = ET.Element(tag, attributes)
        if open_elements:
            parent = open_elements[-1]
            parent.append(element)
            if self.parts is not None:
                parent.text = "".join(self.parts) or None
        open_elements.append(element)
        self.parts = parts = []
        self.parser.CharacterDataHandler = parts.append

    def _start_outer(self, depth: int, name: str) -> None:
        local = _local(_tag(name))[1]
        if depth == 1:
            if local != "rss":
                raise WXRError(f"not a WordPress export: the root element is <{local}>, not <rss>")
            self.seen_rss = True
        elif local == "channel":
            self.in_channel = self.seen_channel = True

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if depth < 3 or not self.in_channel:
            if depth == 2:
                self.in_channel = False
            return
        if self.skip_depth:
            if depth == self.skip_depth:
                self.skip_depth = 0
            return
        element = self.open.pop()
        if self.parts is not None:
            element.text = "".join(self.parts) or None
            self.parts = self.parser.CharacterDataHandler = None
        if depth == 3:
            self._channel_child(element)

    def _channel_child(self, element) -> None:
        kind, name = _local(element.tag)
        site = self.site
        if kind == "" and name in ("title", "link", "description", "language"):
            setattr(site, name, _text(element).strip())
        elif kind == "wp" and name in ("wxr_version", "base_site_url", "base_blog_url"):
            setattr(site, name, _text(element).strip())
        elif kind == "wp" and name == "author":
            self.ready.append(_author(element))
        elif kind == "wp" and name in ("category", "tag", "term"):
            self.ready.append(_term(element, name))
        elif kind == "" and name == "item":
            if not self.site_sent:
                _check_version(site)
                self.site_sent = True
                self.ready.append(site)
            self.ready.append(_item(element))


_TAGS: dict[str, str] = {}


def _tag(name: str) -> str:
    """Return Expat's ``uri}local`` name as ElementTree's ``{uri}local`` (memoised: few distinct names)."""
    tag = _TAGS.get(name)
    if tag is None:
        uri, separator, local = name.rpartition("}")
        tag = _TAGS[name] = "{" + uri + "}" + local if separator else name
    return tag


def _refuse_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external_entity(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _parser():
    """Return an Expat parser that refuses DTDs and entities (defusedxml's rules)."""
    parser = pyexpat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external_entity
    return parser


def read_wxr(stream: BinaryIO, stats: ParseStats | None = None, *, comments: bool = True) -> Iterator:
    """Yield the export's records in file order: authors and terms, the site, then items.

    Repairs are counted in ``stats``. Raises :class:`WXRError` with the line and column.
    With ``comments=False`` items come without their comments, which are only counted
    (``stats.comments_counted``).
    """
    stats = stats if stats is not None else ParseStats()
    reader = _RepairingReader(stream, stats)
    parser = _parser()
    builder = _Builder(parser, stats, comments)
    try:
        while True:
            data = reader.read(_CHUNK)
            try:
                parser.Parse(data, not data)
            finally:  # the records completed before an error still come out first
                ready, builder.ready = builder.ready, []
                yield from ready
            if not data:
                break
    except pyexpat.ExpatError as error:
        reason = pyexpat.ErrorString(error.code)
        raise WXRError(f"malformed XML ({reason})", error.lineno, error.offset) from error
    except DefusedXmlException as error:
        raise WXRError(
            "the file declares a DTD or entities, which a WordPress export never does "
            "(refused: it could be an entity-expansion bomb or an external entity)"
        ) from error
    if not builder.seen_rss or not builder.seen_channel:
        raise WXRError("not a WordPress export: no <rss><channel>")
    if not builder.site_sent:
        _check_version(builder.site)
        yield builder.site


def _check_version(site: SiteRecord) -> None:
    if not site.wxr_version:
        raise WXRError("not a WordPress export: <wp:wxr_version> is missing")
    if not re.fullmatch(r"\d+\.\d+", site.wxr_version):
        raise WXRError(f"unreadable WXR version {site.wxr_version!r}")

