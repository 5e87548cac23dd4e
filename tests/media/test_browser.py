"""Media in a real browser (Debian's chromium through Playwright): hostile text never runs, files never render as pages.

Run with ``pytest -m browser tests/media``; skipped when chromium or Playwright is missing.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.browser import AXE, PAYLOAD_HOOK, SCREENSHOTS, require_browser
from tests.media import samples
from tests.media.served import serving

playwright_sync = require_browser(axe=True)

pytestmark = pytest.mark.browser


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
    context.add_init_script(PAYLOAD_HOOK)
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
    context.add_init_script(PAYLOAD_HOOK)
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


@pytest.mark.skipif(not AXE.exists(), reason="accessibility checks need axe-core: run `npm install`")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_library_pages_are_accessible(browser, live_server, transactional_db, client, media_root, scheme):
    """No serious or critical axe-core violations on the library and edit pages; screenshots kept."""
    from broadsheet.accounts.roles import create_user
    from broadsheet.media.uploads import accept_upload

    editor = create_user("ed", email="ed@example.org", role="editor", password="a long test passphrase 42")
    item = accept_upload(SimpleUploadedFile("harbour.jpg", samples.image_bytes(size=(900, 600))), user=editor)
    item.alt_text = "Boats in a harbour"
    item.save()
    accept_upload(SimpleUploadedFile("minutes.pdf", samples.PDF), user=None)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    context.add_cookies([_session_cookie(client, editor, live_server)])
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for name, path in (("library", "/desk/media/"), ("edit", f"/desk/media/{item.pk}/")):
            assert page.goto(live_server.url + path).status == 200
            page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the policy forbids inline script
            results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [(v["id"], v["help"], [n["html"][:120] for n in v["nodes"][:3]]) for v in results["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{name} ({scheme}): {serious}"
            page.screenshot(path=str(SCREENSHOTS / f"desk-media-{name}-{scheme}.png"), full_page=True)
        # The upload form is reachable with the keyboard: Tab from the skip link reaches the file input.
        page.goto(live_server.url + "/desk/media/")
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "media-files":
                break
        assert page.evaluate("document.activeElement.id") == "media-files"
    finally:
        context.close()
