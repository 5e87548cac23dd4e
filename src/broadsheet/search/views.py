"""Search results at ``/?s=words`` and ``/search/words/`` (paginated like listings)."""

from __future__ import annotations

import math
from urllib.parse import quote

from django.http import Http404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from broadsheet.search.backends import search_entries
from broadsheet.search.query import parse_query


@require_safe
def search(request, words: str | None = None, page: int | None = None):
    raw = words if words is not None else request.GET.get("s", "")
    query = parse_query(raw)
    if page is None:
        page = _page_from_query(request)
    if page < 1:
        raise Http404("No such page of results.")
    per_page = request.site.posts_per_page
    results = search_entries(query, limit=per_page, offset=(page - 1) * per_page)
    pages = max(1, math.ceil(results.total / per_page))
    if page > pages:
        raise Http404("No such page of results.")
    base = f"/search/{quote(query.text, safe='')}/" if query.text else "/search/"
    context = {
        "query": query,
        "results": results,
        "listing_kind": "search",
        "listing_title": f"Search results for “{query.text}”" if query.text else "Search",
        "page_number": page,
        "newer_url": (base if page == 2 else f"{base}page/{page - 1}/") if page > 1 else None,
        "older_url": f"{base}page/{page + 1}/" if page < pages else None,
        "feed_path": f"{base}feed/" if query.text else None,
    }
    return TemplateResponse(request, "search/results.html", context)


def _page_from_query(request) -> int:
    value = request.GET.get("paged", "1")
    if not value.isdigit() or len(value) > 6 or int(value) < 1:
        raise Http404("No such page of results.")
    return int(value)
