"""Uploaded and imported files: images, audio, documents."""

from django.db import models
from django.utils import timezone


class MediaItem(models.Model):
    """A file in the media store (``MEDIA_ROOT``), or, when its file is missing, at its original URL."""

    file = models.FileField(upload_to="%Y/%m/", max_length=500, blank=True)
    original_url = models.URLField(max_length=2000, blank=True, default="")
    title = models.CharField(max_length=1000, blank=True, default="")
    caption = models.TextField(blank=True, default="")
    alt_text = models.CharField(max_length=1000, blank=True, default="")
    description = models.TextField(blank=True, default="")
    mime_type = models.CharField(max_length=100, blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    parent_post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    parent_page = models.ForeignKey(
        "content.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title or self.file.name or self.original_url

    @property
    def url(self) -> str:
        """Return where the file is served: the media store if present, else its original address."""
        return self.file.url if self.file else self.original_url
