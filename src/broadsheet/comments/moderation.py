"""WordPress's discussion rules: who may comment where, and what happens to a new comment.

Plain functions over the site's ``SiteSettings`` (Settings → Discussion in
WordPress), used by the public form, the moderation queue and the tests:

- comments are open when the entry's ``comment_status`` is open and, for posts,
  the post is younger than ``comments_close_after_days`` (0: never closes);
- a comment by a user who can moderate it (editors, administrators, the post's
  own authors) is approved;
- otherwise it is held if it has ``comments_moderation_links`` links or more,
  if a moderation word is found in its name, email, website, IP address,
  browser or text, or, with ``comments_require_approved_before``, if its
  writer (by email; by account when signed in) has no approved comment yet;
  else it is approved;
- in every case, a blocked word in those fields makes it spam.
"""

from __future__ import annotations

import datetime
import re

from django.db.models import Q
from django.utils import timezone

from broadsheet.accounts.capabilities import Capability, can_edit_entry, has_capability
from broadsheet.comments.models import Comment

Status = Comment.Status


# -- where comments are open ------------------------------------------------------


def closing_reason(entry, site, now: datetime.datetime | None = None) -> str | None:
    """Return why ``entry`` takes no new comments, or None when comments are open."""
    from broadsheet.content.models import Post

    if entry.comment_status != "open":
        return "Comments are closed on this page."
    days = site.comments_close_after_days
    if days and isinstance(entry, Post) and entry.published_at is not None:
        if entry.published_at < (now or timezone.now()) - datetime.timedelta(days=days):
            return f"Comments are closed on posts older than {days} days."
    return None


def comments_open(entry, site, now: datetime.datetime | None = None) -> bool:
    return closing_reason(entry, site, now) is None


# -- who moderates what ------------------------------------------------------------


def can_moderate_comment(user, comment: Comment) -> bool:
    """Whether ``user`` may approve, edit or delete ``comment``.

    Editors and administrators moderate every comment; authors moderate comments
    on the posts they may edit (their own, as WordPress lets them); contributors
    and readers moderate none.
    """
    if has_capability(user, Capability.MODERATE_COMMENTS):
        return True
    if not has_capability(user, Capability.EDIT_PUBLISHED_POSTS) or comment.entry is None:
        return False
    return can_edit_entry(user, comment.entry)


def moderatable_comments(user):
    """Return the comments ``user`` may moderate (the queue's rows)."""
    if has_capability(user, Capability.MODERATE_COMMENTS):
        return Comment.objects.all()
    author = getattr(user, "author", None) if has_capability(user, Capability.EDIT_PUBLISHED_POSTS) else None
    if author is None:
        return Comment.objects.none()
    return Comment.objects.filter(post__authorships__author=author)


def can_moderate_any(user) -> bool:
    return has_capability(user, Capability.MODERATE_COMMENTS) or has_capability(
        user, Capability.EDIT_PUBLISHED_POSTS
    )


def _writes_with_authority(user, entry) -> bool:
    """A comment by a moderator, or by one of the entry's own authors, is approved (WordPress)."""
    from broadsheet.content.models import Post

    if user is None or not user.is_authenticated:
        return False
    if has_capability(user, Capability.MODERATE_COMMENTS):
        return True
    author = getattr(user, "author", None)
    if author is None:
        return False
    if isinstance(entry, Post):
        return entry.authorships.filter(author=author).exists()
    return entry.author_id == author.pk


# -- threading ---------------------------------------------------------------------


def attach_parent(parent: Comment | None, max_depth: int) -> Comment | None:
    """Return the comment a reply to ``parent`` hangs under, so it is at most ``max_depth`` deep.

    Threading off (depth 1): every comment is top-level. A reply that would be
    deeper than allowed hangs under the ancestor one level above the deepest, so
    it shows at the deepest level, after the comment it answers.
    """
    if parent is None or max_depth <= 1:
        return None
    chain = [parent.pk]  # the parent, then its approved ancestors
    current = parent.parent_id
    while current is not None and len(chain) < 100:
        row = Comment.objects.filter(pk=current, status=Status.APPROVED).values_list("parent_id", flat=True)
        found = list(row)
        if not found:
            break  # an ancestor readers do not see: the thread shows from here
        chain.append(current)
        current = found[0]
    depth = len(chain)
    if depth < max_depth:
        return parent
    return Comment.objects.get(pk=chain[depth - max_depth + 1])


