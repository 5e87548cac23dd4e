"""Editorial settings of the site: one row, edited by administrators."""

from __future__ import annotations

import contextvars
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.utils.translation import gettext_lazy as _

DEFAULT_PERMALINK_STRUCTURE = "/%year%/%monthnum%/%day%/%postname%/"

_current = contextvars.ContextVar("broadsheet_site_settings", default=None)
# Per database alias: (the row as last read, the settings built from it), shared by this process's requests.
_shared: dict[str, tuple[tuple, SiteSettings]] = {}


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value}) from error


class SiteSettings(models.Model):
    title = models.CharField(max_length=200, default="Broadsheet")
    tagline = models.CharField(max_length=300, blank=True, default="Long-form commentary")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    posts_per_page = models.PositiveSmallIntegerField(default=10)
    # WordPress/PHP date() format strings, rendered with django.utils.dateformat.
    date_format = models.CharField(max_length=50, default="F j, Y")
    short_date_format = models.CharField(max_length=50, default="j M")
    time_format = models.CharField(max_length=50, default="g:i a")
    # Archive headings: "{date}" is replaced with the period in the matching format.
    archive_title_format = models.CharField(max_length=200, default="Archive | {date}")
    year_archive_format = models.CharField(max_length=50, default="Y")
    month_archive_format = models.CharField(max_length=50, default="F, Y")
    day_archive_format = models.CharField(max_length=50, default="F j, Y")
    permalink_structure = models.CharField(max_length=200, default=DEFAULT_PERMALINK_STRUCTURE)
    # Discussion (WordPress's Settings → Discussion), enforced by broadsheet.comments.moderation.
    default_comment_status = models.CharField(max_length=10, default="open", choices=[("open", "open"), ("closed", "closed")])
    comments_require_approved_before = models.BooleanField(
        default=True, help_text=_("Hold a commenter's comments until one of theirs has been approved.")
    )
    comments_moderation_links = models.PositiveSmallIntegerField(
        default=2, help_text=_("Hold a comment with this many links or more (0: never).")
    )
    comments_moderation_words = models.TextField(
        blank=True, default="", help_text=_("One word or phrase a line: a comment containing one is held.")
    )
    comments_blocked_words = models.TextField(
        blank=True, default="", help_text=_("One word or phrase a line: a comment containing one is spam.")
    )
    comments_close_after_days = models.PositiveIntegerField(
        default=0, help_text=_("Close comments on posts older than this many days (0: never).")
    )
    comments_thread_depth = models.PositiveSmallIntegerField(default=5)
    comments_per_page = models.PositiveSmallIntegerField(default=50, help_text=_("0: all on one page."))
    comments_notify_authors = models.BooleanField(default=True)
    comments_notify_moderators = models.BooleanField(default=True)
    # Bumped by every change to public content; keys caches of site-wide parts.
    content_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self):
        return self.title

    def clean(self):
        from broadsheet.content.permalinks import validate_structure

        validate_structure(self.permalink_structure)

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        _current.set(None)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @classmethod
    def load(cls) -> SiteSettings:
        """Return the site's settings, creating the row on first use."""
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings

    @classmethod
    def load_shared(cls) -> SiteSettings:
        """Return the site's settings for reading, shared by requests while the row is unchanged.

        One plain query reads the row (any change, from any process, shows in it);
        the model instance is built by the ORM only when the row differs from the
        last one seen. Callers must not modify it: editing uses ``load()``.
        """
        alias = router.db_for_read(cls)
        connection = connections[alias]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote(cls._meta.db_table)} WHERE {quote(cls._meta.pk.column)} = %s", [1])
            row = cursor.fetchone()
        shared = _shared.get(alias)
        if row is not None and shared is not None and shared[0] == row:
            return shared[1]
        settings = cls.load()
        if row is not None:
            _shared[alias] = (row, settings)
        return settings

    @classmethod
    def current(cls) -> SiteSettings:
        """Return the settings for this request (loaded once per request) or load them."""
        settings = _current.get()
        if settings is None:
            settings = cls.load()
            _current.set(settings)
        return settings

    @classmethod
    def use(cls, settings: SiteSettings | None) -> contextvars.Token:
        """Make ``settings`` current (the middleware does this per request)."""
        return _current.set(settings)

    @classmethod
    def reset_current(cls, token: contextvars.Token | None = None) -> None:
        if token is None:
            _current.set(None)
        else:
            _current.reset(token)

    @classmethod
    def bump_content_version(cls) -> None:
        """Record that public content changed (invalidates cached site-wide parts)."""
        updated = cls.objects.filter(pk=1).update(content_version=models.F("content_version") + 1)
        if not updated:
            cls.objects.get_or_create(pk=1)
        _current.set(None)
