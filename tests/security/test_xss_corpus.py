"""The XSS corpus, stored through every writer-facing form and loaded in a real browser.

Every payload of ``tests/security/xss_payloads.txt`` (69 of them; each tries to call
``__xss(N)``, N being its line number) is submitted over HTTP through the real views:

- as comment text, comment author name and comment website, by an anonymous reader at
  ``/comments/post/``. The form refuses every payload as a website (not an http address);
  each is sent again inside the path of one (spaces as ``%20``: any other character is
  valid there). An editor approves the held comments with the queue's bulk action;
- as post title and post body by a contributor, submitted for review and published by an
  editor with the editor's Publish button (body formats alternate: odd lines HTML, even
  lines Markdown);
- as an image's file name (the upload's ``filename*`` parameter; Django keeps what follows
  the last slash) and its alt text (the library's edit form), by an author; each image is
  then the featured image of the post carrying the same payload.

Then Debian's chromium loads the pages that show them: each post page (title, body, featured
image, comments, sidebar), the home page, the month, category and author archives, two
searches; signed in as the editor, every page of the desk's post list, of the comment
moderation queue and of the media library. The pages of a single item show one payload
each: the post's editor, its revision diff (from a draft) and the image's edit page are
loaded for every payload (``desk_sample``), as is the comment form's refusal page, which
shows the refused values again (sent from the post page by the browser).

On each page a script installed before the page's own defines ``__xss`` and replaces
alert/confirm/prompt, so a payload that runs is recorded; after the load event and a settle,
the test reads what was recorded and scans the document for markup that would run on a
click or a focus (``on*`` attributes, ``javascript:``/``data:`` addresses, scripts holding
``__xss``). The browser bypasses the site's Content Security Policy: the policy forbids
inline script, so it would block a payload that got through the escaping and the test would
not see it. What is tested is the escaping and the sanitising.

The control test serves unescaped payloads with the site's own policy header and checks the
hook and the scan see each of them (and that the policy alone blocks them). Counts per
surface, refusals and pages loaded go to ``test-artifacts/xss-corpus.json``.
Run with ``pytest -m browser tests/security``.
"""

from __future__ import annotations

import html
import json
import pathlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.test import Client

from broadsheet.accounts.roles import create_user
from broadsheet.comments.defences import make_stamp as signed_stamp
from broadsheet.comments.models import Comment
from broadsheet.comments.queue import PER_PAGE as QUEUE_PER_PAGE
from broadsheet.content.models import Author, Post
from broadsheet.desk.models import Revision
from broadsheet.desk.views.lists import POSTS_PER_PAGE
from broadsheet.media.models import MediaItem
from broadsheet.media.views import ITEMS_PER_PAGE
from tests import factories
from tests.browser import PAYLOAD_HOOK, REPO, require_browser
from tests.desk.conftest import editor_data
from tests.media import samples

playwright_sync = require_browser(axe=False)

pytestmark = pytest.mark.browser

CORPUS = pathlib.Path(__file__).with_name("xss_payloads.txt")
REPORT = REPO / "test-artifacts" / "xss-corpus.json"
MIN_STORED = 50  # the requirement: at least 50 payloads reach each surface that can store them
ORIGIN = "http://testserver"  # the test client's host: the comment form's same-site check
BOGUS_IMAGES = ["*/x", "*/x/", "*/x/onerror=*", "*/%60x%60", "*/%60x%60/"]  # the corpus's image addresses
SETTLE_MS = 25  # after the load event and two animation frames (the control test shows none is needed: a margin)

# Installed before any page script (and in every frame): a payload that runs calls __xss(N)
# or one of the dialogs, and is recorded instead.
XSS_HOOK = PAYLOAD_HOOK + "window.__xssRan = []; window.__xss = (n) => { window.__xssRan.push(n); };\n"

