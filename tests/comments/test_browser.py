"""The comment form in a real browser (Debian's chromium through Playwright).

Keyboard only: write and send a comment, reply through a Reply link (the form
moves under the comment), cancel; the remembered details come back from the
cookie; hostile comments run nothing on the post page or in the moderation
queue; axe-core finds no serious problem on either. Screenshots go to
``test-artifacts/screenshots/``. Run with ``pytest -m browser tests/comments``.
"""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from tests import factories
from tests.browser import AXE, PAYLOAD_HOOK, SCREENSHOTS, require_browser
from tests.comments.conftest import add_comment, make_user, recent
from tests.comments.test_rendering import HOSTILE

playwright_sync = require_browser(axe=True)

pytestmark = pytest.mark.browser


@pytest.fixture
def essay(transactional_db, live_server, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 1
    factories.site(title="The Long View", comments_require_approved_before=False, comments_thread_depth=3)
    writer = make_user("author", "writer")
    post = factories.post("On conversation", recent(2), authors=[writer.author], body="Talk is how we think.")
    return post, live_server.url + post.get_absolute_url()


def _serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through DevTools: the page's policy forbids inline script
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only, as a reader would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_comment_and_a_reply_with_the_keyboard_only(browser, essay):
    post, url = essay
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="networkidle")

    _tab_to(page, "#comment")
    page.keyboard.type("Talking helps.\n\nSee https://example.org for more.")
    _tab_to(page, "#author")
    page.keyboard.type("Ada Reader")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@example.net")
    _tab_to(page, "#wp-comment-cookies-consent")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[name=comment_stamp]').value !== ''")
    page.wait_for_timeout(1200)  # the minimum fill time (1 s in this test)
    _tab_to(page, "#submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    first = Comment.objects.get()
    assert first.status == Comment.Status.APPROVED  # stamped by the script, slower than the minimum
    assert page.url.endswith(f"#comment-{first.pk}")
    assert page.locator(f"#comment-{first.pk} .comment-content a[rel='nofollow ugc']").count() == 1

    # The remembered details come back from the cookie, filled in by the script.
    page.goto(url, wait_until="networkidle")
    assert page.input_value("#author") == "Ada Reader" and page.input_value("#email") == "ada@example.net"
    assert page.is_checked("#wp-comment-cookies-consent")

    # Reply: the link moves the form under the comment and focuses the text.
    _tab_to(page, f"#comment-{first.pk} .comment-reply-link")
    page.keyboard.press("Enter")
    assert page.evaluate(f"!!document.querySelector('#comment-{first.pk} #respond')")
    assert page.evaluate("document.activeElement.id") == "comment"
    assert page.input_value("#comment_parent") == str(first.pk)
    assert page.text_content("#reply-title") == "Reply to Ada Reader"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "comments-reply-form.png"), full_page=True)

    # Cancel puts it back; Reply again, and send.
    _tab_to(page, "#cancel-comment-reply-link")
    page.keyboard.press("Enter")
    assert page.input_value("#comment_parent") == "0"
    assert not page.evaluate(f"!!document.querySelector('#comment-{first.pk} #respond')")
    page.click(f"#comment-{first.pk} .comment-reply-link")
    page.keyboard.type("Agreed.")
    page.wait_for_timeout(1200)
    _tab_to(page, "#submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    reply = Comment.objects.get(body="Agreed.")
    assert reply.parent == first
    assert page.locator(f"#comment-{first.pk} > ol.children > #comment-{reply.pk}").count() == 1
    assert _serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "comments-thread.png"), full_page=True)
    assert errors == []
    context.close()


def test_without_javascript_the_reply_link_and_form_still_work(browser, essay):
    post, url = essay
    parent = add_comment(post, author_name="Grace")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    page.click(f"#comment-{parent.pk} .comment-reply-link")
    assert "replytocom=" in page.url and page.input_value("#comment_parent") == str(parent.pk)
    page.fill("#comment", "Without scripts.")
    page.fill("#author", "Lin")
    page.fill("#email", "lin@example.net")
    with page.expect_navigation():
        page.click("#submit")
    held = Comment.objects.get(body="Without scripts.")
    assert held.status == Comment.Status.PENDING and held.parent == parent  # no stamp: held, not refused
    assert "awaiting moderation" in page.text_content("#comments")
    context.close()


def test_hostile_comments_run_nothing_on_the_post_or_in_the_queue(browser, essay, client, live_server):
    post, url = essay
    for number, payload in enumerate(HOSTILE):
        add_comment(post, author_name=payload[:245], author_url="javascript:alert(1)", body=payload, author_email=f"x{number}@example.net")
        add_comment(post, author_name=f"Held {number}", body=payload, status=Comment.Status.PENDING)
    editor = make_user("editor")
    client.force_login(editor)
    context = browser.new_context()
    context.add_init_script(PAYLOAD_HOOK)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    for address in (url, live_server.url + "/desk/comments/"):
        response = page.goto(address, wait_until="networkidle")
        assert response.status == 200 and page.url == address
        assert ("Held 14" in page.text_content("main")) is ("desk" in address)  # only the queue lists held ones
        page.mouse.move(10, 10)
        page.mouse.move(400, 400)
        assert page.evaluate("window.__ran") == [], address
        assert _serious_violations(page) == [], address
    page.screenshot(path=str(SCREENSHOTS / "comments-queue.png"), full_page=True)
    context.close()
