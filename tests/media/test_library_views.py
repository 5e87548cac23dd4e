"""The library under /desk/media/: who may do what, and every user-supplied text escaped."""

import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from broadsheet.media.models import MediaItem
from broadsheet.media.uploads import accept_upload
from tests import factories
from tests.media import samples

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "editor", "author", "contributor", None]


def _item(user, name="photo.jpg", size=(400, 300), **fields):
    item = accept_upload(SimpleUploadedFile(name, samples.image_bytes(size=size)), user=user)
    for field, value in fields.items():
        setattr(item, field, value)
    item.save()
    return item


def _as(client, users, role):
    if role is not None:
        client.force_login(users[role])
    return client


class _Elements(HTMLParser):
    """Every start tag of a page with its attributes: what a browser would build."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_nothing_injected(markup: str):
    parser = _Elements()
    parser.feed(markup)
    for tag, attributes in parser.elements:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert not (tag == "img" and attributes.get("src") == "x"), (tag, attributes)
        assert tag != "script" or attributes.get("src"), (tag, attributes)


# -- permission matrix -----------------------------------------------------------

LIBRARY_GET = {"administrator": 200, "editor": 200, "author": 200, "contributor": 403, None: 302}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/desk/media/", "/desk/media/?type=image", "/desk/media/images.json"])
def test_reading_the_library(client, users, role, path):
    response = _as(client, users, role).get(path)
    assert response.status_code == LIBRARY_GET[role]
    if role is None:
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ROLES)
def test_uploading(client, users, role, media_root):
    response = _as(client, users, role).post("/desk/media/upload/", {"files": [SimpleUploadedFile("a.jpg", samples.image_bytes(size=(20, 20)))]})
    allowed = role in ("administrator", "editor", "author")
    assert response.status_code == (302 if allowed or role is None else 403)
    if role is None:
        assert response["Location"].startswith("/accounts/login/")
    assert MediaItem.objects.count() == (1 if allowed else 0)
    assert any(media_root.rglob("*.jpg")) is allowed


# (role, whose item) -> may edit and delete
OWNERSHIP = [
    ("administrator", "author", True),
    ("editor", "author", True),
    ("author", "author", True),
    ("author", "author2", False),
    ("author", None, False),  # imported items belong to nobody: editors' work
    ("editor", None, True),
    ("contributor", "contributor-less", False),
    (None, "author", False),
]


def _owner(users, owner):
    return users.get(owner) if owner not in (None, "contributor-less") else None


@pytest.mark.parametrize("role,owner,allowed", OWNERSHIP)
def test_editing(client, users, role, owner, allowed):
    item = _item(_owner(users, owner), title="Before")
    _as(client, users, role)
    page = client.get(f"/desk/media/{item.pk}/")
    response = client.post(f"/desk/media/{item.pk}/", {"title": "After", "alt_text": "Alt", "caption": "", "description": ""})
    item.refresh_from_db()
    if role is None:
        assert page.status_code == 302 and response.status_code == 302 and item.title == "Before"
    elif allowed:
        assert page.status_code == 200 and response.status_code == 302
        assert (item.title, item.alt_text) == ("After", "Alt")
    else:
        assert page.status_code == 403 and response.status_code == 403 and item.title == "Before"


@pytest.mark.parametrize("role,owner,allowed", OWNERSHIP)
def test_deleting(client, users, role, owner, allowed, media_root, django_capture_on_commit_callbacks):
    item = _item(_owner(users, owner))
    names = item.stored_names()
    _as(client, users, role)
    page = client.get(f"/desk/media/{item.pk}/delete/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/desk/media/{item.pk}/delete/")
    exists = MediaItem.objects.filter(pk=item.pk).exists()
    if role is None:
        assert page.status_code == 302 and response.status_code == 302 and exists
    elif allowed:
        assert page.status_code == 200 and "Delete permanently" in page.content.decode()
        assert response.status_code == 302 and not exists
        assert not any((media_root / name).exists() for name in names)
    else:
        assert page.status_code == 403 and response.status_code == 403 and exists
        assert all((media_root / name).exists() for name in names)


def test_library_hides_edit_links_the_user_cannot_use(client, users):
    own, other = _item(users["author"], "own.jpg"), _item(users["editor"], "other.jpg")
    html = _as(client, users, "author").get("/desk/media/").content.decode()
    assert f"/desk/media/{own.pk}/" in html and f"/desk/media/{own.pk}/delete/" in html
    assert f"/desk/media/{other.pk}/" not in html and f'id="media-{other.pk}"' in html


def test_unknown_item_is_404(client, users):
    _as(client, users, "editor")
    assert client.get("/desk/media/999999/").status_code == 404
    assert client.post("/desk/media/999999/delete/").status_code == 404


def test_upload_needs_post_and_delete_needs_post(client, users):
    _as(client, users, "editor")
    assert client.get("/desk/media/upload/").status_code == 405


def test_navigation_shows_media_to_uploaders_only(client, users):
    assert 'href="/desk/media/"' in _as(client, users, "author").get("/desk/").content.decode()
    client.logout()
    assert 'href="/desk/media/"' not in _as(client, users, "contributor").get("/desk/").content.decode()


# -- library contents ------------------------------------------------------------


def test_library_lists_details_of_each_item(client, users):
    item = _item(users["author"], "sunset.jpg", size=(1200, 800), alt_text="Sun going down")
    html = _as(client, users, "editor").get("/desk/media/").content.decode()
    assert item.sizes["thumbnail"]["url"] in html
    assert "sunset" in html and "image/jpeg" in html and "1200 × 800 pixels" in html
    assert "by author" in html and "KB" in html
    assert "![Sun going down](" + item.sizes["large"]["url"] + ")" in html  # the Markdown snippet
    assert "&lt;img src=&#34;" + item.sizes["large"]["url"] in html or "&lt;img src=&quot;" in html


def test_filter_by_type(client, users):
    image = _item(users["author"], "pic.jpg")
    pdf = accept_upload(SimpleUploadedFile("paper.pdf", samples.PDF), user=users["author"])
    _as(client, users, "author")
    images = client.get("/desk/media/?type=image").content.decode()
    documents = client.get("/desk/media/?type=document").content.decode()
    assert f'id="media-{image.pk}"' in images and f'id="media-{pdf.pk}"' not in images
    assert f'id="media-{pdf.pk}"' in documents and f'id="media-{image.pk}"' not in documents
    assert f'id="media-{pdf.pk}"' in client.get("/desk/media/?type=nonsense").content.decode()


def test_library_is_paginated(client, users, monkeypatch):
    from broadsheet.media import views

    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 2)
    for n in range(5):
        accept_upload(SimpleUploadedFile(f"d{n}.pdf", samples.PDF), user=None)
    _as(client, users, "editor")
    assert client.get("/desk/media/?page=3").content.decode().count('class="media-item') == 1
    assert client.get("/desk/media/?page=banana").status_code == 200


def test_edit_form_limits_lengths(client, users):
    item = _item(users["author"])
    _as(client, users, "author")
    response = client.post(f"/desk/media/{item.pk}/", {"title": "t", "alt_text": "a" * 1001, "caption": "", "description": ""})
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    item.refresh_from_db()
    assert item.alt_text == ""


def test_images_json_lists_images_for_the_editor(client, users):
    image = _item(users["author"], "pic.jpg", size=(800, 600), alt_text="Alt", title="A picture")
    accept_upload(SimpleUploadedFile("paper.pdf", samples.PDF), user=None)
    data = json.loads(_as(client, users, "author").get("/desk/media/images.json").content)
    assert data["next"] is None
    assert data["images"] == [
        {
            "id": image.pk,
            "title": "A picture",
            "url": image.url,
            "alt": "Alt",
            "thumbnail": image.sizes["thumbnail"]["url"],
            "width": 800,
            "height": 600,
            "sizes": {name: {key: size[key] for key in ("url", "width", "height")} for name, size in image.sizes.items()},
        }
    ]
    assert json.loads(client.get("/desk/media/images.json?q=nothing").content)["images"] == []
    assert len(json.loads(client.get("/desk/media/images.json?q=PICTURE").content)["images"]) == 1


# -- hostile text ----------------------------------------------------------------


def test_hostile_alt_text_and_file_name_are_escaped_in_the_desk(client, users):
    client.force_login(users["author"])
    response = client.post("/desk/media/upload/", {"files": [SimpleUploadedFile(samples.HOSTILE + ".jpg", samples.image_bytes(size=(400, 300)))]}, follow=True)
    item = MediaItem.objects.get()
    assert item.original_name == samples.HOSTILE + ".jpg" and item.title == samples.HOSTILE
    assert_nothing_injected(response.content.decode())  # the "Uploaded …" message included
    client.post(f"/desk/media/{item.pk}/", {"title": samples.HOSTILE, "alt_text": samples.HOSTILE, "caption": samples.HOSTILE, "description": samples.HOSTILE})
    for path in ("/desk/media/", f"/desk/media/{item.pk}/", f"/desk/media/{item.pk}/delete/"):
        html = client.get(path).content.decode()
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html or "&quot;&gt;&lt;img src=x" in html, path
        assert_nothing_injected(html)


def test_hostile_refused_file_name_is_escaped(client, users):
    client.force_login(users["author"])
    response = client.post("/desk/media/upload/", {"files": [SimpleUploadedFile(samples.HOSTILE + ".svg", samples.SVG)]})
    assert response.status_code == 400
    assert_nothing_injected(response.content.decode())


def test_hostile_snippets_are_escaped_for_markdown_and_html(users):
    from broadsheet.media.snippets import insert_snippets

    item = _item(users["author"], alt_text='x](javascript:alert(1)) "><script>alert(1)</script>')
    snippets = insert_snippets(item)
    assert snippets.markdown.startswith(r"![x\](javascript:alert(1)) ")
    assert "<script>" not in snippets.html and 'alt="x](javascript:alert(1)) &quot;&gt;&lt;script&gt;' in snippets.html
    post = factories.post("Pasted", body=snippets.markdown, body_format="markdown")
    assert_nothing_injected(post.rendered_html)
    assert "javascript:" not in re.sub(r'alt="[^"]*"', "", post.rendered_html)


def test_hostile_alt_text_is_escaped_on_public_pages_and_feeds(client, users):
    item = _item(users["author"], alt_text=samples.HOSTILE, title=samples.HOSTILE)
    post = factories.post("Public", body=f"![]({item.url})", body_format="markdown", featured_image=item)
    for path in (post.get_absolute_url(), "/", "/2010/07/"):
        html = client.get(path).content.decode()
        assert "srcset=" in html, path
        assert_nothing_injected(html)
    feed = client.get("/feed/").content
    bodies = [element.text for element in ElementTree.fromstring(feed).iter() if element.text and "<img" in element.text]
    assert bodies
    for body in bodies:
        assert_nothing_injected(body)
        assert "srcset=" in body


def test_new_alt_text_reaches_the_posts_that_show_the_item(client, users):
    item = _item(users["author"], "harbour.jpg", size=(800, 600), alt_text="Old words")
    post = factories.post("Harbour", body=f'<p><img src="{item.sizes["medium"]["url"]}"></p>')
    featured = factories.post("Cover", featured_image=item)
    unrelated = factories.post("Other", body="No pictures.")
    modified = {p.pk: p.modified_at for p in (post, featured, unrelated)}
    assert 'alt="Old words"' in post.rendered_html
    _as(client, users, "author")
    response = client.post(f"/desk/media/{item.pk}/", {"title": "Harbour", "alt_text": "Boats at dusk", "caption": "", "description": ""}, follow=True)
    assert "2 entries show it and were updated" in response.content.decode()
    post.refresh_from_db()
    assert 'alt="Boats at dusk"' in post.rendered_html
    for entry in (post, featured, unrelated):
        entry.refresh_from_db()
        assert entry.modified_at == modified[entry.pk]  # re-rendered, not marked as edited


def test_deleting_an_item_saves_the_posts_that_featured_it(client, users):
    from django.db.models.signals import post_save

    item = _item(users["author"])
    featured = factories.post("Cover", featured_image=item)
    saved = []

    def record(sender, instance, **kwargs):
        saved.append(instance.pk)

    post_save.connect(record, sender=type(featured))
    try:
        _as(client, users, "editor").post(f"/desk/media/{item.pk}/delete/")
    finally:
        post_save.disconnect(record, sender=type(featured))
    featured.refresh_from_db()
    assert featured.featured_image is None and saved == [featured.pk]
