"""Email about comments, through Django's mail (SMTP, or the console by default).

As WordPress: the entry's authors hear of each new approved comment
(``comments_notify_authors``), and moderators of each held one
(``comments_notify_moderators``): editors and administrators, and the post's
authors who may moderate it. Nobody is sent their own comment. Each
recipient gets a separate message, so addresses are never shared.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from broadsheet.accounts.capabilities import ROLE_CAPABILITIES, Capability
from broadsheet.comments.models import Comment

logger = logging.getLogger(__name__)


def notify_new_comment(comment: Comment) -> int:
    """Send the mail a newly posted comment calls for; return the number of messages sent."""
    if comment.status == Comment.Status.APPROVED:
        return notify_authors(comment)
    if comment.status == Comment.Status.PENDING:
        return notify_moderators(comment)
    return 0  # spam is never announced


def notify_authors(comment: Comment) -> int:
    from broadsheet.content.models import SiteSettings

    site = SiteSettings.current()
    if not site.comments_notify_authors:
        return 0
    subject = f"[{site.title}] Comment: “{_one_line(comment.entry.title)}”"
    body = _describe(comment, f"New comment on “{comment.entry.title}”") + (
        f"\nYou can see all comments on this post here:\n{_absolute(comment.entry.get_absolute_url())}#comments\n"
    )
    return _send(subject, body, _author_addresses(comment), comment)


def notify_moderators(comment: Comment) -> int:
    from broadsheet.comments.moderation import can_moderate_comment
    from broadsheet.content.models import SiteSettings

    site = SiteSettings.current()
    if not site.comments_notify_moderators:
        return 0
    roles = [role for role, capabilities in ROLE_CAPABILITIES.items() if Capability.MODERATE_COMMENTS in capabilities]
    moderators = get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name__in=roles), is_active=True)
    addresses = {user.email for user in moderators.distinct() if user.email}
    for user in _author_users(comment):
        if user.email and can_moderate_comment(user, comment):
            addresses.add(user.email)
    subject = f"[{site.title}] Please moderate: “{_one_line(comment.entry.title)}”"
    body = _describe(comment, f"A new comment on “{comment.entry.title}” is waiting for your approval") + (
        f"\nApprove, spam or trash it in the moderation queue:\n{_absolute(reverse('comments:queue'))}?status=pending\n"
    )
    return _send(subject, body, addresses, comment)


def _author_users(comment: Comment) -> list:
    from broadsheet.content.models import Post

    entry = comment.entry
    if isinstance(entry, Post):
        authors = [authorship.author for authorship in entry.authorships.select_related("author__user")]
    else:
        authors = [entry.author] if entry.author_id else []
    return [author.user for author in authors if author.user_id]


def _author_addresses(comment: Comment) -> set[str]:
    from broadsheet.content.models import Post

    entry = comment.entry
    if isinstance(entry, Post):
        authors = [authorship.author for authorship in entry.authorships.select_related("author__user")]
    else:
        authors = [entry.author] if entry.author_id else []
    addresses = set()
    for author in authors:
        if author.user_id and comment.user_id == author.user_id:
            continue  # their own comment
        email = (author.user.email if author.user_id else "") or author.email
        if email:
            addresses.add(email)
    return addresses


def _send(subject: str, body: str, addresses: set[str], comment: Comment) -> int:
    own = comment.author_email.lower()
    sent = 0
    for address in sorted(addresses):
        if own and address.lower() == own:
            continue  # never mail writers their own comment
        try:
            sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # noqa: BLE001 — a mail server's failure must not lose the reader's comment
            logger.exception("Could not send comment notification to %s", address)
    return sent


def _describe(comment: Comment, heading: str) -> str:
    return (
        f"{heading}\n\n"
        f"Author: {comment.author_name} (IP address: {comment.author_ip or 'unknown'})\n"
        f"Email: {comment.author_email or '—'}\n"
        f"URL: {comment.author_url or '—'}\n"
        f"Comment:\n{comment.body}\n"
    )


def _one_line(text: str) -> str:
    return " ".join((text or "(no title)").split())[:150]


def _absolute(path: str) -> str:
    return settings.SITE_URL + path
