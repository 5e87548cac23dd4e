"""The editor in a real browser (Debian's chromium through Playwright), used with the keyboard.

Type a title and see the slug follow; type Markdown and see the preview follow; insert the fold with
the button, reached and pressed from the keyboard; save; and no serious axe-core violation on the way.
A screenshot of the editor is kept in ``test-artifacts/screenshots/``.

Run with ``pytest -m browser tests/desk``; skipped without chromium, axe-core or Playwright.
"""

from __future__ import annotations

import pytest

from broadsheet.accounts.roles import create_user
from broadsheet.content.models import Author, Post
from tests import factories
from tests.browser import AXE, SCREENSHOTS, require_browser

playwright_sync = require_browser(axe=True)
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

MARKDOWN = "The harbour at dawn is quiet.\n\n## What we saw\n\n- gulls\n- a ferry"


def _serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's CSP forbids inline script
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']}: {violation['help']} at {[node['target'] for node in violation['nodes'][:5]]}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_write_preview_fold_and_save_with_the_keyboard(browser, live_server, transactional_db, client):
    factories.site(title="The Long View", time_zone="Europe/London")
    factories.post("A walk along the harbour")  # so the new post's slug needs "-2"
    user = create_user("writer", email="w@example.org", role="author", password="a long test passphrase 42")
    Author.objects.create(user=user, display_name="Wren Writer", slug="wren-writer")
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(live_server.url + "/desk/posts/new/", wait_until="load")

        # the title, typed; the slug follows, unique as the server makes it
        page.focus("#id_title")
        page.keyboard.type("A walk along the harbour")
        # (Playwright's expect() polls from its own script: wait_for_function would need eval, which the CSP forbids)
        expect(page.locator("#id_slug")).to_have_value("a-walk-along-the-harbour-2")

        # Markdown, typed; the preview follows
        page.keyboard.press("Tab")  # title -> slug
        assert page.evaluate("document.activeElement.id") == "id_slug"
        page.focus("#id_body")
        page.keyboard.type(MARKDOWN)
        expect(page.locator("#preview h2")).to_have_text("What we saw")
        expect(page.locator("#preview li")).to_have_count(2)

        # the fold, after the first paragraph: put the cursor there, go back to the button, press it
        page.evaluate("(() => { const body = document.querySelector('#id_body'); const at = body.value.indexOf('## What'); body.setSelectionRange(at, at); })()")
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.id") == "insert-fold"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "id_body"  # back to writing
        body = page.input_value("#id_body")
        assert "quiet.\n\n<!--more-->\n\n## What we saw" in body
        expect(page.locator("#preview span[id^='more-']")).to_have_count(1)

        violations = _serious_violations(page)
        assert violations == [], "\n".join(violations)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "desk-editor.png"), full_page=True)

        # save, from the keyboard
        page.focus("button[value=draft]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Post saved as a draft." in page.inner_text("main")
        post = Post.objects.get(title="A walk along the harbour", status="draft")
        assert post.slug == "a-walk-along-the-harbour-2"
        assert post.has_fold and "<h2>What we saw</h2>" in post.rendered_html
        assert [author.slug for author in post.ordered_authors] == ["wren-writer"]
        assert errors == []
    finally:
        context.close()


def test_the_other_desk_pages_are_accessible(browser, live_server, transactional_db, client):
    """The lists, the revisions and their difference, settings and a private preview: no serious axe violation."""
    from broadsheet.desk.previews import make_preview_link
    from broadsheet.desk.revisions import record_revision

    factories.site(title="The Long View", time_zone="Europe/London")
    admin = create_user("chief", email="c@example.org", role="administrator", password="a long test passphrase 42")
    author = Author.objects.create(user=admin, display_name="Chief Editor", slug="chief-editor")
    books = factories.category("Books")
    post = factories.post("Reading list", authors=[author], categories=[books], status="draft", body="One.\n\nTwo.")
    record_revision(post, admin)
    post.body = "One.\n\nTwo and a half.\n\nThree."
    post.save()
    record_revision(post, admin)
    factories.page("About")
    client.force_login(admin)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for name, path in [
            ("posts", "/desk/posts/"),
            ("pages", "/desk/pages/"),
            ("revisions", f"/desk/posts/{post.pk}/revisions/"),
            ("settings", "/desk/settings/"),
            ("dashboard", "/desk/"),
            ("preview-link", make_preview_link(post)[0]),
        ]:
            response = page.goto(live_server.url + path, wait_until="load")
            assert response.status == 200, path
            assert page.locator("h1").count() == 1, path
            violations = _serious_violations(page)
            assert violations == [], f"{path}:\n" + "\n".join(violations)
            if name in ("posts", "revisions"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"desk-{name}.png"), full_page=True)
        assert errors == []
    finally:
        context.close()
