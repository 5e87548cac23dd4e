"""Load a folder of Markdown posts: check every file, then write them all in one transaction.

Each post is keyed by its file's path relative to the folder (an
``ImportedSource`` row), so running the import again updates the posts it made
before; a file whose bytes have not changed leaves its post untouched.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from broadsheet.content.models import Author, BodyFormat, Category, Post, SiteSettings, Tag
from broadsheet.content.signals import batched_changes
from broadsheet.content.slugs import slugify_title, unique_slug
from broadsheet.importers.markdown.frontmatter import (
    FrontMatterError,
    InvalidFrontMatterError,
    MarkdownSource,
    is_markdown_file,
    read_markdown,
)
from broadsheet.importers.models import ImportedSource
from broadsheet.publishing.changes import BULK_LIMIT

IMPORTER = "markdown"

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ImportedFile:
    key: str  # path relative to the imported folder
    action: str  # CREATED, UPDATED or UNCHANGED (what happened, or would in a dry run)
    title: str


@dataclass
class ImportReport:
    dry_run: bool = False
    files: list[ImportedFile] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def updated(self) -> int:
        return self._count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    def _count(self, action: str) -> int:
        return sum(1 for item in self.files if item.action == action)


def import_markdown(directory, *, dry_run: bool = False) -> ImportReport:
    """Import every Markdown file under ``directory``; with ``dry_run``, only check and count.

    Raise ``InvalidFrontMatterError`` (and change nothing) if any file is bad.
    """
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"{directory}: not a folder")
    sources = read_folder(root)
    known = {
        source.key: source
        for source in ImportedSource.objects.filter(
            importer=IMPORTER, key__in=[item.key for item in sources]
        ).select_related("post")
    }
    report = ImportReport(dry_run=dry_run)
    for source in sources:
        record = known.get(source.key)
        if record is None:
            action = CREATED
        elif record.content_hash == source.content_hash:
            action = UNCHANGED
        else:
            action = UPDATED
        report.files.append(ImportedFile(key=source.key, action=action, title=source.title))
    if dry_run:
        return report
    changed = sum(item.action != UNCHANGED for item in report.files)
    # Many posts at once: bump the content version once at the end, and let the page store render the
    # whole site again (as the WordPress importer does) instead of working out each post's pages.
    bulk = batched_changes() if changed > BULK_LIMIT else contextlib.nullcontext()
    terms = _Terms()
    with transaction.atomic(), bulk:
        for source, item in zip(sources, report.files, strict=True):
            if item.action != UNCHANGED:
                _save_post(source, known.get(source.key), terms)
    return report


def read_folder(root: Path) -> list[MarkdownSource]:
    """Read every Markdown file under ``root``, sorted by path; raise one error listing all problems."""
    zone = _site_zone()
    sources: list[MarkdownSource] = []
    problems: list[FrontMatterError] = []
    for path in _markdown_files(root):
        key = path.relative_to(root).as_posix()
        try:
            sources.append(read_markdown(path, key=key, zone=zone, shown_path=str(root / key)))
        except InvalidFrontMatterError as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidFrontMatterError(problems)
    return sources


def _site_zone():
    # SiteSettings.load() would create the row, and a dry run writes nothing.
    site = SiteSettings.objects.filter(pk=1).first() or SiteSettings()
    return site.tzinfo


def _markdown_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        # Hidden files and folders (.git, editor backups) are not content, and
        # Hugo's _index.md describes a section, not a post.
        if any(part.startswith(".") for part in parts) or path.name == "_index.md":
            continue
        if path.is_file() and is_markdown_file(path):
            files.append(path)
    return files


def _save_post(source: MarkdownSource, record: ImportedSource | None, terms: _Terms) -> Post:
    post = record.post if record is not None else Post()
    post.title = source.title
    post.body = source.body
    post.body_format = BodyFormat.MARKDOWN
    post.excerpt = source.excerpt
    post.status = source.status
    if source.slug:
        post.slug = source.slug
    elif record is None:
        post.slug = ""  # save() makes one from the title
    # else: a slug once made from the title stays, so a retitled post keeps its URL.
    if source.published_at is not None or record is None:
        post.published_at = source.published_at
    post.modified_at = source.modified_at or source.published_at or timezone.now()
    post.save(touch=False)
    post.set_authors([terms.get(_get_author, name) for name in source.authors])
    post.categories.set([terms.get(_get_category, name) for name in source.categories])
    post.tags.set([terms.get(_get_tag, name) for name in source.tags])
    ImportedSource.objects.update_or_create(
        importer=IMPORTER, key=source.key, defaults={"post": post, "content_hash": source.content_hash}
    )
    return post


class _Terms:
    """Authors, categories and tags found or created during one import, by name (each looked up once)."""

    def __init__(self):
        self._found: dict[tuple, object] = {}

    def get(self, finder, name: str):
        key = (finder, name)
        if key not in self._found:
            self._found[key] = finder(name)
        return self._found[key]


def _get_author(name: str) -> Author:
    slug = slugify_title(name) or "author"
    author, _created = Author.objects.get_or_create(slug=slug, defaults={"display_name": name})
    return author


def _get_category(name: str) -> Category:
    """Return the category ``name`` names, creating it; "a/b" is the child b of a."""
    names = [part.strip() for part in name.split("/") if part.strip()]
    if len(names) == 1:
        slug = slugify_title(names[0]) or "category"
        existing = Category.objects.filter(slug=slug).first()
        if existing is not None:
            return existing
    parent = None
    for part in names:
        slug = slugify_title(part) or "category"
        path = f"{parent.path}/{slug}" if parent is not None else slug
        category = (
            Category.objects.filter(path=path).first()
            # A child whose slug was taken elsewhere got a "-2" slug: find it by name.
            or Category.objects.filter(parent=parent, name=part).first()
        )
        if category is None:
            category = Category.objects.create(
                name=part, slug=unique_slug(Category.objects.all(), slug), parent=parent
            )
        parent = category
    return parent


def _get_tag(name: str) -> Tag:
    slug = slugify_title(name) or "tag"
    tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return tag
