"""Media in a real browser (Debian's chromium through Playwright): hostile text never runs, files never render as pages.

Run with ``pytest -m browser tests/media``; skipped when chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.media import samples
from tests.media.served import serving

CHROMIUM = pathlib.Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"browser checks need Debian's chromium at {CHROMIUM}", allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api", reason="browser checks need Playwright for Python")

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# Installed before any page script: records every way the payloads could announce themselves.
HOOK = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt"]) { window[name] = (...args) => { window.__ran.push([name, ...args]); }; }
"""


@pytest.fixture(scope="module")
def browser():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API keeps an event loop in this thread
    try:
        with playwright_sync.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _session_cookie(client, user, live_server) -> dict:
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_hostile_alt_text_and_file_name_run_nothing(browser, live_server, transactional_db, client, media_root):
    from broadsheet.accounts.roles import create_user
    from broadsheet.media.uploads import accept_upload

    author = create_user("writer", email="w@example.org", role="author", password="a long test passphrase 42")
    item = accept_upload(SimpleUploadedFile(samples.HOSTILE + ".jpg", samples.image_bytes(size=(900, 600))), user=author)
    item.alt_text = item.caption = samples.HOSTILE
    item.save()
    post = factories.post("Cover story", body=f"![]({item.url})", body_format="markdown", featured_image=item)

    context = browser.new_context()
    context.add_init_script(HOOK)
    context.add_cookies([_session_cookie(client, author, live_server)])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for path in (post.get_absolute_url(), "/", "/desk/media/", f"/desk/media/{item.pk}/", f"/desk/media/{item.pk}/delete/"):
            response = page.goto(live_server.url + path, wait_until="load")
            assert response.status == 200, path
            assert page.evaluate("window.__ran") == [], path
            assert page.evaluate("document.querySelectorAll('[onerror], [onload], script:not([src])').length") == 0, path
            if not path.endswith("/delete/"):  # the payload is there as an image's alt text, where it belongs
                assert page.evaluate(f"[...document.images].some(img => img.alt === {samples.HOSTILE!r})"), path
        assert errors == []
    finally:
        context.close()


PAYLOAD = b"<!doctype html><html><body><script>document.title = 'RAN'; alert(1)</script></body></html>"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``broadsheet serve`` itself: the test server's own /media/ handler would not be the one under test."""
    files = {
        "2026/11/photo.jpg": samples.image_bytes(size=(320, 200)),
        "2010/07/page.html": PAYLOAD,
        "2010/07/fake.jpg": PAYLOAD,
    }
    with serving(tmp_path_factory.mktemp("home"), files) as base:
        yield base


def test_library_image_opened_directly_still_displays(browser, served):
    """The sandboxing policy on media stops scripts, not the image itself."""
    page = browser.new_page()
    try:
        response = page.goto(served + "/media/2026/11/photo.jpg")
        assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth") == 320
    finally:
        page.close()


@pytest.mark.parametrize("name", ["page.html", "fake.jpg"])
def test_html_in_the_media_store_is_downloaded_not_rendered(browser, served, name):
    """An imported ``.html`` (or HTML named ``.jpg``) is a download: its script never runs on the site's origin."""
    context = browser.new_context(accept_downloads=True)
    context.add_init_script(HOOK)
    page = context.new_page()
    try:
        with page.expect_download() as download:
            try:
                page.goto(f"{served}/media/2010/07/{name}")
            except playwright_sync.Error as error:  # navigation turns into a download
                assert "Download is starting" in str(error) or "ERR_ABORTED" in str(error)
        assert download.value.suggested_filename == name
        assert page.title() != "RAN"
        assert page.evaluate("window.__ran") == []
    finally:
        context.close()
