"""WordPress's sign-in and admin addresses, for its users' bookmarks and habits.

``/wp-login.php`` leads to the sign-in page (``?action=lostpassword`` to the password reset,
``?redirect_to=`` kept when it is on this site), and ``/wp-admin/…`` to the desk's matching
page (``post-new.php`` to a new post, ``edit-comments.php`` to the comment queue…), or its
dashboard. These are temporary redirects (302): where they lead depends on the query.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from broadsheet.accounts.redirects import safe_next

# wp-admin's screens and the desk's, by the script's name (and post_type, for pages).
_ADMIN_SCREENS = {
    "": "desk:dashboard",
    "index.php": "desk:dashboard",
    "edit.php": "desk:posts",
    "edit.php?page": "desk:pages",
    "post-new.php": "desk:post_new",
    "post-new.php?page": "desk:page_new",
    "upload.php": "media:library",
    "media-new.php": "media:library",
    "edit-comments.php": "comments:queue",
    "users.php": "accounts:users",
    "user-new.php": "accounts:user_new",
    "profile.php": "accounts:profile",
    "options-general.php": "desk:settings",
    "options-reading.php": "desk:settings",
    "options-discussion.php": "desk:settings",
    "options-permalink.php": "desk:settings",
}


@require_http_methods(["GET", "HEAD", "POST"])
def wp_login(request):
    action = request.GET.get("action", "")
    if action in ("lostpassword", "retrievepassword", "rp", "resetpass"):
        return HttpResponseRedirect(reverse("accounts:password_reset"))
    target = reverse("accounts:login")
    redirect_to = request.GET.get("redirect_to", "")
    if redirect_to:
        next_url = safe_next(request, _desk_address(redirect_to), default="")
        if next_url:
            target += "?" + urlencode({"next": next_url})
    return HttpResponseRedirect(target)


@require_http_methods(["GET", "HEAD", "POST"])
def wp_admin(request, rest: str = ""):
    script = rest.strip("/")
    if request.GET.get("post_type") == "page" and script in ("edit.php", "post-new.php"):
        script += "?page"
    return HttpResponseRedirect(_reverse_or_dashboard(_ADMIN_SCREENS.get(script, "desk:dashboard")))


def _desk_address(url: str) -> str:
    """Turn a ``redirect_to`` aimed at wp-admin into the desk's address; leave others as they are."""
    marker = "/wp-admin/"
    if marker in url or url.endswith("/wp-admin"):
        script = url.split(marker, 1)[1] if marker in url else ""
        return _reverse_or_dashboard(_ADMIN_SCREENS.get(script.split("?", 1)[0], "desk:dashboard"))
    return url


def _reverse_or_dashboard(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # an area whose app is not installed
        return reverse("desk:dashboard")