# -- what happens to a new comment ------------------------------------------------


def word_list(text: str) -> list[str]:
    """Return the words or phrases of a settings field: one a line, blank lines ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def matching_word(words: list[str], comment: Comment) -> str | None:
    """Return the first of ``words`` found (case-insensitively) in the comment's checked fields."""
    fields = [
        comment.author_name, comment.author_email, comment.author_url,
        str(comment.author_ip or ""), comment.author_agent, comment.body,
    ]  # fmt: skip
    for word in words:
        pattern = re.compile(re.escape(word), re.IGNORECASE)
        if any(pattern.search(value) for value in fields if value):
            return word
    return None


def count_links(comment: Comment) -> int:
    """Return the number of links readers would see in the comment's text."""
    from broadsheet.comments.rendering import render_comment_text

    return render_comment_text(comment.body).count("<a ")


def has_approved_comment(comment: Comment) -> bool:
    """Whether the comment's writer has an approved comment already (by account or by email)."""
    mine = Q(author_email=comment.author_email) if comment.author_email else Q(pk__in=[])
    if comment.user_id:
        mine |= Q(user_id=comment.user_id)
    return Comment.objects.filter(mine, status=Status.APPROVED).exists()


def decide_status(comment: Comment, site, user=None) -> tuple[str, str]:
    """Return (status, reason) for a new ``comment`` by the discussion rules."""
    blocked = matching_word(word_list(site.comments_blocked_words), comment)
    if blocked is not None:
        return Status.SPAM, "a blocked word"
    if _writes_with_authority(user, comment.entry):
        return Status.APPROVED, "written by a moderator or the post's author"
    if site.comments_moderation_links and count_links(comment) >= site.comments_moderation_links:
        return Status.PENDING, f"{site.comments_moderation_links} or more links"
    if matching_word(word_list(site.comments_moderation_words), comment) is not None:
        return Status.PENDING, "a moderation word"
    if site.comments_require_approved_before and not has_approved_comment(comment):
        return Status.PENDING, "the writer's first comment"
    return Status.APPROVED, "an approved commenter"


# -- moderators' actions ----------------------------------------------------------

ACTIONS = {
    # action: (label, the statuses it applies to)
    "approve": ("Approve", {Status.PENDING}),
    "unapprove": ("Unapprove", {Status.APPROVED}),
    "spam": ("Spam", {Status.PENDING, Status.APPROVED}),
    "unspam": ("Not spam", {Status.SPAM}),
    "trash": ("Trash", {Status.PENDING, Status.APPROVED, Status.SPAM}),
    "restore": ("Restore", {Status.TRASH}),
    "delete": ("Delete permanently", {Status.SPAM, Status.TRASH}),
}


def apply_action(comment: Comment, action: str, user=None) -> bool:
    """Apply a moderation ``action`` to ``comment``; return whether anything changed.

    Spam and trash remember the status they came from, so "not spam" and
    "restore" put the comment back where it was (as WordPress's trash meta does).
    """
    from broadsheet.comments.signals import comment_status_changed

    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if comment.status not in ACTIONS[action][1]:
        return False
    if action == "delete":
        comment.delete()
        return True
    old = comment.status
    if action == "approve":
        new = Status.APPROVED
    elif action == "unapprove":
        new = Status.PENDING
    elif action in ("spam", "trash"):
        new = Status.SPAM if action == "spam" else Status.TRASH
        comment.previous_status = old
    else:  # unspam, restore
        new = comment.previous_status if comment.previous_status in (Status.PENDING, Status.APPROVED) else Status.PENDING
        comment.previous_status = ""
    comment.status = new
    comment.save(update_fields=["status", "previous_status"])
    comment_status_changed.send(sender=Comment, comment=comment, old_status=old, new_status=new, user=user)
    return True
