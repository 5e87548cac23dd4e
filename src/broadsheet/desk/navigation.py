"""The desk's menu: one entry per area, shown only to users whose role can use it.

Apps add their areas here (posts, pages, media, comments, settings, users); each entry
names the capability it needs, the same one its views ``require``.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from broadsheet.accounts.capabilities import Capability, has_capability


@dataclass(frozen=True)
class DeskArea:
    label: str
    url_name: str
    capability: Capability


AREAS = [
    DeskArea("Dashboard", "desk:dashboard", Capability.READ_DESK),
    DeskArea("Posts", "desk:posts", Capability.EDIT_POSTS),
    DeskArea("Pages", "desk:pages", Capability.EDIT_PAGES),
    DeskArea("Comments", "comments:queue", Capability.READ_DESK),  # the queue filters by role itself
    DeskArea("Media", "media:library", Capability.UPLOAD_FILES),
    DeskArea("Settings", "desk:settings", Capability.MANAGE_OPTIONS),
    DeskArea("Users", "accounts:users", Capability.MANAGE_USERS),
    DeskArea("Profile", "accounts:profile", Capability.READ_DESK),
]


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    current: bool


def desk_navigation(request) -> list[NavigationItem]:
    items = []
    for area in AREAS:
        if not has_capability(request.user, area.capability):
            continue
        try:
            url = reverse(area.url_name)
        except NoReverseMatch:  # an area whose app is not installed
            continue
        current = request.path == url if url == reverse("desk:dashboard") else request.path.startswith(url)
        items.append(NavigationItem(area.label, url, current))
    return items
