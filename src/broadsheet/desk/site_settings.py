"""Saving the site's settings from the desk.

* Only the fields the form changed are written (``update_fields``), so the content version,
  bumped meanwhile by other requests, is never written back stale.
* A change readers can see (title, formats, time zone, permalinks, posts per page…) bumps
  ``SiteSettings.content_version``, which keys every cache of site-wide parts (the same signal
  ``content.signals`` gives for content changes).
* A change of permalink structure, or of time zone when permalinks hold dates, moves every
  published post. Before the change, each post's current address is recorded as a
  ``legacy.OldPath``, which the legacy app's middleware answers with a 301 to the new address
  (as it does for WordPress's ``_wp_old_slug``), so old links keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from broadsheet.content.models import Post, PostAuthor, SiteSettings
from broadsheet.content.permalinks import build_post_path
from broadsheet.desk.forms.site import PUBLIC_FIELDS

_DATE_TOKENS = ("%year%", "%monthnum%", "%day%", "%hour%", "%minute%", "%second%")
_BATCH = 500


@dataclass(frozen=True)
class SettingsSaved:
    changed: list[str]
    public: bool  # a change readers see: the content version was bumped
    kept_addresses: int  # old post addresses recorded for 301s


def moves_posts(old: SiteSettings, new: SiteSettings) -> bool:
    """Whether going from ``old`` to ``new`` settings changes published posts' addresses."""
    if old.permalink_structure != new.permalink_structure:
        return True
    dated = any(token in old.permalink_structure for token in _DATE_TOKENS)
    return dated and old.time_zone != new.time_zone


@transaction.atomic
def save_site_settings(form) -> SettingsSaved:
    """Save the validated ``SiteSettingsForm``; keep old addresses answering if posts move."""
    changed = [name for name in form.changed_data if name in form.fields]
    if not changed:
        return SettingsSaved([], False, 0)
    old = SiteSettings.objects.select_for_update().get(pk=form.instance.pk or 1)
    kept = keep_old_post_addresses(old) if moves_posts(old, form.instance) else 0
    form.instance.save(update_fields=changed)
    public = any(name in PUBLIC_FIELDS for name in changed)
    if public:
        SiteSettings.bump_content_version()
    return SettingsSaved(changed, public, kept)


def keep_old_post_addresses(old: SiteSettings) -> int:
    """Record the address every published post has under the ``old`` settings; return how many."""
    from broadsheet.legacy.models import OldPath

    structure = old.permalink_structure
    posts = Post.objects.live().only("pk", "slug", "published_at", "status")
    if "%author%" in structure:
        authorships = PostAuthor.objects.select_related("author").order_by("position")
        posts = posts.prefetch_related(Prefetch("authorships", queryset=authorships, to_attr="ordered_authorships"))
    if "%category%" in structure:
        posts = posts.prefetch_related("categories")
    rows = []
    for post in posts.iterator(chunk_size=_BATCH):
        path = build_post_path(post, old)
        if not path.startswith("/?"):
            rows.append(OldPath(path=path, post=post, source="permalink_structure"))
    OldPath.objects.bulk_create(
        rows, batch_size=_BATCH, update_conflicts=True, unique_fields=["path"],
        update_fields=["post", "page", "media", "source"],
    )  # fmt: skip
    return len(rows)
