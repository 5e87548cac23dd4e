"""The desk's lists of posts and pages: who sees what, filters, counts, dates in the site's zone.

Editors see every post. Contributors and authors see their own ("Mine", the default for them,
as in WordPress) and, under "All", other people's live posts too (what readers can see), never
other people's drafts, pending posts or posts scheduled for later. Filters use subqueries, not joins, so a post with three
authors is still one row; the rows' bylines and categories come prefetched (a fixed number of
queries per page, whatever its length).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from broadsheet.accounts.capabilities import Capability, has_capability
from broadsheet.content.models import Author, Category, Page, Post, PostAuthor, Status
from broadsheet.content.models.entries import LIVE_STATUSES

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])\Z")


class EntryFilterForm(forms.Form):
    """The list's filters, from the query string. Unknown values are errors (a 400), not ignored."""

    scope = forms.ChoiceField(choices=[("mine", "Mine"), ("all", "All")], required=False)
    status = forms.ChoiceField(choices=[("", "All statuses"), *Status.choices], required=False)
    q = forms.CharField(max_length=200, required=False, label="Search")

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())


class PostFilterForm(EntryFilterForm):
    author = forms.ModelChoiceField(
        queryset=Author.objects.all(), to_field_name="slug", required=False, empty_label="All authors"
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("path"), to_field_name="slug", required=False, empty_label="All categories"
    )
    month = forms.CharField(max_length=7, required=False)

    def __init__(self, data=None, *, month_choices=(), **kwargs):
        super().__init__(data, **kwargs)
        self.month_choices = month_choices

    def clean_month(self):
        value = self.cleaned_data["month"]
        if value and not _MONTH.match(value):
            raise forms.ValidationError("Choose a month as YYYY-MM.")
        return value


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def default_scope(user) -> str:
    return "all" if has_capability(user, Capability.EDIT_OTHERS_POSTS) else "mine"


def visible_posts(user, scope: str):
    """Return the posts ``user`` may list under ``scope`` ("mine" or "all")."""
    posts = Post.objects.all()
    own_author = getattr(user, "author", None)
    own = Q(pk__in=PostAuthor.objects.filter(author=own_author).values("post_id")) if own_author else Q(pk__in=[])
    if scope == "mine":
        return posts.filter(own)
    if has_capability(user, Capability.EDIT_OTHERS_POSTS):
        return posts
    return posts.filter(own | Q(status__in=LIVE_STATUSES, published_at__lte=timezone.now()))


def dated(queryset):
    """Annotate ``date``: the publication time, else (never published) the creation time."""
    return queryset.annotate(date=Coalesce("published_at", "created_at"))


def filter_posts(posts, data: dict, tzinfo):
    """Apply the cleaned filters ``data`` (status, author, category, month, q) to ``posts``."""
    if data.get("status"):
        posts = posts.filter(status=data["status"])
    if data.get("author"):
        posts = posts.filter(pk__in=PostAuthor.objects.filter(author=data["author"]).values("post_id"))
    if data.get("category"):
        through = Post.categories.through.objects.filter(category_id__in=data["category"].get_descendant_ids())
        posts = posts.filter(pk__in=through.values("post_id"))
    if data.get("month"):
        start, end = month_bounds(data["month"], tzinfo)
        posts = dated(posts).filter(date__gte=start, date__lt=end)
    return search(posts, data.get("q", ""))


def search(entries, words: str):
    for word in words.split()[:10]:
        entries = entries.filter(Q(title__icontains=word) | Q(excerpt__icontains=word) | Q(body__icontains=word))
    return entries


def month_bounds(value: str, tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the start and end of month "YYYY-MM" in ``tzinfo``, as aware datetimes."""
    year, month = int(value[:4]), int(value[5:7])
    start = datetime.datetime(year, month, 1, tzinfo=tzinfo)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tzinfo)
    return start, end


def month_choices(posts, tzinfo) -> list[tuple[str, str]]:
    """Return ("YYYY-MM", "Month YYYY") for each month that has posts in ``posts``, newest first."""
    months = (
        dated(posts).annotate(month=TruncMonth("date", tzinfo=tzinfo)).values_list("month", flat=True)
        .distinct().order_by("-month")
    )  # fmt: skip
    return [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in months if month is not None]


def status_counts(entries) -> list[StatusCount]:
    """Return how many of ``entries`` have each status (statuses with none left out)."""
    counts = dict(entries.order_by().values_list("status").annotate(n=Count("pk")))
    return [StatusCount(value, label, counts[value]) for value, label in Status.choices if counts.get(value)]


def for_rows(posts):
    """Return ``posts`` ready for the list: bylines and categories prefetched, no body text, newest first."""
    return dated(posts).for_listing().defer("body", "plain_text", "rendered_html", "rendered_teaser").order_by(
        "-date", "-id"
    )


def can_edit_listed(user, post: Post, own_author_id: int | None) -> bool:
    """``can_edit_entry`` for a listed post, from its prefetched authors (no query per row)."""
    if not has_capability(user, Capability.EDIT_POSTS):
        return False
    if has_capability(user, Capability.EDIT_OTHERS_POSTS):
        return True
    if own_author_id is None or own_author_id not in {a.pk for a in post.ordered_authors}:
        return False
    return post.status not in LIVE_STATUSES or has_capability(user, Capability.EDIT_PUBLISHED_POSTS)


def pages_for_rows(data: dict):
    """Return the pages for the list, in tree order (each under its parent), filtered by ``data``."""
    pages = Page.objects.select_related("author", "parent").defer(
        "body", "plain_text", "rendered_html", "rendered_teaser"
    )
    if data.get("status"):
        pages = pages.filter(status=data["status"])
    return search(pages, data.get("q", "")).order_by("path", "menu_order", "pk")
