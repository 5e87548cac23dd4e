"""Read one Markdown post with front matter as Jekyll, Hugo and Pelican write it.

Three header styles are understood, chosen by the file's first line:

- ``---`` opens YAML front matter (Jekyll, Hugo), closed by ``---`` or ``...``;
- ``+++`` opens TOML front matter (Hugo), closed by ``+++``;
- ``Key: value`` lines (Pelican) run to the first blank line.

Keys are matched case-insensitively. Every problem is reported with the file
and the line it is on (``path:line: reason``), so a whole folder can be checked
before anything is written.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from broadsheet.content.models import Status
from broadsheet.content.slugs import slugify_title

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown"})

DATE_KEYS = ("date", "publishdate", "published")
MODIFIED_KEYS = ("modified", "updated", "lastmod", "last_modified_at")
EXCERPT_KEYS = ("summary", "excerpt", "description")

# Pelican's statuses and Broadsheet's own; Pelican's "hidden" (published, never
# listed) is closest to a private post.
_STATUSES = {
    "draft": Status.DRAFT,
    "published": Status.PUBLISHED,
    "publish": Status.PUBLISHED,
    "hidden": Status.PRIVATE,
    "private": Status.PRIVATE,
    "pending": Status.PENDING,
    "future": Status.SCHEDULED,
}
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", ""})

_JEKYLL_NAME = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<slug>.+)$")
_PELICAN_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):(?:[ \t]+(?P<value>.*))?$")
_TOML_KEY = re.compile(r"""^\s*["']?(?P<key>[A-Za-z0-9_-]+)["']?\s*=""")
_TOML_WHERE = re.compile(r"\s*\(at (?:line (?P<line>\d+), column \d+|end of document)\)\s*$")
_DATE = re.compile(
    r"""^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})
    (?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?
    [ \t]*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?$""",
    re.VERBOSE | re.IGNORECASE,
)
_WORDY_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y %H:%M", "%B %d, %Y %H:%M")


class FrontMatterError(Exception):
    """One problem in one file, shown as ``path:line: reason``."""

    def __init__(self, path: str, line: int, reason: str):
        super().__init__(path, line, reason)
        self.path = path
        self.line = line
        self.reason = reason

    def __str__(self):
        return f"{self.path}:{self.line}: {self.reason}"


class InvalidFrontMatterError(Exception):
    """Some files cannot be imported; ``problems`` lists each one."""

    def __init__(self, problems: list[FrontMatterError]):
        super().__init__(problems)
        self.problems = list(problems)

    def __str__(self):
        return "\n".join(str(problem) for problem in self.problems)


@dataclass(frozen=True)
class MarkdownSource:
    """A post as read from its file, before it meets the database."""

    key: str  # path relative to the imported folder, POSIX separators
    content_hash: str
    title: str
    body: str
    status: str
    slug: str = ""  # explicit or from a Jekyll file name; "" means from the title
    published_at: datetime.datetime | None = None
    modified_at: datetime.datetime | None = None
    excerpt: str = ""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # "a/b" names a child b of a
    tags: tuple[str, ...] = ()


@dataclass
class _Header:
    """The raw front matter: values by lower-cased key, and the line each key is on."""

    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    body: str = ""

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def first(self, keys: tuple[str, ...]) -> str | None:
        return next((key for key in keys if key in self.values), None)


def is_markdown_file(path: Path) -> bool:
    return path.suffix.lower() in MARKDOWN_EXTENSIONS


def read_markdown(path: Path, *, key: str, zone: zoneinfo.ZoneInfo, shown_path: str | None = None) -> MarkdownSource:
    """Read and check the file at ``path``; naive dates are in ``zone``.

    Raise ``InvalidFrontMatterError`` listing every problem found in the file.
    """
    shown = shown_path or str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InvalidFrontMatterError([FrontMatterError(shown, line, "the file is not UTF-8 text")]) from error
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        header = _split_header(text, shown)
    except FrontMatterError as error:
        raise InvalidFrontMatterError([error]) from error
    return _build_source(header, key=key, shown=shown, zone=zone, content_hash=hashlib.sha256(raw).hexdigest())


def _split_header(text: str, shown: str) -> _Header:
    lines = text.split("\n")
    opening = lines[0].rstrip()
    if opening in ("---", "+++"):
        closers = ("---", "...") if opening == "---" else ("+++",)
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
        if end is None:
            raise FrontMatterError(shown, 1, f"the front matter opened with {opening} is never closed")
        source = "\n".join(lines[1:end])
        header = _parse_yaml(source, shown) if opening == "---" else _parse_toml(source, shown)
        header.body = "\n".join(lines[end + 1 :])
        return header
    if _PELICAN_HEADER.match(lines[0]):
        return _parse_pelican(lines)
    return _Header(body=text)


class _StringDateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML without implicit timestamps: every date stays text and is parsed by ``_parse_date``.

    PyYAML would turn ``2010-07-28 09:15:00`` into a date but leave
    ``2010-07-28 09:15`` a string; one parser for all of them is simpler.
    (libyaml's parser where PyYAML has it: the pure-Python one took a
    sixth of a Markdown import's time.)
    """


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(source: str, shown: str) -> _Header:
    # The front matter starts on the file's second line; marks count from 0.
    offset = 2
    loader = _StringDateLoader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + offset if mark else 1
        reason = ": ".join(part for part in (error.context, error.problem) if part) or "cannot parse"
        raise FrontMatterError(shown, line, f"invalid YAML: {reason}") from error
    except yaml.YAMLError as error:
        raise FrontMatterError(shown, 1, f"invalid YAML: {error}") from error
    finally:
        loader.dispose()
    if data is None:
        return _Header()
    if not isinstance(data, dict):
        raise FrontMatterError(shown, offset, "the front matter is not a set of key: value pairs")
    lines = {}
    for key_node, _value_node in node.value:
        lines.setdefault(str(key_node.value).lower(), key_node.start_mark.line + offset)
    return _Header(values={str(key).lower(): value for key, value in data.items()}, lines=lines)


def _parse_toml(source: str, shown: str) -> _Header:
    offset = 1
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_WHERE.search(message)
        if match is None:
            line, reason = 1, message
        else:
            line = int(match["line"]) if match["line"] else source.count("\n") + 1
            line, reason = line + offset, message[: match.start()]
        raise FrontMatterError(shown, line, f"invalid TOML: {reason}") from error
    lines = {}
    for number, text in enumerate(source.split("\n"), start=1 + offset):
        if text.lstrip().startswith("["):
            break  # only top-level keys are front matter fields
        match = _TOML_KEY.match(text)
        if match:
            lines.setdefault(match["key"].lower(), number)
    return _Header(values={key.lower(): value for key, value in data.items()}, lines=lines)


def _parse_pelican(lines: list[str]) -> _Header:
    header = _Header()
    last_key = None
    for index, text in enumerate(lines):
        if not text.strip():
            index += 1  # the blank line ends the headers and is not part of the body
            break
        match = _PELICAN_HEADER.match(text)
        if match:
            last_key = match["key"].lower()
            header.values[last_key] = (match["value"] or "").strip()
            header.lines.setdefault(last_key, index + 1)
        elif last_key is not None and text[:1] in (" ", "\t"):
            # An indented line continues the previous value (Python-Markdown's meta).
            header.values[last_key] = f"{header.values[last_key]} {text.strip()}".strip()
        else:
            break
    else:
        index = len(lines)
    header.body = "\n".join(lines[index:])
    return header


def _build_source(header: _Header, *, key: str, shown: str, zone, content_hash: str) -> MarkdownSource:
    problems: list[FrontMatterError] = []

    def problem(field_key: str | None, reason: str) -> None:
        problems.append(FrontMatterError(shown, header.line_of(field_key) if field_key else 1, reason))

    values = header.values
    title = _text(values.get("title"))
    if not title:
        problem("title" if "title" in values else None, "missing title")

    name_date, name_slug = _from_file_name(PurePosixPath(key))
    published_at = None
    date_key = header.first(DATE_KEYS)
    if date_key is not None and values[date_key] not in (None, ""):
        try:
            published_at = _parse_date(values[date_key], zone)
        except ValueError:
            problem(date_key, f"{date_key}: cannot parse {_text(values[date_key])!r} as a date")
    elif name_date is not None:
        published_at = datetime.datetime.combine(name_date, datetime.time(), tzinfo=zone)

    modified_at = None
    modified_key = header.first(MODIFIED_KEYS)
    if modified_key is not None and values[modified_key] not in (None, ""):
        try:
            modified_at = _parse_date(values[modified_key], zone)
        except ValueError:
            problem(modified_key, f"{modified_key}: cannot parse {_text(values[modified_key])!r} as a date")

    status = _status(values, PurePosixPath(key), problem)
    if status == Status.PUBLISHED and published_at is not None and published_at > datetime.datetime.now(datetime.UTC):
        status = Status.SCHEDULED

    lists = {}
    for name, keys in (("authors", ("authors", "author")), ("categories", ("categories", "category")),
                       ("tags", ("tags", "tag"))):  # fmt: skip
        list_key = header.first(keys)
        try:
            lists[name] = _names(values.get(list_key)) if list_key else ()
        except ValueError:
            problem(list_key, f"{list_key}: expected a list or a comma-separated string")
            lists[name] = ()

    if problems:
        raise InvalidFrontMatterError(problems)
    excerpt_key = header.first(EXCERPT_KEYS)
    return MarkdownSource(
        key=key,
        content_hash=content_hash,
        title=title,
        body=header.body.strip("\n"),
        status=status,
        slug=slugify_title(_text(values.get("slug"))) or name_slug,
        published_at=published_at,
        modified_at=modified_at,
        excerpt=_text(values.get(excerpt_key)) if excerpt_key else "",
        **lists,
    )


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _from_file_name(path: PurePosixPath) -> tuple[datetime.date | None, str]:
    """Return the date and slug a Jekyll name (``2010-07-28-slug.md``) gives, or a bundle's folder name."""
    stem = path.stem
    if stem == "index" and path.parent.name:
        stem = path.parent.name  # a Hugo page bundle: post-name/index.md
    match = _JEKYLL_NAME.match(stem)
    if match is None:
        return None, ""
    try:
        day = datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None, ""
    return day, slugify_title(match["slug"])


def _status(values: dict, path: PurePosixPath, problem) -> str:
    if "status" in values:
        status = _STATUSES.get(_text(values["status"]).lower())
        if status is None:
            known = ", ".join(sorted(_STATUSES))
            problem("status", f"unknown status {_text(values['status'])!r} (expected one of {known})")
            return Status.DRAFT
        return status
    if "draft" in values:
        draft = values["draft"]
        if not isinstance(draft, bool):
            text = _text(draft).lower()
            if text not in _TRUE | _FALSE:
                problem("draft", f"draft: expected true or false, not {_text(draft)!r}")
                return Status.DRAFT
            draft = text in _TRUE
        return Status.DRAFT if draft else Status.PUBLISHED
    if "_drafts" in path.parts:  # Jekyll keeps unpublished posts in _drafts/
        return Status.DRAFT
    return Status.PUBLISHED


def _names(value) -> tuple[str, ...]:
    """Return the names in a list or a comma-separated string, without blanks or repeats."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, (int, float)):
        items = [value]
    else:
        raise ValueError(value)
    names = []
    for item in items:
        if isinstance(item, (dict, list)):
            raise ValueError(value)
        name = _text(item)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _parse_date(value, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """Return an aware datetime for a front matter date; naive ones are in ``zone``.

    Accepts what TOML gives (datetime, date) and text such as ``2010-07-28``,
    ``2010-07-28 09:15``, ``2010-07-28T09:15:00+02:00``, Jekyll's
    ``2010-07-28 09:15:00 +0100``, ``28 July 2010`` and RFC 2822 dates.
    """
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time())
    elif isinstance(value, str):
        moment = _parse_date_text(value.strip())
    else:
        raise ValueError(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _parse_date_text(text: str) -> datetime.datetime:
    match = _DATE.match(text)
    if match:
        parts = match.groupdict()
        moment = datetime.datetime(
            int(parts["y"]), int(parts["m"]), int(parts["d"]),
            int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0),
            int((parts["f"] or "0").ljust(6, "0")),
        )  # fmt: skip
        return moment.replace(tzinfo=_offset(parts["tz"])) if parts["tz"] else moment
    for pattern in _WORDY_DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError(text) from None


def _offset(text: str) -> datetime.tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return datetime.UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    delta = datetime.timedelta(hours=hours, minutes=minutes)
    return datetime.timezone(-delta if text[0] == "-" else delta)
