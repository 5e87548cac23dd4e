"""The lists of posts (/desk/posts/) and pages (/desk/pages/): filters, search, pages of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from broadsheet.accounts.capabilities import Capability, has_capability, require
from broadsheet.desk import listing
from broadsheet.desk.kinds import PAGES, POSTS

POSTS_PER_PAGE = 20
PAGES_PER_PAGE = 50


@dataclass(frozen=True)
class Row:
    entry: object
    can_edit: bool


@login_required
@require_safe
def post_list(request):
    require(request.user, Capability.EDIT_POSTS)
    user, site = request.user, request.site
    own = getattr(user, "author", None)
    scope = request.GET.get("scope") or listing.default_scope(user)
    scoped = listing.visible_posts(user, scope if scope in ("mine", "all") else "mine")
    form = listing.PostFilterForm(
        {**request.GET.dict(), "scope": scope}, month_choices=listing.month_choices(scoped, site.tzinfo)
    )
    if not form.is_valid():
        return _list_response(request, POSTS, form, rows=[], page=None, status=400)
    posts = listing.filter_posts(scoped, form.cleaned_data, site.tzinfo)
    page = Paginator(listing.for_rows(posts), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    own_id = own.pk if own is not None else None
    rows = [Row(post, listing.can_edit_listed(user, post, own_id)) for post in page.object_list]
    return _list_response(
        request, POSTS, form, rows=rows, page=page,
        status_counts=listing.status_counts(scoped), scope=scope,
        show_scopes=not has_capability(user, Capability.EDIT_OTHERS_POSTS) or own is not None,
    )  # fmt: skip


@login_required
@require_safe
def page_list(request):
    require(request.user, Capability.EDIT_PAGES)
    form = listing.EntryFilterForm(request.GET)
    if not form.is_valid():
        return _list_response(request, PAGES, form, rows=[], page=None, status=400)
    page = Paginator(listing.pages_for_rows(form.cleaned_data), PAGES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [Row(entry, True) for entry in page.object_list]  # editors edit every page
    return _list_response(request, PAGES, form, rows=rows, page=page, status_counts=listing.status_counts(
        PAGES.model.objects.all()))  # fmt: skip


def _list_response(request, kind, form, *, rows, page, status=200, **extra):
    filters = {name: value for name, value in request.GET.items() if name != "page" and value}
    context = {
        "kind": kind,
        "form": form,
        "rows": rows,
        "page_obj": page,
        "filters": filters,
        "page_query": urlencode(filters),
        **extra,
    }
    return TemplateResponse(request, "desk/entry_list.html", context, status=status)
