"""The public comment form's target and the form's time stamp.

Public pages are cached and served identically to everyone, so the form
carries no per-visitor token. This view is therefore exempt from Django's
CSRF middleware, and checks instead that the post comes from this site
(Origin/Referer). A signed-in visitor's request carries their session, so
for them the CSRF check is run after all (only the inner view is
``csrf_protect``-ed, as Django's flatpages does); their pages are not cached
and render the token, and the form's script fetches one otherwise.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from broadsheet.comments import defences
from broadsheet.comments.forms import CONSENT_FIELD, CommentForm
from broadsheet.comments.models import Comment
from broadsheet.comments.posting import CommentRefused, check_entry_open, find_entry, submit_comment
from broadsheet.comments.threads import preview_url

COMMENTER_COOKIE = "broadsheet_commenter"
COMMENTER_COOKIE_AGE = 30_000_000  # WordPress's comment cookie lifetime (~347 days)


@csrf_exempt
@require_POST
def post_comment(request):
    """Take a comment from the public form (also answers ``/wp-comments-post.php``)."""
    problem = defences.same_site_problem(request)
    if problem:
        return _refusal(request, CommentRefused(problem, status=403))
    if request.user.is_authenticated:
        return _post_signed_in(request)
    return _post(request)


def _post(request):
    from broadsheet.content.passwords import is_unlocked

    entry = form = None
    try:
        entry = find_entry(request.POST)
        check_entry_open(entry, request.site, unlocked=is_unlocked(request, entry))
        form = CommentForm(request.POST, identity_required=not request.user.is_authenticated)
        if not form.is_valid():
            return _refusal(request, CommentRefused("Your comment could not be posted."), entry=entry, form=form)
        comment = submit_comment(
            entry, form.cleaned_data, site=request.site, user=request.user, ip=defences.client_ip(request),
            agent=request.META.get("HTTP_USER_AGENT", ""), request=request,
        )  # fmt: skip
    except CommentRefused as refusal:
        return _refusal(request, refusal, entry=entry, form=form)
    if comment.status == Comment.Status.APPROVED:
        location = comment.get_absolute_url()
    else:
        location = preview_url(comment)
    response = HttpResponseRedirect(location, status=303)
    if not request.user.is_authenticated:
        _remember_commenter(request, response, form.cleaned_data)
    add_never_cache_headers(response)
    return response


# Signed-in visitors: the same view, with Django's CSRF check.
_post_signed_in = csrf_protect(_post)


def _remember_commenter(request, response, data: dict) -> None:
    """Keep name, email and website in a cookie only if the writer asked (WordPress's consent box)."""
    if data.get(CONSENT_FIELD):
        value = quote(json.dumps({"name": data["author"], "email": data["email"], "url": data["url"]}), safe="")
        response.set_cookie(
            COMMENTER_COOKIE, value, max_age=COMMENTER_COOKIE_AGE, samesite="Lax", secure=request.is_secure(),
            httponly=False,  # the form's script reads it to fill the form on cached pages
        )  # fmt: skip
    elif COMMENTER_COOKIE in request.COOKIES:
        response.delete_cookie(COMMENTER_COOKIE, samesite="Lax")


def _refusal(request, refusal: CommentRefused, *, entry=None, form=None):
    from broadsheet.comments.posting import commenter_for_user
    from broadsheet.content.models import Post

    context = {
        "refusal": refusal, "entry": entry, "form": form,
        "comment_target_field": "comment_post_ID" if isinstance(entry, Post) else "comment_page_ID",
        "commenter": commenter_for_user(request.user) if request.user.is_authenticated else None,
    }  # fmt: skip
    response = TemplateResponse(request, "comments/refused.html", context, status=refusal.status)
    if refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    add_never_cache_headers(response)
    return response


@require_safe
def form_stamp(request):
    """Return a signed time for the form's fill-time check (and a CSRF token for signed-in users)."""
    data = {"stamp": defences.make_stamp()}
    if request.user.is_authenticated:
        data["csrf"] = get_token(request)
    response = JsonResponse(data)
    add_never_cache_headers(response)
    return response
