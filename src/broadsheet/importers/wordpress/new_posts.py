"""The new posts of one import batch, written in a few statements instead of one save each.

``Post.save()`` costs a query or two for the slug, one for the reserved page slugs, the
INSERT and the search document's INSERT, each with its signals. An import of 20,000 posts
pays that 20,000 times, so new posts are gathered here and written at the end of the batch
(or before anything else writes a post): rendered as ``save()`` renders them, given the
slug ``Entry.ensure_slug`` would give them one after another in file order, then inserted
with their search documents, bylines, categories and tags in one statement per table.

``bulk_create`` sends no ``post_save``: what listens to it for posts is done here by hand
(the search document); the content version is bumped by ``batched_changes()`` around the
batch.
"""

from __future__ import annotations

from django.utils import timezone

from broadsheet.content.models import Post, PostAuthor
from broadsheet.content.models.entries import LIVE_STATUSES
from broadsheet.content.slugs import slugify_title, unique_slug
from broadsheet.importers.wordpress.rows import writer
from broadsheet.search.indexing import index_new_entries


class NewPosts:
    """Gather a batch's new posts (WordPress IDs kept as keys) and write them in bulk."""

    def __init__(self, candidate_slugs: list[str], wanted_ids: list[int]):
        self._candidate_slugs = candidate_slugs  # every post slug of the batch, looked up in one query
        self._wanted_ids = wanted_ids  # every post ID of the batch, ditto
        self._checked: set[str] | None = None  # candidates looked up...
        self._taken: set[str] = set()  # ...and those some stored post already has
        self._taken_ids: set[int] | None = None
        self._reserved: frozenset | None = None  # Post.reserved_slugs(), once per batch
        self._pending_slugs: set[str] = set()
        self._posts: list[Post] = []
        self._bylines: list[tuple[Post, list, list, list]] = []

    def can_keep_id(self, wp_id: int) -> bool:
        """Whether a new post may take WordPress's ID as its key (no stored post has it)."""
        if self._taken_ids is None:
            self._taken_ids = set(Post.objects.filter(pk__in=self._wanted_ids).values_list("pk", flat=True))
        return wp_id not in self._taken_ids

    def add(self, post: Post, authors: list, categories: list, tags: list, rendered: dict | None = None) -> None:
        """Prepare ``post`` (its ``pk`` set) as ``Post.save(touch=False)`` would, to be written by :meth:`flush`.

        ``rendered``: the fields ``post.render()`` sets, when the reader process rendered this
        body with this key already (see preparation.py).
        """
        if post.status in LIVE_STATUSES and post.published_at is None:
            post.published_at = timezone.now()
        post.slug = self._slug_for(post)
        if rendered is None:
            post.render()
        else:
            for name, value in rendered.items():
                setattr(post, name, value)
        self.can_keep_id(post.pk)  # loads the batch's taken IDs if not yet done
        self._taken_ids.add(post.pk)
        self._posts.append(post)
        self._bylines.append((post, authors, categories, tags))

    def _slug_for(self, post: Post) -> str:
        """Return the slug ``Entry.ensure_slug`` would give ``post`` after the batch's earlier posts."""
        slug = post.slug or slugify_title(post.title)
        if not slug:
            return ""
        if self._checked is None:
            self._checked = set(self._candidate_slugs)
            self._taken = set(Post.objects.filter(slug__in=self._checked).values_list("slug", flat=True))
        if self._reserved is None:
            self._reserved = Post().reserved_slugs()
        if slug not in self._checked or slug in self._taken or slug in self._pending_slugs or slug in self._reserved:
            slug = unique_slug(Post.objects.all(), slug, reserved=self._reserved | self._pending_slugs)
        self._pending_slugs.add(slug)
        return slug

    def saved_elsewhere(self, entry) -> None:
        """Note a post or page saved the ordinary way in this batch (after :meth:`flush`)."""
        if isinstance(entry, Post):
            if self._taken_ids is not None:
                self._taken_ids.add(entry.pk)
            self._checked = None  # a stored slug may have changed: look the candidates up again
        else:
            self._reserved = None  # a top-level page's slug is reserved for posts

    def flush(self) -> None:
        """Insert the gathered posts, their search documents, bylines, categories and tags."""
        if not self._posts:
            return
        writer(Post).insert_objects(self._posts)
        index_new_entries(self._posts)
        writer(PostAuthor, with_key=False).insert(
            [
                {"post_id": post.pk, "author_id": author.pk, "position": n}
                for post, authors, _, _ in self._bylines
                for n, author in enumerate(authors)
            ]
        )
        writer(Post.categories.through, with_key=False).insert(
            [
                {"post_id": post.pk, "category_id": category.pk}
                for post, _, categories, _ in self._bylines
                for category in categories
            ]
        )
        writer(Post.tags.through, with_key=False).insert(
            [{"post_id": post.pk, "tag_id": tag.pk} for post, _, _, tags in self._bylines for tag in tags]
        )
        if self._checked is not None:
            self._checked |= self._pending_slugs
            self._taken |= self._pending_slugs
        self._pending_slugs = set()
        self._posts, self._bylines = [], []
