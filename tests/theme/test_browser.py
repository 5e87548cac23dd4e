"""The default theme in a real browser: Debian's chromium, driven by Playwright.

For the home page, a month archive, a post, search results and the 404 page,
at phone and desktop widths in light and dark: no console errors or page
errors, no serious or critical axe-core violations, no sideways scrolling,
and a full-page screenshot kept in ``test-artifacts/screenshots/``. Keyboard
use is checked too: the first Tab lands on a visible skip link that moves
focus to the single ``<main>``.

Needs ``/usr/bin/chromium`` and ``npm install`` (axe-core, from the root
``package.json``); the module is skipped without them. No browser is ever
downloaded. Run with ``pytest -m browser tests/theme``.
"""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.browser import AXE, REPO, SCREENSHOTS, describe, require_browser, serious_violations

playwright_sync = require_browser(axe=True)

pytestmark = pytest.mark.browser

VIEWPORTS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}
SCHEMES = ("light", "dark")
PAGES = ("home", "month", "post", "search", "404")
SEARCH_WORD = "library"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


LIBRARY_BODY = """\
The public library is the last indoor space where nobody expects you to buy anything.
It is warm, it is quiet, and it lends out more than books.

<!--more Keep reading about libraries-->

## What a branch library does

A small branch library in a busy street does at least four jobs:

1. it lends books, films and music;
2. it gives people a desk, a plug and the internet;
3. it runs reading groups and homework clubs;
4. it is somewhere to wait that is not a shop.

> A library is not a luxury but one of the necessities of life.

The council's figures for last year, in `visits per opening hour`:

| Branch      | Visits | Loans |
|-------------|-------:|------:|
| High Street | 212    | 140   |
| Riverside   | 97     | 66    |

Read the [full report](https://example.com/report) if you want the detail.
"""


@pytest.fixture
def site_pages(transactional_db, live_server):
    """A small site on the live server; returns {page name: URL}."""
    factories.site(title="The Evening Broadsheet", tagline="Notes on cities, books and bicycles", posts_per_page=10)
    ada = factories.author("Ada Lovelace")
    grace = factories.author("Grace Hopper")
    cities = factories.category("Cities")
    books = factories.category("Books")
    transport = factories.category("Transport", parent=cities)
    housing = factories.tag("housing")
    reading = factories.tag("reading")

    factories.post(
        "Winter at the allotment",
        "2024-02-20 08:30",
        authors=[ada],
        categories=[cities],
        body="Frost on the leeks, and a robin that follows the spade.",
    )
    library = factories.post(
        "Why the branch library still matters",
        "2024-03-04 09:00",
        authors=[ada],
        categories=[books, cities],
        tags=[reading],
        body=LIBRARY_BODY,
    )
    factories.post(
        "Notes on the new tram line",
        "2024-03-11 18:15",
        authors=[ada, grace],
        categories=[transport],
        tags=[housing],
        body=(
            "The new line opens in May. It links the estates on the hill with the station, "
            "and it passes the central library on the way.\n\n"
            "We rode the test run together and took notes on every stop."
        ),
    )
    factories.post(
        "A short aside on bicycles",
        "2024-03-19 12:00",
        authors=[grace],
        categories=[transport],
        body="Mudguards. Everyone should have mudguards.",
    )
    factories.post(
        "Reading list for spring",
        "2024-03-27 07:45",
        authors=[grace],
        categories=[books],
        tags=[reading],
        body="- *The Death and Life of Great American Cities*\n- *Palaces for the People*\n- *The Library Book*",
    )
    factories.page("About", body="This is a small blog about the city we live in.")
    factories.page("Contact", body="Write to us at the address on the About page.")

    base = live_server.url
    return {
        "home": f"{base}/",
        "month": f"{base}/2024/03/",
        "post": base + library.get_absolute_url(),
        "search": f"{base}/?s={SEARCH_WORD}",
        "404": f"{base}/no-such-thing/at-all/",
    }


# ---------------------------------------------------------------- helpers


