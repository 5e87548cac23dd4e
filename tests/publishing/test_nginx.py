"""The production recipe, for real: Debian's nginx with ``broadsheet deploy nginx``'s config in front of ``broadsheet serve``.

nginx's access log records whether each request went to the app, which is
how these tests tell a page served from the store from one Django rendered.
Skipped only where nginx is not installed and this is not CI (CI installs
it: ``.ci/run``); in CI a missing nginx fails.
"""

from __future__ import annotations

import gzip
import os
import re

import pytest

from tests.publishing.deployment import NGINX, Deployment, get

pytestmark = pytest.mark.skipif(
    NGINX is None and not os.environ.get("CI"),
    reason="nginx is not installed (apt-get install nginx-light); CI installs it",
)

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options")

PUBLISH = """
import datetime
from django.utils import timezone
from broadsheet.content.models import Author, Category, Post
post = Post(title="Deployed through nginx", slug="deployed-through-nginx", status="publish", body_format="markdown",
            body="A first paragraph about rivers.\\n\\n<!--more-->\\n\\nThe rest of it.",
            published_at=timezone.now() - datetime.timedelta(minutes=5))
post.save()
post.set_authors([Author.objects.order_by("pk").first()])
post.categories.set([Category.objects.order_by("pk").first()])
print("URL", post.get_absolute_url())
"""

EDIT = """
from broadsheet.content.models import Post
post = Post.objects.get(slug="deployed-through-nginx")
post.title = "Deployed through nginx, edited"
post.save()
"""

