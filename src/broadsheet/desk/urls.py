"""The writing desk: where writers and editors work, under /desk/.

Posts and pages share their views; each route passes its ``EntryKind`` (``kinds.py``), and
URL names follow it: ``desk:posts``, ``desk:post_new``, ``desk:post_edit``, ``desk:page_edit``…
"""

from django.urls import path

from broadsheet.desk.kinds import PAGES, POSTS
from broadsheet.desk.views import dashboard, editor, lists, previews, revisions, site

app_name = "desk"


def _entry_routes(kind):
    prefix, name = kind.plural, kind.name
    k = {"kind": kind}
    return [
        path(f"{prefix}/new/", editor.edit, k, name=f"{name}_new"),
        path(f"{prefix}/new/autosave/", editor.autosave, k, name=f"{name}_new_autosave"),
        path(f"{prefix}/preview/", editor.live_preview, k, name=f"{name}_preview"),
        path(f"{prefix}/slug/", editor.slug_suggestion, k, name=f"{name}_slug"),
        path(f"{prefix}/<int:pk>/", editor.edit, k, name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/preview/", editor.live_preview, k, name=f"{name}_edit_preview"),
        path(f"{prefix}/<int:pk>/autosave/", editor.autosave, k, name=f"{name}_autosave"),
        path(f"{prefix}/<int:pk>/delete/", editor.delete, k, name=f"{name}_delete"),
        path(f"{prefix}/<int:pk>/revisions/", revisions.revision_list, k, name=f"{name}_revisions"),
        path(f"{prefix}/<int:pk>/revisions/<int:revision_pk>/restore/", revisions.restore, k, name=f"{name}_restore"),
    ]


urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("posts/", lists.post_list, name="posts"),
    path("pages/", lists.page_list, name="pages"),
    *_entry_routes(POSTS),
    *_entry_routes(PAGES),
    path("tags.json", editor.tag_suggestions, name="tags_json"),
    path("preview/<str:token>/", previews.shared_preview, name="shared_preview"),
    path("settings/", site.site_settings, name="settings"),
]
