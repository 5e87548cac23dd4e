"""Every internal reference in a static build leads to a file of the build, as a static host serves it.

The build is parsed with the standard library's HTML parser. Checked: ``href`` of ``<a>`` and ``<link>``,
``src`` of ``<img>``, ``<script>`` and ``<source>``, the URLs of ``srcset``, and the target of a
``<meta http-equiv="refresh">`` (the moved addresses' pages). Form ``action`` attributes are left out on
purpose (how forms behave in a static build is being changed separately).

A static host answers ``/x/y/`` with ``x/y/index.html`` (or ``x/y/index.xml`` for a feed), any other path
with that file, percent-decoded; it ignores the query string. So a reference with a query is listed on its
own: it only works when the query changes nothing the reader needs (only utm_* parameters are taken as such).
A ``#fragment`` must name an ``id`` (or ``<a name>``) in the target page when that page is HTML.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from broadsheet.comments.models import Comment
from broadsheet.publishing import changes
from broadsheet.publishing.build import build_site
from tests import factories

BASE_URL = "https://blog.example.org/"
# Hosts a build made for BASE_URL must never name: the development server's defaults.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver"}
# Query parameters that change nothing on the page (analytics); anything else is lost on a static host.
COSMETIC_QUERY = ("utm_",)

CHECKED = {"a": ("href",), "link": ("href",), "img": ("src", "srcset"), "script": ("src",),
           "source": ("src", "srcset")}  # fmt: skip


@dataclass(frozen=True)
class Reference:
    page: str  # the output file it is on, relative to the output
    tag: str
    attribute: str
    value: str
    line: int

    def __str__(self) -> str:
        return f"{self.page}:{self.line} <{self.tag} {self.attribute}={self.value!r}>"


class _Collector(HTMLParser):
    """The references and the fragment targets (``id``, ``<a name>``) of one page."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.references: list[Reference] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        line = self.getpos()[0]
        for attribute in CHECKED.get(tag, ()):
            value = values.get(attribute, "").strip()
            if not value:
                continue
            urls = [candidate.split()[0] for candidate in value.split(",") if candidate.strip()] if (
                attribute == "srcset") else [value]  # fmt: skip
            self.references.extend(Reference(self.page, tag, attribute, url, line) for url in urls)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            _delay, _, target = values.get("content", "").partition(";")
            target = target.strip()
            if target.lower().startswith("url="):
                self.references.append(Reference(self.page, tag, "content", target[4:].strip(), line))

    handle_startendtag = handle_starttag


def _page_url(relative: str) -> str:
    """The address a static host serves the file ``relative`` at (``404.html`` is shown at any missing one)."""
    if relative == "index.html":
        return "/"
    if relative.endswith("/index.html"):
        return "/" + relative[: -len("index.html")]
    return "/" + relative


def _files_for(path: str) -> list[str]:
    """The output files a static host may answer the decoded ``path`` with, in its order."""
    relative = path.lstrip("/")
    if path.endswith("/"):
        return [relative + "index.html", relative + "index.xml"]
    return [relative]


@dataclass
class LinkCheck:
    pages: int
    references: int
    internal: int
    broken: list[tuple[Reference, str]]  # (reference, why)
    queries: list[tuple[Reference, str]]  # references a static host answers without their query


def check_links(output: Path, base_url: str = BASE_URL) -> LinkCheck:
    """Parse every HTML file of ``output`` and resolve each internal reference as a static host would."""
    base = urlsplit(base_url)
    files = {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file()}
    collected: dict[str, _Collector] = {}
    for relative in sorted(name for name in files if name.endswith(".html")):
        collector = _Collector(relative)
        collector.feed((output / relative).read_text(encoding="utf-8"))
        collector.close()
        collected[relative] = collector
    broken, queries, references, internal = [], [], 0, 0
    for relative, collector in collected.items():
        page_address = base_url.rstrip("/") + _page_url(relative)
        for reference in collector.references:
            references += 1
            address = urlsplit(urljoin(page_address, reference.value))
            if address.scheme not in ("http", "https"):
                continue  # mailto:, data:, javascript:
            if address.hostname in LOCAL_HOSTS:
                internal += 1
                broken.append((reference, f"names the development host {address.netloc}, not {base.netloc}"))
                continue
            if address.netloc != base.netloc or not address.path.startswith(base.path.rstrip("/") + "/"):
                continue  # another site
            internal += 1
            path = "/" + unquote(address.path[len(base.path.rstrip("/")) + 1 :], errors="strict")
            target = next((name for name in _files_for(path) if name in files), None)
            if target is None:
                broken.append((reference, f"no file for {path}"))
                continue
            if address.query:
                names = [name for name, _ in parse_qsl(address.query, keep_blank_values=True)]
                if not all(name.startswith(COSMETIC_QUERY) for name in names):
                    queries.append((reference, f"a static host serves {target} for ?{address.query}"))
            if address.fragment and target in collected and unquote(address.fragment) not in collected[target].ids:
                broken.append((reference, f"no id {address.fragment!r} in {target}"))
    return LinkCheck(len(collected), references, internal, broken, queries)


def _listing(problems: list[tuple[Reference, str]]) -> str:
    by_reason = defaultdict(list)
    for reference, why in problems:
        by_reason[why].append(str(reference))
    lines = [f"{len(problems)} references:"]
    for why, where in sorted(by_reason.items()):
        lines.append(f"  {why} -- {len(where)} time(s), on: " + "; ".join(where))
    return "\n".join(lines)


