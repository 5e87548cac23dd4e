"""The desk's front page: the user's drafts and pending posts, what awaits review, recent posts."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from broadsheet.accounts.capabilities import Capability, has_capability, require
from broadsheet.content.models import Post, Status
from broadsheet.desk.listing import default_scope, for_rows, visible_posts

RECENT = 5


@login_required
@require_safe
def dashboard(request):
    require(request.user, Capability.READ_DESK)
    user = request.user
    context = {"can_write": has_capability(user, Capability.EDIT_POSTS)}
    if context["can_write"]:
        mine = visible_posts(user, "mine")
        context["own_drafts"] = mine.filter(status=Status.DRAFT).count()
        context["own_pending"] = mine.filter(status=Status.PENDING).count()
        context["recent"] = list(for_rows(visible_posts(user, default_scope(user)))[:RECENT])
    if has_capability(user, Capability.EDIT_OTHERS_POSTS):
        context["awaiting_review"] = Post.objects.filter(status=Status.PENDING).count()
    context["can_edit_pages"] = has_capability(user, Capability.EDIT_PAGES)
    context["can_manage_options"] = has_capability(user, Capability.MANAGE_OPTIONS)
    return TemplateResponse(request, "desk/dashboard.html", context)
