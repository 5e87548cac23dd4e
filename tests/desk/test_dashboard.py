"""The desk's front page: counts of the user's own drafts and pending posts, recent posts, links by role."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_counts_and_recent_posts(clients, users):
    mine = users["contributor"].author
    factories.post("Draft one", authors=[mine], status="draft")
    factories.post("Draft two", authors=[mine], status="draft")
    factories.post("Waiting", authors=[mine], status="pending")
    factories.post("Someone else's draft", authors=[factories.author("Other")], status="draft")
    page = clients["contributor"].get("/desk/").content.decode()
    assert "2 drafts</a> of yours" in page
    assert "1 post</a> of yours awaiting review" in page
    assert "Draft one" in page and "Someone else" not in page
    assert "awaiting review in all" not in page
    assert "Add a page" not in page and "Site settings" not in page


def test_editors_see_what_awaits_review(clients, users):
    factories.post("Waiting", authors=[users["contributor"].author], status="pending")
    page = clients["editor"].get("/desk/").content.decode()
    assert "1 post</a> awaiting review in all" in page
    assert "Add a page" in page and "Site settings" not in page
    assert "Site settings" in clients["administrator"].get("/desk/").content.decode()


@pytest.mark.parametrize(
    "role, areas",
    [
        ("administrator", ["Posts", "Pages", "Settings"]),
        ("editor", ["Posts", "Pages"]),
        ("author", ["Posts"]),
        ("contributor", ["Posts"]),
    ],
)
def test_navigation_shows_the_desk_areas_of_the_role(clients, users, role, areas):
    """The writing desk's own areas (others' apps add theirs to the same menu)."""
    import re

    page = clients[role].get("/desk/").content.decode()
    nav = page[page.index('<nav aria-label="Desk">') : page.index("</nav>")]
    shown = re.findall(r">([A-Za-z]+)</a>", nav)
    assert [area for area in shown if area in ("Posts", "Pages", "Settings")] == areas
    assert shown[0] == "Dashboard"
