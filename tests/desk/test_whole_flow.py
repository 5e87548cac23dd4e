"""The whole flow in a real browser (Debian's chromium through Playwright): from a draft to a threaded reply.

1. A contributor signs in, writes a Markdown post in the desk, names its co-author and
   submits it for review, then signs out.
2. An editor signs in, finds the pending post in the desk's list, opens it and schedules it
   a few seconds ahead (a wall-clock time in the site's zone).
3. Before that time readers get a 404 at its permalink and do not see it on the home page;
   once it has passed (polled, bounded) they do.
4. A reader who never commented here writes a comment with the keyboard only (Tab to each
   field, type, Enter on the button); the site holds first comments, so the reader sees the
   "awaiting moderation" preview and the public page does not show it.
5. The post's author approves it from the desk's comment queue.
6. The author answers it through its Reply link on the post page (the form moves under the
   comment); readers then see the reply nested under the comment, each at ``#comment-ID``.

Who is "the author": contributors may not moderate (WordPress's rule, kept in
``accounts.capabilities``), and only a post's own authors moderate its comments
(``comments.moderation.can_moderate_comment``). So, as on a WordPress site with a
co-authors byline, the contributor names a staff writer with the author role as the
post's co-author when writing it; that writer is the author who moderates and replies.

Screenshots of the desk (the post list, the editor, the comment queue) and of the post
page are kept in ``test-artifacts/screenshots/`` (``flow-*.png``). axe-core checks the
post page with its thread (the desk pages are checked in ``tests/desk/test_browser.py``).
Run with ``pytest -m browser tests/desk``.
"""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.content.models import Post, Status
from tests import factories
from tests.browser import SCREENSHOTS, require_browser
from tests.comments.test_browser import _serious_violations, _tab_to
from tests.desk.conftest import PASSWORD, make_user

playwright_sync = require_browser(axe=True)
expect = playwright_sync.expect

pytestmark = pytest.mark.browser

TITLE = "Notes from the harbour wall"
BODY = "The tide came in *slowly*.\n\n## What we heard\n\n- gulls\n- a bell"
LEAD_SECONDS = 20  # how far ahead the editor schedules it: room for the checks made before it goes live
LIVE_WITHIN_SECONDS = 120  # how long readers may wait for it after that (a bound, not a measurement)
SHOTS = ("flow-desk-posts.png", "flow-desk-editor.png", "flow-desk-comments.png", "flow-post.png")


