"""``broadsheet.content.models`` is split into submodules by concern.

Outside code imports from ``broadsheet.content.models``. Dependencies point one
way: site <- authors, taxonomy <- entries <- posts, pages.
"""

from broadsheet.content.models.authors import Author
from broadsheet.content.models.entries import BodyFormat, CommentStatus, Status
from broadsheet.content.models.menus import MenuItem
from broadsheet.content.models.pages import Page
from broadsheet.content.models.posts import Post, PostAuthor
from broadsheet.content.models.site import SiteSettings
from broadsheet.content.models.taxonomy import Category, Tag

__all__ = [
    "Author",
    "BodyFormat",
    "Category",
    "CommentStatus",
    "MenuItem",
    "Page",
    "Post",
    "PostAuthor",
    "SiteSettings",
    "Status",
    "Tag",
]
