"""Readers' comments on posts and pages.

A comment keeps what its writer typed (``body``, plain text) and the HTML
shown to readers (``rendered_html``), rendered once when it is saved. Which
comments readers see, and how they got there, is decided in
``broadsheet.comments.moderation``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# WordPress's column sizes: longer input is refused with a message, never cut.
NAME_MAX_LENGTH = 245
EMAIL_MAX_LENGTH = 100
URL_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 65525


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

    def on(self, entry):
        """Comments on ``entry``, a post or a page."""
        from broadsheet.content.models import Post

        return self.filter(post=entry) if isinstance(entry, Post) else self.filter(page=entry)

    def approved_counts(self, post_ids=None) -> dict[int, int]:
        """Return {post id: approved comments} for ``post_ids`` (None: every post) in one aggregate query."""
        which = {"post__isnull": False} if post_ids is None else {"post_id__in": list(post_ids)}
        rows = self.approved().filter(**which).values("post_id").annotate(count=models.Count("id"))
        return dict(rows.values_list("post_id", "count"))


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
    # The account that wrote it, when its writer was signed in (WordPress's user_id).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_name = models.CharField(max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField(max_length=EMAIL_MAX_LENGTH, blank=True, default="")
    author_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True, default="")
    author_ip = models.GenericIPAddressField(null=True, blank=True)
    author_agent = models.CharField(max_length=255, blank=True, default="")
    body = models.TextField(max_length=TEXT_MAX_LENGTH)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    # The status before the comment went to spam or trash, so "restore" and "not spam" put it back.
    previous_status = models.CharField(max_length=10, choices=Status.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # ``body`` as readers see it: escaped paragraphs and nofollow links (comments.rendering).
    rendered_html = models.TextField(blank=True, default="", editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The per-IP rate limit counts an address's recent comments.
            models.Index(fields=["author_ip", "created_at"], name="comment_ip_created"),
            # "Has this commenter an approved comment?" (moderation rules).
            models.Index(fields=["author_email", "status"], name="comment_email_status"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.entry}"

    def save(self, *args, **kwargs):
        from broadsheet.comments.rendering import render_comment_text

        self.rendered_html = render_comment_text(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "rendered_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the comment's permalink: its entry's comment page and ``#comment-ID``."""
        from broadsheet.comments.threads import comment_page_url

        return comment_page_url(self) + f"#comment-{self.pk}"

    @property
    def entry(self):
        return self.post if self.post_id else self.page

    @property
    def safe_author_url(self) -> str:
        """Return the writer's website if it is an http(s) address (imported data may hold anything)."""
        url = self.author_url.strip()
        return url if url.lower().startswith(("http://", "https://")) else ""

    @property
    def html(self) -> str:
        """Return the comment's text as safe HTML (rendered now if a bulk import stored none)."""
        if self.rendered_html or not self.body:
            return self.rendered_html
        from broadsheet.comments.rendering import render_comment_text

        return render_comment_text(self.body)
