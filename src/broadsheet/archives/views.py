"""Listings of posts: home, date archives, category, tag and author archives.

Thin subclasses of Django's generic views. Querysets come from
``content.querysets`` (what may be listed, prefetched so the number of queries
does not grow with the number of posts); templates come from the theme.
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.encoding import iri_to_uri
from django.utils import dateformat
from django.views.generic import ListView
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView

from broadsheet.content.models import Author, Category, Post, Tag


class ListingMixin:
    """Pagination by the site's setting and the context every listing template expects."""

    context_object_name = "posts"
    page_kwarg = "page"
    listing_kind = "home"

    def get_queryset(self):
        return Post.objects.listed().for_summaries()

    def get_paginate_by(self, queryset):
        return self.request.site.posts_per_page

    def get_listing_title(self) -> str:
        return ""

    def get_base_path(self) -> str:
        """Return the listing's first-page path; pages 2+ live at ``<base>page/N/``."""
        return self.request.path.split("page/")[0] if "/page/" in self.request.path else self.request.path

    def get_feed_path(self) -> str | None:
        return None

    def get_context_data(self, **kwargs):
        from broadsheet.comments.threads import attach_comment_counts

        context = super().get_context_data(**kwargs)
        attach_comment_counts(context["object_list"], self.request.site)  # one aggregate query for the page
        page = context.get("page_obj")
        base = self.get_base_path()
        context.update(
            listing_kind=self.listing_kind,
            listing_title=self.get_listing_title(),
            base_path=base,
            feed_path=self.get_feed_path(),
            newer_url=_page_url(base, page.previous_page_number()) if page and page.has_previous() else None,
            older_url=_page_url(base, page.next_page_number()) if page and page.has_next() else None,
        )
        return context


def _page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


class HomeView(ListingMixin, ListView):
    template_name = "archives/home.html"
    allow_empty = True

    def get_queryset(self):
        return super().get_queryset().order_by("-sticky", "-published_at", "-id")

    def get_feed_path(self):
        return "/feed/"


class DateListingMixin(ListingMixin):
    date_field = "published_at"
    allow_future = False
    allow_empty = False
    month_format = "%m"
    day_format = "%d"
    period_format_field = "month_archive_format"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The theme shows posts, not a list of days or months: skip that query.
        return []

    def _no_neighbour(self, date):
        # The theme pages within a period (older/newer) and has no next-month
        # links, as WordPress's; skipping them saves two queries per page.
        return None

    get_next_year = get_previous_year = _no_neighbour
    get_next_month = get_previous_month = _no_neighbour
    get_next_day = get_previous_day = _no_neighbour

    def get_period(self) -> datetime.date:
        raise NotImplementedError

    def get_listing_title(self):
        site = self.request.site
        period = dateformat.format(self.get_period(), getattr(site, self.period_format_field))
        return site.archive_title_format.replace("{date}", period)


class YearView(DateListingMixin, YearArchiveView):
    template_name = "archives/date.html"
    make_object_list = True
    period_format_field = "year_archive_format"
    listing_kind = "year"

    def get_period(self):
        return datetime.date(int(self.get_year()), 1, 1)


class MonthView(DateListingMixin, MonthArchiveView):
    template_name = "archives/date.html"
    listing_kind = "month"

    def get_period(self):
        return datetime.date(int(self.get_year()), int(self.get_month()), 1)


class DayView(DateListingMixin, DayArchiveView):
    template_name = "archives/date.html"
    period_format_field = "day_archive_format"
    listing_kind = "day"

    def get_period(self):
        return datetime.date(int(self.get_year()), int(self.get_month()), int(self.get_day()))


class TermListingMixin(ListingMixin):
    """A listing of one category, tag or author.

    As in WordPress, an existing term with no public posts answers 200 with an
    empty listing; an unknown one is 404.
    """

    allow_empty = True
    title_format = "{name}"

    def get_term(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.term = self.get_term()
        return super().get(request, *args, **kwargs)

    def get_listing_title(self):
        return self.title_format.replace("{name}", str(self.term))

    def get_feed_path(self):
        return self.get_base_path() + "feed/"

    def get_template_names(self):
        # Most specific first, as in WordPress's template hierarchy.
        return [f"archives/{self.listing_kind}-{self.term.slug}.html", f"archives/{self.listing_kind}.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["term"] = self.term
        return context


class CategoryView(TermListingMixin, ListView):
    listing_kind = "category"
    title_format = "Category: {name}"

    def get_term(self):
        return get_object_or_404(Category, path=self.kwargs["path"])

    def get_queryset(self):
        return super().get_queryset().in_category(self.term)


class TagView(TermListingMixin, ListView):
    listing_kind = "tag"
    title_format = "Tag: {name}"

    def get_term(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def get_queryset(self):
        return super().get_queryset().filter(tags=self.term)


class AuthorView(TermListingMixin, ListView):
    listing_kind = "author"
    title_format = "Author: {name}"

    def get_term(self):
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def get_queryset(self):
        return super().get_queryset().filter(authors=self.term)


WORDPRESS_QUERY_VARS = frozenset(
    {"p", "page_id", "attachment_id", "cat", "category_name", "tag", "author", "author_name", "m", "feed", "paged"}
)


def home(request):
    """The front page, which also answers WordPress's query-string URLs (``?s=``, ``?p=``, ``?cat=``...)."""
    from broadsheet.legacy.resolvers import by_query
    from broadsheet.search.views import search

    if "s" in request.GET:
        return search(request)
    if WORDPRESS_QUERY_VARS.intersection(request.GET):
        location = by_query(request)
        if location is None:
            raise Http404("No such page.")
        return HttpResponsePermanentRedirect(iri_to_uri(location))
    return HomeView.as_view()(request)
