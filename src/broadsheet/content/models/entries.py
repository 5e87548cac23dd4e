"""What posts and pages share: text, status, publication and its rendering."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from broadsheet.content.rendering import render_body


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    PRIVATE = "private", _("Private")
    SCHEDULED = "future", _("Scheduled")
    PUBLISHED = "publish", _("Published")


class BodyFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("HTML (WordPress paragraph rules)")


class CommentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# Statuses whose entries readers may see once their publication time has come.
# A scheduled entry needs no cron: it is visible as soon as published_at <= now.
LIVE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)


class Entry(models.Model):
    title = models.CharField(max_length=1000, blank=True, default="")
    slug = models.SlugField(max_length=200, blank=True, default="", allow_unicode=True)
    body = models.TextField(blank=True, default="")
    body_format = models.CharField(max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN)
    allow_raw_html = models.BooleanField(
        default=False, help_text=_("Publish the HTML unfiltered (trusted roles only).")
    )
    excerpt = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    modified_at = models.DateTimeField(default=timezone.now)
    password = models.CharField(max_length=255, blank=True, default="")
    comment_status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.OPEN)
    ping_status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.CLOSED)

    # Rendered once per change, never per request. Sanitised unless allow_raw_html.
    rendered_html = models.TextField(blank=True, default="", editable=False)
    rendered_teaser = models.TextField(blank=True, default="", editable=False)
    has_fold = models.BooleanField(default=False, editable=False)
    more_text = models.CharField(max_length=500, blank=True, default="", editable=False)
    # Plain text of the body, for search and meta descriptions.
    plain_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title or f"(no title) #{self.pk}"

    def save(self, *args, touch=True, **kwargs):
        if touch:
            self.modified_at = timezone.now()
        if self.status in LIVE_STATUSES and self.published_at is None:
            self.published_at = timezone.now()
        self.ensure_slug()
        if self.pk is None:
            # The fold's anchor names the id, so a new entry is stored first.
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
            kwargs["update_fields"] = None
        self.render()
        super().save(*args, **kwargs)

    def ensure_slug(self) -> None:
        """Give the entry a unique slug from its title if it has none (WordPress's rules)."""
        from broadsheet.content.slugs import slugify_title, unique_slug

        slug = self.slug or slugify_title(self.title)
        if slug:
            self.slug = unique_slug(self.slug_scope(), slug, exclude_pk=self.pk, reserved=self.reserved_slugs())

    def slug_scope(self):
        """Return the entries among which this entry's slug must be unique."""
        return type(self)._default_manager.all()

    def reserved_slugs(self) -> frozenset:
        return frozenset()

    def render(self):
        """Render body to HTML (full page and teaser), sanitised, and keep the results."""
        from broadsheet.media.attachments import resolve_attachment
        from broadsheet.media.responsive import add_image_attributes

        rendered = render_body(
            self.body,
            self.body_format,
            anchor_id=self.pk,
            trusted=self.allow_raw_html,
            resolve_attachment=resolve_attachment,
            filter_html=add_image_attributes,
            post_meta=self.post_meta,
        )
        self.rendered_html = rendered.html
        self.rendered_teaser = rendered.teaser_html
        self.has_fold = rendered.has_fold
        self.more_text = rendered.more_text
        self.plain_text = rendered.plain_text

    def post_meta(self, key: str) -> str | None:
        """The entry's WordPress post meta ``key`` (``get_post_meta(…, single=True)``), or None.

        Entries imported from WordPress keep every postmeta of their item (the
        ``wordpress`` app's record); while importing, the item's own meta is set
        as ``imported_meta``. Block content reads it (the footnotes block).
        """
        meta = self.__dict__.get("imported_meta")
        if meta is None:
            item = getattr(self, "wordpress", None) if self.pk is not None else None
            meta = ((item.record or {}).get("meta") or []) if item is not None else []
        return next((value for meta_key, value in meta if meta_key == key), None)

    @property
    def is_live(self) -> bool:
        return self.is_live_at(timezone.now())

    def is_live_at(self, now) -> bool:
        """Whether ``live(now)`` (the queryset) selects this entry."""
        return self.status in LIVE_STATUSES and self.published_at is not None and self.published_at <= now

    @property
    def is_public(self) -> bool:
        """Whether anonymous readers may see this entry at all (perhaps behind its password)."""
        return self.is_live

    @property
    def is_listed(self) -> bool:
        """Whether this entry appears in listings, feeds, search and the sitemap."""
        return self.is_live and not self.password

    @property
    def summary_text(self) -> str:
        """Return the text for meta and feed descriptions: the excerpt, else the start of the body."""
        if self.excerpt:
            return self.excerpt.strip()
        words = self.plain_text.split()
        if len(words) <= 55:
            return " ".join(words)
        return " ".join(words[:55]) + "…"
