"""Single posts and pages, found from a request path.

Fixed routes (date archives, taxonomies, feeds, search) are matched first in
``conf/urls.py``; everything else comes here: a page at its path, then a post
by the site's permalink structure, then 404.
"""

from __future__ import annotations

import datetime
import os
import re
from urllib.parse import urlsplit

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.utils.encoding import iri_to_uri
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from broadsheet.content.models import Page, Post, SiteSettings
from broadsheet.content.passwords import COOKIE_MAX_AGE, COOKIE_NAME, is_unlocked, make_unlock_cookie
from broadsheet.content.permalinks import match_post_path
from broadsheet.content.prepared import attach_bylines, attach_terms, prepared

_MAX_PATH = 2000
_PAGED = re.compile(r"(.+/)([0-9]{1,4})/\Z")
_COMMENT_PAGE = re.compile(r"(.+/)comment-page-([0-9]{1,6})/\Z")
_MAX_ID = 2**63 - 1


def find_page(path: str, site=None) -> Page | None:
    """Return the live page answered at ``path`` ("/about/team/"), if any.

    Given the site, a path that no page has (the sidebar's per-version set of
    page paths) is answered without a query.
    """
    if not path.endswith("/") or path == "/":
        return None
    stored = path.strip("/")
    if site is not None:
        from broadsheet.theme.context import get_sidebar

        page_paths = get_sidebar(site).page_paths
        if page_paths is not None and stored not in page_paths:
            return None
    return Page.objects.live().select_related("author").filter(path=stored).first()


def find_post(path: str, site) -> Post | None:
    """Return the live post whose permalink is ``path``, if any (with ``comment_count``, its approved comments).

    With its featured image, bylines, categories and tags (``post.categories.all()``
    and ``post.tags.all()`` need no query): three queries, prepared once per process.
    """
    tokens = match_post_path(path, site.permalink_structure)
    if tokens is None:
        return None
    if tokens.get("postname"):
        by, value = "slug", tokens["postname"]
    else:
        by, value = "pk", int(tokens["post_id"])
        if value > _MAX_ID:
            return None
    found = prepared(("post", by), _post_by(by), {"now": datetime.datetime, "value": type(value)}).instances(
        now=timezone.now(), value=value
    )
    if not found:
        return None
    post = found[0]
    attach_bylines([post])
    attach_terms([post])
    if post.get_absolute_url() != path:
        return None
    return post


def _post_by(by: str):
    def build(now, value):
        posts = Post.objects.live(now).select_related("featured_image").with_comment_counts()
        return posts.filter(**{by: value})[:1]  # the model's ordering, as .first()

    return build


def find_entry(path: str, site) -> Page | Post | None:
    return find_page(path, site) or find_post(path, site)


@require_safe
def entry_detail(request, path: str):
    path = "/" + path
    if len(path) > _MAX_PATH:
        raise Http404("No such page.")
    for suffix, atom in (("feed/atom/", True), ("feed/rss2/", False), ("feed/", False)):
        if path.endswith("/" + suffix):
            return _entry_comments_feed(request, path[: -len(suffix)], atom=atom)
    entry = find_entry(path, request.site)
    if entry is None:
        comment_page = _COMMENT_PAGE.match(path)
        if comment_page:  # WordPress's /post/comment-page-2/ (see broadsheet.comments.threads)
            base = comment_page.group(1)
            entry = find_entry(base, request.site) or find_entry(base.rstrip("/"), request.site)
            if entry is not None and int(comment_page.group(2)) <= 1:
                return HttpResponsePermanentRedirect(iri_to_uri(entry.get_absolute_url()))
            if entry is not None:
                return render_entry(request, entry, comment_page=int(comment_page.group(2)))
        paged = _PAGED.match(path)
        if paged:  # WordPress's /post/2/ for <!--nextpage--> pages: one document here
            entry = find_entry(paged.group(1), request.site)
            if entry is not None and f'id="page-{paged.group(2)}"' in entry.rendered_html:
                return HttpResponsePermanentRedirect(iri_to_uri(entry.get_absolute_url()) + f"#page-{paged.group(2)}")
        if not path.endswith("/"):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(iri_to_uri(path + "/") + ("?" + query if query else ""))
        raise Http404("No such page.")
    return render_entry(request, entry)


