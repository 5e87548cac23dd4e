"""The moderation queue under /desk/comments/: tabs, row actions, bulk actions, reply and edit.

Every view checks permissions itself (``moderation.can_moderate_comment``):
editors and administrators moderate all comments, authors those on their own
posts, contributors none (403 on any action). The list only ever shows the
comments the user may moderate.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts.capabilities import Capability, require
from broadsheet.comments import moderation
from broadsheet.comments.forms import CommentEditForm, ReplyForm
from broadsheet.comments.models import Comment
from broadsheet.comments.posting import post_reply

Status = Comment.Status
PER_PAGE = 20
MAX_BULK = 500
TABS = (
    ("all", "All", Q(status__in=(Status.PENDING, Status.APPROVED))),
    ("pending", "Pending", Q(status=Status.PENDING)),
    ("approved", "Approved", Q(status=Status.APPROVED)),
    ("spam", "Spam", Q(status=Status.SPAM)),
    ("trash", "Trash", Q(status=Status.TRASH)),
)
_TAB_FILTERS = {key: condition for key, _label, condition in TABS}
DONE = {
    "approve": "approved", "unapprove": "unapproved", "spam": "marked as spam", "unspam": "restored from spam",
    "trash": "moved to the trash", "restore": "restored", "delete": "deleted permanently",
}  # fmt: skip


def _queryset(user):
    return moderation.moderatable_comments(user).exclude(kind=Comment.Kind.NOTE)


@login_required
@require_http_methods(["GET", "HEAD"])
def queue(request):
    require(request.user, Capability.READ_DESK)
    tab = request.GET.get("status", "all")
    if tab not in _TAB_FILTERS:
        tab = "all"
    comments = _queryset(request.user)
    counts = comments.aggregate(**{key: Count("id", filter=condition) for key, _label, condition in TABS})
    shown = comments.filter(_TAB_FILTERS[tab])
    search = request.GET.get("s", "").strip()[:200]
    if search:
        shown = shown.filter(
            Q(author_name__icontains=search) | Q(author_email__icontains=search) | Q(body__icontains=search)
            | Q(author_url__icontains=search) | Q(author_ip__startswith=search)
        )  # fmt: skip
    shown = shown.select_related("post", "page", "parent").order_by("-created_at", "-id")
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "tabs": [(key, label, counts[key]) for key, label, _condition in TABS],
        "tab": tab,
        "search": search,
        "page_obj": page,
        "rows": [(comment, _row_actions(comment)) for comment in page.object_list],
        "can_moderate": moderation.can_moderate_any(request.user),
        "bulk_actions": [(key, label) for key, (label, _statuses) in moderation.ACTIONS.items()],
        "here": request.get_full_path(),
    }
    return TemplateResponse(request, "comments/desk/queue.html", context)


def _row_actions(comment: Comment) -> list[tuple[str, str]]:
    return [(key, label) for key, (label, statuses) in moderation.ACTIONS.items() if comment.status in statuses]


def _moderatable(request, pk: int) -> Comment:
    require(request.user, Capability.READ_DESK)
    comment = get_object_or_404(Comment.objects.select_related("post", "page"), pk=pk)
    if not moderation.can_moderate_comment(request.user, comment):
        raise PermissionDenied("You may not moderate this comment.")
    return comment


def _back(request) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    queue_url = reverse("comments:queue")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith(queue_url)
    return HttpResponseRedirect(target if safe else queue_url, status=303)


@login_required
@require_POST
def action(request, pk: int, action: str):
    if action not in moderation.ACTIONS:
        raise Http404("No such action.")
    comment = _moderatable(request, pk)
    if moderation.apply_action(comment, action, request.user):
        messages.success(request, f"Comment by {comment.author_name} {DONE[action]}.")
    else:
        messages.info(request, f"Nothing to do: the comment is {comment.get_status_display().lower()}.")
    return _back(request)


@login_required
@require_POST
def bulk_action(request):
    require(request.user, Capability.READ_DESK)
    action = request.POST.get("action", "")
    if action not in moderation.ACTIONS:
        messages.error(request, "Choose an action to apply to the selected comments.")
        return _back(request)
    raw_ids = request.POST.getlist("ids")
    if len(raw_ids) > MAX_BULK or not all(raw.isdigit() and len(raw) <= 18 for raw in raw_ids):
        return HttpResponseBadRequest("Select at most 500 comments.")
    comments = list(Comment.objects.select_related("post", "page").filter(pk__in=[int(raw) for raw in raw_ids]))
    if not comments:
        messages.error(request, "Select one or more comments first.")
        return _back(request)
    if not all(moderation.can_moderate_comment(request.user, comment) for comment in comments):
        raise PermissionDenied("You may not moderate some of the selected comments.")
    changed = sum(moderation.apply_action(comment, action, request.user) for comment in comments)
    messages.success(request, f"{changed} {'comment' if changed == 1 else 'comments'} {DONE[action]}.")
    return _back(request)


@login_required
@require_POST
def reply(request, pk: int):
    parent = _moderatable(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("body", []):
            messages.error(request, error)
        return _back(request)
    if parent.status not in (Status.PENDING, Status.APPROVED):
        messages.error(request, "You can only reply to pending or approved comments.")
        return _back(request)
    post_reply(parent, request.user, form.cleaned_data["body"], request=request)
    messages.success(request, f"Your reply to {parent.author_name} is published.")
    return _back(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk: int):
    comment = _moderatable(request, pk)
    initial = {"author": comment.author_name, "email": comment.author_email, "url": comment.author_url, "body": comment.body}
    form = CommentEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        comment.author_name, comment.author_email = data["author"], data["email"]
        comment.author_url, comment.body = data["url"], data["body"]
        comment.save(update_fields=["author_name", "author_email", "author_url", "body"])
        messages.success(request, f"Comment by {comment.author_name} saved.")
        return _back(request)
    context = {"comment": comment, "form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return TemplateResponse(request, "comments/desk/edit.html", context, status=400 if form.errors else 200)
