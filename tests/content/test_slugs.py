import unicodedata

import pytest

from broadsheet.content.slugs import MAX_SLUG_LENGTH, slugify_title
from tests import factories


def test_duplicate_titles_get_wordpress_suffixes(db):
    slugs = [factories.post("Same title", f"2010-07-0{n} 09:00").slug for n in range(1, 4)]
    assert slugs == ["same-title", "same-title-2", "same-title-3"]


def test_slug_kept_when_post_is_saved_again(db):
    post = factories.post("Same title")
    post.save()
    assert post.slug == "same-title"


def test_page_slugs_are_unique_among_siblings_only(db):
    about = factories.page("About")
    team = factories.page("Team", parent=about)
    other = factories.page("Team")
    assert (team.path, other.path) == ("about/team", "team")
    assert factories.page("Team", parent=about).slug == "team-2"


def test_reserved_words_are_not_top_level_page_slugs(db):
    assert factories.page("Feed").slug == "feed-2"


@pytest.mark.parametrize(
    "title,slug",
    [
        ("Hello, World!", "hello-world"),
        ("Café society", "café-society"),
        (unicodedata.normalize("NFD", "Café"), "café"),
        ("abc\u202edef\u200bghi", "abcdefghi"),
        ("  --  ", ""),
    ],
)
def test_slugify_title(title, slug):
    assert slugify_title(title) == slug


def test_long_titles_are_cut_to_the_column_size():
    assert len(slugify_title("word " * 200)) <= MAX_SLUG_LENGTH