# Markup that would run on a click, a focus or a submit: event handler attributes, script
# addresses, frames' documents, refreshes, and scripts that mention __xss (even inert ones).
ARMED_MARKUP_SCAN = r"""() => {
  const found = [];
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "srcset"]);
  const describe = (element, name, value) => `<${element.localName} ${name}="${value.slice(0, 120)}">`;
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase(), value = attribute.value;
      if (!value.includes("__xss")) continue;
      const address = value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (name.startsWith("on") || name === "srcdoc"
          || (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(address))
          || (element.localName === "meta" && element.hasAttribute("http-equiv"))) {
        found.push(describe(element, name, value));
      }
    }
    if (["script", "style"].includes(element.localName) && element.textContent.includes("__xss")) {
      found.push(`<${element.localName}>${element.textContent.slice(0, 120)}`);
    }
  }
  return found;
}"""
PREVIEW_SHOWN = """() => {
  const preview = document.getElementById("preview"), status = document.getElementById("preview-status");
  return !preview || preview.dataset.empty === "false" || (status && status.textContent.includes("could not"));
}"""


@dataclass(frozen=True)
class Payload:
    number: int
    text: str


def load_corpus() -> list[Payload]:
    """Return the corpus: one payload a line, "{N}" filled in with the line number."""
    payloads = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("# "):
            payloads.append(Payload(number, line.replace("{N}", str(number))))
    return payloads


@dataclass
class Submissions:
    """What was stored for each surface (payload number -> object) and what was refused (number -> why)."""

    stored: dict[str, dict[int, object]] = field(default_factory=dict)
    refused: dict[str, dict[int, str]] = field(default_factory=dict)

    def store(self, surface: str, number: int, value) -> None:
        self.stored.setdefault(surface, {})[number] = value
        self.refused.setdefault(surface, {})

    def refuse(self, surface: str, number: int, reason: str) -> None:
        self.refused.setdefault(surface, {})[number] = reason
        self.stored.setdefault(surface, {})

    def check(self, surface: str, number: int, payload: str, stored_text: str, value) -> None:
        """Count ``value`` as stored if its ``stored_text`` holds the payload, else as refused (changed)."""
        if payload in stored_text:
            self.store(surface, number, value)
        else:
            self.refuse(surface, number, f"stored as {stored_text!r}")

    def counts(self) -> dict[str, dict]:
        return {
            surface: {"stored": len(self.stored[surface]), "refused": self.refused.get(surface, {})}
            for surface in self.stored
        }


def _user(role: str, name: str):
    user = create_user(name, email=f"{name}@example.org", role=role, password="a long test passphrase 42")
    Author.objects.create(user=user, display_name=name.title(), slug=name)
    return user


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_errors(response) -> str:
    """The refusal as the page states it (its alert and error list), after the status."""
    text = response.content.decode("utf-8", "replace")
    parts = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div)>|<ul class="errorlist"[^>]*>(.*?)</ul>', text, re.S)
    messages = [" ".join(re.sub(r"<[^>]+>", " ", html.unescape(part)).split()) for pair in parts for part in pair if part]
    return f"{response.status_code}: " + ("; ".join(dict.fromkeys(messages)) or "refused")


# -- storing the payloads through the real views -----------------------------------------------


def upload_images(author_client, payloads, submissions: Submissions) -> dict[int, MediaItem]:
    """Upload one image per payload named ``<payload>.jpg``, then give it the payload as alt text."""
    content = samples.image_bytes(size=(200, 160))
    boundary = "xss-corpus-boundary"
    images = {}
    for payload in payloads:
        # RFC 2231's filename* carries any character (quotes too); Django keeps what follows the last slash.
        name = quote(payload.text + ".jpg", safe="")
        head = f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''{name}\r\nContent-Type: image/jpeg"
        body = f"{head}\r\n\r\n".encode() + content + f"\r\n--{boundary}--\r\n".encode()
        before = set(MediaItem.objects.values_list("pk", flat=True))
        response = author_client.post("/desk/media/upload/", body, content_type=f"multipart/form-data; boundary={boundary}")
        added = MediaItem.objects.exclude(pk__in=before)
        if response.status_code != 302 or len(added) != 1:
            submissions.refuse("image file name", payload.number, _form_errors(response))
            continue
        item = added.get()
        submissions.store("image file name", payload.number, item)
        response = author_client.post(
            f"/desk/media/{item.pk}/", {"title": item.title, "alt_text": payload.text, "caption": "", "description": ""}
        )
        item.refresh_from_db()
        if response.status_code == 302:
            submissions.check("image alt text", payload.number, payload.text, item.alt_text, item)
        else:
            submissions.refuse("image alt text", payload.number, _form_errors(response))
        images[payload.number] = item
    return images


