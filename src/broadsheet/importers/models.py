"""What the importers remember between runs, so a second import updates instead of duplicating."""

from django.db import models


class ImportedSource(models.Model):
    """One post's origin: the importer and its stable key for the source item.

    For the Markdown importer the key is the file's path relative to the
    imported folder (POSIX separators); ``content_hash`` is the SHA-256 of the
    file's bytes, so an unchanged file leaves its post alone.
    """

    importer = models.CharField(max_length=30)
    key = models.CharField(max_length=1000)
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="imported_sources")
    content_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["importer", "key"], name="imported_source_unique"),
        ]

    def __str__(self):
        return f"{self.importer}:{self.key}"