SESSION = """
from django.conf import settings
from django.test import Client
from broadsheet.accounts.roles import create_user
user = create_user("editor1", email="e@example.org", role="editor", password="a long enough passphrase 42")
client = Client()
client.force_login(user)  # a real session in the database, through the configured backend
print("SESSION", client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    if NGINX is None:
        pytest.fail("nginx is not installed, and CI must run the nginx tests: apt-get install nginx-light")
    deployment = Deployment(tmp_path_factory.mktemp("nginx-deployment"))
    deployment.home.mkdir()
    try:
        deployment.start_app()  # a fresh home: the sample site, the store rendered before granian starts
        deployment.start_nginx()
        yield deployment
    finally:
        deployment.stop()


@pytest.fixture(scope="module")
def published(deployment):
    output = deployment.shell(PUBLISH)
    return re.search(r"^URL (\S+)$", output, re.MULTILINE).group(1)


def _csp(value: str) -> set[str]:
    return {directive.strip() for directive in value.split(";") if directive.strip()}


def test_published_post_is_served_by_nginx_from_the_store(deployment, published):
    reply, proxied = deployment.fetch(published)
    assert reply.status == 200
    assert proxied is False, "nginx passed a stored page to the app"
    assert b"<title>Deployed through nginx" in reply.body
    assert b"<!--# include" not in reply.body  # the SSI includes were assembled
    for part in ("menu", "sidebar"):  # the site-wide parts, spliced in by nginx's SSI
        assert (deployment.home / "pages" / "_parts" / f"{part}.html").read_bytes() in reply.body
    # Byte for byte what the app itself answers for the page.
    direct = get(deployment.app_port, published)
    assert direct.status == 200
    assert reply.body == direct.body


def test_an_edit_shows_at_once_through_nginx(deployment, published):
    deployment.shell(EDIT)
    reply, proxied = deployment.fetch(published)
    assert (reply.status, proxied) == (200, False)
    assert b"Deployed through nginx, edited" in reply.body
    home, proxied = deployment.fetch("/")
    assert (home.status, proxied) == (200, False)
    assert b"Deployed through nginx, edited" in home.body


def test_stored_pages_carry_the_headers_django_sends(deployment, published):
    for path in ("/", published, "/feed/", "/feed/atom/", "/sitemap.xml", "/robots.txt"):
        reply, proxied = deployment.fetch(path)
        assert (reply.status, proxied) == (200, False), path
        django = get(deployment.app_port, path, headers={"Cookie": "sessionid=not-a-session"})  # Django itself
        assert django.status == 200, path
        assert reply.header("Content-Type") == django.header("Content-Type"), path
        for name in SECURITY_HEADERS:
            assert reply.header(name) == django.header(name), (path, name)
        assert _csp(reply.header("Content-Security-Policy")) == _csp(django.header("Content-Security-Policy"))
        assert reply.header("Cache-Control") == "public, max-age=0, must-revalidate"


def test_feeds_are_sent_precompressed_and_pages_compressed(deployment):
    reply, proxied = deployment.fetch("/feed/", headers={"Accept-Encoding": "gzip"})
    assert (reply.status, proxied) == (200, False)
    assert reply.header("Content-Encoding") == "gzip"
    assert gzip.decompress(reply.body).startswith(b"<?xml")
    page, _proxied = deployment.fetch("/", headers={"Accept-Encoding": "gzip"})
    assert page.header("Content-Encoding") == "gzip"
    assert b"<!--# include" not in gzip.decompress(page.body)


def test_signed_in_visitors_bypass_the_store(deployment, published):
    key = re.search(r"^SESSION (\S+)$", deployment.shell(SESSION), re.MULTILINE).group(1)
    reply, proxied = deployment.fetch(published, headers={"Cookie": f"csrftoken=x; sessionid={key}"})
    assert (reply.status, proxied) == (200, True)
    desk, proxied = deployment.fetch("/desk/", headers={"Cookie": f"sessionid={key}"})
    assert proxied is True
    assert desk.status in (200, 302)
    assert "/accounts/login/" not in (desk.header("Location") or ""), desk.header("Location")  # Django saw the session
    # A csrftoken cookie alone is not a signed-in visitor.
    reply, proxied = deployment.fetch(published, headers={"Cookie": "csrftoken=abc"})
    assert (reply.status, proxied) == (200, False)


@pytest.mark.parametrize("path,statuses", [("/?s=rivers", {200}), ("/feed/?x=1", {200}), ("/?p=1", {301, 404})])
def test_query_strings_go_to_the_app(deployment, published, path, statuses):
    reply, proxied = deployment.fetch(path)
    assert proxied is True
    assert reply.status in statuses


def test_other_methods_and_unknown_paths_go_to_the_app(deployment):
    reply, proxied = deployment.fetch("/no-such-page/")
    assert (reply.status, proxied) == (404, True)
    assert b"<h1 class=\"listing-title\">Page not found</h1>" in reply.body  # the theme's 404 page
    reply, proxied = deployment.fetch("/2010/07")  # no final slash: Django's redirect, not the stored file
    assert (reply.status, proxied) == (301, True)
    assert reply.header("Location").endswith("/2010/07/")
    reply, proxied = deployment.fetch("/", method="POST", body=b"a=1",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert proxied is True and reply.status != 200


@pytest.mark.parametrize("path", ["/_parts/sidebar.html", "/_manifest.sqlite3", "/_version", "/index.html",
                                  "/feed/index.xml", "/robots.txt.gz"])  # fmt: skip
def test_the_store_files_themselves_are_not_served(deployment, path):
    reply, _proxied = deployment.fetch(path)
    assert reply.status in (301, 404), (path, reply.status)
    assert b"<!--# include" not in reply.body
    assert b"SQLite format" not in reply.body


def test_a_stale_store_is_bypassed(deployment):
    flag = deployment.home / "pages" / "_stale"
    flag.touch()
    try:
        reply, proxied = deployment.fetch("/")
        assert (reply.status, proxied) == (200, True)
    finally:
        flag.unlink()
    reply, proxied = deployment.fetch("/")
    assert (reply.status, proxied) == (200, False)


def test_media_is_served_by_nginx_with_the_safe_headers(deployment):
    media = deployment.home / "media" / "2026" / "01"
    media.mkdir(parents=True, exist_ok=True)
    (media / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (media / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (media / ".hidden").write_text("secret")
    reply, proxied = deployment.fetch("/media/2026/01/photo.png")
    assert (reply.status, proxied) == (200, False)
    assert reply.header("Content-Type") == "image/png"
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert reply.header("Content-Security-Policy") == "default-src 'none'; sandbox"
    svg, proxied = deployment.fetch("/media/2026/01/drawing.svg")
    assert (svg.status, proxied) == (200, False)
    assert svg.header("Content-Type") == "application/octet-stream"  # a download, never rendered
    assert svg.header("Content-Security-Policy") == "default-src 'none'; sandbox"
    hidden, _proxied = deployment.fetch("/media/2026/01/.hidden")
    assert hidden.status == 404
    static, proxied = deployment.fetch("/static/broadsheet/theme.css")
    assert (static.status, proxied) == (200, False)


ACCENTED = """
import datetime
from django.utils import timezone
from broadsheet.content.models import Author, Post
author = Author.objects.create(display_name="Sofía Lindqvist", slug="sofía-lindqvist")
post = Post(title="Ça va", slug="ça-va", status="publish", body="Très bien.",
            published_at=timezone.now() - datetime.timedelta(minutes=4))
post.save()
post.set_authors([author])
print("URL", post.get_absolute_url())
"""


def test_non_ascii_addresses_are_served_by_nginx_from_the_store(deployment):
    from urllib.parse import quote

    permalink = re.search(r"^URL (\S+)$", deployment.shell(ACCENTED), re.MULTILINE).group(1)
    for path, text in ((permalink, "Ça va"), ("/author/sofía-lindqvist/", "Sofía Lindqvist")):
        assert (deployment.home / "pages" / path.lstrip("/") / "index.html").exists(), path  # the decoded name
        reply, proxied = deployment.fetch(quote(path))  # what a browser sends
        assert (reply.status, proxied) == (200, False), path
        assert text.encode() in reply.body
        assert reply.body == get(deployment.app_port, quote(path)).body


def test_stored_pages_answer_while_the_app_is_down(deployment, published):
    """Last (module order): stopping the app proves where the pages come from."""
    # The edit again: under xdist the editing test may have run in another worker's deployment.
    deployment.shell(EDIT)
    deployment.stop_app()
    reply, proxied = deployment.fetch(published)
    assert (reply.status, proxied) == (200, False)
    assert b"Deployed through nginx, edited" in reply.body
    feed, _proxied = deployment.fetch("/feed/")
    assert feed.status == 200
    search, proxied = deployment.fetch("/?s=rivers")
    assert (search.status, proxied) == (502, True)  # what needs the app cannot answer without it