def write_posts(contributor_client, editor_client, payloads, category, images, submissions, *, drafted) -> dict[int, Post]:
    """A contributor submits each payload as a post's title and body for review; an editor publishes it.

    The posts numbered in ``drafted`` are saved as a plain draft first, so their revision diff
    shows the payload against other text.
    """
    posts = {}
    for payload in payloads:
        body_format = "html" if payload.number % 2 else "markdown"
        common = {"body_format": body_format, "authors": "contributor", "categories": [str(category.pk)]}
        body = f"<p>Corpus entry {payload.number}.</p>\n"
        path = "/desk/posts/new/"
        if payload.number in drafted:
            draft = editor_data(title=f"Draft {payload.number}", body=body + "Draft text.", **common)
            path = contributor_client.post(path, draft)["Location"]
        submitted = editor_data(title=payload.text, body=body + payload.text, action="pending", **common)
        response = contributor_client.post(path, submitted)
        if response.status_code != 302:
            submissions.refuse("post title", payload.number, _form_errors(response))
            submissions.refuse("post body", payload.number, _form_errors(response))
            continue
        post_pk = int(re.search(r"/desk/posts/(\d+)/", response["Location"]).group(1))
        post = Post.objects.get(pk=post_pk)
        assert post.status == "pending"
        # The editor presses Publish on the editor page: the stored text goes back as it was.
        featured = images.get(payload.number)
        response = editor_client.post(
            f"/desk/posts/{post_pk}/",
            editor_data(
                title=post.title, body=post.body, action="publish", featured_image=str(featured.pk) if featured else "", **common
            ),
        )
        post.refresh_from_db()
        assert response.status_code == 302 and post.status == "publish", _form_errors(response)
        submissions.check("post title", payload.number, payload.text, post.title, post)
        submissions.check("post body", payload.number, payload.text, post.body, post)
        posts[payload.number] = post
    return posts


def post_comments(posts, payloads, submissions: Submissions) -> None:
    """An anonymous reader comments on each post: its payload as text and name, then as website."""
    reader = Client()

    def send(post, number, **fields):
        data = {
            "comment_post_ID": str(post.pk), "email": f"reader{number}@example.net", "url": "", "comment_parent": "0",
            "comment_reference": "", "comment_stamp": make_stamp(),
        }  # fmt: skip
        data.update(fields)
        before = set(Comment.objects.values_list("pk", flat=True))
        response = reader.post("/comments/post/", data, HTTP_ORIGIN=ORIGIN)
        added = list(Comment.objects.exclude(pk__in=before))
        return (added[0] if response.status_code == 303 and len(added) == 1 else None), response

    for payload in payloads:
        post = posts.get(payload.number)
        if post is None:
            continue
        comment, response = send(post, payload.number, author=payload.text, comment=payload.text)
        if comment is None:
            for surface in ("comment text", "comment author name"):
                submissions.refuse(surface, payload.number, _form_errors(response))
        else:
            submissions.check("comment text", payload.number, payload.text, comment.body, comment)
            submissions.check("comment author name", payload.number, payload.text, comment.author_name, comment)
        name = f"Website {payload.number}"
        comment, response = send(post, payload.number, author=name, url=payload.text, comment=f"Website check {payload.number}.")
        if comment is not None:
            submissions.store("comment website", payload.number, comment)
            continue
        submissions.refuse("comment website", payload.number, _form_errors(response))
        in_an_address = "https://example.org/" + payload.text.replace(" ", "%20")  # any character but a space is valid here
        comment, response = send(post, payload.number, author=name, url=in_an_address, comment=f"Address check {payload.number}.")
        if comment is not None:
            submissions.store("comment website in an address", payload.number, comment)
        else:
            submissions.refuse("comment website in an address", payload.number, _form_errors(response))


def make_stamp() -> str:
    """The form's signed time stamp, as if the form was opened a minute ago (its script fetches one)."""
    return signed_stamp(time.time() - 60)


def approve_held_comments(editor_client) -> int:
    """Approve every held comment with the queue's bulk action; return how many there were."""
    held = [str(pk) for pk in Comment.objects.filter(status=Comment.Status.PENDING).values_list("pk", flat=True)]
    if held:
        response = editor_client.post("/desk/comments/bulk/", {"action": "approve", "ids": held})
        assert response.status_code == 303
    return len(held)


