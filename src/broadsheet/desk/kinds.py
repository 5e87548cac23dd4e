"""The two kinds of entry the desk edits, posts and pages, and what differs between them.

The list, editor, revision and preview views are shared; each URL passes its ``EntryKind``.
"""

from __future__ import annotations

from dataclasses import dataclass

from broadsheet.accounts.capabilities import Capability
from broadsheet.content.models import Page, Post


@dataclass(frozen=True)
class EntryKind:
    name: str  # "post" or "page": URL names ("desk:post_edit") and Revision.entry_type
    model: type
    label: str  # "post"
    plural: str  # "posts"
    capability: Capability  # needed to open the list and the editor at all

    def url_name(self, view: str) -> str:
        return f"desk:{self.name}_{view}"

    @property
    def list_url_name(self) -> str:
        return f"desk:{self.plural}"


POSTS = EntryKind("post", Post, "post", "posts", Capability.EDIT_POSTS)
PAGES = EntryKind("page", Page, "page", "pages", Capability.EDIT_PAGES)
KINDS = {"post": POSTS, "page": PAGES}


def kind_of(entry) -> EntryKind:
    return PAGES if isinstance(entry, Page) else POSTS
