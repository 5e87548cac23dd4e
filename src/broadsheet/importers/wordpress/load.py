"""Import a WordPress export: survey the whole file, then load it in small transactions.

1. ``_survey`` reads the whole file once (streaming) and stops at the first
   error with its line and column, so a malformed or hostile file changes
   nothing. It also gathers the small parts: authors, terms, guest authors,
   link samples for the permalink structure.
2. ``_Loader`` reads the file again and writes it in batches of items, each
   batch one transaction keyed by (site, WordPress ID): re-running the same or
   an updated export updates in place, and an import killed half way resumes
   where it stopped when run again.
3. A final pass links what may come in any order (page parents, comment
   threads, attachments, featured images), renders again the entries that show
   an attachment imported after them, and records every old address.
"""

from __future__ import annotations

import contextlib
import datetime
import mimetypes
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.db.models.fields.json import KT
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.content.models import Author, Category, MenuItem, Page, Post, PostAuthor, SiteSettings, Tag
from broadsheet.content.maintenance import analyze_database
from broadsheet.content.permalinks import build_post_path
from broadsheet.content.signals import batched_changes
from broadsheet.content.slugs import slugify_title, unique_slug
from broadsheet.importers.wordpress import models as wp
from broadsheet.importers.wordpress.attachment_metadata import library_sizes, read_attachment_metadata
from broadsheet.importers.wordpress.entry_fields import aware, fill_entry
from broadsheet.importers.wordpress.new_posts import NewPosts
from broadsheet.importers.wordpress.permalinks import LinkSample, infer_structure, link_path
from broadsheet.importers.wordpress.preparation import (
    READER_PROCESS_MIN_BYTES,
    PreparedItem,
    Preparation,
    ReaderProcess,
    prepared_batches,
)
from broadsheet.importers.wordpress.records import AuthorRecord, CommentRecord, ItemRecord, SiteRecord, TermRecord, to_json
from broadsheet.importers.wordpress.report import ImportReport
from broadsheet.importers.wordpress.rows import writer
from broadsheet.importers.wordpress.timezones import infer_time_zone
from broadsheet.importers.wordpress.wxr import ParseStats, WXRError, read_wxr
from broadsheet.legacy.models import OldPath
from broadsheet.media.filenames import original_name_of
from broadsheet.media.models import MediaItem
from broadsheet.media.responsive import lookups_by_class
from broadsheet.publishing.changes import note_changed

BATCH_SIZE = 100
_COMMENT_STATUSES = {"1": "approved", "0": "pending", "spam": "spam"}
_COMMENT_KINDS = {"": "comment", "comment": "comment", "pingback": "pingback", "trackback": "trackback", "note": "note"}
_SAMPLE_LIMIT = 5000

__all__ = ["WXRError", "import_wxr"]


@dataclass
class _Survey:
    site: SiteRecord = field(default_factory=SiteRecord)
    authors: list[AuthorRecord] = field(default_factory=list)
    terms: list[TermRecord] = field(default_factory=list)
    guest_authors: dict[str, dict[str, str]] = field(default_factory=dict)  # nicename -> cap-* meta
    items: Counter = field(default_factory=Counter)  # post_type -> n
    item_ids: list[int] = field(default_factory=list)
    comment_count: int = 0
    samples: list[LinkSample] = field(default_factory=list)
    date_pairs: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)

    @property
    def base_path(self) -> str:
        return urlsplit(self.site.base_blog_url or self.site.link).path.rstrip("/")

    @property
    def base_url(self) -> str:
        return (self.site.base_blog_url or self.site.link or self.site.base_site_url).rstrip("/")


def import_wxr(
    path, *, media_dir=None, dry_run=False, permalinks=None, progress=None, reader_process: bool | None = None
) -> ImportReport:
    """Import the WXR file at ``path``; return the report. Raises WXRError before any change.

    ``reader_process``: prepare the items in a second process (see preparation.py); by
    default for a large export on a machine with more than one core. (On the benchmark's
    two shared cores it was 15% faster with one core's worth of other load, and 10% slower
    to 10% faster with more: the two processes then take turns on the same cores.)
    """
    path = Path(path)
    if reader_process is None:
        reader_process = not dry_run and path.stat().st_size >= READER_PROCESS_MIN_BYTES and _cores() > 1
    reader = ReaderProcess() if reader_process else None  # starts now: its Django start-up overlaps the survey
    try:
        report = ImportReport(dry_run=dry_run)
        return _import(path, report=report, reader=reader, media_dir=media_dir, permalinks=permalinks, progress=progress)
    finally:
        if reader is not None:
            reader.close()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _import(path: Path, *, report: ImportReport, reader, media_dir, permalinks, progress) -> ImportReport:
    survey = _survey(path)
    report.stats = survey.stats
    report.site_url = survey.base_url
    if survey.stats.control_characters_removed:
        report.warnings.append(f"removed {survey.stats.control_characters_removed} control characters")
    if survey.stats.bytes_reencoded:
        report.warnings.append(f"read {survey.stats.bytes_reencoded} bytes that were not UTF-8 as Windows-1252")
    report.warnings.extend(survey.stats.notes)
    report.time_zone = infer_time_zone(survey.date_pairs) or ""
    structure, matched = (permalinks, 0) if permalinks else infer_structure(survey.samples)
    report.permalink_structure = structure
    if permalinks:
        report.permalink_source = "--permalinks"
    elif structure:
        report.permalink_source = f"inferred: {matched} of {len(survey.samples)} post links fit"
    else:
        report.permalink_source = "no pretty permalinks found (links are ?p=ID); old links answer by ID"
    if report.dry_run:
        _plan(survey, report)
        return report
    _Loader(survey, report, Path(media_dir) if media_dir else None, structure).run(path, progress, reader)
    return report


