"""Comment threads as readers see them: nested to the site's depth, in date order, paginated.

Pagination follows WordPress: a page holds ``comments_per_page`` top-level
comments with all their replies; page 1 (the oldest) is the post's own URL and
page N lives at ``<post URL>comment-page-N/``. A reply nested deeper than the
thread depth is shown at the deepest level, after its ancestor (as
WordPress's walker does), and a reply whose parent is not approved is shown
at the top level.

Building a page costs two queries when the entry has comments (the thread's
shape, then the page's comments) and one when it has none, or none when the
entry came with its count of approved comments (``find_post``) and it is 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from broadsheet.comments.models import Comment

# How long the link that shows a held comment to its writer works (WordPress: ten minutes).
PREVIEW_SECONDS = 10 * 60


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    children: list[ThreadNode] = field(default_factory=list)
    pending: bool = False  # a held comment, shown only to its writer through the preview link


@dataclass
class CommentThread:
    nodes: list[ThreadNode]
    total: int  # approved comments on the entry (all pages)
    page: int
    pages: int
    base_url: str
    max_depth: int

    @property
    def older_url(self) -> str | None:
        return page_url(self.base_url, self.page - 1) if self.page > 1 else None

    @property
    def newer_url(self) -> str | None:
        return page_url(self.base_url, self.page + 1) if self.page < self.pages else None

    @property
    def threaded(self) -> bool:
        return self.max_depth > 1


@dataclass(frozen=True)
class _Shape:
    """The approved comments of an entry as ids: top-level order and children."""

    top_level: list[int]
    children: dict[int, list[int]]
    parents: dict[int, int | None]  # in date order

    def root_of(self, comment_id: int) -> int:
        seen = set()
        while self.parents.get(comment_id) is not None and comment_id not in seen:
            seen.add(comment_id)
            comment_id = self.parents[comment_id]
        return comment_id


def page_url(base_url: str, number: int) -> str:
    """Return the URL of comment page ``number`` of the entry at ``base_url``."""
    if number <= 1:
        return base_url
    return (base_url if base_url.endswith("/") else base_url + "/") + f"comment-page-{number}/"


def thread_depth(site) -> int:
    """Return the nesting allowed by the site (1: no threading)."""
    return max(1, min(int(site.comments_thread_depth or 1), 10))


def _shape(entry, *, threaded: bool) -> _Shape:
    if getattr(entry, "comment_count", None) == 0:  # counted by the entry's own query (find_post): no thread
        return _Shape([], {}, {})
    rows = list(Comment.objects.approved().on(entry).order_by("created_at", "id").values_list("id", "parent_id"))
    ids = {comment_id for comment_id, _ in rows}
    parents: dict[int, int | None] = {}
    children: dict[int, list[int]] = {}
    top_level = []
    for comment_id, parent_id in rows:
        if not threaded or parent_id not in ids:
            parents[comment_id] = None
            top_level.append(comment_id)
        else:
            parents[comment_id] = parent_id
            children.setdefault(parent_id, []).append(comment_id)
    return _Shape(top_level, children, parents)


def comment_page_count(entry, site) -> int:
    """Return how many comment pages ``entry`` has (1 when it has no approved comment)."""
    return _page_count(len(_shape(entry, threaded=thread_depth(site) > 1).top_level), site.comments_per_page)


def _page_count(top_level: int, per_page: int) -> int:
    return max(1, math.ceil(top_level / per_page)) if per_page else 1


def build_thread(entry, site, *, page: int = 1, preview: Comment | None = None) -> CommentThread | None:
    """Return comment page ``page`` of ``entry``, or None if there is no such page.

    ``preview`` (a held comment, for its writer only) is placed under its parent
    when that is on the page, else at the end of the page.
    """
    max_depth = thread_depth(site)
    shape = _shape(entry, threaded=max_depth > 1)
    per_page = site.comments_per_page
    pages = _page_count(len(shape.top_level), per_page)
    if page < 1 or page > pages:
        return None
    roots = shape.top_level[(page - 1) * per_page : page * per_page] if per_page else shape.top_level
    order: list[tuple[int, int, int | None]] = []  # (comment id, depth, id of the node it hangs under)
    for root in roots:
        _walk(root, 1, None, shape, max_depth, order)
    comments = Comment.objects.in_bulk([comment_id for comment_id, _, _ in order]) if order else {}
    nodes: dict[int, ThreadNode] = {}
    top: list[ThreadNode] = []
    for comment_id, depth, under in order:
        node = ThreadNode(comments[comment_id], depth)
        nodes[comment_id] = node
        (nodes[under].children if under is not None else top).append(node)
    if preview is not None:
        parent = nodes.get(preview.parent_id) if max_depth > 1 else None
        if parent is not None and parent.depth < max_depth:
            parent.children.append(ThreadNode(preview, parent.depth + 1, pending=True))
        else:
            top.append(ThreadNode(preview, parent.depth if parent else 1, pending=True))
    return CommentThread(top, len(shape.parents), page, pages, entry.get_absolute_url(), max_depth)


def _walk(comment_id, depth, under, shape: _Shape, max_depth: int, order: list) -> None:
    order.append((comment_id, depth, under))
    if depth < max_depth:
        for child in shape.children.get(comment_id, ()):
            _walk(child, depth + 1, comment_id, shape, max_depth, order)
        return
    # At the deepest level, descendants follow as siblings, in date order.
    descendants = []
    stack = list(shape.children.get(comment_id, ()))
    while stack:
        child = stack.pop()
        descendants.append(child)
        stack.extend(shape.children.get(child, ()))
    if descendants:
        rank = {comment_id: index for index, comment_id in enumerate(shape.parents)}  # date order
        for child in sorted(descendants, key=rank.__getitem__):
            order.append((child, depth, under))


def comment_page_number(comment: Comment, site=None) -> int:
    """Return the comment page ``comment`` is shown on (a held reply: its parent's page)."""
    from broadsheet.content.models import SiteSettings

    site = site or SiteSettings.current()
    per_page = site.comments_per_page
    if not per_page:
        return 1
    shape = _shape(comment.entry, threaded=thread_depth(site) > 1)
    if comment.pk in shape.parents:
        root = shape.root_of(comment.pk)
    elif comment.parent_id in shape.parents and thread_depth(site) > 1:
        root = shape.root_of(comment.parent_id)
    else:
        return _page_count(len(shape.top_level), per_page)  # the end of the thread
    return shape.top_level.index(root) // per_page + 1


def comment_page_url(comment: Comment) -> str:
    """Return the URL of the comment page that shows ``comment``."""
    return page_url(comment.entry.get_absolute_url(), comment_page_number(comment))


# -- showing a held comment to its writer -----------------------------------------


def moderation_hash(comment: Comment) -> str:
    """Return the secret that lets a held comment's writer see it (for a short while)."""
    return salted_hmac("broadsheet.comments.preview", f"{comment.pk}:{comment.created_at.isoformat()}").hexdigest()


def preview_url(comment: Comment) -> str:
    """Return where a held comment's writer goes after posting: their comment, shown to them only."""
    base = comment_page_url(comment)
    return f"{base}?unapproved={comment.pk}&moderation-hash={moderation_hash(comment)}#comment-{comment.pk}"


def find_preview(request, entry) -> Comment | None:
    """Return the held comment named by ``?unapproved=ID&moderation-hash=…`` if the link is valid."""
    raw_id, given = request.GET.get("unapproved", ""), request.GET.get("moderation-hash", "")
    if not raw_id.isdigit() or len(raw_id) > 18 or not given:
        return None
    comment = (
        Comment.objects.on(entry)
        .filter(pk=int(raw_id), status__in=(Comment.Status.PENDING, Comment.Status.SPAM))
        .first()
    )
    if comment is None or (timezone.now() - comment.created_at).total_seconds() > PREVIEW_SECONDS:
        return None
    return comment if constant_time_compare(given, moderation_hash(comment)) else None


# -- what the entry's template gets ------------------------------------------------


def comments_context(request, entry, *, page: int = 1) -> dict | None:
    """Return the comment section's context for ``entry``, or None if comment page ``page`` does not exist.

    ``comments_private`` is true when the page shows a held comment to its
    writer: that response must never be cached or shared.
    """
    from broadsheet.comments.moderation import closing_reason

    site = request.site
    preview = find_preview(request, entry)
    thread = build_thread(entry, site, page=page, preview=preview)
    if thread is None:
        return None
    reason = closing_reason(entry, site)
    return {
        "comment_thread": thread,
        "comments_open": reason is None,
        "comments_closed_reason": reason,
        "comment_preview": preview,
        "comments_private": preview is not None,
        "reply_to": _reply_to(request, entry, thread) if reason is None else None,
        "comment_target_field": "comment_post_ID" if _is_post(entry) else "comment_page_ID",
        "commenter": _commenter(request),
    }


def _commenter(request):
    from broadsheet.comments.posting import commenter_for_user

    user = getattr(request, "user", None)
    return commenter_for_user(user) if user is not None and user.is_authenticated else None


def attach_comment_counts(posts, site) -> None:
    """Give each post of a listing ``comment_count`` and ``comments_open``.

    Counts annotated by the listing's query (``PostQuerySet.with_comment_counts``)
    are kept; otherwise they are fetched in one aggregate query. ``posts`` may
    be the listing's queryset: it is evaluated here and keeps its results, so
    the template iterates the same objects.
    """
    from broadsheet.comments.moderation import closing_reason

    posts = list(posts)
    if not posts:
        return
    if not all(hasattr(post, "comment_count") for post in posts):
        counts = Comment.objects.approved_counts(post.pk for post in posts)
        for post in posts:
            post.comment_count = counts.get(post.pk, 0)
    for post in posts:
        post.comments_open = closing_reason(post, site) is None


def _reply_to(request, entry, thread: CommentThread) -> Comment | None:
    """The comment named by ``?replytocom=ID`` (the no-JavaScript reply link), if readers can see it."""
    raw = request.GET.get("replytocom", "")
    if not thread.threaded or not raw.isdigit() or len(raw) > 18:
        return None
    return Comment.objects.approved().on(entry).filter(pk=int(raw)).first()


def _is_post(entry) -> bool:
    from broadsheet.content.models import Post

    return isinstance(entry, Post)
