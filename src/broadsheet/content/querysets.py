"""The public-visibility rules, in one place.

``live()`` is what a reader may open; ``listed()`` is what listings, feeds,
search, the sitemap and counts show (password-protected entries are live but
never listed).
"""

from django.db import connections, models
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
        """Annotate ``comment_count``, each post's approved comments, in the same query (a subquery per row).

        The subquery is written out: it is the same as ``Comment.objects.approved()``
        counted per post, without building that queryset on every request.
        """
        from broadsheet.comments.models import Comment

        quote = connections[self.db].ops.quote_name
        comments, posts = quote(Comment._meta.db_table), quote(self.model._meta.db_table)
        counted = (
            f"SELECT COUNT(*) FROM {comments} WHERE {comments}.{quote('post_id')} = {posts}.{quote('id')}"
            f" AND {comments}.{quote('status')} = %s AND {comments}.{quote('kind')} <> %s"
        )
        approved = (Comment.Status.APPROVED.value, Comment.Kind.NOTE.value)
        return self.annotate(comment_count=models.expressions.RawSQL(counted, approved, output_field=models.IntegerField()))

    def in_category(self, category):
        return self.filter(categories__in=category.get_descendant_ids()).distinct()


class PageQuerySet(EntryQuerySet):
    pass
