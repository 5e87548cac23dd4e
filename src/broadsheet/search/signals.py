from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from broadsheet.content.models import Page, Post
from broadsheet.search.indexing import index_entry, unindex_entry


@receiver(post_save, sender=Post)
@receiver(post_save, sender=Page)
def index_on_save(sender, instance, created=False, raw=False, **kwargs):
    if not raw:
        index_entry(instance, created=created)


@receiver(post_delete, sender=Post)
@receiver(post_delete, sender=Page)
def unindex_on_delete(sender, instance, **kwargs):
    unindex_entry(instance)
