"""Search on a static copy of the site, in a real browser (Debian's chromium through Playwright).

``broadsheet build`` writes ``/search/`` and ``/search/index.json``; the site is
then served by a plain static file server (no Django behind it), and a reader
searches from the sidebar's form as on any page of the copy.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from broadsheet.publishing.build import build_site
from tests import factories
from tests.browser import AXE, PAYLOAD_HOOK, describe, require_browser, serious_violations

playwright_sync = require_browser(axe=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_TITLE = 'Zebra crossings <img src=x onerror="alert(1)">'


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def static_site(tmp_path):
    """A small site built as a static copy and served as files, with the address it is served at."""
    ann = factories.author("Ann Author")
    bob = factories.author("Bob Writer")
    transport = factories.category("Transport")
    factories.post(HOSTILE_TITLE, "2010-07-01 09:00", authors=[ann], categories=[transport])
    factories.post("Café society", "2010-07-02 09:00", authors=[bob], body="On coffee houses and the press.")
    factories.post("Bridges", "2010-07-03 09:00", authors=[ann, bob], body="Who pays for bridges? The zebra knows.")
    factories.post("A draft about zebras", "2010-07-04 09:00", authors=[ann], status="draft")
    for number in range(25):  # more results than the page shows at first
        factories.post(f"Rail note {number}", f"2009-01-{number + 1:02d} 09:00", authors=[bob], body="Rail.")
    output = tmp_path / "public"
    assert build_site(output, workers=1).failed == {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.add_init_script(PAYLOAD_HOOK)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


def _titles(page) -> list[str]:
    return page.locator("#static-search .search-result .entry-title a").all_inner_texts()


def test_a_reader_searches_a_static_copy_from_the_sidebar(static_site, page):
    page.goto(static_site + "/")
    page.fill("#search-field-sidebar", "zebra")
    page.press("#search-field-sidebar", "Enter")
    page.wait_for_url("**/search/?s=zebra")
    page.wait_for_selector("#static-search .search-result")
    # Both posts that hold the word, the one with it in its title first; never the draft.
    assert _titles(page) == [HOSTILE_TITLE, "Bridges"]
    assert page.inner_text("#static-search .search-count") == "2 results"
    assert page.inner_text(".listing-title") == "Search results for “zebra”"
    assert page.input_value("#search-field-main") == "zebra"
    # The hostile title is text: no element was made from it and nothing ran.
    assert page.locator("#static-search img").count() == 0
    assert page.evaluate("window.__ran") == []
    # Each result links to the post's page in the copy, which is there.
    link = page.locator("#static-search .entry-title a", has_text="Bridges")
    assert link.get_attribute("href") == "/2010/07/03/bridges/"
    link.click()
    page.wait_for_url("**/2010/07/03/bridges/")
    assert page.inner_text("h1") == "Bridges"
    assert page.errors == []


def test_words_match_without_accents_bylines_and_categories(static_site, page):
    page.goto(static_site + "/search/?s=" + quote("cafe"))
    page.wait_for_selector("#static-search .search-result")
    assert _titles(page) == ["Café society"]
    page.goto(static_site + "/search/?s=" + quote("transport ann"))  # a category and a byline
    page.wait_for_selector("#static-search .search-result")
    assert _titles(page) == [HOSTILE_TITLE]
    assert page.errors == []


def test_nothing_found_and_more_results_than_a_page(static_site, page):
    page.goto(static_site + "/search/?s=nowhere")
    page.wait_for_function("document.querySelector('#static-search').innerText.includes('Nothing matched')")
    page.goto(static_site + "/search/?s=rail")
    page.wait_for_selector("#static-search .search-result")
    assert page.inner_text("#static-search .search-count") == "25 results"
    assert len(_titles(page)) == 20
    page.click("#static-search .search-more")
    assert len(_titles(page)) == 25
    assert _titles(page)[0] == "Rail note 24"  # newest first among equals
    assert page.errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_results_are_accessible_at_phone_and_desktop_widths(static_site, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(static_site + "/search/?s=zebra")
    page.wait_for_selector("#static-search .search-result")
    violations = serious_violations(page, AXE.read_text(encoding="utf-8"))
    assert violations == [], describe(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
