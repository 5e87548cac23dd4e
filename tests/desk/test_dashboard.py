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
        ("administrator", ["Dashboard", "Posts", "Pages", "Comments", "Media", "Settings"]),
        ("editor", ["Dashboard", "Posts", "Pages", "Comments", "Media"]),
        ("author", ["Dashboard", "Posts", "Comments", "Media"]),
        ("contributor", ["Dashboard", "Posts", "Comments"]),
    ],
)
def test_navigation_shows_the_areas_of_the_role(clients, users, role, areas):
    import re

    page = clients[role].get("/desk/").content.decode()
    nav = page[page.index('<nav aria-label="Desk">') : page.index("</nav>")]
    assert re.findall(r">([A-Za-z]+)</a>", nav) == areas
