"""What an import keeps of the WordPress site, beyond Broadsheet's own content.

Each imported object is keyed by (site, WordPress ID), so re-importing the same
or an updated export updates in place. The fields Broadsheet has no column for
(postmeta, GUIDs, ping status, other taxonomies' terms, menu items, patterns...)
are kept here as the export wrote them, which is what makes the export back to
WXR lossless.
"""

from django.db import models
from django.utils import timezone


class WordPressSite(models.Model):
    base_url = models.CharField(max_length=500, unique=True)  # wp:base_blog_url, else the channel link
    title = models.CharField(max_length=500, blank=True, default="")
    link = models.CharField(max_length=500, blank=True, default="")
    description = models.TextField(blank=True, default="")
    language = models.CharField(max_length=50, blank=True, default="")
    wxr_version = models.CharField(max_length=10, blank=True, default="")
    base_site_url = models.CharField(max_length=500, blank=True, default="")
    permalink_structure = models.CharField(max_length=200, blank=True, default="")
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.base_url


class WordPressAuthor(models.Model):
    site = models.ForeignKey(WordPressSite, on_delete=models.CASCADE, related_name="authors")
    login = models.CharField(max_length=200)
    wp_id = models.BigIntegerField(null=True, blank=True)  # wp:author_id
    author = models.ForeignKey("content.Author", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "login"], name="wp_author_unique")]


class WordPressTerm(models.Model):
    site = models.ForeignKey(WordPressSite, on_delete=models.CASCADE, related_name="terms")
    taxonomy = models.CharField(max_length=100)
    slug = models.CharField(max_length=200)
    term_id = models.BigIntegerField(null=True, blank=True)
    name = models.TextField(blank=True, default="")
    parent_slug = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    meta = models.JSONField(default=list, blank=True)
    category = models.ForeignKey("content.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tag = models.ForeignKey("content.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "taxonomy", "slug"], name="wp_term_unique")]


class WordPressItem(models.Model):
    site = models.ForeignKey(WordPressSite, on_delete=models.CASCADE, related_name="items")
    wp_id = models.BigIntegerField()
    post_type = models.CharField(max_length=50)
    status = models.CharField(max_length=20)
    # The item as exported, minus comments: every field, for the exporter and for reports.
    record = models.JSONField(default=dict)
    # Later items of the file with the same ID (real exports have them: one menu item in two menus).
    duplicates = models.JSONField(default=list, blank=True)
    # A digest of the item and its comments as last imported (and of what else shaped the rows):
    # a re-import leaves items whose digest is unchanged alone (see load._digest).
    source_hash = models.CharField(max_length=64, blank=True, default="")
    post = models.OneToOneField("content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="wordpress")
    page = models.OneToOneField("content.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="wordpress")
    media = models.OneToOneField(
        "media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="wordpress"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "wp_id"], name="wp_item_unique")]
        indexes = [models.Index(fields=["site", "post_type"], name="wp_item_type")]


class WordPressComment(models.Model):
    site = models.ForeignKey(WordPressSite, on_delete=models.CASCADE, related_name="comments")
    wp_id = models.BigIntegerField()
    item_wp_id = models.BigIntegerField()
    parent_wp_id = models.BigIntegerField(default=0)  # wp:comment_parent, 0 for a top-level comment
    record = models.JSONField(default=dict)
    comment = models.OneToOneField(
        "comments.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="wordpress"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "wp_id"], name="wp_comment_unique")]
