from django.db import models


class MenuItem(models.Model):
    """One link of the site's navigation menu (the theme shows the "primary" menu in its header).

    A link points at a page, post or category (so it follows them when they move) or at a URL.
    """

    menu = models.CharField(max_length=100, default="primary", db_index=True)
    label = models.CharField(max_length=500, blank=True, default="")
    url = models.CharField(max_length=2000, blank=True, default="")
    page = models.ForeignKey("content.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("content.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.IntegerField(default=0)

    class Meta:
        ordering = ["menu", "position", "id"]

    def __str__(self):
        return self.label or self.url

    def get_label(self) -> str:
        target = self.page or self.post or self.category
        return self.label or (str(target) if target else self.url)

    def get_url(self) -> str | None:
        """Return where the link goes, or None when its target is not public."""
        for entry in (self.page, self.post):
            if entry is not None:
                return entry.get_absolute_url() if entry.is_listed else None
        if self.category is not None:
            return self.category.get_absolute_url()
        return self.url or None