def _survey(path: Path) -> _Survey:
    survey = _Survey()
    with path.open("rb") as stream:
        for record in read_wxr(stream, survey.stats, comments=False):
            if isinstance(record, AuthorRecord):
                survey.authors.append(record)
            elif isinstance(record, TermRecord):
                survey.terms.append(record)
            elif isinstance(record, SiteRecord):
                survey.site = record
            else:
                _survey_item(survey, record)
    survey.comment_count = survey.stats.comments_counted
    return survey


def _survey_item(survey: _Survey, item: ItemRecord) -> None:
    survey.items[item.post_type] += 1
    survey.item_ids.append(item.post_id)
    if item.post_date and item.post_date_gmt and len(survey.date_pairs) < 300:
        survey.date_pairs.append((item.post_date, item.post_date_gmt))
    if item.post_type == "guest-author":
        meta = dict(item.meta)
        login = meta.get("cap-user_login") or item.post_name.removeprefix("cap-")
        survey.guest_authors[login] = meta
    elif item.post_type == "post" and item.status == "publish" and len(survey.samples) < _SAMPLE_LIMIT:
        path = link_path(item.link, urlsplit(survey.site.base_blog_url or survey.site.link).path.rstrip("/"))
        if path and item.post_date:
            survey.samples.append(
                LinkSample(
                    path=path,
                    post_id=item.post_id,
                    slug=unquote(item.post_name),
                    local_date=item.post_date,
                    category_slugs=tuple(t.slug for t in item.terms if t.domain == "category"),
                    author_login=item.creator,
                )
            )


def _plan(survey: _Survey, report: ImportReport) -> None:
    """Fill the report of a dry run: what would be created or updated."""
    site = wp.WordPressSite.objects.filter(base_url=survey.base_url).first()
    existing = set()
    if site is not None:
        ids = survey.item_ids
        for start in range(0, len(ids), 500):
            existing.update(
                site.items.filter(wp_id__in=ids[start : start + 500]).values_list("wp_id", flat=True)
            )
    updated = len(existing)
    report.add("item", "updated", updated)
    report.add("item", "created", len(survey.item_ids) - updated)
    for post_type, n in survey.items.items():
        report.warnings.append(f"would read {n} {post_type} item(s)")
    report.add("comment", "created" if site is None else "updated", survey.comment_count)
    report.add("author", "created" if site is None else "updated", len(survey.authors))
    report.add("term", "created" if site is None else "updated", len(survey.terms))


