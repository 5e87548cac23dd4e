"""Addresses a site had before (WordPress permalinks, old slugs, old dates) that must keep answering."""

from django.db import models


class OldPath(models.Model):
    """A path that answers with a 301 to where its content lives now."""

    path = models.CharField(max_length=2000, unique=True)  # "/2009/01/02/old-slug/", decoded, with slashes
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("content.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    media = models.ForeignKey("media.MediaItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=50, blank=True, default="")  # "link", "_wp_old_slug", ...

    class Meta:
        verbose_name = "old address"

    def __str__(self):
        return self.path

    def target_url(self) -> str | None:
        """Return the current address of the content, or None if it is no longer public."""
        for entry in (self.post, self.page):
            if entry is not None:
                return entry.get_absolute_url() if entry.is_live else None
        if self.media is not None:
            return self.media.url or None
        return None
