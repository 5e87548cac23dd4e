"""The public-visibility rules, in one place.

``live()`` is what a reader may open; ``listed()`` is what listings, feeds,
search, the sitemap and counts show (password-protected entries are live but
never listed).
"""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from broadsheet.content.models.entries import LIVE_STATUSES


class EntryQuerySet(models.QuerySet):
    def live(self, now=None):
        return self.filter(status__in=LIVE_STATUSES, published_at__lte=now or timezone.now())

    def listed(self, now=None):
        return self.live(now).filter(password="")

    def in_period(self, start, end):
        """Entries published in [start, end), both aware datetimes."""
        return self.filter(published_at__gte=start, published_at__lt=end)


class PostQuerySet(EntryQuerySet):
    def for_listing(self, *, with_categories: bool = True):
        """Fetch what a listing shows (authors in order, categories, featured image) in a fixed number of queries."""
        from broadsheet.content.models.posts import PostAuthor

        queryset = self.select_related("featured_image").prefetch_related(
            models.Prefetch(
                "authorships",
                queryset=PostAuthor.objects.select_related("author").order_by("position"),
                to_attr="ordered_authorships",
            )
        )
        return queryset.prefetch_related("categories") if with_categories else queryset

    def for_summaries(self):
        """What listing pages show: bylines (and categories only when permalinks name them); no source text."""
        from broadsheet.content.models.site import SiteSettings

        needs_categories = "%category%" in SiteSettings.current().permalink_structure
        return self.for_listing(with_categories=needs_categories).defer("body", "plain_text", "excerpt")

    def with_comment_counts(self):
        """Annotate ``comment_count``, each post's approved comments, in the same query (a subquery per row)."""
        from broadsheet.comments.models import Comment

        approved = (
            Comment.objects.approved()
            .filter(post=models.OuterRef("pk"))
            .order_by()
            .values("post")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(comment_count=Coalesce(models.Subquery(approved), 0))

    def in_category(self, category):
        return self.filter(categories__in=category.get_descendant_ids()).distinct()


class PageQuerySet(EntryQuerySet):
    pass
