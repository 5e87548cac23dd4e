"""``/sitemap.xml``: listed posts and pages, archives and terms, with lastmod.

Django's sitemaps framework, with the domain and scheme taken from
``BROADSHEET_SITE_URL`` instead of the request. The view is Django's, its
XML written by ``urlset_xml`` instead of its template: the same bytes (a test
compares them), without a template loop over tens of thousands of URLs
(which took most of the sitemap's time on a 10,000-post site).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from broadsheet.content.models import Category, Page, Post, SiteSettings, Tag
from broadsheet.content.models.entries import LIVE_STATUSES


class SiteSitemap(Sitemap):
    limit = 50000  # the protocol's maximum per file; larger sites page with ?p=2

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


def with_permalink_relations(posts, structure: str):
    """``posts`` with what their permalinks read besides the row: categories or bylines, when ``structure`` names them."""
    from broadsheet.content.models.posts import PostAuthor

    if "%category%" in structure:
        posts = posts.prefetch_related("categories")
    if "%author%" in structure:
        posts = posts.prefetch_related(Prefetch(
            "authorships", queryset=PostAuthor.objects.select_related("author").order_by("position"),
            to_attr="ordered_authorships",
        ))  # fmt: skip
    return posts


class PostSitemap(SiteSitemap):
    def items(self):
        # Only what a permalink and lastmod read (whole rows would read every post's text).
        posts = Post.objects.listed().only("id", "slug", "published_at", "modified_at").order_by("-published_at", "-id")
        return with_permalink_relations(posts, SiteSettings.current().permalink_structure)

    def lastmod(self, item):
        return item.modified_at


class PageSitemap(SiteSitemap):
    def items(self):
        return Page.objects.listed().order_by("path")

    def lastmod(self, item):
        return item.modified_at


class MonthArchiveSitemap(SiteSitemap):
    def items(self):
        tz = SiteSettings.current().tzinfo
        return list(
            Post.objects.listed()
            .annotate(month=TruncMonth("published_at", tzinfo=tz))
            .values("month")
            .annotate(lastmod=Max("modified_at"))
            .order_by("-month")
        )

    def location(self, item):
        month = timezone.localtime(item["month"]) if timezone.is_aware(item["month"]) else item["month"]
        return reverse("archives:month", kwargs={"year": f"{month.year:04d}", "month": f"{month.month:02d}"})

    def lastmod(self, item):
        return item["lastmod"]


def _listed_posts_filter():
    return Q(posts__status__in=LIVE_STATUSES, posts__published_at__lte=timezone.now(), posts__password="")


class CategorySitemap(SiteSitemap):
    def items(self):
        return Category.objects.annotate(
            count=Count("posts", filter=_listed_posts_filter()),
            lastmod=Max("posts__modified_at", filter=_listed_posts_filter()),
        ).filter(count__gt=0).order_by("path")

    def lastmod(self, item):
        return item.lastmod


class TagSitemap(CategorySitemap):
    def items(self):
        return Tag.objects.annotate(
            count=Count("posts", filter=_listed_posts_filter()),
            lastmod=Max("posts__modified_at", filter=_listed_posts_filter()),
        ).filter(count__gt=0).order_by("slug")


SITEMAPS = {
    "posts": PostSitemap,
    "pages": PageSitemap,
    "months": MonthArchiveSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
}


URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
URLSET_END = "\n</urlset>\n"


def sitemap(request, sitemaps, section=None):
    """Django's sitemap view, its ``urlset`` written by ``urlset_xml``."""
    response = sitemap_views.sitemap(request, sitemaps, section=section)
    response.content = urlset_xml(response.context_data["urlset"])  # (marks the response rendered)
    return response


def urlset_xml(urls: list[dict]) -> str:
    """What Django's ``sitemap.xml`` template makes of ``urls``, byte for byte.

    (Values escaped as the template's autoescaping does, ``lastmod`` as its
    ``date:"Y-m-d"`` filter shows it in the current time zone, and the
    whitespace between tags removed as by its ``{% spaceless %}``.)
    """
    pieces = [URLSET_START]
    for url in urls:
        pieces.append(f"<url><loc>{escape(url['location'])}</loc>")
        lastmod = url.get("lastmod")
        if lastmod:
            if isinstance(lastmod, datetime.datetime) and timezone.is_aware(lastmod):
                lastmod = timezone.localtime(lastmod)
            pieces.append(f"<lastmod>{lastmod.year:04d}-{lastmod.month:02d}-{lastmod.day:02d}</lastmod>")
        if url.get("changefreq"):
            pieces.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        if url.get("priority"):
            pieces.append(f"<priority>{escape(url['priority'])}</priority>")
        for alternate in url.get("alternates") or ():
            pieces.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}"'
                f' href="{escape(alternate["location"])}"/>'
            )
        pieces.append("</url>")
    pieces.append(URLSET_END)
    return "".join(pieces)
