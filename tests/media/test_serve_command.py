"""``broadsheet serve`` (granian, DEBUG off) sends /media/ through the safe media route, not a static mount."""

import urllib.error
import urllib.request

import pytest

from tests.media import samples
from tests.media.served import serving

FILES = {
    "2026/11/photo.jpg": samples.image_bytes(size=(64, 48)),
    "2026/11/photo-300x200.jpg": samples.image_bytes(size=(30, 20)),
    "2010/07/page.html": samples.HTML,
    "2010/07/logo.svg": samples.SVG,
    "2010/07/.htaccess": b"Options +ExecCGI",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def site(home):
    with serving(home, FILES) as base:
        yield base


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_image_is_served_with_the_sandbox_headers(site):
    status, headers, body = _get(site + "/media/2026/11/photo.jpg")
    assert status == 200 and body == FILES["2026/11/photo.jpg"]
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["ETag"] and headers["Last-Modified"]
    assert _get(site + "/media/2026/11/photo.jpg", **{"If-None-Match": headers["ETag"]})[0] == 304
    assert _get(site + "/media/2026/11/photo-300x200.jpg")[1]["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("name", ["2010/07/page.html", "2010/07/logo.svg"])
def test_markup_files_are_downloads_of_no_type(site, name):
    status, headers, body = _get(site + "/media/" + name)
    assert status == 200 and body == FILES[name]
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment")
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("path", ["/media/2010/07/.htaccess", "/media/../secret_key", "/media/%2e%2e/secret_key", "/media/2010/07/"])
def test_hidden_files_and_traversal_are_404(site, home, path):
    key = (home / "secret_key").read_bytes().strip()
    status, _, body = _get(site + path)
    assert status == 404 and key not in body and FILES["2010/07/.htaccess"] not in body
