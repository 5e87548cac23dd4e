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
   threads, attachments) and records every old address.
"""

from __future__ import annotations

import datetime
import mimetypes
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.content.models import Author, Category, MenuItem, Page, Post, PostAuthor, SiteSettings, Tag
from broadsheet.content.maintenance import analyze_database
from broadsheet.content.permalinks import build_post_path
from broadsheet.content.rendering.shortcodes import find_unknown_shortcodes
from broadsheet.content.signals import batched_changes
from broadsheet.content.slugs import slugify_title, unique_slug
from broadsheet.importers.wordpress import models as wp
from broadsheet.importers.wordpress.permalinks import LinkSample, infer_structure, link_path
from broadsheet.importers.wordpress.records import AuthorRecord, CommentRecord, ItemRecord, SiteRecord, TermRecord, to_json
from broadsheet.importers.wordpress.report import ImportReport
from broadsheet.importers.wordpress.timezones import infer_time_zone
from broadsheet.importers.wordpress.wxr import ParseStats, WXRError, read_wxr
from broadsheet.legacy.models import OldPath
from broadsheet.media.models import MediaItem

BATCH_SIZE = 100
_STATUSES = {"publish": "publish", "future": "future", "draft": "draft", "pending": "pending", "private": "private"}
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


def import_wxr(path, *, media_dir=None, dry_run=False, permalinks=None, progress=None) -> ImportReport:
    """Import the WXR file at ``path``; return the report. Raises WXRError before any change."""
    report = ImportReport(dry_run=dry_run)
    survey = _survey(Path(path))
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
    if dry_run:
        _plan(survey, report)
        return report
    _Loader(survey, report, Path(media_dir) if media_dir else None, structure).run(Path(path), progress)
    return report


def _survey(path: Path) -> _Survey:
    survey = _Survey()
    with path.open("rb") as stream:
        for record in read_wxr(stream, survey.stats):
            if isinstance(record, AuthorRecord):
                survey.authors.append(record)
            elif isinstance(record, TermRecord):
                survey.terms.append(record)
            elif isinstance(record, SiteRecord):
                survey.site = record
            else:
                _survey_item(survey, record)
    return survey


def _survey_item(survey: _Survey, item: ItemRecord) -> None:
    survey.items[item.post_type] += 1
    survey.item_ids.append(item.post_id)
    survey.comment_count += len(item.comments)
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


def _aware(local: datetime.datetime | None, gmt: datetime.datetime | None, zone) -> datetime.datetime | None:
    """Return the aware time: from the GMT value, else the local value in ``zone`` (WordPress's rule)."""
    if gmt is not None:
        return gmt.replace(tzinfo=datetime.UTC)
    if local is not None:
        return local.replace(tzinfo=zone)
    return None


class _Loader:
    def __init__(self, survey: _Survey, report: ImportReport, media_dir: Path | None, structure: str):
        self.survey, self.report, self.media_dir, self.structure = survey, report, media_dir, structure
        self.site_settings = SiteSettings.load()
        self.zone = self.site_settings.tzinfo
        self.uploads = _UploadsRewriter(survey, media_dir, report)
        self.seen_ids: set[int] = set()
        self.pending_links: list[tuple[Post, list, list, list]] = []

    def run(self, path: Path, progress) -> None:
        self._adopt_permalinks()
        with transaction.atomic(), batched_changes():
            self.site = self._save_site()
            self.authors = self._save_authors()
            self.categories, self.tags = self._save_terms()
        total = sum(self.survey.items.values())
        batch: list[ItemRecord] = []
        with path.open("rb") as stream:
            for record in read_wxr(stream, ParseStats()):
                if isinstance(record, ItemRecord):
                    batch.append(record)
                    if len(batch) >= BATCH_SIZE:
                        self._save_batch(batch)
                        if progress:
                            progress(len(batch), total)
                        batch = []
        if batch:
            self._save_batch(batch)
            if progress:
                progress(len(batch), total)
        with transaction.atomic(), batched_changes():
            self._link_pages_and_attachments()
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

    def _save_batch(self, batch: list[ItemRecord]) -> None:
        with transaction.atomic(), batched_changes():
            existing = {
                link.wp_id: link
                for link in wp.WordPressItem.objects.filter(site=self.site, wp_id__in=[i.post_id for i in batch])
                .select_related("post", "page", "media")
            }
            comments: list[tuple[ItemRecord, Post | Page]] = []
            seen = self.seen_ids
            for item in batch:
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
                    link.save(update_fields=["duplicates"])
                    self.report.add(_kind(item), "duplicate ID")
                    self.report.warnings.append(f"item #{item.post_id} appears more than once in the file; all copies kept")
                    continue
                seen.add(item.post_id)
                action = "updated" if link.pk else "created"
                link.post_type, link.status, link.record, link.duplicates = item.post_type, item.status, to_json(item), []
                if item.post_type == "post":
                    link.post = self._save_post(item, link.post)
                    comments.append((item, link.post))
                elif item.post_type == "page":
                    link.page = self._save_page(item, link.page)
                    comments.append((item, link.page))
                elif item.post_type == "attachment":
                    link.media = self._save_attachment(item, link.media)
                link.save()
                self.report.add(_kind(item), action)
                for name in find_unknown_shortcodes(item.content):
                    self.report.unknown_shortcodes[name] += 1
            self._save_pending_links()
            self._save_comments(comments)

    def _entry_fields(self, item: ItemRecord, entry) -> None:
        entry.title = item.title
        entry.body = self.uploads.rewrite(item.content)
        # Broadsheet's own export marks a body that is not HTML (Markdown) with this postmeta.
        entry.body_format = "markdown" if item.meta_value("_broadsheet_body_format") == "markdown" else "html"
        entry.excerpt = item.excerpt
        entry.status = _STATUSES[item.status] if item.status in _STATUSES else "draft"
        entry.password = item.post_password[:255]
        entry.comment_status = "open" if item.comment_status == "open" else "closed"
        entry.ping_status = "open" if item.ping_status == "open" else "closed"
        entry.slug = unquote(item.post_name)[:200]
        if entry.status in ("publish", "future", "private") or item.post_date_gmt is not None:
            # A draft with a GMT date had its date set (WordPress writes 0000-00-00 for a floating one).
            entry.published_at = _aware(item.post_date, item.post_date_gmt, self.zone)
        else:
            entry.published_at = None  # a draft keeps no publication date, as in WordPress
        created = _aware(item.post_date, item.post_date_gmt, self.zone)
        entry.created_at = created or timezone.now()
        entry.modified_at = _aware(item.post_modified, item.post_modified_gmt, self.zone) or created or timezone.now()
        if entry.pk is None and not type(entry).objects.filter(pk=item.post_id).exists():
            entry.pk = item.post_id  # keep WordPress's ID, so ?p=ID and #comment anchors keep meaning the same

    def _save_post(self, item: ItemRecord, post: Post | None) -> Post:
        new = post is None
        post = post or Post()
        self._entry_fields(item, post)
        post.sticky = item.is_sticky
        post.save(touch=False, force_insert=new and post.pk is not None)
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
        if new:  # written in bulk at the end of the batch
            self.pending_links.append((post, authors, categories, tags))
        else:
            post.set_authors(authors)
            post.categories.set(categories)
            post.tags.set(tags)
        return post

    def _save_pending_links(self) -> None:
        """Write the bylines, categories and tags of the batch's new posts in three statements."""
        PostAuthor.objects.bulk_create(
            PostAuthor(post=post, author=author, position=n)
            for post, authors, _, _ in self.pending_links
            for n, author in enumerate(authors)
        )
        Post.categories.through.objects.bulk_create(
            Post.categories.through(post=post, category=category)
            for post, _, categories, _ in self.pending_links
            for category in categories
        )
        Post.tags.through.objects.bulk_create(
            Post.tags.through(post=post, tag=tag) for post, _, _, tags in self.pending_links for tag in tags
        )
        self.pending_links = []

    def _save_page(self, item: ItemRecord, page: Page | None) -> Page:
        new = page is None
        page = page or Page()
        self._entry_fields(item, page)
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
        created = _aware(item.post_date, item.post_date_gmt, self.zone)
        media.uploaded_at = created or timezone.now()
        media.width, media.height = _image_size(item.meta_value("_wp_attachment_metadata"))
        stored = self.uploads.copy(item.meta_value("_wp_attached_file"), media.original_url)
        if stored:
            media.file = stored
        elif not media.file:
            self.report.missing_media.append(media.original_url)
        if media.pk is None and not MediaItem.objects.filter(pk=item.post_id).exists():
            media.pk = item.post_id
        media.save()
        return media

    def _save_comments(self, items: list[tuple[ItemRecord, Post | Page]]) -> None:
        records: list[tuple[CommentRecord, Post | Page, int]] = []
        for item, entry in items:
            for record in item.comments:
                if record.approved not in _COMMENT_STATUSES:
                    self.report.skip("comment", f"#{record.comment_id}", f"status {record.approved}")
                    continue
                records.append((record, entry, item.post_id))
        if not records:
            return
        ids = [record.comment_id for record, _, _ in records]
        links = {link.wp_id: link for link in wp.WordPressComment.objects.filter(site=self.site, wp_id__in=ids)}
        current = Comment.objects.in_bulk([link.comment_id for link in links.values() if link.comment_id])
        taken = set(Comment.objects.filter(pk__in=ids).values_list("pk", flat=True))
        new_comments, new_links = [], []
        for record, entry, item_wp_id in records:
            link = links.get(record.comment_id)
            comment = current.get(link.comment_id) if link and link.comment_id else None
            action = "updated" if comment else "created"
            if comment is None:
                comment = Comment()
                if record.comment_id not in taken:
                    comment.pk = record.comment_id
            comment.post, comment.page = (entry, None) if isinstance(entry, Post) else (None, entry)
            comment.author_name = record.author[:245]
            comment.author_email = record.author_email[:100]
            comment.author_url = record.author_url[:200]
            comment.author_ip = _ip(record.author_ip)
            comment.body = record.content
            comment.kind = _COMMENT_KINDS.get(record.type, "comment")
            comment.status = "pending" if comment.kind == "note" else _COMMENT_STATUSES[record.approved]
            comment.created_at = _aware(record.date, record.date_gmt, self.zone) or entry.created_at
            data = to_json(record)
            if action == "created":
                new_comments.append(comment)
                new_links.append(
                    wp.WordPressComment(
                        site=self.site, wp_id=record.comment_id, item_wp_id=item_wp_id,
                        parent_wp_id=record.parent, record=data,
                    )
                )  # fmt: skip
            elif link.record != data or link.item_wp_id != item_wp_id:
                comment.save()
                link.record, link.item_wp_id, link.parent_wp_id = data, item_wp_id, record.parent
                link.save(update_fields=["record", "item_wp_id", "parent_wp_id"])
            self.report.add("comment", action)
        Comment.objects.bulk_create(new_comments)  # SQLite and PostgreSQL return the new keys
        for comment, link in zip(new_comments, new_links):
            link.comment = comment
        wp.WordPressComment.objects.bulk_create(new_links)

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

    def _rerender_galleries(self) -> None:
        """Render again the entries whose galleries name attachments that came later in the file."""
        for model in (Post, Page):
            for entry in model.objects.filter(wordpress__site=self.site, body__contains="[gallery").iterator(chunk_size=200):
                entry.save(touch=False)

    def _link_comment_threads(self) -> None:
        """Point each imported comment at its imported parent, in one statement for the whole site."""
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE comments_comment SET parent_id = ("
                " SELECT p.comment_id FROM wordpress_wordpresscomment w"
                " JOIN wordpress_wordpresscomment p ON p.site_id = w.site_id AND p.wp_id = w.parent_wp_id"
                " WHERE w.comment_id = comments_comment.id)"
                " WHERE id IN (SELECT comment_id FROM wordpress_wordpresscomment WHERE site_id = %s)",
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
        base = self.survey.base_path
        structure = self.structure
        links = self.site.items.filter(post_type__in=("post", "page", "attachment")).select_related("post", "page", "media")
        for link in links.iterator(chunk_size=500):
            record = link.record
            entry = link.post or link.page
            paths = set()
            old = link_path(record.get("link", ""), base)
            if old and old != "/":
                paths.add((old, "link"))
            if link.post is not None and structure:
                date = link.post.published_at
                for old_slug in [v for k, v in record.get("meta", []) if k == "_wp_old_slug"]:
                    paths.add((_structure_path(structure, link.post, slug=unquote(old_slug)), "_wp_old_slug"))
                for old_date in [v for k, v in record.get("meta", []) if k == "_wp_old_date"]:
                    try:
                        day = datetime.date.fromisoformat(old_date[:10])
                    except ValueError:
                        continue
                    if date is not None:
                        paths.add((_structure_path(structure, link.post, day=day), "_wp_old_date"))
            for path, source in paths:
                if not path:
                    continue
                current = entry.get_absolute_url() if entry is not None else None
                if current == path:
                    continue
                _, created = OldPath.objects.update_or_create(
                    path=path, defaults={"post": link.post, "page": link.page, "media": link.media, "source": source}
                )
                self.report.add("old address", "created" if created else "updated")


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


def _image_size(serialised: str) -> tuple[int | None, int | None]:
    """Read width and height from PHP-serialised ``_wp_attachment_metadata`` (kept byte-exact elsewhere)."""
    if not serialised:
        return None, None
    try:
        import phpserialize

        data = phpserialize.loads(serialised.encode("utf-8"), decode_strings=True)
    except (ValueError, TypeError, UnicodeError, EOFError, IndexError):
        # String lengths drift when an export's line endings or encoding changed: read the two integers.
        found = dict(re.findall(r's:[0-9]+:"(width|height)";i:([0-9]{1,6});', serialised))
        data = {key: int(value) for key, value in found.items()}
    if not isinstance(data, dict):
        return None, None
    width, height = data.get("width"), data.get("height")
    return (width if isinstance(width, int) and width > 0 else None, height if isinstance(height, int) and height > 0 else None)


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
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT already follows the largest explicit ID
    with connection.cursor() as cursor:
        for table in ("content_post", "content_page", "media_mediaitem", "comments_comment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )


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
        return self._copy_relative(unquote(relative))

    def _copy_relative(self, relative: str) -> str:
        if not relative or ".." in Path(relative).parts or relative.startswith("/"):
            return ""
        source = self.media_dir / relative
        if not source.is_file():
            return ""
        target = Path(settings.MEDIA_ROOT) / relative
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
            stored = self._copy_relative(unquote(match.group(1)))
            return settings.MEDIA_URL + stored if stored else match.group(0)

        return self.pattern.sub(replace, content)
