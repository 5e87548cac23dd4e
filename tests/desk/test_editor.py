"""The editor through HTTP: what each button does, slugs, bylines, terms, scheduling in the site's zone, HTML safety."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from broadsheet.accounts.roles import create_user
from broadsheet.content.models import Author, Page, Post, Status, Tag
from broadsheet.media.models import MediaItem
from tests import factories
from tests.desk.conftest import PASSWORD, editor_data, page_data

pytestmark = pytest.mark.django_db

HOSTILE_HTML = '<p>Hello</p><script>alert("owned")</script><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">link</a>'


def _text(response) -> str:
    return response.content.decode()


def _public(client, entry) -> str:
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200, entry.get_absolute_url()
    return _text(response)


# -- the new post and its writer ---------------------------------------------------------------


def test_new_post_is_by_its_writer(clients, users):
    response = clients["author"].get("/desk/posts/new/")
    assert response.status_code == 200
    assert 'name="authors" value="author"' in _text(response)


def test_a_writer_without_an_author_profile_gets_one_named_after_them(client, site):
    user = create_user("jsmith42", email="j@example.org", role="author", password=PASSWORD)
    user.first_name, user.last_name = "Jane", "Smith"
    user.save()
    client.force_login(user)
    response = client.get("/desk/posts/new/")
    assert response.status_code == 200
    author = Author.objects.get(user=user)
    assert (author.display_name, author.slug) == ("Jane Smith", "jane-smith")
    assert "jsmith42" not in author.slug  # the login is not exposed when a name exists


def test_a_writer_with_no_name_is_not_shown_by_their_login(client, site):
    user = create_user("writer", email="w@example.org", role="contributor", password=PASSWORD)
    client.force_login(user)
    assert client.get("/desk/posts/new/").status_code == 200
    author = Author.objects.get(user=user)
    assert author.display_name == "Author" and "writer" not in author.slug  # a placeholder until they set a name


# -- slugs --------------------------------------------------------------------------------------


def test_slugs_get_wordpress_suffixes(clients, users):
    client = clients["author"]
    for _ in range(3):
        response = client.post("/desk/posts/new/", editor_data(title="Town Hall Meeting", authors="author"))
        assert response.status_code == 302
    slugs = list(Post.objects.order_by("pk").values_list("slug", flat=True))
    assert slugs == ["town-hall-meeting", "town-hall-meeting-2", "town-hall-meeting-3"]
    response = client.get(response["Location"])
    assert "“town-hall-meeting” is taken" in _text(response)


def test_a_typed_slug_is_cleaned_and_kept(clients, users):
    response = clients["author"].post(
        "/desk/posts/new/", editor_data(title="Anything", slug="  My Own Slug! ", authors="author")
    )
    assert response.status_code == 302
    assert Post.objects.get().slug == "my-own-slug"


def test_slug_endpoint_answers_as_saving_would(clients, users):
    factories.post("Town Hall Meeting")
    response = clients["contributor"].get("/desk/posts/slug/", {"title": "Town Hall Meeting"})
    assert response.json() == {"slug": "town-hall-meeting-2"}
    post = Post.objects.get()
    response = clients["editor"].get("/desk/posts/slug/", {"title": "Town Hall Meeting", "id": str(post.pk)})
    assert response.json() == {"slug": "town-hall-meeting"}  # its own slug is not "taken"
    assert clients["editor"].get("/desk/pages/slug/", {"title": "Feed"}).json() == {"slug": "feed-2"}  # reserved


def test_page_slugs_are_unique_among_siblings_only(clients, users):
    about = factories.page("About")
    factories.page("Team", parent=about)
    slug = clients["editor"].get("/desk/pages/slug/", {"title": "Team", "parent": str(about.pk)}).json()["slug"]
    assert slug == "team-2"
    assert clients["editor"].get("/desk/pages/slug/", {"title": "Team"}).json()["slug"] == "team"


# -- authors, categories, tags, featured image, sticky ---------------------------------------------


def test_coauthors_keep_their_order_on_the_public_page(clients, users, client):
    factories.author("Grace Hopper")
    factories.author("Ada Lovelace")
    response = clients["editor"].post(
        "/desk/posts/new/",
        editor_data(title="Compilers", authors="grace-hopper, ada-lovelace", action="publish"),
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert [author.slug for author in post.ordered_authors] == ["grace-hopper", "ada-lovelace"]
    page = _public(client, post)
    assert re.search(r"by <a [^>]*>Grace Hopper</a> and <a [^>]*>Ada Lovelace</a>", page)

    # reordering is saved too
    clients["editor"].post(
        f"/desk/posts/{post.pk}/", editor_data(title="Compilers", authors="ada-lovelace, grace-hopper", action="update")
    )
    assert re.search(r"by <a [^>]*>Ada Lovelace</a> and <a [^>]*>Grace Hopper</a>", _public(client, post))


def test_unknown_author_slug_is_an_error(clients, users):
    response = clients["editor"].post("/desk/posts/new/", editor_data(authors="editor, nobody-here"))
    assert response.status_code == 400
    assert "No author with the slug nobody-here" in _text(response)
    assert not Post.objects.exists()


def test_tags_are_matched_or_created_by_anyone(clients, users):
    factories.tag("Housing")
    response = clients["contributor"].post(
        "/desk/posts/new/", editor_data(authors="contributor", tags="housing, Tram lines, housing,  , tram LINES")
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert sorted(tag.name for tag in post.tags.all()) == ["Housing", "Tram lines"]
    assert Tag.objects.count() == 2


def test_tag_suggestions(clients, users):
    for name in ("Trams", "Transport", "Bicycles", "Urban trams"):
        factories.tag(name)
    response = clients["contributor"].get("/desk/tags.json", {"q": "tra"})
    assert response.json() == {"tags": ["Trams", "Transport", "Urban trams"]}


def test_editor_creates_a_category_inline_under_a_parent(clients, users):
    news = factories.category("News")
    response = clients["editor"].post(
        "/desk/posts/new/", editor_data(authors="editor", new_category="Local", new_category_parent=str(news.pk))
    )
    assert response.status_code == 302
    category = Post.objects.get().categories.get()
    assert (category.name, category.path) == ("Local", "news/local")


def test_featured_image_for_those_who_may_use_the_library(clients, users):
    image = MediaItem.objects.create(title="Harbour", mime_type="image/jpeg", original_url="https://example.com/h.jpg")
    response = clients["author"].post("/desk/posts/new/", editor_data(authors="author", featured_image=str(image.pk)))
    assert response.status_code == 302
    assert Post.objects.get().featured_image == image
    assert "Harbour" in _text(clients["author"].get("/desk/posts/new/"))
    # contributors cannot use the media library: the field is not theirs to set
    response = clients["contributor"].post(
        "/desk/posts/new/", editor_data(title="C", authors="contributor", featured_image=str(image.pk))
    )
    assert response.status_code == 302
    assert Post.objects.get(title="C").featured_image is None
    assert 'name="featured_image"' not in _text(clients["contributor"].get("/desk/posts/new/"))


def test_sticky_is_for_editors(clients, users):
    clients["author"].post("/desk/posts/new/", editor_data(title="A", authors="author", sticky="on"))
    clients["editor"].post("/desk/posts/new/", editor_data(title="E", authors="editor", sticky="on"))
    assert dict(Post.objects.values_list("title", "sticky")) == {"A": False, "E": True}


# -- statuses, scheduling and the site's time zone --------------------------------------------------


def test_publish_now(clients, users, client):
    before = timezone.now()
    response = clients["author"].post("/desk/posts/new/", editor_data(title="Out now", authors="author", action="publish"))
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Status.PUBLISHED and before <= post.published_at <= timezone.now()
    assert "Out now" in _public(client, post)


def test_publish_with_a_past_date_backdates(clients, users):
    clients["author"].post(
        "/desk/posts/new/", editor_data(authors="author", action="publish", publish_at="2010-07-28T09:00")
    )
    post = Post.objects.get()
    assert post.published_at == datetime.datetime(2010, 7, 28, 8, 0, tzinfo=datetime.UTC)  # 09:00 in London (BST)
    assert post.get_absolute_url() == "/2010/07/28/a-title/"


def test_schedule_reads_the_time_in_the_sites_zone(clients, users, site):
    site.time_zone = "America/New_York"
    site.save()
    response = clients["author"].post(
        "/desk/posts/new/", editor_data(authors="author", action="schedule", publish_at="2099-07-01T09:00")
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Status.SCHEDULED
    assert post.published_at == datetime.datetime(2099, 7, 1, 13, 0, tzinfo=datetime.UTC)  # EDT is UTC-4
    page = _text(clients["author"].get(response["Location"]))
    assert 'value="2099-07-01T09:00"' in page  # shown back in the site's zone, not UTC
    assert "scheduled for 2099-07-01 09:00 (America/New_York)" in page


@pytest.mark.parametrize(
    "local, message",
    [("2099-03-08T02:30", "does not exist in America/New_York"), ("2099-11-01T01:30", "happens twice in America/New_York")],
)
def test_a_time_that_does_not_exist_once_in_the_zone_is_refused(clients, users, site, local, message):
    site.time_zone = "America/New_York"
    site.save()
    response = clients["author"].post("/desk/posts/new/", editor_data(authors="author", action="schedule", publish_at=local))
    assert response.status_code == 400
    assert message in _text(response)
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "action, publish_at, message",
    [
        ("schedule", "", "Choose when to publish."),
        ("schedule", "2001-01-01T10:00", "That time has passed"),
        ("publish", "2099-01-01T10:00", "That time is still to come"),
        ("schedule", "next tuesday", "Enter a date and time"),
    ],
)
def test_bad_times_are_explained(clients, users, action, publish_at, message):
    response = clients["editor"].post("/desk/posts/new/", editor_data(authors="editor", action=action, publish_at=publish_at))
    assert response.status_code == 400
    assert message in _text(response)
    assert not Post.objects.exists()


def test_a_scheduled_post_appears_at_its_time(clients, users, client):
    clients["author"].post(
        "/desk/posts/new/", editor_data(title="Tomorrow's news", authors="author", action="schedule", publish_at="2099-01-01T09:00")
    )
    post = Post.objects.get()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Tomorrow&#39;s news" not in _text(client.get("/"))
    # time passes: the moment comes (no job needed)
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - datetime.timedelta(minutes=1))
    post.refresh_from_db()
    assert "Tomorrow&#39;s news" in _public(client, post)
    assert "Tomorrow&#39;s news" in _text(client.get("/"))
    assert post.status == Status.SCHEDULED  # still "future" in the table, live by its time (WordPress's cron would flip it)


def test_update_keeps_a_live_post_live_and_can_move_its_time(clients, users):
    post = factories.post("Live", authors=[users["author"].author], status="publish", when="2020-05-01 10:00")
    clients["author"].post(
        f"/desk/posts/{post.pk}/", editor_data(title="Live", authors="author", action="update", publish_at="2099-05-01T10:00")
    )
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED  # moved into the future: scheduled again
    clients["author"].post(
        f"/desk/posts/{post.pk}/", editor_data(title="Live", authors="author", action="update", publish_at="2020-05-02T10:00")
    )
    post.refresh_from_db()
    assert (post.status, post.published_at.date()) == (Status.PUBLISHED, datetime.date(2020, 5, 2))


def test_switch_to_draft_takes_a_post_down(clients, users, client):
    post = factories.post("Live", authors=[users["author"].author], status="publish")
    url = post.get_absolute_url()
    clients["author"].post(f"/desk/posts/{post.pk}/", editor_data(title="Live", authors="author", action="draft"))
    post.refresh_from_db()
    assert post.status == Status.DRAFT
    assert client.get(url).status_code == 404


def test_buttons_follow_role_and_status(clients, users):
    contributor_page = _text(clients["contributor"].get("/desk/posts/new/"))
    assert _buttons(contributor_page) == ["draft", "pending"]
    assert 'name="publish_at"' not in contributor_page
    assert _buttons(_text(clients["author"].get("/desk/posts/new/"))) == ["draft", "schedule", "publish"]
    live = factories.post("Live", authors=[users["author"].author], status="publish")
    assert _buttons(_text(clients["author"].get(f"/desk/posts/{live.pk}/"))) == ["draft", "update"]
    pending = factories.post("Waiting", authors=[users["contributor"].author], status="pending")
    assert _buttons(_text(clients["editor"].get(f"/desk/posts/{pending.pk}/"))) == ["draft", "pending", "schedule", "publish"]


def _buttons(page: str) -> list[str]:
    """The editor's saving buttons, in order (the no-JavaScript Preview button left out)."""
    return [value for value in re.findall(r'<button type="submit" name="action" value="([a-z]+)"', page) if value != "preview"]


