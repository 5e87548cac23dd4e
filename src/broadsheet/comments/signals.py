"""Comment events, and the receivers that keep the public side in step.

Signals (sender is always ``Comment``):

- ``comment_posted``   # provides args: comment, request — a reader's comment was stored
- ``comment_status_changed``   # provides args: comment, old_status, new_status, user

Any save or delete of a comment that is, or was, approved changes what readers
see, so it bumps ``SiteSettings.content_version`` like any other public change.
"""

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import Signal, receiver

from broadsheet.comments.models import Comment

comment_posted = Signal()
comment_status_changed = Signal()


@receiver(post_init, sender=Comment)
def remember_loaded_status(sender, instance, **kwargs):
    instance._loaded_status = instance.status if instance.pk else None


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def bump_version_on_visible_change(sender, instance, raw=False, **kwargs):
    from broadsheet.content.models import SiteSettings

    if raw:
        return
    approved = Comment.Status.APPROVED
    if approved in (instance.status, getattr(instance, "_loaded_status", None)):
        SiteSettings.bump_content_version()
    instance._loaded_status = instance.status


@receiver(comment_posted)
def notify_on_post(sender, comment, **kwargs):
    from broadsheet.comments.notifications import notify_new_comment

    notify_new_comment(comment)


@receiver(comment_status_changed)
def notify_on_approval(sender, comment, old_status, new_status, **kwargs):
    from broadsheet.comments.notifications import notify_authors

    if new_status == Comment.Status.APPROVED and old_status == Comment.Status.PENDING:
        notify_authors(comment)
