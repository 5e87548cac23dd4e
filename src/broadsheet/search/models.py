"""The search index: one document per post or page, kept in step by signals.

The full-text index over it is the database's own: an FTS5 table on SQLite,
a GIN index over a weighted tsvector on PostgreSQL (see the migrations).
"""

from django.db import models


class SearchDocument(models.Model):
    kind = models.CharField(max_length=10)  # "post" or "page"
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField()
    published_at = models.DateTimeField(null=True)
    listed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")]
        indexes = [models.Index(fields=["listed", "published_at"], name="search_listed_published")]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"
