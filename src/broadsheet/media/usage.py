"""Where a library item shows: posts that feature it, posts and pages whose bodies show it.

When an item's alt text changes or the item is deleted, those entries are saved again
(``save(touch=False)``: re-rendered, modification time kept), so rendered bodies pick up the
new alt text and everything that follows saves (caches, the page store) hears of the change.
"""

from __future__ import annotations

from django.db.models import Q


def entries_showing(item) -> list:
    """Return the posts and pages that show ``item`` (featured, or its file or sizes in their bodies)."""
    from broadsheet.content.models import Page, Post

    stem = item.file.name.rsplit(".", 1)[0] if item.file else ""
    post_filter = Q(featured_image=item)
    if stem:
        post_filter |= Q(body__contains=stem)
    entries = list(Post.objects.filter(post_filter).distinct())
    if stem:
        entries += list(Page.objects.filter(body__contains=stem))
    return entries


def refresh_entries(entries) -> int:
    """Save ``entries`` again from the database (re-rendered, not marked modified); return how many."""
    count = 0
    for entry in entries:
        fresh = type(entry)._default_manager.filter(pk=entry.pk).first()
        if fresh is not None:
            fresh.save(touch=False)
            count += 1
    return count
