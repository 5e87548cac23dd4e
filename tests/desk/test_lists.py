"""The post and page lists: whose posts each role sees, filters, search, pages, fixed query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    rows = re.findall(r'<td class="entry-title">(.*?)</td>', body, re.DOTALL)
    return [re.sub(r"·.*", "", re.sub(r"<[^>]+>", "", row.split('<a class="row-view"')[0])).strip() for row in rows]


@pytest.fixture
def posts(users):
    mine = users["author"].author
    other = factories.author("Other Writer")
    return {
        "my draft": factories.post("My draft", authors=[mine], status="draft"),
        "my post": factories.post("My post", "2024-03-01 10:00", authors=[mine]),
        "their draft": factories.post("Their draft", authors=[other], status="draft"),
        "their pending": factories.post("Their pending", authors=[other], status="pending"),
        "their scheduled": factories.post("Their scheduled", "2099-01-01 10:00", authors=[other], status="future"),
        "their post": factories.post("Their post", "2024-02-01 10:00", authors=[other]),
    }


def test_authors_see_their_own_posts_first(clients, posts):
    assert sorted(_titles(clients["author"].get("/desk/posts/"))) == ["My draft", "My post"]


def test_all_shows_others_published_posts_but_never_their_drafts(clients, posts):
    titles = _titles(clients["author"].get("/desk/posts/", {"scope": "all"}))
    assert sorted(titles) == ["My draft", "My post", "Their post"]


def test_only_own_posts_have_edit_links_for_authors(clients, posts):
    body = clients["author"].get("/desk/posts/", {"scope": "all"}).content.decode()
    assert f'href="/desk/posts/{posts["my post"].pk}/"' in body
    assert f'href="/desk/posts/{posts["their post"].pk}/"' not in body


def test_editors_see_everything(clients, posts):
    titles = _titles(clients["editor"].get("/desk/posts/"))
    assert sorted(titles) == sorted(post.title for post in posts.values())
    assert _titles(clients["editor"].get("/desk/posts/", {"scope": "mine"})) == []


def test_newest_first_with_drafts_by_their_creation(clients, posts):
    titles = _titles(clients["editor"].get("/desk/posts/"))
    assert titles.index("Their scheduled") == 0
    assert titles.index("My post") < titles.index("Their post")


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "draft"}, ["My draft", "Their draft"]),
        ({"status": "pending"}, ["Their pending"]),
        ({"author": "other-writer"}, ["Their draft", "Their pending", "Their post", "Their scheduled"]),
        ({"month": "2024-02"}, ["Their post"]),
        ({"q": "pending"}, ["Their pending"]),
        ({"q": "their post"}, ["Their post"]),
        ({"status": "publish", "author": "author"}, ["My post"]),
    ],
)
def test_filters(clients, posts, query, expected):
    assert sorted(_titles(clients["editor"].get("/desk/posts/", query))) == expected


def test_search_looks_in_the_text_too(clients, users):
    factories.post("Plain title", authors=[users["author"].author], body="A paragraph about allotments.")
    factories.post("Another", authors=[users["author"].author], body="Nothing here.")
    assert _titles(clients["editor"].get("/desk/posts/", {"q": "allotments"})) == ["Plain title"]


def test_category_filter_includes_child_categories(clients, users):
    cities = factories.category("Cities")
    transport = factories.category("Transport", parent=cities)
    factories.post("Trams", authors=[users["author"].author], categories=[transport])
    factories.post("Parks", authors=[users["author"].author], categories=[cities])
    factories.post("Books", authors=[users["author"].author])
    assert sorted(_titles(clients["editor"].get("/desk/posts/", {"category": "cities"}))) == ["Parks", "Trams"]
    assert _titles(clients["editor"].get("/desk/posts/", {"category": "transport"})) == ["Trams"]


def test_months_are_the_sites(clients, users, site):
    site.time_zone = "America/New_York"
    site.save()
    factories.post("Late on the last day", "2024-02-01 03:00", authors=[users["author"].author])  # 31 Jan, 22:00 in New York
    response = clients["editor"].get("/desk/posts/")
    assert '<option value="2024-01">January 2024</option>' in response.content.decode()
    assert _titles(clients["editor"].get("/desk/posts/", {"month": "2024-01"})) == ["Late on the last day"]
    assert _titles(clients["editor"].get("/desk/posts/", {"month": "2024-02"})) == []


@pytest.mark.parametrize("query", [{"month": "2024-13"}, {"author": "nobody"}, {"status": "deleted"}, {"scope": "everyone"}])
def test_bad_filters_are_a_400_with_a_message(clients, posts, query):
    response = clients["editor"].get("/desk/posts/", query)
    assert response.status_code == 400
    assert "These filters cannot be used" in response.content.decode()


def test_a_coauthored_post_is_one_row_with_its_byline(clients, users):
    ada, grace = factories.author("Ada Lovelace"), factories.author("Grace Hopper")
    factories.post("Together", authors=[ada, grace, users["author"].author])
    response = clients["author"].get("/desk/posts/", {"scope": "all"})
    assert _titles(response) == ["Together"]
    assert "<td>Ada Lovelace, Grace Hopper and Author</td>" in response.content.decode()


def test_status_counts(clients, posts):
    body = clients["editor"].get("/desk/posts/").content.decode()
    assert re.search(r"Draft <span class=\"count\">\(2\)</span>", body)
    assert re.search(r"Published <span class=\"count\">\(2\)</span>", body)


def test_pages_of_twenty(clients, users):
    for number in range(25):
        factories.post(f"Post {number:02d}", f"2024-01-{number + 1:02d} 10:00", authors=[users["author"].author])
    first = _titles(clients["author"].get("/desk/posts/"))
    second = _titles(clients["author"].get("/desk/posts/", {"page": "2"}))
    assert len(first) == 20 and len(second) == 5
    assert first[0] == "Post 24" and second[-1] == "Post 00"
    body = clients["author"].get("/desk/posts/", {"status": "publish"}).content.decode()
    assert 'href="?status=publish&amp;page=2"' in body


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_list(clients, users):
    cities = factories.category("Cities")
    for number in range(3):
        factories.post(f"Few {number}", authors=[users["author"].author, factories.author()], categories=[cities])
    few = _queries(clients["editor"], "/desk/posts/")
    for number in range(17):
        factories.post(f"More {number}", authors=[users["author"].author, factories.author()], categories=[cities])
    assert _queries(clients["editor"], "/desk/posts/") == few


# -- pages ------------------------------------------------------------------------------------------


def test_pages_list_in_tree_order(clients, users):
    about = factories.page("About")
    factories.page("Team", parent=about)
    factories.page("Contact", status="draft")
    titles = _titles(clients["editor"].get("/desk/pages/"))
    assert titles == ["About", "— Team", "Contact"]
    assert _titles(clients["editor"].get("/desk/pages/", {"status": "draft"})) == ["Contact"]
    assert _titles(clients["editor"].get("/desk/pages/", {"q": "team"})) == ["— Team"]


def test_a_scheduled_post_whose_time_has_come_is_listed_for_all(clients, users):
    factories.post("Went live", "2024-01-01 10:00", authors=[factories.author("Someone")], status="future")
    assert _titles(clients["author"].get("/desk/posts/", {"scope": "all"})) == ["Went live"]