@pytest.fixture
def newsroom(transactional_db, live_server, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 1
    settings.PAGE_STORE = None  # readers get Django's answers here; the store's part is tested in tests/publishing
    factories.site(title="The Long View", time_zone="Europe/London", comments_require_approved_before=True,
                   comments_thread_depth=3)  # fmt: skip
    factories.post("An older essay", timezone.now() - datetime.timedelta(days=3))
    return {
        "contributor": make_user("contributor", "casey", display_name="Casey Contributor"),
        "author": make_user("author", "ada", display_name="Ada Author"),
        "editor": make_user("editor", "eddie", display_name="Eddie Editor"),
    }


def _signed_in(browser, live_server, username: str):
    """A new browser context whose user signed in through the form (typing the name and password)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").press_sequentially(username)
    page.locator("#id_password").press_sequentially(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" not in page.url, page.inner_text("main")
    return context, page


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_a_post_from_submission_to_a_threaded_reply(browser, live_server, newsroom):
    base = live_server.url
    errors: list[str] = []

    # 1. The contributor writes, names the co-author, submits for review and signs out.
    context, page = _signed_in(browser, live_server, "casey")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/desk/posts/new/")
    page.locator("#id_title").press_sequentially(TITLE)
    page.locator("#id_body").fill(BODY)
    page.locator("#id_authors").fill("casey, ada")
    assert page.locator("button[value=publish], button[value=schedule]").count() == 0  # not theirs to do
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert "Post submitted for review." in page.inner_text("main")
    post = Post.objects.get(title=TITLE)
    assert post.status == Status.PENDING and post.published_at is None
    assert [author.slug for author in post.ordered_authors] == ["casey", "ada"]
    with page.expect_navigation():
        page.locator(".desk-logout button").click()
    assert page.goto(base + "/desk/").url.startswith(base + "/accounts/login/")  # signed out
    context.close()

    # 2. The editor finds it among the pending posts and schedules it a little ahead.
    context, page = _signed_in(browser, live_server, "eddie")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/desk/posts/?scope=all")
    page.locator("nav.subsubsub a[href*='status=pending']").click()
    expect(page.locator("table a", has_text=TITLE)).to_have_count(1)
    _shot(page, SHOTS[0])
    with page.expect_navigation():
        page.locator("table a", has_text=TITLE).click()
    zone = ZoneInfo("Europe/London")  # the site's: the editor types wall-clock times in it
    for _attempt in range(3):  # a loaded machine may take longer than the lead to save: then choose again
        goes_live = (timezone.now() + datetime.timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)
        page.locator("#id_publish_at").fill(goes_live.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S"))
        with page.expect_navigation():
            page.locator("button[value=schedule]").click()
        if "That time has passed" not in page.inner_text("main"):
            break
    assert "Post scheduled for" in page.inner_text("main"), page.inner_text("main")
    post.refresh_from_db()
    assert post.status == Status.SCHEDULED and post.published_at == goes_live
    _shot(page, SHOTS[1])
    context.close()

    # 3. Not public before its time; public after it, on the home page and at its permalink.
    permalink = post.get_absolute_url()
    assert permalink.startswith(goes_live.astimezone(zone).strftime("/%Y/%m/%d/"))
    reader_context = browser.new_context(viewport={"width": 1000, "height": 900})
    reader = reader_context.new_page()
    reader.on("pageerror", lambda error: errors.append(str(error)))
    assert reader.goto(base + permalink).status == 404
    reader.goto(base + "/")
    assert TITLE not in reader.inner_text("main")
    assert timezone.now() < goes_live, "the checks above ran after the post went live: raise LEAD_SECONDS"
    deadline = time.monotonic() + LEAD_SECONDS + LIVE_WITHIN_SECONDS
    while TITLE not in reader.inner_text("main"):
        assert time.monotonic() < deadline, "the scheduled post never appeared on the home page"
        reader.wait_for_timeout(1000)
        reader.goto(base + "/")
    assert timezone.now() >= goes_live
    assert reader.goto(base + permalink).status == 200
    assert reader.locator("h1", has_text=TITLE).count() == 1

    # 4. A first-time reader comments with the keyboard only; the comment is held.
    _tab_to(reader, "#comment")
    reader.keyboard.type("The bell is the old lifeboat station's.")
    _tab_to(reader, "#author")
    reader.keyboard.type("Rita Reader")
    reader.keyboard.press("Tab")
    reader.keyboard.type("rita@example.net")
    reader.wait_for_function("document.querySelector('[name=comment_stamp]').value !== ''")
    reader.wait_for_timeout(1200)  # the minimum fill time (1 s in this test)
    _tab_to(reader, "#submit")
    with reader.expect_navigation():
        reader.keyboard.press("Enter")
    comment = Comment.objects.get(post=post)
    assert comment.status == Comment.Status.PENDING  # a first comment from this address
    assert "Your comment is awaiting moderation" in reader.inner_text("#comments")
    public = reader_context.new_page()
    public.goto(base + permalink)
    assert public.locator(f"#comment-{comment.pk}").count() == 0
    assert "lifeboat" not in public.inner_text("main")
    public.close()

    # 5. The post's author approves it from the comment queue.
    context, page = _signed_in(browser, live_server, "ada")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/desk/comments/?status=pending")
    row = page.locator(f"tr#comment-{comment.pk}")
    expect(row).to_contain_text("Rita Reader")
    _shot(page, SHOTS[2])
    with page.expect_navigation():
        row.locator("button.action-approve").click()
    assert "Comment by Rita Reader approved." in page.inner_text("main")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    # 6. The author replies through the comment's Reply link on the post page.
    page.goto(base + permalink)
    page.locator(f"#comment-{comment.pk} .comment-reply-link").click()
    assert page.evaluate(f"!!document.querySelector('#comment-{comment.pk} #respond')")  # the form moved under it
    assert page.input_value("#comment_parent") == str(comment.pk)
    page.locator("#comment").fill("It is: rung at every high tide since 1890.")
    with page.expect_navigation():
        page.locator("#submit").click()
    reply = Comment.objects.get(post=post, parent=comment)
    assert reply.status == Comment.Status.APPROVED and reply.user == newsroom["author"]
    assert page.url.endswith(f"#comment-{reply.pk}")
    context.close()

    # Readers see the thread: the reply nested under the comment, each at its own #comment-ID.
    reader.goto(base + permalink)
    assert reader.locator(f"#comment-{comment.pk} > ol.children > li#comment-{reply.pk}").count() == 1
    for shown in (comment, reply):
        assert reader.locator(f"#comment-{shown.pk} a.comment-permalink[href='#comment-{shown.pk}']").count() == 1
    assert "Ada Author" in reader.inner_text(f"#comment-{reply.pk}")
    assert _serious_violations(reader) == []
    _shot(reader, SHOTS[3])
    reader_context.close()

    for name in SHOTS:
        assert (SCREENSHOTS / name).stat().st_size > 0, name
    assert errors == []