def _entry_comments_feed(request, path: str, *, atom: bool):
    from broadsheet.feeds.feeds import EntryCommentsFeed

    entry = find_entry(path, request.site)
    if entry is None or not entry.is_listed:
        raise Http404("No such page.")
    feed = EntryCommentsFeed.as_atom() if atom else EntryCommentsFeed()
    return feed(request, entry=entry)


def render_entry(request, entry, comment_page: int = 1):
    from broadsheet.comments.threads import comments_context

    unlocked = is_unlocked(request, entry)
    context = {"entry": entry, "unlocked": unlocked, "is_post": isinstance(entry, Post)}
    if unlocked:
        comments = comments_context(request, entry, page=comment_page)
        if comments is None:
            raise Http404("No such comment page.")
        context.update(comments)
    if isinstance(entry, Post):
        context.update(_neighbours(entry))
        templates = _entry_templates(f"content/post-{entry.slug}.html", "content/post.html")
    else:
        templates = _entry_templates(f"content/page-{entry.slug}.html", "content/page.html")
    response = TemplateResponse(request, templates, context)
    if entry.password or context.get("comments_private"):
        # The page differs by visitor (a password, a held comment shown to its writer): never shared by caches.
        patch_vary_headers(response, ["Cookie"])
        patch_cache_control(response, private=True, no_store=True)
    return response


# Per-entry template names found missing, while the theme's content/ folder is unchanged: looking one up
# again would search every template folder of both engines (~30 file lookups) on every request.
_missing_templates: set[str] = set()
_missing_templates_key: list = [None]


def _entry_templates(specific: str, general: str) -> list[str]:
    """The template names for an entry's page: its own (``post-<slug>.html``) only while it may exist."""
    from django.conf import settings

    try:
        stat = os.stat(os.path.join(settings.THEME_DIR, "content"))
        key = (stat.st_mtime_ns, stat.st_ino)
    except OSError:
        key = None
    if key != _missing_templates_key[0] or settings.DEBUG:
        _missing_templates.clear()
        _missing_templates_key[0] = key
    if specific in _missing_templates:
        return [general]
    try:
        get_template(specific)
    except TemplateDoesNotExist:
        if len(_missing_templates) >= 100_000:
            _missing_templates.clear()
        _missing_templates.add(specific)
        return [general]
    return [specific, general]


def _neighbours(post: Post) -> dict:
    """The previous and next listed posts: one query (both halves prepared once per process)."""
    structure = SiteSettings.current().permalink_structure
    # The links need the title and the permalink's fields, not the ~10 KB of text in each row, unless
    # the permalinks name categories or authors (then they are attached, as for_listing() would).
    full = "%category%" in structure or "%author%" in structure

    def build(now, moment):
        listed = Post.objects.listed(now)
        listed = listed.select_related("featured_image") if full else listed.only(
            "pk", "title", "slug", "published_at", "status", "password"
        )
        previous = listed.filter(published_at__lt=moment).order_by("-published_at", "-id")[:1]
        following = listed.filter(published_at__gt=moment).order_by("published_at", "id")[:1]
        return [previous, following]

    query = prepared(("neighbours", full), build, {"now": datetime.datetime, "moment": datetime.datetime})
    found = query.instances(now=timezone.now(), moment=post.published_at)
    if full and found:
        attach_bylines(found)
        attach_terms(found)
    previous = following = None
    for other in found:
        if other.published_at < post.published_at:
            previous = other
        else:
            following = other
    return {"previous_post": previous, "next_post": following}


@csrf_exempt  # like WordPress's postpass: no per-visitor token may be baked into cached pages
@require_POST
def unlock_entry(request):
    """Check a protected entry's password and remember it in a cookie, then go back."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = "/"
    response = HttpResponseRedirect(urlsplit(target).path, status=303)
    password = request.POST.get("password", "")
    if 0 < len(password) <= 255:
        response.set_cookie(
            COOKIE_NAME, make_unlock_cookie(password), max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
            secure=request.is_secure(),
        )
    return response

