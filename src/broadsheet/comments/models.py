"""Readers' comments on posts and pages.

The foundation stores and lists approved comments (the comment feeds read
them); posting, moderation and notifications build on this model.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Approved reader comments, pingbacks and trackbacks (never editorial notes)."""
        return self.filter(status=Comment.Status.APPROVED).exclude(kind=Comment.Kind.NOTE)

    def public(self):
        """Approved comments on entries that anonymous readers may list."""
        from broadsheet.content.models.entries import LIVE_STATUSES

        now = timezone.now()
        on_post = models.Q(post__status__in=LIVE_STATUSES, post__published_at__lte=now, post__password="")
        on_page = models.Q(page__status__in=LIVE_STATUSES, page__published_at__lte=now, page__password="")
        return self.approved().filter(on_post | on_page)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        PINGBACK = "pingback", _("Pingback")
        TRACKBACK = "trackback", _("Trackback")
        NOTE = "note", _("Editorial note")  # WordPress 6.9 block notes: never public

    # A comment answers a post or (as WordPress allows) a page.
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    page = models.ForeignKey("content.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    author_name = models.CharField(max_length=245)
    author_email = models.EmailField(max_length=100, blank=True, default="")
    author_url = models.URLField(max_length=200, blank=True, default="")
    author_ip = models.GenericIPAddressField(null=True, blank=True)
    body = models.TextField(max_length=65525)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author_name} on {self.entry}"

    @property
    def entry(self):
        return self.post if self.post_id else self.page

    def get_absolute_url(self):
        return f"{self.entry.get_absolute_url()}#comment-{self.pk}"
