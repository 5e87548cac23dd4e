from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from broadsheet.content.permalinks import reverse_memoized


class Author(models.Model):
    """A person shown as the author of posts: a user, or a guest author with no account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="author"
    )
    display_name = models.CharField(max_length=250)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    login = models.CharField(
        max_length=60, blank=True, default="", help_text=_("The WordPress login, when imported.")
    )
    email = models.EmailField(max_length=100, blank=True, default="")
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    website = models.URLField(max_length=200, blank=True, default="")
    bio = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse_memoized("archives:author", slug=self.slug)
