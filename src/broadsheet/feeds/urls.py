from django.urls import path, re_path

from broadsheet.feeds import feeds

app_name = "feeds"

_SEGMENTS = r"[^/]+(?:/[^/]+)*?"

urlpatterns = [
    path("feed/", feeds.PostsFeed(), name="posts"),
    path("feed/rss2/", feeds.PostsFeed(), name="posts_rss2"),
    path("feed/atom/", feeds.PostsFeed.as_atom(), name="posts_atom"),
    path("comments/feed/", feeds.CommentsFeed(), name="comments"),
    path("comments/feed/atom/", feeds.CommentsFeed.as_atom(), name="comments_atom"),
    re_path(rf"^category/(?P<path>{_SEGMENTS})/feed/$", feeds.CategoryFeed(), name="category"),
    re_path(rf"^category/(?P<path>{_SEGMENTS})/feed/atom/$", feeds.CategoryFeed.as_atom(), name="category_atom"),
    path("tag/<str:slug>/feed/", feeds.TagFeed(), name="tag"),
    path("tag/<str:slug>/feed/atom/", feeds.TagFeed.as_atom(), name="tag_atom"),
    path("author/<str:slug>/feed/", feeds.AuthorFeed(), name="author"),
    path("author/<str:slug>/feed/atom/", feeds.AuthorFeed.as_atom(), name="author_atom"),
    path("search/<str:words>/feed/", feeds.SearchFeed(), name="search"),
    path("search/<str:words>/feed/atom/", feeds.SearchFeed.as_atom(), name="search_atom"),
]