class _Loader:
    def __init__(self, survey: _Survey, report: ImportReport, media_dir: Path | None, structure: str):
        self.survey, self.report, self.media_dir, self.structure = survey, report, media_dir, structure
        self.site_settings = SiteSettings.load()
        self.zone = self.site_settings.tzinfo
        self.uploads = _UploadsRewriter(survey, media_dir, report)
        self.seen_ids: set[int] = set()
        self.featured: dict[int, int] = {}  # key of each post saved in this run -> its _thumbnail_id (0: none)
        self.media_saved: set[str] = set()  # stored names of the attachments saved in this run, so far
        self.shown_before_saved: list[tuple[type, int, set[str]]] = []  # entries rendered before media they show
        self.shown_by_class: list[tuple[type, int, set[int]]] = []  # entries saved here whose images have wp-image-N

    def run(self, path: Path, progress, reader: ReaderProcess | None) -> None:
        with _bulk_pragmas():
            self._run(path, progress, reader)

    def _run(self, path: Path, progress, reader: ReaderProcess | None) -> None:
        self._adopt_permalinks()
        with transaction.atomic(), batched_changes():
            self.site = self._save_site()
            self.authors = self._save_authors()
            self.categories, self.tags = self._save_terms()
        preparation = Preparation(
            context=f"{self.site_settings.time_zone}|{self.media_dir or ''}",
            zone=self.zone,
            uploads_rewritten=self.media_dir is not None,
        )
        if reader is None:
            batches = prepared_batches(path, preparation, BATCH_SIZE)
        else:
            preparation.imported_ids = frozenset(self.site.items.values_list("wp_id", flat=True))
            preparation.render_ahead, preparation.keep_data = True, False
            batches = reader.batches(path, preparation, BATCH_SIZE)
        total = sum(self.survey.items.values())
        with lookups_by_class(False):  # the entries whose wp-image-N classes name an attachment are rendered at the end
            for batch in batches:
                self._save_batch(batch)
                if progress:
                    progress(len(batch), total)
        if reader is not None:
            self.report.reader_process_peak_mb = reader.peak_rss_mb
        with transaction.atomic(), batched_changes():
            self._link_pages_and_attachments()
            self._link_featured_images()
            self._rerender_entries_showing_later_media()
            self._link_comment_threads()
            self._save_old_paths()
            self._rerender_galleries()
            self._save_menus()
        _reset_sequences()
        analyze_database()

    # -- site, authors, terms -------------------------------------------------

    def _adopt_permalinks(self) -> None:
        """Keep the old links answering at the same paths when the Broadsheet site has no other posts.

        Date-based permalinks use local dates, so the site's time zone is adopted too.
        """
        structure = self.structure
        foreign = Post.objects.exclude(wordpress__site__base_url=self.survey.base_url).exists()
        zone = self.report.time_zone
        if zone and not foreign and zone != self.site_settings.time_zone:
            self.site_settings.time_zone = zone
            self.site_settings.save()
            self.zone = self.site_settings.tzinfo
        if not structure:
            return
        if foreign and structure != self.site_settings.permalink_structure:
            self.report.warnings.append(
                f"kept this site's permalink structure {self.site_settings.permalink_structure}; "
                f"the export's {structure} links answer with 301"
            )
            return
        if self.site_settings.permalink_structure != structure:
            self.site_settings.permalink_structure = structure
            self.site_settings.save()

    def _save_site(self) -> wp.WordPressSite:
        record = self.survey.site
        site, created = wp.WordPressSite.objects.update_or_create(
            base_url=self.survey.base_url,
            defaults={
                "title": record.title, "link": record.link, "description": record.description,
                "language": record.language, "wxr_version": record.wxr_version,
                "base_site_url": record.base_site_url, "permalink_structure": self.structure,
                "imported_at": timezone.now(),
            },
        )  # fmt: skip
        if created and not Post.objects.exists() and record.title:
            self.site_settings.title = record.title[:200]
            self.site_settings.tagline = record.description[:300]
            self.site_settings.save()
        return site

    def _save_authors(self) -> dict[str, Author]:
        authors: dict[str, Author] = {}
        for record in self.survey.authors:
            if not record.login:
                continue
            link = wp.WordPressAuthor.objects.filter(site=self.site, login=record.login).select_related("author").first()
            author = link.author if link else Author.objects.filter(login=record.login).first()
            action = "updated" if author else "created"
            if author is None:
                author = Author(login=record.login)
                author.slug = unique_slug(Author.objects.all(), slugify_title(record.login) or "author")
            author.display_name = record.display_name or record.login
            author.email, author.first_name, author.last_name = record.email, record.first_name, record.last_name
            author.save()
            wp.WordPressAuthor.objects.update_or_create(
                site=self.site, login=record.login, defaults={"author": author, "wp_id": record.author_id}
            )
            self.report.add("author", action)
            authors[record.login] = author
        return authors

    def _author_for_login(self, login: str, display_name: str = "") -> Author:
        """Return the author with this login (a user, a guest author, or a new author)."""
        if login in self.authors:
            return self.authors[login]
        author = Author.objects.filter(login=login).first() or Author.objects.filter(slug=login).first()
        if author is None:
            guest = self.survey.guest_authors.get(login, {})
            author = Author(
                login=login,
                display_name=guest.get("cap-display_name") or display_name or login,
                email=guest.get("cap-user_email", "")[:100],
                first_name=guest.get("cap-first_name", "")[:150],
                last_name=guest.get("cap-last_name", "")[:150],
                bio=guest.get("cap-description", ""),
                website=guest.get("cap-website", "")[:200],
            )
            author.slug = unique_slug(Author.objects.all(), slugify_title(login) or "author")
            author.save()
            self.report.add("author", "created")
            if not guest and not display_name:
                self.report.warnings.append(f"unknown author {login!r} became a new author")
        wp.WordPressAuthor.objects.get_or_create(site=self.site, login=login, defaults={"author": author})
        self.authors[login] = author
        return author

    def _save_terms(self) -> tuple[dict[str, Category], dict[str, Tag]]:
        categories: dict[str, Category] = {}
        tags: dict[str, Tag] = {}
        pending = [t for t in self.survey.terms if t.taxonomy == "category" and t.slug]
        # Parents first (WordPress writes them so, but do not rely on it).
        for _ in range(len(pending) + 1):
            waiting = []
            for term in pending:
                if term.parent_slug and term.parent_slug not in categories:
                    waiting.append(term)
                    continue
                categories[term.slug] = self._save_category(term, categories.get(term.parent_slug))
            if not waiting or len(waiting) == len(pending):
                for term in waiting:  # parent missing from the file: top level
                    self.report.warnings.append(f"category {term.slug!r}: parent {term.parent_slug!r} missing")
                    categories[term.slug] = self._save_category(term, None)
                break
            pending = waiting
        for term in self.survey.terms:
            if term.taxonomy == "post_tag" and term.slug:
                tag, created = Tag.objects.update_or_create(
                    slug=unquote(term.slug)[:200], defaults={"name": term.name or term.slug, "description": term.description}
                )
                tags[term.slug] = tag
                self._save_term_link(term, tag=tag)
                self.report.add("tag", "created" if created else "updated")
            elif term.taxonomy not in ("category", "post_tag"):
                created = not wp.WordPressTerm.objects.filter(site=self.site, taxonomy=term.taxonomy, slug=term.slug).exists()
                self._save_term_link(term)
                self.report.add("term", "created" if created else "updated")
        return categories, tags

    def _save_category(self, term: TermRecord, parent: Category | None) -> Category:
        slug = unquote(term.slug)[:200]
        category = Category.objects.filter(slug=slug).first()
        action = "updated" if category else "created"
        category = category or Category(slug=slug)
        category.name = term.name or slug
        category.description = term.description
        category.parent = parent
        category.save()
        self._save_term_link(term, category=category)
        self.report.add("category", action)
        return category

    def _save_term_link(self, term: TermRecord, **target) -> None:
        wp.WordPressTerm.objects.update_or_create(
            site=self.site, taxonomy=term.taxonomy, slug=term.slug,
            defaults={"term_id": term.term_id, "name": term.name, "parent_slug": term.parent_slug,
                      "description": term.description, "meta": [list(m) for m in term.meta], **target},
        )  # fmt: skip

    def _category_for(self, slug: str, name: str) -> Category:
        if slug not in self.categories:
            category, _ = Category.objects.get_or_create(slug=unquote(slug)[:200] or slugify_title(name), defaults={"name": name})
            self.categories[slug] = category
        return self.categories[slug]

    def _tag_for(self, slug: str, name: str) -> Tag:
        if slug not in self.tags:
            tag, _ = Tag.objects.get_or_create(slug=unquote(slug)[:200] or slugify_title(name), defaults={"name": name})
            self.tags[slug] = tag
        return self.tags[slug]

    # -- items ------------------------------------------------------------------

    def _save_batch(self, batch: list[PreparedItem]) -> None:
        with transaction.atomic(), batched_changes():
            ids = [prepared.item.post_id for prepared in batch if prepared.item.post_id]
            existing = {
                link.wp_id: link
                for link in wp.WordPressItem.objects.filter(site=self.site, wp_id__in=ids)
                .defer("record")
                .select_related("media")
            }
            posts = [prepared.item for prepared in batch if prepared.item.post_type == "post"]
            new_posts = NewPosts(
                [unquote(item.post_name)[:200] or slugify_title(item.title) for item in posts],
                [item.post_id for item in posts if item.post_id not in existing],
            )
            new_links: list[wp.WordPressItem] = []
            comments: list[tuple[ItemRecord, list[dict], Post | Page]] = []
            changed = False
            seen = self.seen_ids
            for prepared in batch:
                item = prepared.item
                if not item.post_id:
                    self.report.skip("other item", repr(item.title[:60]), "no WordPress ID")
                    continue
                if item.status in ("trash", "auto-draft"):
                    self.report.skip(_kind(item), f"#{item.post_id}", f"status {item.status}")
                    continue
                link = existing.get(item.post_id) or wp.WordPressItem(site=self.site, wp_id=item.post_id)
                existing[item.post_id] = link
                if item.post_id in seen:  # kept beside the first copy, never merged into it
                    link.duplicates = [*link.duplicates, to_json(item)]
                    if link.pk:
                        link.save(update_fields=["duplicates"])
                    self.report.add(_kind(item), "duplicate ID")
                    self.report.warnings.append(f"item #{item.post_id} appears more than once in the file; all copies kept")
                    continue
                seen.add(item.post_id)
                for name in prepared.unknown_shortcodes:
                    self.report.unknown_shortcodes[name] += 1
                if link.pk and link.source_hash == prepared.digest and _has_target(link):
                    self._unchanged(item, link)
                    continue
                data = prepared.data if prepared.data is not None else to_json(item)
                comment_data = prepared.comment_data
                if comment_data is None:
                    comment_data = [to_json(record) for record in item.comments]
                action = "updated" if link.pk else "created"
                changed = True
                link.post_type, link.status, link.record, link.duplicates = item.post_type, item.status, data, []
                link.source_hash = prepared.digest
                entry = None
                if item.post_type == "post":
                    post = link.post if link.post_id else None
                    entry = link.post = self._save_post(item, post, new_posts, prepared.rendered)
                    if post is not None or item.meta_value("_thumbnail_id"):
                        self.featured[entry.pk] = _int(item.meta_value("_thumbnail_id"))
                elif item.post_type == "page":
                    entry = link.page = self._save_page(item, link.page if link.page_id else None)
                    new_posts.saved_elsewhere(entry)
                elif item.post_type == "attachment":
                    link.media = self._save_attachment(item, link.media if link.media_id else None)
                    if link.media.file:
                        self.media_saved.add(link.media.file.name)
                if entry is not None:
                    self._note_media_not_yet_saved(entry)
                if link.pk:
                    link.save()
                else:
                    new_links.append(link)
                self.report.add(_kind(item), action)
                if entry is not None:
                    comments.append((item, comment_data, entry))
            new_posts.flush()
            writer(wp.WordPressItem, with_key=False).insert_objects(new_links)
            self._save_comments(comments)
            if changed:
                # Rows written in bulk send no signals: tell the page store the whole site may have changed.
                note_changed(full=True)

    def _unchanged(self, item: ItemRecord, link: wp.WordPressItem) -> None:
        """Count an item (and its comments) that is as the last import left it; write nothing for it."""
        if link.duplicates:  # its later copies in this file are added again as they come
            link.duplicates = []
            link.save(update_fields=["duplicates"])
        self.report.add(_kind(item), "unchanged")
        if link.media is not None and not link.media.file:
            self.report.missing_media.append(link.media.original_url)
        if item.post_type in ("post", "page"):
            for record in item.comments:
                if record.approved in _COMMENT_STATUSES:
                    self.report.add("comment", "unchanged")
                else:
                    self.report.skip("comment", f"#{record.comment_id}", f"status {record.approved}")

    def _entry_fields(self, item: ItemRecord, entry) -> None:
        fill_entry(entry, item, body=self.uploads.rewrite(item.content), zone=self.zone)

    def _keep_wordpress_id(self, item: ItemRecord, entry) -> None:
        """Give a new entry WordPress's ID as its key when it is free, so ?p=ID and #comment anchors keep meaning the same."""
        if entry.pk is None and not type(entry).objects.filter(pk=item.post_id).exists():
            entry.pk = item.post_id

    def _save_post(self, item: ItemRecord, post: Post | None, new_posts: NewPosts, rendered: dict | None) -> Post:
        new = post is None
        post = post or Post()
        self._entry_fields(item, post)
        post.sticky = item.is_sticky
        coauthors = [t for t in item.terms if t.domain == "author"]
        if coauthors:  # Co-Authors Plus: the terms, in file order, are the byline
            authors = [self._author_for_login(t.slug.removeprefix("cap-"), t.name) for t in coauthors]
        elif item.creator:
            authors = [self._author_for_login(item.creator)]
        else:
            authors = []
        authors = list(dict.fromkeys(authors))
        categories = list(dict.fromkeys(self._category_for(t.slug, t.name) for t in item.terms if t.domain == "category"))
        tags = list(dict.fromkeys(self._tag_for(t.slug, t.name) for t in item.terms if t.domain == "post_tag"))
        if new and new_posts.can_keep_id(item.post_id):
            post.pk = item.post_id
            if post.body is not item.content and post.body != item.content:
                rendered = None  # rendered ahead from the body as exported, which was rewritten here
            if rendered is not None:
                self.report.rendered_ahead += 1
            new_posts.add(post, authors, categories, tags, rendered)  # written with the rest of the batch
            return post
        new_posts.flush()  # so the slug and key checks of save() see the batch's new posts
        if new:
            self._keep_wordpress_id(item, post)
            if post.pk is None:
                _make_room_for_generated_keys(Post)
        post.save(touch=False, force_insert=new and post.pk is not None)
        new_posts.saved_elsewhere(post)
        post.set_authors(authors)
        post.categories.set(categories)
        post.tags.set(tags)
        return post

    def _save_page(self, item: ItemRecord, page: Page | None) -> Page:
        new = page is None
        page = page or Page()
        self._entry_fields(item, page)
        if new:
            self._keep_wordpress_id(item, page)
            if page.pk is None:
                _make_room_for_generated_keys(Page)
        page.menu_order = item.menu_order
        page.author = self._author_for_login(item.creator) if item.creator else None
        page.save(touch=False, force_insert=new and page.pk is not None)
        return page

    def _save_attachment(self, item: ItemRecord, media: MediaItem | None) -> MediaItem:
        media = media or MediaItem()
        media.title = item.title
        media.caption = item.excerpt
        media.description = item.content
        media.alt_text = item.meta_value("_wp_attachment_image_alt")[:1000]
        media.original_url = (item.attachment_url or item.guid)[:2000]
        media.mime_type = mimetypes.guess_type(media.original_url)[0] or ""
        created = aware(item.post_date, item.post_date_gmt, self.zone)
        media.uploaded_at = created or timezone.now()
        metadata = read_attachment_metadata(item.meta_value("_wp_attachment_metadata"))
        if metadata.problem:
            self.report.warnings.append(
                f"attachment #{item.post_id}: _wp_attachment_metadata not read ({metadata.problem}); no sizes kept"
            )
        elif metadata.ignored_sizes:
            self.report.warnings.append(
                f"attachment #{item.post_id}: sizes left out of _wp_attachment_metadata: {'; '.join(metadata.ignored_sizes)}"
            )
        media.width, media.height = metadata.width, metadata.height
        stored = self.uploads.copy(item.meta_value("_wp_attached_file"), media.original_url)
        if stored:
            media.file = stored
        elif not media.file:
            self.report.missing_media.append(media.original_url)
        media.sizes = library_sizes(
            metadata, stored_name=media.file.name if media.file else "", original_url=media.original_url,
            store=self.uploads.copy_relative, url_of=default_storage.url,
        )  # fmt: skip
        if media.sizes:
            self.report.attachments_with_sizes += 1
        if media.pk is None and not MediaItem.objects.filter(pk=item.post_id).exists():
            media.pk = item.post_id
        elif media.pk is None:
            _make_room_for_generated_keys(MediaItem)
        media.save()
        return media

    def _save_comments(self, items: list[tuple[ItemRecord, list[dict], Post | Page]]) -> None:
        """Write the comments of the batch's new and changed entries: new ones in bulk, changed ones one by one."""
        records: list[tuple[CommentRecord, dict, Post | Page, int]] = []
        for item, comment_data, entry in items:
            for record, data in zip(item.comments, comment_data):
                if record.approved not in _COMMENT_STATUSES:
                    self.report.skip("comment", f"#{record.comment_id}", f"status {record.approved}")
                    continue
                records.append((record, data, entry, item.post_id))
        if not records:
            return
        ids = [record.comment_id for record, _, _, _ in records]
        links = {link.wp_id: link for link in wp.WordPressComment.objects.filter(site=self.site, wp_id__in=ids)}
        current = Comment.objects.in_bulk([link.comment_id for link in links.values() if link.comment_id])
        taken = set(Comment.objects.filter(pk__in=ids).values_list("pk", flat=True))
        rows, link_rows, keyless, relinked = [], [], [], []
        created_ids: dict[int, int] = {}  # WordPress ID -> key of the comments created here, for their replies
        for record, data, entry, item_wp_id in records:
            link = links.get(record.comment_id)
            comment = current.get(link.comment_id) if link and link.comment_id else None
            if comment is not None and link.record == data and link.item_wp_id == item_wp_id:
                self.report.add("comment", "unchanged")
                continue
            kind = _COMMENT_KINDS.get(record.type, "comment")
            fields = {
                "post_id": entry.pk if isinstance(entry, Post) else None,
                "page_id": None if isinstance(entry, Post) else entry.pk,
                "author_name": record.author[:245],
                "author_email": record.author_email[:100],
                "author_url": record.author_url[:200],
                "author_ip": _ip(record.author_ip),
                "body": record.content,
                "kind": kind,
                "status": "pending" if kind == "note" else _COMMENT_STATUSES[record.approved],
                "created_at": aware(record.date, record.date_gmt, self.zone) or entry.created_at,
            }
            link_fields = {"record": data, "item_wp_id": item_wp_id, "parent_wp_id": record.parent}
            if comment is not None:
                for name, value in fields.items():
                    setattr(comment, name, value)
                comment.save()
                for name, value in link_fields.items():
                    setattr(link, name, value)
                link.save(update_fields=list(link_fields))
                self.report.add("comment", "updated")
                continue
            if link is not None:  # its comment was deleted here since: made again, and the link kept
                for name, value in link_fields.items():
                    setattr(link, name, value)
                relinked.append(link)
            else:
                link_fields.update(site_id=self.site.pk, wp_id=record.comment_id)
            if record.comment_id in taken:  # the ID is another comment's: the database gives one
                comment = Comment(**fields)
                keyless.append((comment, link or link_fields))
            else:
                taken.add(record.comment_id)
                created_ids[record.comment_id] = record.comment_id
                # A reply whose parent came before it is linked now; the rest in _link_comment_threads.
                parent_id = created_ids.get(record.parent) if record.parent else None
                rows.append({"id": record.comment_id, "parent_id": parent_id, **fields})
                if link is None:
                    link_rows.append({**link_fields, "comment_id": record.comment_id})
                else:
                    link.comment_id = record.comment_id
            self.report.add("comment", "created")
        writer(Comment).insert(rows)
        if keyless:
            _make_room_for_generated_keys(Comment)
            Comment.objects.bulk_create([comment for comment, _ in keyless])  # SQLite and PostgreSQL return the keys
        for comment, link in keyless:
            if isinstance(link, dict):
                link_rows.append({**link, "comment_id": comment.pk})
            else:
                link.comment_id = comment.pk
        writer(wp.WordPressComment, with_key=False).insert(link_rows)
        for link in relinked:
            link.save(update_fields=["record", "item_wp_id", "parent_wp_id", "comment"])

    # -- what may come in any order --------------------------------------------

    def _link_pages_and_attachments(self) -> None:
        """Set page parents and attachment parents; reads IDs only, so memory stays flat."""
        rows = self.site.items.filter(post_type__in=("post", "page", "attachment")).values_list(
            "wp_id", "post_id", "page_id", "media_id", "record__post_parent"
        )
        targets = {wp_id: (post_id, page_id) for wp_id, post_id, page_id, _, _ in rows.iterator(chunk_size=2000)}
        for wp_id, _, page_id, media_id, parent_wp in rows.iterator(chunk_size=2000):
            parent_post, parent_page = targets.get(int(parent_wp or 0), (None, None))
            if page_id is not None:
                page = Page.objects.get(pk=page_id)
                if page.parent_id != parent_page:
                    page.parent_id = parent_page
                    page.save(touch=False)
            elif media_id is not None and (parent_post or parent_page):
                MediaItem.objects.filter(pk=media_id).update(parent_post_id=parent_post, parent_page_id=parent_page)

    def _save_menus(self) -> None:
        """Rebuild the site's menus from nav_menu_item items; the largest becomes the primary menu."""
        menus: dict[str, list[tuple[int, dict]]] = {}
        for link in self.site.items.filter(post_type="nav_menu_item").iterator(chunk_size=500):
            for record in (link.record, *link.duplicates):
                terms = [t for t in record.get("terms", []) if t["domain"] == "nav_menu"]
                if terms:
                    menus.setdefault(terms[0]["slug"], []).append((link.wp_id, record))
        if not menus:
            return
        primary = max(menus, key=lambda slug: len(menus[slug]))
        for slug, items in menus.items():
            name = "primary" if slug == primary else slug
            MenuItem.objects.filter(menu=name).delete()
            created: dict[int, MenuItem] = {}
            for wp_id, record in sorted(items, key=lambda item: item[1].get("menu_order", 0)):
                created[wp_id] = self._menu_item(name, record)
            for wp_id, record in items:
                parent_id = int(dict(record.get("meta", [])).get("_menu_item_menu_item_parent") or 0)
                if parent_id in created:
                    created[wp_id].parent = created[parent_id]
                    created[wp_id].save(update_fields=["parent"])
            self.report.add("menu item", "linked", len(created))
        self.report.warnings.append(f"menu {primary!r} is now the site's primary menu")

    def _menu_item(self, name: str, record: dict) -> MenuItem:
        meta = dict(record.get("meta", []))
        item = MenuItem(menu=name, label=record.get("title", ""), position=record.get("menu_order", 0))
        kind, target_id = meta.get("_menu_item_type"), int(meta.get("_menu_item_object_id") or 0)
        target = self.site.items.filter(wp_id=target_id).select_related("post", "page").first() if target_id else None
        if kind == "post_type" and target is not None:
            item.page, item.post = target.page, target.post
        elif kind == "taxonomy" and meta.get("_menu_item_object") == "category":
            term = wp.WordPressTerm.objects.filter(site=self.site, taxonomy="category", term_id=target_id).first()
            item.category = term.category if term else None
        if item.page is None and item.post is None and item.category is None:
            url = meta.get("_menu_item_url", "")
            base = self.survey.base_url
            item.url = (url[len(base) :] or "/") if base and url.startswith(base) else url
        item.save()
        return item

    def _note_media_not_yet_saved(self, entry: Post | Page) -> None:
        """Remember an entry just rendered that shows attachments this run may save later.

        Images are looked up by their ``wp-image-N`` class only at the end (see :meth:`_run`),
        so every entry that has such classes is remembered.
        """
        ids = {int(found) for found in _WP_IMAGE_CLASS.findall(entry.body)} if "wp-image-" in entry.body else set()
        if ids:
            self.shown_by_class.append((type(entry), entry.pk, ids))
        if self.media_dir is None or settings.MEDIA_URL not in entry.body:
            return
        names = {original_name_of(unquote(name)) for name in _media_names(entry.body)}
        waiting = names - self.media_saved
        if waiting:
            self.shown_before_saved.append((type(entry), entry.pk, waiting))

    def _rerender_entries_showing_later_media(self) -> None:
        """Render again the entries that show an attachment saved after them, or name imported images by class.

        Their ``srcset``, width, height and alt text come from the attachment.
        """
        again = {(model, pk) for model, pk, waiting in self.shown_before_saved if waiting & self.media_saved}
        named = sorted({wp_id for _, _, ids in self.shown_by_class for wp_id in ids})
        images: set[int] = set()  # WordPress IDs of the imported images among them
        for start in range(0, len(named), 500):
            rows = self.site.items.filter(post_type="attachment", wp_id__in=named[start : start + 500])
            images.update(rows.filter(media__mime_type__startswith="image/").values_list("wp_id", flat=True))
        again |= {(model, pk) for model, pk, ids in self.shown_by_class if ids & images}
        for model, pk in sorted(again, key=lambda entry: (entry[0].__name__, entry[1])):
            entry = model.objects.filter(pk=pk).first()
            if entry is not None:
                entry.save(touch=False)

    def _link_featured_images(self) -> None:
        """Point each post saved in this run at the attachment its ``_thumbnail_id`` names (in any order in the file)."""
        wanted = sorted({wp_id for wp_id in self.featured.values() if wp_id})
        media_of: dict[int, int] = {}
        for start in range(0, len(wanted), 500):
            rows = self.site.items.filter(post_type="attachment", wp_id__in=wanted[start : start + 500])
            media_of.update(rows.exclude(media=None).values_list("wp_id", "media_id"))
        by_image: dict[int | None, list[int]] = {}
        for post_id, wp_id in self.featured.items():
            if wp_id and wp_id not in media_of:
                self.report.warnings.append(f"post #{post_id}: featured image #{wp_id} is not an attachment in the export")
            by_image.setdefault(media_of.get(wp_id), []).append(post_id)
        for media_id, post_ids in by_image.items():
            if media_id:
                self.report.featured_images_linked += len(post_ids)
            for start in range(0, len(post_ids), 500):
                posts = Post.objects.filter(pk__in=post_ids[start : start + 500])
                stale = posts.exclude(featured_image_id=media_id) if media_id else posts.exclude(featured_image=None)
                if stale.update(featured_image_id=media_id):
                    note_changed(full=True)

    def _rerender_galleries(self) -> None:
        """Render again the entries whose galleries name attachments that came later in the file."""
        for model in (Post, Page):
            for entry in model.objects.filter(wordpress__site=self.site, body__contains="[gallery").iterator(chunk_size=200):
                entry.save(touch=False)

    def _link_comment_threads(self) -> None:
        """Point each imported reply at its imported parent, in two statements for the whole site.

        Only rows whose parent is wrong are written: replies linked when they were inserted,
        and every comment of a re-import that changed nothing, are left alone.
        """
        differs = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
        parent = (
            "(SELECT p.comment_id FROM wordpress_wordpresscomment w"
            " JOIN wordpress_wordpresscomment p ON p.site_id = w.site_id AND p.wp_id = w.parent_wp_id"
            " WHERE w.comment_id = comments_comment.id)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE comments_comment SET parent_id = {parent}"
                f" WHERE id IN (SELECT comment_id FROM wordpress_wordpresscomment WHERE site_id = %s AND parent_wp_id <> 0)"
                f" AND parent_id {differs} {parent}",
                [self.site.pk],
            )
            cursor.execute(
                "UPDATE comments_comment SET parent_id = NULL WHERE parent_id IS NOT NULL"
                " AND id IN (SELECT comment_id FROM wordpress_wordpresscomment WHERE site_id = %s AND parent_wp_id = 0)",
                [self.site.pk],
            )
        parents = wp.WordPressComment.objects.filter(site=self.site, wp_id=OuterRef("parent_wp_id")).exclude(comment=None)
        orphans = (
            self.site.comments.exclude(parent_wp_id=0).exclude(Exists(parents)).values_list("wp_id", "parent_wp_id")
        )
        for wp_id, parent_wp in orphans.iterator():
            self.report.warnings.append(
                f"comment #{wp_id}: parent #{parent_wp} is not in the export; shown at the top level"
            )

    def _save_old_paths(self) -> None:
        """Record the old addresses that differ from the new ones; reads each item's link and postmeta only."""
        base = self.survey.base_path
        structure = self.structure
        rows = self.site.items.filter(post_type__in=("post", "page", "attachment")).values_list(
            "post_id", "page_id", "media_id", KT("record__link"), "record__meta"
        )
        for chunk in _chunks(rows.iterator(chunk_size=1000), 1000):
            posts = self._posts_for_paths([row[0] for row in chunk if row[0] is not None])
            pages = Page.objects.only("id", "path").in_bulk([row[1] for row in chunk if row[1] is not None])
            for post_id, page_id, media_id, link, meta in chunk:
                post, page = posts.get(post_id), pages.get(page_id)
                entry = post or page
                paths = set()
                old = link_path(link or "", base)
                if old and old != "/":
                    paths.add((old, "link"))
                if post is not None and structure:
                    meta = meta if isinstance(meta, list) else []
                    for old_slug in [v for k, v in meta if k == "_wp_old_slug"]:
                        paths.add((_structure_path(structure, post, slug=unquote(old_slug)), "_wp_old_slug"))
                    for old_date in [v for k, v in meta if k == "_wp_old_date"]:
                        try:
                            day = datetime.date.fromisoformat(old_date[:10])
                        except ValueError:
                            continue
                        if post.published_at is not None:
                            paths.add((_structure_path(structure, post, day=day), "_wp_old_date"))
                for path, source in paths:
                    if not path:
                        continue
                    current = entry.get_absolute_url() if entry is not None else None
                    if current == path:
                        continue
                    _, created = OldPath.objects.update_or_create(
                        path=path,
                        defaults={"post_id": post_id, "page_id": page_id, "media_id": media_id, "source": source},
                    )
                    self.report.add("old address", "created" if created else "updated")

    def _posts_for_paths(self, ids: list[int]) -> dict[int, Post]:
        """Return the posts with what their addresses, old and new, are made of."""
        posts = Post.objects.only("id", "slug", "published_at")
        tokens = self.structure + SiteSettings.current().permalink_structure
        if "%category%" in tokens:
            posts = posts.prefetch_related("categories")
        if "%author%" in tokens:
            ordered = PostAuthor.objects.select_related("author").order_by("position")
            posts = posts.prefetch_related(Prefetch("authorships", queryset=ordered, to_attr="ordered_authorships"))
        return posts.in_bulk(ids)


