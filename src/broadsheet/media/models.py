"""Uploaded and imported files: images, audio, documents."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from broadsheet.media.filetypes import kind_of

KINDS = ("image", "audio", "video", "document")


class MediaItemQuerySet(models.QuerySet):
    def of_kind(self, kind: str):
        """Return the items of ``kind`` ("image", "audio", "video", "document"); all for anything else."""
        if kind in ("image", "audio", "video"):
            return self.filter(mime_type__startswith=kind + "/")
        if kind == "document":
            return self.exclude(mime_type__startswith="image/").exclude(mime_type__startswith="audio/").exclude(
                mime_type__startswith="video/"
            )
        return self


class MediaItem(models.Model):
    """A file in the media store (``MEDIA_ROOT``), or, when its file is missing, at its original URL.

    Uploaded images carry generated sizes in ``sizes``: ``{"medium": {"file": "2026/11/x-300x200.jpg",
    "url": "/media/2026/11/x-300x200.jpg", "width": 300, "height": 200}, ...}`` (see ``imaging.IMAGE_SIZES``).
    """

    file = models.FileField(upload_to="%Y/%m/", max_length=500, blank=True, db_index=True)
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
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="media_uploads"
    )
    original_name = models.CharField(max_length=255, blank=True, default="")  # as the uploader's computer named it
    file_size = models.PositiveBigIntegerField(null=True, blank=True)  # bytes of the stored file
    sizes = models.JSONField(default=dict, blank=True)

    objects = MediaItemQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title or self.file.name or self.original_url

    def delete(self, *args, **kwargs):
        """Delete the item, then its file and generated sizes once the transaction commits."""
        names = self.stored_names()
        result = super().delete(*args, **kwargs)
        transaction.on_commit(lambda: _delete_files(names))
        return result

    @property
    def url(self) -> str:
        """Return where the file is served: the media store if present, else its original address."""
        return self.file.url if self.file else self.original_url

    @property
    def kind(self) -> str:
        """Return "image", "audio", "video" or "document"."""
        return kind_of(self.mime_type)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    def stored_names(self) -> list[str]:
        """Return the names, in the media store, of the file and its generated sizes."""
        names = [self.file.name] if self.file else []
        return names + [size["file"] for size in self.sizes.values() if size.get("file")]

    def size_url(self, name: str) -> str:
        """Return the URL of the generated size ``name``, else of the file itself."""
        size = self.sizes.get(name)
        return size["url"] if size else self.url

    @property
    def thumbnail_url(self) -> str:
        """Return a small version for lists: the thumbnail size, else the image itself ("" for other files)."""
        if not self.is_image:
            return ""
        return self.size_url("thumbnail")

    @property
    def stored_size(self) -> int | None:
        """Return the stored file's size in bytes, reading the disk for imported files."""
        if self.file_size is not None or not self.file:
            return self.file_size
        try:
            return self.file.size
        except OSError:
            return None


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass  # already gone; a missing file is no reason to fail a delete
