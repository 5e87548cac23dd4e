"""Listings of posts: home, date archives, category, tag and author archives.

Thin subclasses of Django's generic views. Querysets come from
``content.querysets`` (what may be listed, prefetched so the number of queries
does not grow with the number of posts); templates come from the theme.

A listing page costs three queries (its posts with their comment counts, the
bylines, and featured images only when a post on the page has one) besides
the site's settings: the home page and the year and month archives take their
totals from the sidebar's per-version month counts (``CountedPaginator``)
instead of a ``COUNT(*)``, and date archives find an empty period from the
page itself instead of a separate ``exists()``.
"""

from __future__ import annotations

import datetime

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.encoding import iri_to_uri
from django.utils import dateformat, timezone
from django.views.generic import ListView
from django.views.generic.dates import DayArchiveView, MonthArchiveView, YearArchiveView

from broadsheet.content.models import Author, Category, Post, Tag
from broadsheet.content.prepared import attach_bylines, attach_terms, prepared
from broadsheet.theme.context import get_sidebar


class CountedPaginator(Paginator):
    """A paginator told the listing's total instead of counting it with a query.

    The page reads one row more than it shows: when the rows disagree with the
    total (content changed without the content version moving), the real count
    is taken, so a reader never gets a wrong page or wrong older/newer links.
    """

    def __init__(self, object_list, per_page, *, known_count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = known_count  # instead of the cached_property's COUNT(*)

    def page(self, number):
        try:
            number = self.validate_number(number)
        except EmptyPage:
            return self._recounted_page(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = list(self.object_list[bottom : top + 1])
        if len(rows) != top - bottom + (1 if top < self.count else 0):
            return self._recounted_page(number)
        return self._get_page(rows[: top - bottom], number, self)

    def _recounted_page(self, number):
        for name in ("count", "num_pages"):
            self.__dict__.pop(name, None)
        return super().page(number)


class PreparedListing:
    """A listing's posts, read a page at a time through a prepared query (what the paginator slices).

    ``build(now=..., **bounds)`` returns the listing's queryset; it is compiled
    once per process and page slice (``content.prepared``), and each page's
    posts get their bylines (and categories, when permalinks name them) in one
    query each, as ``for_summaries()`` would give them. Anything but a slice,
    and counting, go through the queryset itself.
    """

    def __init__(self, key: tuple, build, values: dict):
        self.key, self.build, self.values = key, build, values
        self.params = {name: type(value) for name, value in values.items()}

    def queryset(self):
        return self.build(**self.values)

    def count(self) -> int:
        return self.queryset().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            return self.queryset()[index]
        start, stop = index.start or 0, index.stop
        query = prepared((*self.key, start, stop), lambda **values: self.build(**values)[start:stop], self.params)
        posts = query.instances(**self.values)
        if posts:
            attach_bylines(posts)
            if "%category%" in self.key[1]:
                attach_terms(posts)
        return posts


def _summaries(now):
    """Listed posts as listing pages read them (``for_summaries()`` without its prefetches), with comment counts."""
    return Post.objects.listed(now).defer("body", "plain_text", "excerpt").with_comment_counts()


class ListingMixin:
    """Pagination by the site's setting and the context every listing template expects."""

    context_object_name = "posts"
    page_kwarg = "page"
    listing_kind = "home"

    def get_queryset(self):
        # Featured images are loaded for the page's posts only when one has one (get_context_data).
        return Post.objects.listed().for_summaries().select_related(None).with_comment_counts()

    def get_paginate_by(self, queryset):
        return self.request.site.posts_per_page

    def get_listing_total(self) -> int | None:
        """Return how many posts the listing has when known without a query (None: count them)."""
        return None

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        total = self.get_listing_total() if isinstance(queryset, (QuerySet, PreparedListing)) and not orphans else None
        if total is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        return CountedPaginator(
            queryset, per_page, known_count=total, allow_empty_first_page=allow_empty_first_page, **kwargs
        )

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
        posts = context["object_list"]
        attach_comment_counts(posts, self.request.site)  # counts come annotated: no query of its own
        prefetch_related_objects([post for post in posts if post.featured_image_id], "featured_image")
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
        def build(now):
            return _summaries(now).order_by("-sticky", "-published_at", "-id")

        structure = self.request.site.permalink_structure
        return PreparedListing(("home", structure), build, {"now": timezone.now()})

    def get_feed_path(self):
        return "/feed/"

    def get_listing_total(self):
        return get_sidebar(self.request.site).posts_in()


class DateListingMixin(ListingMixin):
    model = Post  # what Django's date views ask of get_queryset() only to learn the model (uses_datetime_field)
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

    def get_dated_queryset(self, **lookup):
        # An empty period is still a 404 (allow_empty = False), but found by the paginator
        # from the page's own rows: Django's separate exists() query is skipped.
        field = self.get_date_field()
        if set(lookup) == {f"{field}__gte", f"{field}__lt"} and field == "published_at" and not self.get_allow_future():

            def build(now, since, until):
                # As Django's date views filter (the period, and nothing from the future).
                return _summaries(now).filter(published_at__gte=since, published_at__lt=until, published_at__lte=now)

            values = {"now": timezone.now(), "since": lookup[f"{field}__gte"], "until": lookup[f"{field}__lt"]}
            return PreparedListing(("dated", self.request.site.permalink_structure), build, values)
        allow_empty, self.allow_empty = self.allow_empty, True
        try:
            return super().get_dated_queryset(**lookup)
        finally:
            self.allow_empty = allow_empty

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

    def get_listing_total(self):
        return get_sidebar(self.request.site).posts_in(int(self.get_year()))


class MonthView(DateListingMixin, MonthArchiveView):
    template_name = "archives/date.html"
    listing_kind = "month"

    def get_period(self):
        return datetime.date(int(self.get_year()), int(self.get_month()), 1)

    def get_listing_total(self):
        return get_sidebar(self.request.site).posts_in(int(self.get_year()), int(self.get_month()))


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
