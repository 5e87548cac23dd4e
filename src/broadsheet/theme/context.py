"""What every themed page gets: the site's settings and the site-wide parts.

The site-wide parts (archive months with counts, categories with counts,
recent posts, the page menu) would cost a scan of all posts per request, so
they are computed once per content version and cached. The cache entry also
expires when the next scheduled post goes live, so that post shows up with no
cron job.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import SimpleLazyObject

from broadsheet.content.models import Category, MenuItem, Page, Post, SiteSettings
from broadsheet.content.models.entries import LIVE_STATUSES

RECENT_POSTS = 5


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    count: int | None = None


@dataclass(frozen=True)
class Sidebar:
    months: list[Link] = field(default_factory=list)
    categories: list[Link] = field(default_factory=list)
    recent: list[Link] = field(default_factory=list)
    menu: list[Link] = field(default_factory=list)
    valid_until: datetime | None = None
    # Listed posts per (year, month) in the site's time zone: what the month links count,
    # and what listings take their totals from instead of a COUNT(*) (see archives.views).
    month_counts: dict[tuple[int, int], int] = field(default_factory=dict)
    # The path of every page, whatever its status ("about/team"): a request for any other
    # path skips the page lookup (content.views.find_page). None: not known, look it up.
    page_paths: frozenset[str] | None = None

    def posts_in(self, year: int | None = None, month: int | None = None) -> int:
        """Return how many listed posts the site has (in ``year``, in ``month`` of ``year``)."""
        if year is not None and month is not None:
            return self.month_counts.get((year, month), 0)
        if year is None and month is None:
            return sum(self.month_counts.values())
        return sum(
            count
            for (y, m), count in self.month_counts.items()
            if (year is None or y == year) and (month is None or m == month)
        )


def build_sidebar(site: SiteSettings, now: datetime | None = None) -> Sidebar:
    now = now or timezone.now()
    listed = Post.objects.listed(now)
    tz = site.tzinfo
    months = []
    month_counts = {}
    rows = (
        listed.annotate(month=TruncMonth("published_at", tzinfo=tz))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")
    )
    for row in rows:
        month = timezone.localtime(row["month"], tz) if timezone.is_aware(row["month"]) else row["month"]
        url = reverse("archives:month", kwargs={"year": f"{month.year:04d}", "month": f"{month.month:02d}"})
        months.append(Link(dateformat.format(month, "F Y"), url, row["count"]))
        month_counts[(month.year, month.month)] = month_counts.get((month.year, month.month), 0) + row["count"]
    listed_filter = Q(
        posts__status__in=LIVE_STATUSES, posts__published_at__lte=now, posts__password=""
    )
    categories = [
        Link(category.name, category.get_absolute_url(), category.count)
        for category in Category.objects.annotate(count=Count("posts", filter=listed_filter)).filter(count__gt=0)
    ]
    recent = [Link(post.title or "(no title)", post.get_absolute_url()) for post in listed.for_listing()[:RECENT_POSTS]]
    menu = _menu(now)
    next_scheduled = (
        Post.objects.filter(status__in=LIVE_STATUSES, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    page_paths = frozenset(Page.objects.values_list("path", flat=True))
    return Sidebar(
        months, categories, recent, menu, valid_until=next_scheduled, month_counts=month_counts, page_paths=page_paths
    )


def _menu(now) -> list[Link]:
    """The primary menu's top-level links if the site has one, else its top-level pages (as WordPress)."""
    items = MenuItem.objects.filter(menu="primary", parent__isnull=True).select_related("page", "post", "category")
    if items:
        links = [(item.get_label(), item.get_url()) for item in items]
        return [Link(label, url) for label, url in links if url]
    pages = Page.objects.listed(now).filter(parent__isnull=True).order_by("menu_order", "title")
    return [Link(page.title, page.get_absolute_url()) for page in pages]


_keys: dict[tuple, str] = {}


def _cache_key(site: SiteSettings) -> str:
    fields = (site.content_version, site.time_zone, site.permalink_structure)
    key = _keys.get(fields)
    if key is None:  # worked out once per version and shape, not on every request
        shape = f"{site.time_zone}|{site.permalink_structure}".encode()
        key = f"broadsheet:sidebar:{site.content_version}:{hashlib.sha1(shape).hexdigest()[:12]}"
        if len(_keys) >= 64:
            _keys.clear()
        _keys[fields] = key
    return key


_in_process: dict[str, Sidebar] = {}


def get_sidebar(site: SiteSettings) -> Sidebar:
    """Return the site-wide parts for this content version (built at most once per version and process).

    Kept in process memory, not in Django's cache: unpickling it cost ~0.7 ms a request (bench/).
    """
    key = _cache_key(site)
    sidebar = _in_process.get(key)
    now = timezone.now()
    if sidebar is None or (sidebar.valid_until is not None and sidebar.valid_until <= now):
        sidebar = build_sidebar(site, now)
        _in_process.clear()  # only the current version is worth keeping
        _in_process[key] = sidebar
    return sidebar


def clear_sidebar_cache() -> None:
    _in_process.clear()


def theme_context(request):
    site = getattr(request, "site", None) or SiteSettings.current()
    return {
        "site": site,
        "sidebar": SimpleLazyObject(lambda: get_sidebar(site)),
    }
