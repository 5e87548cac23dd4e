"""Site settings at /desk/settings/: validation, the content version, old addresses after a permalink change."""

from __future__ import annotations

import pytest

from broadsheet.content.models import SiteSettings
from broadsheet.desk.forms.site import SiteSettingsForm
from broadsheet.legacy.models import OldPath
from tests import factories

pytestmark = pytest.mark.django_db


def settings_data(**changes) -> dict:
    """Return the settings form as a browser would post it, with ``changes``."""
    form = SiteSettingsForm(instance=SiteSettings.load())
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else str(value)
    return data


def _post(client, **changes):
    return client.post("/desk/settings/", settings_data(**changes))


def test_the_form_shows_the_current_settings(clients, site):
    page = clients["administrator"].get("/desk/settings/").content.decode()
    assert 'value="The Long View"' in page
    assert '<option value="Europe/London" selected>Europe/London</option>' in page
    assert "Now shows: July 28, 2010" in page  # the date format's sample


def test_saving_changes_what_readers_see_and_bumps_the_content_version(clients, site, client):
    version = SiteSettings.load().content_version
    response = _post(
        clients["administrator"], title="Evening Notes", tagline="Short and sharp", posts_per_page=5,
        comments_thread_depth=3, comments_moderation_words="casino\nlottery", comments_notify_authors=False,
    )  # fmt: skip
    assert response.status_code == 302
    site = SiteSettings.load()
    assert (site.title, site.tagline, site.posts_per_page, site.comments_thread_depth) == ("Evening Notes", "Short and sharp", 5, 3)
    assert site.comments_moderation_words == "casino\nlottery" and site.comments_notify_authors is False
    assert site.content_version == version + 1
    assert "Evening Notes" in client.get("/").content.decode()


def test_a_change_readers_do_not_see_keeps_the_content_version(clients, site):
    version = SiteSettings.load().content_version
    assert _post(clients["administrator"], comments_notify_moderators=False).status_code == 302
    site = SiteSettings.load()
    assert site.comments_notify_moderators is False and site.content_version == version


def test_saving_nothing_changes_nothing(clients, site):
    version = SiteSettings.load().content_version
    response = _post(clients["administrator"])
    assert response.status_code == 302
    assert SiteSettings.load().content_version == version
    assert "Nothing changed." in clients["administrator"].get("/desk/settings/").content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice"),
        ("permalink_structure", "/%year%/%title%/", "Unknown permalink tokens: %title%"),
        ("permalink_structure", "/%year%/%monthnum%/", "needs %postname% or %post_id%"),
        ("permalink_structure", "%postname%/", "starts with /"),
        ("posts_per_page", "0", "greater than or equal to 1"),
        ("comments_thread_depth", "99", "less than or equal to 10"),
        ("archive_title_format", "Archive", "Include {date}"),
        ("title", "x" * 201, "at most 200 characters"),
    ],
)
def test_bad_values_are_refused_with_a_reason(clients, site, field, value, message):
    response = _post(clients["administrator"], **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SiteSettings.load().title == "The Long View"


def test_changing_the_permalink_structure_keeps_old_addresses_answering(clients, site, client, users):
    post = factories.post("Harbour walk", "2024-03-01 10:00", authors=[users["author"].author])
    draft = factories.post("Unfinished", authors=[users["author"].author], status="draft")
    old_url = post.get_absolute_url()
    assert old_url == "/2024/03/01/harbour-walk/"
    response = _post(clients["administrator"], permalink_structure="/%postname%/")
    assert response.status_code == 302
    SiteSettings.reset_current()
    assert client.get("/harbour-walk/").status_code == 200
    moved = client.get(old_url)
    assert moved.status_code == 301 and moved["Location"] == "/harbour-walk/"
    assert not OldPath.objects.filter(post=draft).exists()  # only published posts had addresses
    page = clients["administrator"].get("/desk/settings/").content.decode()
    assert "The old addresses of 1 published posts now lead to the new ones." in page


def test_changing_the_time_zone_moves_dated_addresses_and_keeps_the_old_ones(clients, site, client, users):
    post = factories.post("Late night", "2024-03-01 23:30", authors=[users["author"].author])  # UTC: still 1 March in London
    assert post.get_absolute_url() == "/2024/03/01/late-night/"
    assert _post(clients["administrator"], time_zone="Pacific/Auckland").status_code == 302
    SiteSettings.reset_current()
    assert client.get("/2024/03/02/late-night/").status_code == 200  # 2 March in Auckland
    moved = client.get("/2024/03/01/late-night/")
    assert moved.status_code == 301 and moved["Location"] == "/2024/03/02/late-night/"


def test_changing_back_and_forth_keeps_every_address(clients, site, client, users):
    factories.post("Harbour walk", "2024-03-01 10:00", authors=[users["author"].author])
    _post(clients["administrator"], permalink_structure="/%postname%/")
    _post(clients["administrator"], permalink_structure="/archives/%post_id%")
    SiteSettings.reset_current()
    for old in ("/2024/03/01/harbour-walk/", "/harbour-walk/"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"].startswith("/archives/"), old


def test_addresses_with_categories_and_authors_are_kept_too(clients, site, client, users):
    books = factories.category("Books")
    factories.post("Reading list", "2024-03-01 10:00", authors=[users["author"].author], categories=[books])
    factories.site(permalink_structure="/%category%/%author%/%postname%/")
    assert client.get("/books/author/reading-list/").status_code == 200
    _post(clients["administrator"], permalink_structure="/%postname%/")
    SiteSettings.reset_current()
    moved = client.get("/books/author/reading-list/")
    assert moved.status_code == 301 and moved["Location"] == "/reading-list/"
