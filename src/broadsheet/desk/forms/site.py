"""Site settings (WordPress's General, Reading, Permalinks and Discussion screens) as one form."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat

from broadsheet.content.models import SiteSettings

# What readers see site-wide: a change to any of these bumps the content version.
PUBLIC_FIELDS = (
    "title", "tagline", "time_zone", "posts_per_page", "date_format", "short_date_format", "time_format",
    "archive_title_format", "year_archive_format", "month_archive_format", "day_archive_format",
    "permalink_structure", "default_comment_status", "comments_close_after_days", "comments_thread_depth",
    "comments_per_page",
)  # fmt: skip
DISCUSSION_FIELDS = (
    "default_comment_status", "comments_require_approved_before", "comments_moderation_links",
    "comments_moderation_words", "comments_blocked_words", "comments_close_after_days", "comments_thread_depth",
    "comments_per_page", "comments_notify_authors", "comments_notify_moderators",
)  # fmt: skip
DATE_FIELDS = (
    "date_format", "short_date_format", "time_format", "year_archive_format", "month_archive_format",
    "day_archive_format",
)  # fmt: skip
_SAMPLE = datetime.datetime(2010, 7, 28, 9, 5, tzinfo=datetime.UTC)


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone or zone == "UTC")
    return [(zone, zone.replace("_", " ")) for zone in zones]


class SiteSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices, label="Time zone", help_text="Dates, archives, permalinks and scheduling use it."
    )
    posts_per_page = forms.IntegerField(min_value=1, max_value=100, label="Posts per page")
    comments_thread_depth = forms.IntegerField(min_value=1, max_value=10, label="Reply depth")
    comments_per_page = forms.IntegerField(min_value=0, max_value=1000, help_text="0: all on one page.")
    comments_moderation_links = forms.IntegerField(
        min_value=0, max_value=100, label="Hold comments with this many links", help_text="0: never."
    )
    comments_close_after_days = forms.IntegerField(
        min_value=0, max_value=36500, label="Close comments on posts older than (days)", help_text="0: never."
    )
    comments_moderation_words = forms.CharField(
        max_length=50_000, required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Moderation words",
        help_text="One word or phrase a line: a comment containing one is held for moderation.",
    )  # fmt: skip
    comments_blocked_words = forms.CharField(
        max_length=50_000, required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Blocked words",
        help_text="One word or phrase a line: a comment containing one is spam.",
    )  # fmt: skip

    class Meta:
        model = SiteSettings
        fields = [
            "title", "tagline", "time_zone", "date_format", "short_date_format", "time_format",
            "archive_title_format", "year_archive_format", "month_archive_format", "day_archive_format",
            "permalink_structure", "posts_per_page", *DISCUSSION_FIELDS,
        ]  # fmt: skip
        labels = {
            "title": "Site title",
            "short_date_format": "Short date format",
            "archive_title_format": "Archive heading",
            "year_archive_format": "Year in archive headings",
            "month_archive_format": "Month in archive headings",
            "day_archive_format": "Day in archive headings",
            "permalink_structure": "Permalink structure",
            "default_comment_status": "Comments on new posts",
            "comments_require_approved_before": "Hold comments until the commenter has one approved",
            "comments_notify_authors": "Email authors about new comments",
            "comments_notify_moderators": "Email moderators about held comments",
        }
        help_texts = {
            "date_format": "WordPress (PHP) format letters: F j, Y → July 28, 2010.",
            "archive_title_format": "{date} is replaced with the period, e.g. Archive | {date}.",
            "permalink_structure": "Tokens: %year% %monthnum% %day% %hour% %minute% %second% %postname% "
            "%post_id% %category% %author%. Old addresses of published posts keep answering (301).",
        }

    def clean(self):
        cleaned = super().clean()
        for name in DATE_FIELDS:
            value = cleaned.get(name)
            if value:
                try:
                    dateformat.format(_SAMPLE, value)
                except (TypeError, ValueError, AttributeError) as error:
                    self.add_error(name, ValidationError(f"Not a usable date format ({error})."))
        heading = cleaned.get("archive_title_format")
        if heading is not None and "{date}" not in heading:
            self.add_error("archive_title_format", "Include {date} where the period goes.")
        return cleaned

    def sample(self, name: str) -> str:
        """Return today's sample of a date format field (for its help text)."""
        value = getattr(self.instance, name, "")
        try:
            return dateformat.format(_SAMPLE, value)
        except (TypeError, ValueError, AttributeError):
            return ""
