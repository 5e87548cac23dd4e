"""What the desk keeps besides content itself: revisions and autosaves of posts and pages.

Preview links need no table: they are signed, expiring tokens (see ``previews.py``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Revision(models.Model):
    """A copy of an entry's text as it was saved (or autosaved), WordPress's ``revision`` post type.

    A revision belongs to a post or a page. An autosave of an entry that was never saved belongs
    to neither: it is the writer's unsaved draft of a new post or page (``entry_type`` says which).
    Each user has at most one autosave per entry (WordPress's rule), replaced at each autosave
    and deleted when the entry is saved.
    """

    class Kind(models.TextChoices):
        REVISION = "revision", "Revision"
        AUTOSAVE = "autosave", "Autosave"

    entry_type = models.CharField(max_length=4, choices=[("post", "Post"), ("page", "Page")])
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("content.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REVISION)
    title = models.CharField(max_length=1000, blank=True, default="")
    slug = models.CharField(max_length=200, blank=True, default="")
    body = models.TextField(blank=True, default="")
    body_format = models.CharField(max_length=10, default="markdown")
    excerpt = models.TextField(blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True, default="")  # "Restored from the revision of …"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["post", "kind", "created_at"], name="revision_post"),
            models.Index(fields=["page", "kind", "created_at"], name="revision_page"),
            models.Index(fields=["user", "entry_type", "kind"], name="revision_user"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.title or '(no title)'} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def entry(self):
        return self.post or self.page

    def same_text_as(self, other) -> bool:
        """Whether this revision holds the same text as ``other`` (an entry or a revision)."""
        return all(getattr(self, name) == getattr(other, name) for name in TEXT_FIELDS)


# The fields a revision keeps, in the order the diff view shows them.
TEXT_FIELDS = ("title", "slug", "excerpt", "body_format", "body")