def test_unknown_action_is_a_400(clients, users):
    response = clients["editor"].post("/desk/posts/new/", editor_data(authors="editor", action="obliterate"))
    assert response.status_code == 400
    assert "Unknown action" in _text(response)
    assert not Post.objects.exists()


def test_overlong_input_is_refused_not_truncated(clients, users):
    response = clients["editor"].post("/desk/posts/new/", editor_data(authors="editor", title="x" * 1001))
    assert response.status_code == 400
    assert "at most 1000 characters" in _text(response)


def test_a_missing_entry_is_a_404(clients, users):
    assert clients["editor"].get("/desk/posts/999999/").status_code == 404
    assert clients["editor"].post("/desk/posts/999999/delete/").status_code == 404


# -- HTML: sanitised for everyone but trusted roles ------------------------------------------------


def test_a_contributors_html_never_reaches_the_page_unfiltered(clients, users, client):
    response = clients["contributor"].post(
        "/desk/posts/new/",
        editor_data(title="Sneaky", authors="contributor", body_format="html", body=HOSTILE_HTML, allow_raw_html="on",
                    action="pending"),
    )  # fmt: skip
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.allow_raw_html is False
    clients["editor"].post(
        f"/desk/posts/{post.pk}/",
        editor_data(title="Sneaky", authors="contributor", body_format="html", body=HOSTILE_HTML, action="publish"),
    )
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    page = _public(client, post)
    assert "<p>Hello</p>" in page
    for payload in ("<script>alert", "onerror", "javascript:"):
        assert payload not in page