# -- the browser --------------------------------------------------------------------------------


@dataclass
class PageReport:
    url: str
    status: int
    ran: list
    dialogs: list
    armed: list
    read: object = None


class HookedBrowser:
    """One browser context with the payload hook; ``visit`` loads a page and reports what ran."""

    def __init__(self, browser, *, session: str | None = None, base_url: str = ""):
        # bypass_csp: the site's policy forbids inline script, so it would block a payload that
        # got through the escaping and the test would not see it. The escaping is under test.
        self.context = browser.new_context(bypass_csp=True)
        self.context.add_init_script(XSS_HOOK)
        if session:
            self.context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        self.page = self.context.new_page()
        # The payloads' images at "x" would each be a 404 page rendered by the site: fail them in the
        # browser instead (the same error event, sooner). Chromium's own blocking keeps the cache,
        # which routing through Playwright would turn off.
        devtools = self.context.new_cdp_session(self.page)
        devtools.send("Network.enable")
        devtools.send("Network.setBlockedURLs", {"urls": BOGUS_IMAGES})
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self.reports: list[PageReport] = []

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def visit(self, url: str, *, wait_for: str | None = None, read: str | None = None, status: int = 200) -> PageReport:
        """Load ``url``, let it settle, and report what ran; ``read`` is a function run on the page for the test."""
        self.dialogs.clear()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == status, (url, response and response.status)
        assert self.page.url == url, f"{url} went to {self.page.url}"
        return self._report(url, response.status, wait_for, read)

    def submit_form(self, selector: str, values: dict, *, read: str | None = None) -> PageReport:
        """Fill the form ``selector`` of the current page with ``values`` and send it, as a reader would (no validation)."""
        with self.page.expect_navigation(wait_until="load") as navigation:
            self.page.evaluate(
                """([selector, values]) => {
                  const form = document.querySelector(selector);
                  for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
                  HTMLFormElement.prototype.submit.call(form);
                }""",
                [selector, values],
            )
        return self._report(self.page.url, navigation.value.status, None, read)

    def _report(self, url: str, status: int, wait_for: str | None, read: str | None) -> PageReport:
        if wait_for:
            self.page.wait_for_function(wait_for, timeout=15_000)
        found = self.page.evaluate(
            f"""async (settle) => {{
              await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
              await new Promise((done) => setTimeout(done, settle));
              return {{ ran: [...window.__xssRan, ...window.__ran], armed: ({ARMED_MARKUP_SCAN})() }};
            }}""",
            SETTLE_MS,
        )
        report = PageReport(url, status, found["ran"], list(self.dialogs), found["armed"])
        report.read = self.page.evaluate(read) if read else None
        self.reports.append(report)
        return report

    def visit_pages(self, url: str, *, items: int, per_page: int) -> None:
        """Load every page of a paginated desk list of ``items``: ``url``, then ``?page=2``..."""
        for number in range(1, max(1, -(-items // per_page)) + 1):
            self.visit(url if number == 1 else f"{url}?page={number}")

    def close(self) -> None:
        self.context.close()


def failures(reports: list[PageReport]) -> list[str]:
    return [
        f"{report.url}: ran {report.ran}, dialogs {report.dialogs}, armed markup {report.armed}"
        for report in reports
        if report.ran or report.dialogs or report.armed
    ]


def squeezed(text: str) -> str:
    return " ".join(text.split())


# What the test reads from the pages, to know the payloads reached them as text.
POST_PAGE_TEXT = """() => ({
  title: document.querySelector("h1.entry-title").innerText,
  authors: Object.fromEntries([...document.querySelectorAll("li.comment")].map(
    (comment) => [comment.id, comment.querySelector(".comment-author").innerText])),
  websites: [...document.querySelectorAll(".comment-author a")].map((link) => link.getAttribute("href")),
  featuredAlt: document.querySelector(".featured-image img")?.getAttribute("alt") ?? null,
})"""
EDITOR_TEXT = """() => ({ title: document.getElementById("id_title").value, body: document.getElementById("id_body").value })"""
DIFF_TEXT = """() => [...document.querySelectorAll(".diff-table td.diff-new")].map((line) => line.textContent)"""
MEDIA_EDIT_TEXT = """() => ({
  alt: document.getElementById("id_alt_text").value,
  uploadedAs: document.querySelector(".media-preview-large code").innerText,
})"""
REFUSAL_TEXT = """() => ({ url: document.getElementById("url").value })"""


def desk_sample(payloads) -> list[int]:
    """The payloads whose per-item desk pages (editor, diff, media item) and form refusals are loaded: all."""
    return [p.number for p in payloads]


# -- the tests ------------------------------------------------------------------------------------


@pytest.fixture
def corpus_site(transactional_db, live_server, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.COMMENTS_RATE_LIMITS = ()  # one reader sends every comment
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAGE_STORE = None  # the views render every page loaded here; no static copies are needed
    factories.site(title="The Long View", posts_per_page=100, comments_per_page=50)
    return live_server


CONTROL = (
    "<!doctype html><title>control</title><img src=x onerror=__xss(-1)><script>__xss(-2)</script>"
    "<details open ontoggle=__xss(-3)>x</details><svg><animate onbegin=__xss(-4) attributeName=x dur=1s></svg>"
    "<input autofocus onfocus=__xss(-5)><iframe srcdoc=\"<script>parent.__xss(-6)</script>\"></iframe>"
    "<script>alert(-7)</script><a href='javascript:__xss(-8)'>only on a click</a>"
)


def test_the_hook_sees_payloads_that_run_despite_the_sites_policy(browser, corpus_site, client):
    """The control: unescaped payloads served with the site's own policy header are all seen.

    Payloads that fire late (a toggle, an SVG animation, autofocus) show the settling is long
    enough; a second context that keeps the policy sees none of them run, which is why the
    corpus test bypasses it.
    """
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    url = corpus_site.url + "/control/"
    reports = {}
    for bypass in (True, False):
        hooked = HookedBrowser(browser)
        if not bypass:
            hooked.context.close()
            hooked.context = browser.new_context()
            hooked.context.add_init_script(XSS_HOOK)
            hooked.page = hooked.context.new_page()
        hooked.context.route(
            url, lambda route: route.fulfill(body=CONTROL, content_type="text/html", headers={"Content-Security-Policy": policy})
        )
        reports[bypass] = hooked.visit(url)
        hooked.close()
    assert sorted(reports[True].ran, key=str) == sorted([-1, -2, -3, -4, -5, -6, ["alert", -7]], key=str)
    assert reports[False].ran == []
    for report in reports.values():
        assert any('href="javascript:__xss(-8)"' in armed for armed in report.armed)
        assert any('onerror="__xss(-1)"' in armed for armed in report.armed)
        assert failures([report])


def test_no_payload_runs_on_any_page_that_shows_it(browser, corpus_site):
    payloads = load_corpus()
    assert len(payloads) >= MIN_STORED and all(f"xss({p.number})" in p.text for p in payloads)  # some spell "__" as entities
    text_of = {payload.number: payload.text for payload in payloads}
    base = corpus_site.url
    category = factories.category("Corpus")
    contributor, author, editor = _user("contributor", "contributor"), _user("author", "author"), _user("editor", "editor")
    editor_client = _signed_in(editor)

    submissions = Submissions()
    images = upload_images(_signed_in(author), payloads, submissions)
    sample = desk_sample(payloads)
    posts = write_posts(_signed_in(contributor), editor_client, payloads, category, images, submissions, drafted=sample)
    post_comments(posts, payloads, submissions)
    approved = approve_held_comments(editor_client)
    assert Comment.objects.exclude(status=Comment.Status.APPROVED).count() == 0
    counts = submissions.counts()
    for surface in ("comment text", "comment author name", "post title", "post body", "image alt text", "image file name"):
        assert counts[surface]["stored"] >= MIN_STORED, (surface, counts[surface])
    websites = counts["comment website"]["stored"] + counts["comment website in an address"]["stored"]
    assert websites >= MIN_STORED, counts["comment website in an address"]

    public = HookedBrowser(browser, base_url=base)
    desk = HookedBrowser(browser, session=editor_client.cookies["sessionid"].value, base_url=base)
    shown_as_text = {"post title": 0, "comment author name": 0, "comment website": 0, "image alt text": 0, "image file name": 0}

    # Each post page: its payload as title, body, featured image alt text, and comment text,
    # name and website; the sidebar lists recent posts and comments.
    comments_of = {}
    for comment in Comment.objects.all():
        comments_of.setdefault(comment.post_id, []).append(comment)
    for number, post in posts.items():
        shown = public.visit(base + post.get_absolute_url(), read=POST_PAGE_TEXT).read
        assert squeezed(shown["title"]) == squeezed(post.title)
        expected_authors = {f"comment-{c.pk}": squeezed(c.author_name) for c in comments_of[post.pk]}
        assert {key: squeezed(name) for key, name in shown["authors"].items()} == expected_authors
        assert shown["featuredAlt"] == post.featured_image.alt_text
        shown_as_text["post title"] += squeezed(shown["title"]) == squeezed(text_of[number])
        shown_as_text["comment author name"] += squeezed(text_of[number]) in expected_authors.values()
        shown_as_text["comment website"] += any(text_of[number].replace(" ", "%20") in href for href in shown["websites"])
        shown_as_text["image alt text"] += shown["featuredAlt"] == text_of[number]
        if number in sample:  # the refused website comes back in the form, with the page's other values
            refusal = public.submit_form(
                "#commentform",
                {"author": text_of[number], "email": "again@example.net", "url": text_of[number], "comment": text_of[number],
                 "comment_stamp": make_stamp()},
                read=REFUSAL_TEXT,
            )  # fmt: skip
            assert refusal.status == 400 and refusal.read["url"] == text_of[number], refusal
    # The listings show every title and body; the search results highlight the matched words.
    month = next(iter(posts.values())).published_at.strftime("/%Y/%m/")
    listings = ["/", month, category.get_absolute_url(), contributor.author.get_absolute_url()]
    for path in listings:
        count = public.visit(base + path, read="() => document.querySelectorAll('.post-summary').length").read
        assert count == len(posts), path
    for words in ("corpus", "xss"):  # every body says "corpus"; "xss" is in every title too
        count = public.visit(f"{base}/?s={words}", read="() => document.querySelectorAll('.search-result').length").read
        assert count == len(posts), words

    # The desk, as the editor: the lists (every page), then each sampled post's editor and diff and image's page.
    desk.visit_pages(base + "/desk/posts/", items=len(posts), per_page=POSTS_PER_PAGE)
    desk.visit_pages(base + "/desk/comments/", items=Comment.objects.count(), per_page=QUEUE_PER_PAGE)
    desk.visit_pages(base + "/desk/media/", items=len(images), per_page=ITEMS_PER_PAGE)
    for number in sample:
        post, item = posts[number], images[number]
        shown = desk.visit(f"{base}/desk/posts/{post.pk}/", wait_for=PREVIEW_SHOWN, read=EDITOR_TEXT).read
        assert shown == {"title": post.title, "body": post.body}
        first, *_, last = Revision.objects.filter(post=post).order_by("created_at", "pk").values_list("pk", flat=True)
        new_lines = desk.visit(f"{base}/desk/posts/{post.pk}/revisions/?old={first}&new={last}", read=DIFF_TEXT).read
        assert text_of[number] in new_lines  # the title's line and the body's
        shown = desk.visit(f"{base}/desk/media/{item.pk}/", read=MEDIA_EDIT_TEXT).read
        assert shown["alt"] == item.alt_text and squeezed(shown["uploadedAs"]) == squeezed(item.original_name)
        shown_as_text["image file name"] += shown["uploadedAs"] == text_of[number] + ".jpg"

    reports = public.reports + desk.reports
    public.close()
    desk.close()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                "payloads": len(payloads),
                "surfaces": counts,
                "held comments approved": approved,
                "pages loaded": len(reports),
                "desk sample": sample,
                # Django keeps what follows the last slash of an uploaded file's name (as browsers send it)
                "image file names kept whole": sum(item.original_name == text_of[n] + ".jpg" for n, item in images.items()),
                "payload shown as text": shown_as_text,
                "failures": failures(reports),
            },
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    assert failures(reports) == []
    for surface in ("post title", "comment author name", "comment website", "image alt text"):
        assert shown_as_text[surface] >= MIN_STORED, (surface, shown_as_text)
