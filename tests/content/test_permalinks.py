import pytest
from django.core.exceptions import ValidationError

from broadsheet.content.permalinks import match_post_path, validate_structure
from tests import factories


@pytest.mark.parametrize(
    "structure,expected",
    [
        ("/%year%/%monthnum%/%day%/%postname%/", "/2010/07/28/a-post/"),
        ("/%year%/%monthnum%/%postname%/", "/2010/07/a-post/"),
        ("/%postname%/", "/a-post/"),
        ("/archives/%post_id%", "/archives/{id}"),
        ("/%category%/%postname%/", "/politics/europe/a-post/"),
        ("/%author%/%postname%.html", "/ann-archer/a-post.html"),
    ],
)
def test_post_answers_at_its_permalink(db, client, structure, expected):
    factories.site(permalink_structure=structure)
    europe = factories.category("Europe", parent=factories.category("Politics"))
    post = factories.post("A post", "2010-07-28 09:00", authors=[factories.author("Ann Archer")], categories=[europe])
    expected = expected.format(id=post.pk)
    assert post.get_absolute_url() == expected
    response = client.get(expected)
    assert response.status_code == 200, expected
    assert "A post" in response.content.decode()


def test_wrong_date_in_permalink_is_404(db, client):
    factories.site()
    factories.post("A post", "2010-07-28 09:00")
    assert client.get("/2010/07/29/a-post/").status_code == 404


def test_pages_win_over_postname_permalinks(db, client):
    factories.site(permalink_structure="/%postname%/")
    factories.page("About", body="The page.")
    post = factories.post("About", "2010-07-28 09:00", body="The post.")
    assert post.slug == "about-2"  # slugs never shadow each other
    assert "The page." in client.get("/about/").content.decode()
    assert "The post." in client.get("/about-2/").content.decode()


@pytest.mark.parametrize("bad", ["%year%/%postname%/", "/%year%/", "/%nope%/%postname%/", "/%postname%/%postname%/"])
def test_invalid_structures_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_structure(bad)


def test_match_is_anchored():
    assert match_post_path("/2010/07/28/a/b/", "/%year%/%monthnum%/%day%/%postname%/") is None
    assert match_post_path("/2010/07/28/a/", "/%year%/%monthnum%/%day%/%postname%/")["postname"] == "a"


def test_unpublished_posts_link_by_id(db):
    factories.site()
    draft = factories.post("Draft", status="draft", when="2010-07-01 09:00")
    draft.published_at = None
    draft.save()
    assert draft.get_absolute_url() == f"/?p={draft.pk}"