def test_an_administrator_may_publish_raw_html(clients, users, client):
    clients["administrator"].post(
        "/desk/posts/new/",
        editor_data(title="Widget", authors="administrator", body_format="html", body='<div id="w"></div><script src="/static/w.js"></script>',
                    allow_raw_html="on", action="publish"),
    )  # fmt: skip
    post = Post.objects.get()
    assert post.allow_raw_html is True
    assert '<script src="/static/w.js"></script>' in _public(client, post)


def test_raw_html_is_filtered_again_when_an_untrusted_coauthor_saves(clients, users, client):
    clients["administrator"].post(
        "/desk/posts/new/",
        editor_data(title="Shared", authors="administrator, author", body_format="html", body=HOSTILE_HTML,
                    allow_raw_html="on", action="publish"),
    )  # fmt: skip
    post = Post.objects.get()
    assert "<script>" in post.rendered_html
    clients["author"].post(
        f"/desk/posts/{post.pk}/",
        editor_data(title="Shared", authors="administrator, author", body_format="html", body=HOSTILE_HTML, action="update"),
    )
    post.refresh_from_db()
    assert post.allow_raw_html is False
    assert "<script>" not in _public(client, post)


# -- pages ------------------------------------------------------------------------------------------


def test_page_with_parent_and_order(clients, users, client):
    about = factories.page("About")
    response = clients["editor"].post(
        "/desk/pages/new/", page_data(title="Our team", parent=str(about.pk), menu_order="3", author="editor", action="publish")
    )
    assert response.status_code == 302
    page = Page.objects.get(title="Our team")
    assert (page.path, page.menu_order, page.author.slug) == ("about/our-team", 3, "editor")
    assert "Our team" in _public(client, page)


def test_a_page_cannot_be_its_own_parent(clients, users):
    about = factories.page("About")
    child = factories.page("Team", parent=about)
    response = clients["editor"].post(f"/desk/pages/{about.pk}/", page_data(title="About", parent=str(child.pk), action="update"))
    assert response.status_code == 400
    assert "Select a valid choice" in _text(response)


def test_a_page_with_children_is_not_deleted(clients, users):
    about = factories.page("About")
    factories.page("Team", parent=about)
    response = clients["editor"].post(f"/desk/pages/{about.pk}/delete/")
    assert response.status_code == 409
    assert "page below it" in _text(response)
    assert Page.objects.filter(pk=about.pk).exists()


def test_the_editor_shows_times_in_the_sites_zone(clients, users):
    post = factories.post("Dated", authors=[users["author"].author], when="2024-01-15 23:30")  # UTC
    page = _text(clients["author"].get(f"/desk/posts/{post.pk}/"))
    london = datetime.datetime(2024, 1, 15, 23, 30, tzinfo=datetime.UTC).astimezone(zoneinfo.ZoneInfo("Europe/London"))
    assert f'value="{london:%Y-%m-%dT%H:%M}"' in page
