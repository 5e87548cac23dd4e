from django.db import models
from django.db.models import Q
from django.urls import reverse

from broadsheet.content.models.authors import Author
from broadsheet.content.models.entries import Entry
from broadsheet.content.models.taxonomy import Category, Tag
from broadsheet.content.querysets import PostQuerySet


def join_names(names: list[str]) -> str:
    """Return names as English prose: "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Post(Entry):
    sticky = models.BooleanField(default=False)
    authors = models.ManyToManyField(Author, through="PostAuthor", related_name="posts", blank=True)
    categories = models.ManyToManyField(Category, related_name="posts", blank=True)
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    featured_image = models.ForeignKey(
        "media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="featured_in"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        indexes = [
            models.Index(fields=["status", "published_at"], name="post_status_published"),
            # Listings filter on status, time and password and order by time (measured in bench/).
            models.Index(fields=["status", "published_at", "password"], name="post_listed"),
            # The home page orders sticky posts first.
            models.Index(fields=["sticky", "published_at"], name="post_sticky_published"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="post_slug_unique"),
        ]

    def get_absolute_url(self):
        from broadsheet.content.models.site import SiteSettings
        from broadsheet.content.permalinks import build_post_path

        return build_post_path(self, SiteSettings.current())

    def reserved_slugs(self) -> frozenset:
        from broadsheet.content.models.pages import RESERVED_TOP_LEVEL, Page
        from broadsheet.content.models.site import SiteSettings

        if SiteSettings.current().permalink_structure.startswith("/%postname%"):
            # Posts answer at the top level too: never shadow a page.
            top_level_pages = Page.objects.filter(parent__isnull=True).values_list("slug", flat=True)
            return RESERVED_TOP_LEVEL | frozenset(top_level_pages)
        return RESERVED_TOP_LEVEL

    def get_comments_feed_url(self):
        return self.get_absolute_url() + "feed/"

    @property
    def ordered_authors(self) -> list[Author]:
        authorships = getattr(self, "ordered_authorships", None)
        if authorships is None:
            authorships = self.authorships.select_related("author").order_by("position")
            self.ordered_authorships = list(authorships)
        return [authorship.author for authorship in authorships]

    @property
    def byline(self) -> str:
        return join_names([author.display_name for author in self.ordered_authors])

    @property
    def primary_category(self) -> Category | None:
        categories = sorted(self.categories.all(), key=lambda category: category.pk)
        return categories[0] if categories else None

    def set_authors(self, authors: list[Author]) -> None:
        """Replace the post's authors with ``authors``, in that order."""
        self.authorships.all().delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=self, author=author, position=position) for position, author in enumerate(authors)
        )
        self.__dict__.pop("ordered_authorships", None)

    def get_edit_url(self):
        return reverse("admin:content_post_change", args=[self.pk])


class PostAuthor(models.Model):
    """One author of a post; ``position`` keeps the byline's order."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "author"], name="post_author_unique")]

    def __str__(self):
        return f"{self.author} on {self.post}"