@contextlib.contextmanager
def _bulk_pragmas():
    """On SQLite, checkpoint the import's connection every 10,000 pages instead of 1,000 (restored after).

    Each checkpoint copies the pages written since the last into the database, so the index
    pages that every batch changes again are copied fewer times. On the benchmark machine
    this changed nothing while it was quiet and helped while other processes kept its disk
    busy; a bigger page cache measured no better.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 10000")  # pages: about 40 MB of WAL
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")


def _chunks(iterable, size: int):
    chunk = []
    for row in iterable:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _structure_path(structure: str, post: Post, *, slug: str | None = None, day: datetime.date | None = None) -> str:
    """Return the post's path under ``structure`` with another slug or date (old URLs)."""
    site = SiteSettings(permalink_structure=structure, time_zone=SiteSettings.current().time_zone)
    original = (post.slug, post.published_at)
    try:
        if slug is not None:
            post.slug = slug
        if day is not None and post.published_at is not None:
            local = timezone.localtime(post.published_at, site.tzinfo)
            post.published_at = local.replace(year=day.year, month=day.month, day=day.day)
        return build_post_path(post, site)
    finally:
        post.slug, post.published_at = original


def _int(value: str) -> int:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else 0


_WP_IMAGE_CLASS = re.compile(r"wp-image-([0-9]{1,18})")  # no \b: a leading one makes it 6× slower on long bodies


