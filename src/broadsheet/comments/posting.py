"""Posting a reader's comment: the checks, the rules and the defences, in order.

``submit_comment`` is what the public form's view calls once the request is
known to come from this site and the form is valid. It raises
``CommentRefused`` (with the HTTP status to answer) when the comment is not
stored, and otherwise returns the stored comment with the status the rules
gave it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import BaseUserManager

from broadsheet.accounts.capabilities import Capability, has_capability
from broadsheet.comments import defences, moderation
from broadsheet.comments.forms import HONEYPOT_FIELD, STAMP_FIELD
from broadsheet.comments.models import Comment
from broadsheet.comments.signals import comment_posted
from broadsheet.comments.threads import thread_depth


class CommentRefused(Exception):
    """The comment is not stored; ``status`` is the HTTP answer, ``message`` says why."""

    def __init__(self, message: str, *, status: int = 400, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Commenter:
    name: str
    email: str
    url: str


def commenter_for_user(user) -> Commenter:
    """Return how a signed-in user appears on their comments: their author profile, else their account."""
    author = getattr(user, "author", None)
    name = (author.display_name if author else "") or user.get_full_name() or user.get_username()
    email = BaseUserManager.normalize_email(user.email or (author.email if author else ""))
    return Commenter(name[:245], email if len(email) <= 100 else "", (author.website if author else "")[:200])


def find_entry(data) -> object:
    """Return the post (``comment_post_ID``) or page (``comment_page_ID``) a comment answers."""
    from broadsheet.content.models import Page, Post

    for field, model in (("comment_post_ID", Post), ("comment_page_ID", Page)):
        raw = data.get(field, "")
        if raw:
            if not raw.isdigit() or len(raw) > 18:
                raise CommentRefused("This comment names no post.", status=400)
            entry = model.objects.filter(pk=int(raw)).first()
            if entry is None or not entry.is_public:
                raise CommentRefused("There is no such post to comment on.", status=404)
            return entry
    raise CommentRefused("This comment names no post.", status=400)


def check_entry_open(entry, site, *, unlocked: bool) -> None:
    """Refuse comments on protected entries not unlocked by this visitor, and on closed ones."""
    if entry.password and not unlocked:
        raise CommentRefused("This post is password protected: enter its password to comment.", status=403)
    reason = moderation.closing_reason(entry, site)
    if reason:
        raise CommentRefused(f"Sorry, comments are closed here. {reason}", status=403)


def submit_comment(entry, cleaned: dict, *, site, user, ip: str | None, agent: str, request=None) -> Comment:
    """Store a comment on ``entry`` from the public form's ``cleaned`` data, or raise ``CommentRefused``."""
    signed_in = user is not None and user.is_authenticated
    parent = None
    if cleaned.get("comment_parent"):
        parent = Comment.objects.on(entry).filter(pk=cleaned["comment_parent"], status=Comment.Status.APPROVED).first()
        if parent is None:
            raise CommentRefused("The comment you are replying to does not exist or is not approved.", status=400)
    if not has_capability(user, Capability.MODERATE_COMMENTS):
        wait = defences.rate_limit_exceeded(ip)
        if wait is not None:
            raise CommentRefused(
                f"You are posting comments too quickly. Please wait {wait} seconds and try again.",
                status=429, retry_after=wait,
            )  # fmt: skip
    who = commenter_for_user(user) if signed_in else Commenter(cleaned["author"], cleaned["email"], cleaned["url"])
    comment = Comment(
        parent=moderation.attach_parent(parent, thread_depth(site)),
        user=user if signed_in else None,
        author_name=who.name, author_email=who.email, author_url=who.url,
        author_ip=ip, author_agent=agent[:255], body=cleaned["comment"],
    )  # fmt: skip
    comment.post, comment.page = (entry, None) if _is_post(entry) else (None, entry)
    if defences.is_duplicate(comment):
        raise CommentRefused(defences.DUPLICATE_MESSAGE, status=409)
    status, _reason = moderation.decide_status(comment, site, user if signed_in else None)
    if cleaned.get(HONEYPOT_FIELD):
        status = Comment.Status.SPAM
    elif not signed_in and status != Comment.Status.SPAM:
        verdict = defences.judge_stamp(cleaned.get(STAMP_FIELD, ""))
        if verdict.status == Comment.Status.SPAM or (verdict.status and status == Comment.Status.APPROVED):
            status = verdict.status
    comment.status = status
    comment.save()
    comment_posted.send(sender=Comment, comment=comment, request=request)
    return comment


def _is_post(entry) -> bool:
    from broadsheet.content.models import Post

    return isinstance(entry, Post)


def post_reply(parent: Comment, user, text: str, *, request=None) -> Comment:
    """Publish a moderator's reply to ``parent`` (approving ``parent`` first if it was held, as WordPress)."""
    from broadsheet.content.models import SiteSettings

    if parent.status == Comment.Status.PENDING:
        moderation.apply_action(parent, "approve", user)
    who = commenter_for_user(user)
    reply = Comment(
        post_id=parent.post_id, page_id=parent.page_id,
        parent=moderation.attach_parent(parent, thread_depth(SiteSettings.current())),
        user=user, author_name=who.name, author_email=who.email, author_url=who.url,
        author_ip=defences.client_ip(request) if request else None, body=text, status=Comment.Status.APPROVED,
    )  # fmt: skip
    reply.save()
    comment_posted.send(sender=Comment, comment=reply, request=request)
    return reply
