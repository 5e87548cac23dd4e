import copy
import os
import re

import pytest
from django.conf import settings
from django.test import override_settings

from tests import factories


@pytest.fixture
def blog(db):
    factories.site(title="The Long View", tagline="Essays", posts_per_page=2)
    ann = factories.author("Ann Archer", bio="Ann writes about cities.")
    politics = factories.category("Politics", description="Elections and parliaments.")
    europe = factories.category("Europe", parent=politics)
    posts = [
        factories.post("Oldest", "2010-05-01 09:00", authors=[ann], categories=[politics], sticky=True),
        factories.post("Middle", "2010-06-01 09:00", authors=[ann], categories=[europe]),
        factories.post("Newer", "2010-07-01 09:00", authors=[ann], excerpt="Hand-written summary."),
        factories.post("Newest", "2010-07-02 09:00", authors=[ann], body="Body <b>text</b> for the description."),
    ]
    return posts


def _titles(response):
    return re.findall(r'rel="bookmark">([^<]+)</a>', factories.main_html(response.content.decode()))


def test_home_puts_sticky_posts_first_then_newest(blog, client):
    assert _titles(client.get("/")) == ["Oldest", "Newest"]
    assert _titles(client.get("/page/2/")) == ["Newer", "Middle"]
    assert client.get("/page/3/").status_code == 404
    html = client.get("/").content.decode()
    assert 'href="/page/2/"' in html and "Older posts" in html


def test_category_archive_includes_child_categories(blog, client):
    response = client.get("/category/politics/")
    assert _titles(response) == ["Middle", "Oldest"]
    assert "Elections and parliaments." in response.content.decode()
    assert _titles(client.get("/category/politics/europe/")) == ["Middle"]


def test_author_archive_shows_display_name_and_bio(blog, client):
    html = client.get("/author/ann-archer/").content.decode()
    assert "Author: Ann Archer" in html and "Ann writes about cities." in html


def test_year_and_day_archives(blog, client):
    assert _titles(client.get("/2010/")) == ["Newest", "Newer"]
    assert _titles(client.get("/2010/page/2/")) == ["Middle", "Oldest"]
    day = client.get("/2010/07/02/")
    assert _titles(day) == ["Newest"]
    assert "<title>Archive | July 2, 2010</title>" in day.content.decode()


def test_canonical_description_and_open_graph(blog, client):
    newer, newest = blog[2], blog[3]
    html = client.get(newer.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}{newer.get_absolute_url()}">' in html
    assert '<meta name="description" content="Hand-written summary.">' in html  # the excerpt, where set
    assert '<meta property="og:title" content="Newer">' in html
    assert '<meta property="og:type" content="article">' in html
    html = client.get(newest.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Body text for the description.">' in html  # no excerpt: the text


def test_page_hierarchy_and_menu(db, client):
    factories.site()
    about = factories.page("About", menu_order=2)
    factories.page("Contact", menu_order=1)
    factories.page("Team", parent=about, body="Who we are.")
    html = client.get("/about/team/").content.decode()
    assert "Who we are." in html
    menu = re.search(r'<nav class="site-menu".*?</nav>', html, re.S).group()
    assert menu.index("Contact") < menu.index("About") and "Team" not in menu
    assert client.get("/team/").status_code == 404


def test_theme_folder_overrides_and_extends_default_templates(blog, client, tmp_path):
    (tmp_path / "404.html").write_text(
        '{% extends "default:404.html" %}{% block title %}Lost – {{ site.title }}{% endblock %}'
    )
    (tmp_path / "archives").mkdir()
    (tmp_path / "archives" / "category-europe.html").write_text("Europe special: {{ posts|length }}")
    templates = copy.deepcopy(settings.TEMPLATES)
    with override_settings(THEME_DIR=str(tmp_path), TEMPLATES=templates):
        missing = client.get("/nowhere/")
        assert "<title>Lost – The Long View</title>" in missing.content.decode()
        assert "Page not found" in missing.content.decode()  # the rest of the default template
        assert client.get("/category/politics/europe/").content.decode() == "Europe special: 1"
        assert "Europe special" not in client.get("/category/politics/").content.decode()


def test_a_post_template_added_to_the_theme_shows_at_once(db, client, tmp_path):
    # A post's own template (content/post-<slug>.html) found missing is not searched for again on every
    # request, but only while the theme's content/ folder is unchanged.
    factories.site()
    post = factories.post("Special essay", "2012-03-04 10:00")
    templates = copy.deepcopy(settings.TEMPLATES)
    with override_settings(THEME_DIR=str(tmp_path), TEMPLATES=templates):
        assert "Special essay" in client.get(post.get_absolute_url()).content.decode()
        assert "Special essay" in client.get(post.get_absolute_url()).content.decode()  # (remembered missing)
        (tmp_path / "content").mkdir()
        assert "Special essay" in client.get(post.get_absolute_url()).content.decode()
        (tmp_path / "content" / f"post-{post.slug}.html").write_text("Own template: {{ entry.title }}")
        folder = (tmp_path / "content").stat()
        os.utime(tmp_path / "content", ns=(folder.st_atime_ns, folder.st_mtime_ns + 1_000_000))  # (coarse clocks)
        assert client.get(post.get_absolute_url()).content.decode() == "Own template: Special essay"
