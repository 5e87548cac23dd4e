from django.db import models, transaction
from django.db.models import Q

from broadsheet.content.models.authors import Author
from broadsheet.content.models.entries import Entry
from broadsheet.content.querysets import PageQuerySet


RESERVED_TOP_LEVEL = frozenset(
    {"page", "feed", "category", "tag", "author", "search", "comments", "sitemap.xml", "robots.txt",
     "static", "media", "desk", "admin", "wp-admin", "wp-content", "wp-includes", "index.php"}
)  # fmt: skip


class Page(Entry):
    """A standalone page answered at its path (``/about/``, ``/about/team/``)."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    menu_order = models.IntegerField(default=0)
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="pages")
    # Slash-joined slugs from the root ("about/team"), kept in step by save().
    path = models.CharField(max_length=1000, blank=True, default="", editable=False)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["menu_order", "title"]
        constraints = [models.UniqueConstraint(fields=["path"], condition=~Q(path=""), name="page_path_unique")]

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = self.path
            self.ensure_slug()
            self.path = self._compute_path()
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in self.children.all():
                    child.save(touch=False)

    def slug_scope(self):
        return Page.objects.filter(parent_id=self.parent_id)

    def reserved_slugs(self) -> frozenset:
        # Top-level pages must not shadow the site's own routes.
        return RESERVED_TOP_LEVEL if self.parent_id is None else frozenset()

    def get_absolute_url(self):
        return f"/{self.path}/" if self.path else f"/?page_id={self.pk}"

    def get_comments_feed_url(self):
        return self.get_absolute_url() + "feed/"

    @property
    def byline(self) -> str:
        return self.author.display_name if self.author_id else ""

    def _compute_path(self) -> str:
        if not self.slug:
            return ""
        slugs = [self.slug]
        seen = {self.pk}
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValueError(f"page {self.slug!r} would be its own ancestor")
            seen.add(parent.pk)
            slugs.append(parent.slug)
            parent = parent.parent
        return "/".join(reversed(slugs))
