from django.db import models, transaction

from broadsheet.content.permalinks import reverse_memoized


class Category(models.Model):
    """A hierarchical category, answered at ``/category/parent/child/``."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True, default="")
    # Slash-joined slugs from the root ("news/world"), kept in step by save().
    path = models.CharField(max_length=1000, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = self.path
            self.path = self._compute_path()
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in self.children.all():
                    child.save()

    def get_absolute_url(self):
        return reverse_memoized("archives:category", path=self.path)

    def _compute_path(self):
        if self.parent_id is None:
            return self.slug
        seen = {self.pk}
        parent = self.parent
        slugs = [self.slug]
        while parent is not None:
            if parent.pk in seen:
                raise ValueError(f"category {self.slug!r} would be its own ancestor")
            seen.add(parent.pk)
            slugs.append(parent.slug)
            parent = parent.parent
        return "/".join(reversed(slugs))

    def get_descendant_ids(self) -> list[int]:
        """Return this category's id and those of all categories below it."""
        prefix = self.path + "/"
        return [self.pk, *Category.objects.filter(path__startswith=prefix).values_list("pk", flat=True)]


class Tag(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_memoized("archives:tag", slug=self.slug)