def _media_names(body: str) -> list[str]:
    """Return the media-store names (as written) that ``body`` points at."""
    return re.findall(re.escape(settings.MEDIA_URL) + r"([^\s\"'<>?#]+)", body)


def _has_target(link: wp.WordPressItem) -> bool:
    """Whether the row the item became is still there (an entry deleted here since is made again)."""
    column = {"post": "post_id", "page": "page_id", "attachment": "media_id"}.get(link.post_type)
    return column is None or getattr(link, column) is not None


def _kind(item: ItemRecord) -> str:
    return {"post": "post", "page": "page", "attachment": "attachment", "nav_menu_item": "menu item"}.get(
        item.post_type, "other item"
    )


def _ip(value: str) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _reset_sequences() -> None:
    """Imported rows kept WordPress's IDs; make the next generated IDs start above them."""
    for model in (Post, Page, MediaItem, Comment):
        _make_room_for_generated_keys(model)


def _make_room_for_generated_keys(model) -> None:
    """Before the database picks a key: move PostgreSQL's sequence past the keys written as WordPress's IDs.

    SQLite's AUTOINCREMENT already follows the largest key; PostgreSQL's sequence does not,
    and would hand out a key this import has just written.
    """
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))")


class _UploadsRewriter:
    """Copy files from a local ``wp-content/uploads`` and point content at the media store."""

    def __init__(self, survey: _Survey, media_dir: Path | None, report: ImportReport):
        self.media_dir, self.report = media_dir, report
        host_pattern = "|".join(
            re.escape(urlsplit(url).netloc) for url in {survey.site.base_site_url, survey.site.base_blog_url, survey.site.link} if url
        )
        self.pattern = (
            re.compile(rf"(?:https?:)?//(?:{host_pattern})(?:/[^\s\"'<>]*?)?/wp-content/uploads/([^\s\"'<>?#]+)")
            if host_pattern
            else None
        )

    def copy(self, attached_file: str, url: str) -> str:
        """Copy the attachment's file into the media store; return its stored name, or ""."""
        if self.media_dir is None:
            return ""
        relative = attached_file or (url.split("/wp-content/uploads/", 1)[1] if "/wp-content/uploads/" in url else "")
        return self.copy_relative(unquote(relative))

    def copy_relative(self, relative: str) -> str:
        """Copy ``relative`` (a path under the uploads folder) into the media store; return its stored name, or "".

        Without an uploads folder, a file an earlier import stored counts.
        """
        if not relative or ".." in Path(relative).parts or relative.startswith("/"):
            return ""
        target = Path(settings.MEDIA_ROOT) / relative
        if self.media_dir is None:
            return relative if target.is_file() else ""
        source = self.media_dir / relative
        if not source.is_file():
            return ""
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(target.name + ".part")
            shutil.copyfile(source, temporary)
            temporary.replace(target)
        return relative

    def rewrite(self, content: str) -> str:
        """Point uploads URLs whose files were copied at the media store; leave others as they are."""
        if self.media_dir is None or self.pattern is None or "/wp-content/uploads/" not in content:
            return content

        def replace(match: re.Match) -> str:
            stored = self.copy_relative(unquote(match.group(1)))
            return settings.MEDIA_URL + stored if stored else match.group(0)

        return self.pattern.sub(replace, content)
