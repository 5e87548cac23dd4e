"""/media/…: only files of the media store, with safe types and headers, uploaded or imported."""

import os
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from broadsheet.media.filetypes import detect_type
from broadsheet.media.uploads import accept_upload
from tests.media import samples

pytestmark = pytest.mark.django_db

SMALL_WXR = pathlib.Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "wxr" / "small-site.xml"


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _put(media_root, name: str, data: bytes) -> str:
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return "/media/" + name


def _assert_sandboxed(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_uploaded_image_is_served_inline_with_safe_headers(client, media_root):
    item = accept_upload(SimpleUploadedFile("photo.jpg", samples.image_bytes(size=(800, 600))), user=None)
    response = client.get(item.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    _assert_sandboxed(response)
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"] and response["Last-Modified"]
    assert _body(response) == (media_root / item.file.name).read_bytes()
    size = client.get(item.sizes["medium"]["url"])
    assert size["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "name,data,content_type,disposition",
    [
        ("a/doc.pdf", samples.PDF, "application/pdf", "inline"),
        ("a/song.mp3", samples.MP3, "audio/mpeg", "inline"),
        ("a/clip.webm", samples.WEBM, "video/webm", "inline"),
        # Imported from WordPress or dropped in by hand: never served as what their names say.
        ("a/page.html", samples.HTML, "application/octet-stream", "attachment"),
        ("a/logo.svg", samples.SVG, "application/octet-stream", "attachment"),
        ("a/shell.php", samples.PHP, "application/octet-stream", "attachment"),
        ("a/fake.jpg", samples.HTML, "application/octet-stream", "attachment"),
        ("a/notes.txt", b"plain words", "application/octet-stream", "attachment"),
        ("a/data.zip", b"PK\x03\x04" + b"\x00" * 40, "application/octet-stream", "attachment"),
    ],
)
def test_content_type_comes_from_the_allow_list(client, media_root, name, data, content_type, disposition):
    response = client.get(_put(media_root, name, data))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    _assert_sandboxed(response)
    assert _body(response) == data


@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret_key",
        "/media/%2e%2e/secret_key",
        "/media/2026/../../secret_key",
        "/media/..%2fsecret_key",
        "/media/%2fetc/passwd",
        "/media//etc/passwd",
        "/media/.hidden",
        "/media/a/.htaccess",
        "/media/a/",
        "/media/a",
        "/media/missing.jpg",
        "/media/a/x%00.jpg",
        "/media/a\\..\\..\\secret_key",
    ],
)
def test_no_traversal_and_no_hidden_files(client, media_root, path):
    (media_root.parent / "secret_key").write_text("do not serve")
    _put(media_root, "a/ok.pdf", samples.PDF)
    _put(media_root, "a/.htaccess", b"deny")
    _put(media_root, ".hidden", b"hidden")
    response = client.get(path)
    assert response.status_code == 404, path
    assert b"do not serve" not in _body(response)


def test_symlink_out_of_the_media_store_is_refused(client, media_root):
    outside = media_root.parent / "outside.pdf"
    outside.write_bytes(samples.PDF)
    os.symlink(outside, media_root / "link.pdf")
    assert client.get("/media/link.pdf").status_code == 404


def test_conditional_requests_answer_304(client, media_root):
    url = _put(media_root, "c/doc.pdf", samples.PDF)
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_byte_ranges_for_seeking(client, media_root):
    data = samples.MP3
    url = _put(media_root, "r/song.mp3", data)
    response = client.get(url, HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert _body(response) == data[10:20]
    assert _body(client.get(url, HTTP_RANGE="bytes=-5")) == data[-5:]
    assert _body(client.get(url, HTTP_RANGE=f"bytes={len(data) - 3}-")) == data[-3:]
    unsatisfiable = client.get(url, HTTP_RANGE=f"bytes={len(data) + 10}-")
    assert unsatisfiable.status_code == 416 and unsatisfiable["Content-Range"] == f"bytes */{len(data)}"
    several = client.get(url, HTTP_RANGE="bytes=0-1,5-6")
    assert several.status_code == 200 and _body(several) == data


def test_only_get_and_head(client, media_root):
    url = _put(media_root, "m/doc.pdf", samples.PDF)
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_served_with_debug_off_and_on(client, media_root, settings):
    url = _put(media_root, "d/doc.pdf", samples.PDF)
    for debug in (False, True):
        settings.DEBUG = debug
        assert client.get(url)["Content-Type"] == "application/pdf"


def test_files_imported_from_wordpress_are_served_safely(client, media_root, tmp_path):
    from broadsheet.importers.wordpress.load import import_wxr
    from broadsheet.media.models import MediaItem

    uploads = tmp_path / "uploads" / "2010" / "07"
    uploads.mkdir(parents=True)
    jpeg = samples.image_bytes(size=(300, 200))
    (uploads / "estate.jpg").write_bytes(jpeg)
    import_wxr(SMALL_WXR, media_dir=tmp_path / "uploads")
    item = MediaItem.objects.get(file="2010/07/estate.jpg")
    response = client.get(item.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    _assert_sandboxed(response)
    assert _body(response) == jpeg
    # An imported file that is really a page keeps its name but is never served as one.
    (media_root / "2010" / "07" / "estate.jpg").write_bytes(samples.HTML)
    response = client.get(item.url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_detection_needs_no_name():
    assert detect_type(samples.image_bytes("PNG")).mime_type == "image/png"
    assert detect_type(samples.SVG) is None and detect_type(samples.HTML) is None
