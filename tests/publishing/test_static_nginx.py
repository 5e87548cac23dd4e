"""A static build served by a real nginx with the server block the README gives.

Debian's nginx serves the folder ``broadsheet build`` wrote, with its
``nginx-redirects.conf`` included: pages, feeds (``index.xml``, read by a
real feed parser), the moved address as a 301, the not-found page, a name
outside ASCII, static files and the static copy's search page.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from urllib.parse import quote

import feedparser
import pytest

from broadsheet.legacy.models import OldPath
from broadsheet.publishing.build import build_site
from tests import factories
from tests.publishing.deployment import NGINX, NGINX_MAIN, free_port, get

pytestmark = pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx (apt-get install nginx-light)")

# The README's server block (section "Static builds"), with this test's port and folder.
SERVER_BLOCK = """\
server {{
    listen 127.0.0.1:{port};
    root {site};
    index index.html index.xml;
    include {site}/nginx-redirects.conf;
    error_page 404 /404.html;
    location / {{ try_files $uri $uri/ =404; }}
}}
"""


@pytest.fixture
def served(site, tmp_path):
    posts, _about = site
    OldPath.objects.create(path="/2009/01/02/old-name/", post=posts["july1"], source="_wp_old_slug")
    sofia = factories.author("Sofía Lindqvist", slug="sofía-lindqvist")
    posts["july2"].set_authors([sofia])
    output = tmp_path / "site"
    assert build_site(output, base_url="https://blog.example.org", workers=1).failed == {}
    root, port = tmp_path / "nginx", free_port()
    (root / "tmp").mkdir(parents=True)
    (root / "broadsheet.conf").write_text(SERVER_BLOCK.format(port=port, site=output))
    user = "user root;" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(NGINX_MAIN.format(root=root, user=user))
    command = [NGINX, "-p", str(root), "-c", str(root / "nginx.conf")]
    check = subprocess.run([*command[:1], "-t", *command[1:]], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _attempt in range(100):
            try:
                get(port, "/robots.txt")
                break
            except OSError:
                if nginx.poll() is not None:
                    raise AssertionError((root / "error.log").read_text()) from None
                time.sleep(0.1)
        yield port, output, posts
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)


def test_pages_feeds_and_files_are_served_as_built(served):
    port, output, posts = served
    home = get(port, "/")
    assert home.status == 200 and home.body == (output / "index.html").read_bytes()
    assert home.header("Content-Type").startswith("text/html")
    post = get(port, posts["july1"].get_absolute_url())
    assert post.status == 200 and posts["july1"].title.encode() in post.body
    feed = get(port, "/feed/")
    assert feed.status == 200 and feed.header("Content-Type").startswith("text/xml")
    parsed = feedparser.parse(feed.body)
    assert not parsed.bozo and parsed.version == "rss20"
    assert posts["july1"].title in [entry.title for entry in parsed.entries]
    atom = feedparser.parse(get(port, "/feed/atom/").body)
    assert not atom.bozo and atom.version == "atom10"
    assert get(port, "/static/broadsheet/theme.css").status == 200
    accented = get(port, quote("/author/sofía-lindqvist/"))
    assert accented.status == 200 and "Sofía Lindqvist".encode() in accented.body


def test_moved_addresses_answer_301_and_missing_ones_the_not_found_page(served):
    port, output, posts = served
    moved = get(port, "/2009/01/02/old-name/")
    assert moved.status == 301 and moved.header("Location").endswith(posts["july1"].get_absolute_url())
    missing = get(port, "/no/such/page/")
    assert missing.status == 404 and missing.body == (output / "404.html").read_bytes()


def test_the_search_form_leads_to_the_static_search_page(served):
    port, _output, _posts = served
    search = get(port, "/search/?s=july")
    assert search.status == 200 and b'id="static-search"' in search.body
    index = get(port, "/search/index.json")
    assert index.status == 200 and index.header("Content-Type").startswith("application/json")