class Visit:
    """One page load in a fresh context, with its console errors collected."""

    def __init__(self, browser, url: str, *, viewport: dict, color_scheme: str, settle: bool):
        self.context = browser.new_context(viewport=viewport, color_scheme=color_scheme, reduced_motion="reduce")
        self.page = self.context.new_page()
        self.url = url
        self._messages: list[tuple[str, dict]] = []
        self._page_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._page_errors.append(f"page error: {error}"))
        self.response = self.page.goto(url, wait_until="load")
        if settle:
            # Late requests (the icon) can fail after "load": wait for them too.
            self.page.wait_for_load_state("networkidle")

    def _on_console(self, message) -> None:
        if message.type == "error":
            self._messages.append((message.text, message.location or {}))

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught exceptions so far."""
        found = list(self._page_errors)
        for text, location in self._messages:
            # Chromium reports the document's own status as an error; the 404
            # page is meant to be a 404. Anything else (a missing stylesheet,
            # a missing icon...) counts.
            if (
                self.response is not None
                and self.response.status == 404
                and location.get("url") == self.url
                and "status of 404" in text
            ):
                continue
            found.append(f"console error: {text} ({location.get('url')}:{location.get('lineNumber')})")
        return found

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    opened: list[Visit] = []

    def open_page(url: str, *, viewport: str = "1280", color_scheme: str = "light", settle: bool = False) -> Visit:
        opened.append(Visit(browser, url, viewport=VIEWPORTS[viewport], color_scheme=color_scheme, settle=settle))
        return opened[-1]

    yield open_page
    for each in opened:
        each.close()


def relative_luminance(css_color: str) -> float:
    """Luminance of an ``rgb(r, g, b)`` / ``rgba(...)`` string from getComputedStyle."""
    parts = css_color[css_color.index("(") + 1 : css_color.index(")")].replace("/", ",").split(",")
    channels = []
    for value in parts[:3]:
        c = float(value) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", tuple(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_page_is_clean_and_accessible(site_pages, visit, axe_source, name, width, scheme):
    shown = visit(site_pages[name], viewport=width, color_scheme=scheme, settle=True)
    page = shown.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)

    assert shown.response is not None
    assert shown.response.status == (404 if name == "404" else 200)
    assert shown.errors == []

    # The stylesheet loaded and the colour scheme is the one asked for.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if scheme == "dark":
        assert relative_luminance(background) < 0.05, background
    else:
        assert relative_luminance(background) > 0.9, background

    # Nothing wider than the screen (no sideways scrolling on a phone).
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"

    violations = serious_violations(page, axe_source)
    assert violations == [], f"axe-core on {name} ({width}px, {scheme}):\n{describe(violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_page_structure(site_pages, visit, name):
    page = visit(site_pages[name]).page
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text().strip()
    assert page.locator("html").get_attribute("lang")
    assert page.title().strip()
    if name == "search":
        assert page.locator("main .search-result").count() >= 2
        assert page.locator("main mark").count() >= 1
    if name == "month":
        assert page.locator("main article").count() == 4
        assert page.locator("main .more-link").count() == 1
    if name == "post":
        assert page.locator("main .byline a[rel=author]").count() == 1
        assert page.locator("main nav.post-navigation a").count() == 2


def test_coauthored_post_names_both_authors(site_pages, visit):
    page = visit(site_pages["month"]).page
    byline = page.locator("article", has_text="Notes on the new tram line").locator(".byline")
    assert "Ada Lovelace and Grace Hopper" in byline.inner_text()


@pytest.mark.parametrize("width", tuple(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_first_tab_reaches_a_visible_skip_link(site_pages, visit, name, width):
    page = visit(site_pages[name], viewport=width).page
    skip = page.locator("a.skip-link")
    assert skip.count() == 1
    assert not _in_viewport(page, "a.skip-link"), "the skip link should be hidden until focused"

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.outerHTML")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), focused
    assert skip.is_visible()
    assert _in_viewport(page, "a.skip-link"), "the focused skip link is off screen"
    assert skip.inner_text().strip() == "Skip to content"
    if name == "home":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"skip-link-{width}-light.png"))

    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'content'")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    # The next Tab goes into the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main, aside')"), page.evaluate(
        "document.activeElement.outerHTML"
    )


def _in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    if box is None or box["width"] < 2 or box["height"] < 2:
        return False
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] and box["y"] < size["height"]


def test_axe_is_the_pinned_version():
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text())["version"]
    assert installed == pinned, f"node_modules has axe-core {installed}, package.json pins {pinned}: run npm install"
