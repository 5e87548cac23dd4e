"""The root URLconf. Order matters: fixed routes first, the catch-all last.

1. robots.txt, sitemap, feeds (``…/feed/`` must win over the listings);
2. listings: home, date archives, categories, tags, authors;
3. search, the password form, the admin;
4. everything else: a page at its path, a post at its permalink, or 404.
"""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from broadsheet.content import views as content_views
from broadsheet.feeds.robots import robots_txt
from broadsheet.feeds.sitemaps import SITEMAPS, sitemap
from broadsheet.search import views as search_views

urlpatterns = [
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", RedirectView.as_view(url=static("broadsheet/favicon.svg"), permanent=True)),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("broadsheet.feeds.urls")),
    path("", include("broadsheet.archives.urls")),
    path("search/", search_views.search, name="search"),
    path("search/<str:words>/", search_views.search, name="search_words"),
    path("search/<str:words>/page/<int:page>/", search_views.search, name="search_words_page"),
    path("post-password/", content_views.unlock_entry, name="unlock_entry"),
    path("admin/", admin.site.urls),
    path("", include("broadsheet.accounts.urls")),  # /accounts/, /desk/users/, /desk/profile/, /wp-login.php, /wp-admin/
    path("", include("broadsheet.comments.urls")),  # the public comment form's target and /desk/comments/
    path("", include("broadsheet.media.urls")),  # /desk/media/
    path("desk/", include("broadsheet.desk.urls")),
    # Also answers structures without a trailing slash ("/archives/%post_id%"),
    # so it does Django's APPEND_SLASH itself for anything else.
    re_path(r"^(?P<path>.+)$", content_views.entry_detail, name="entry"),
]

handler404 = "broadsheet.theme.views.not_found"
handler500 = "broadsheet.theme.views.server_error"