@pytest.fixture
def linked_site(site, settings, tmp_path):
    """The small site, with what adds links: images with sizes, a co-author named outside ASCII,
    threaded replies, comments over two comment pages, a post linking to another's comment."""
    from broadsheet.media.uploads import accept_upload
    from tests.media import samples

    posts, about = site
    settings.MEDIA_ROOT = tmp_path / "media"
    cover = accept_upload(SimpleUploadedFile("cover.jpg", samples.image_bytes("JPEG", size=(1600, 1200))), user=None)
    cover.alt_text = "A cover"
    cover.save()
    factories.site(comments_per_page=2, comments_thread_depth=3)
    sofia = factories.author("Sofía Lindqvist", slug="sofía-lindqvist")
    july1 = posts["july1"]
    first = Comment.objects.get(post=july1)
    reply = Comment.objects.create(post=july1, parent=first, author_name="Writer", body="Thanks.", status="approved")
    for number in range(2):  # three top-level comments at two a page: /comment-page-2/ too
        Comment.objects.create(post=july1, author_name=f"Reader {number}", body="More.", status="approved")
    july2 = posts["july2"]
    july2.featured_image = cover
    july2.body = (f'<p><img class="wp-image-{cover.pk}" src="{cover.url}" alt=""></p>\n\n'
                  f'See <a href="{july1.get_absolute_url()}#comment-{reply.pk}">the reply</a>.')  # fmt: skip
    july2.save()
    july2.set_authors([sofia, *july2.authors.all()])
    changes.reset()  # as the site fixture: the setup is not a change to render
    return posts, about


@pytest.fixture
def link_check(linked_site, tmp_path):
    output = tmp_path / "public"
    build_site(output, base_url=BASE_URL, workers=1)  # (test_build.py checks that every URL was rendered)
    return check_links(output)


def test_the_checker_sees_the_links_it_is_meant_to(link_check):
    # Guard against a checker that finds nothing to check: the built site has pages, images and fragments.
    assert link_check.pages > 30
    assert link_check.internal > 500
    assert link_check.internal <= link_check.references


def test_every_internal_reference_in_the_static_site_resolves(link_check):
    assert link_check.broken == [], "Broken internal references in the static build:\n" + _listing(
        link_check.broken
    )


def test_no_internal_reference_depends_on_a_query_a_static_host_ignores(link_check):
    assert link_check.queries == [], (
        "References whose query a static host drops (the page is served as if it were not there):\n"
        + _listing(link_check.queries)
    )


def test_the_checker_finds_what_a_static_host_would_not_serve(tmp_path):
    # The checker itself, on a hand-made output: each kind of fault is caught, and good references pass.
    output = tmp_path / "out"
    (output / "a" / "sofía").mkdir(parents=True)
    (output / "feed").mkdir()
    (output / "feed" / "index.xml").write_text("<rss/>")
    (output / "a" / "sofía" / "index.html").write_text('<p id="x">target</p>')
    (output / "index.html").write_text(
        '<a href="/a/sof%C3%ADa/#x">ok</a><a href="a/sofía/">ok</a><a href="https://blog.example.org/feed/">ok</a>'
        '<a href="https://other.example/nowhere/">external</a><a href="mailto:a@b.c">mail</a>'
        '<img srcset="/a/sofía/ 1x, /missing.jpg 2x"><script src="/gone.js"></script>'
        '<a href="/a/sofía/#y">bad fragment</a><a href="/a/sofía/?replytocom=1#x">query</a>'
        '<a href="/a/sofía/?utm_source=x">cosmetic</a><link href="http://127.0.0.1:8000/">'
        '<form action="/not-checked/"></form>'
    )
    check = check_links(output)
    assert check.pages == 2
    assert sorted((ref.value, why) for ref, why in check.broken) == [
        ("/a/sofía/#y", "no id 'y' in a/sofía/index.html"),
        ("/gone.js", "no file for /gone.js"),
        ("/missing.jpg", "no file for /missing.jpg"),
        ("http://127.0.0.1:8000/", "names the development host 127.0.0.1:8000, not blog.example.org"),
    ]
    assert [ref.value for ref, _why in check.queries] == ["/a/sofía/?replytocom=1#x"]


# Links in the shared exports' own content that only their old WordPress theme answered ("#wrapper", an id
# of Twenty Ten's layout): the authors' text, kept as written.
SHARED_CONTENT_FRAGMENTS = {"theme-preview.xml": {"wrapper"}}


@pytest.mark.parametrize("name", ["themeunittestdata.wordpress.xml", "64-block-test-data.xml", "theme-preview.xml"])
def test_a_real_wordpress_site_built_static_has_no_broken_link(name, db, settings, tmp_path):
    """Each of the shared real WordPress exports, imported and built: every link of the copy resolves."""
    from broadsheet.importers.wordpress.load import import_wxr
    from tests.conftest import SHARED

    export = SHARED / "wordpress" / name
    if not export.exists():
        pytest.skip(f"{export} is not here (the shared exports exist on the project's machines only)")
    settings.MEDIA_ROOT = tmp_path / "media"
    import_wxr(export)
    output = tmp_path / "public"
    build_site(output, base_url=BASE_URL, workers=1)
    result = check_links(output)
    allowed = SHARED_CONTENT_FRAGMENTS.get(name, set())
    broken = [(reference, why) for reference, why in result.broken
              if not (reference.value.startswith("#") and reference.value[1:] in allowed)]  # fmt: skip
    assert result.internal > 500
    assert not broken, _listing(broken)
    assert not result.queries, _listing(result.queries)
