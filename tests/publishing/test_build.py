"""``broadsheet build``: a static site any host can serve, the page store again, and ``--check``."""

import json
import os
import re
import zoneinfo
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.content.models import Page, Post
from broadsheet.legacy.models import OldPath
from broadsheet.publishing import build as build_module
from broadsheet.publishing.build import build_site, check_store
from broadsheet.publishing.catalogue import collect_urls
from broadsheet.search.static_index import static_search_index
from broadsheet.theme.static_copy import rendering_static_copy
from tests import factories


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "2010" / "07").mkdir(parents=True)
    (settings.MEDIA_ROOT / "2010" / "07" / "photo.jpg").write_bytes(b"\xff\xd8\xff not really a photo")
    return settings.MEDIA_ROOT


def test_the_static_site_has_every_page_feed_and_file(site, media, tmp_path):
    posts, _about = site
    OldPath.objects.create(path="/2009/01/02/old-name/", post=posts["july1"], source="_wp_old_slug")
    output = tmp_path / "public"
    report = build_site(output, workers=1)
    assert report.failed == {}
    client = Client()
    for url, relative in {
        "/": "index.html",
        "/page/2/": "page/2/index.html",
        "/2010/07/": "2010/07/index.html",
        "/2010/07/01/july-one/": "2010/07/01/july-one/index.html",
        "/category/politics/europe/": "category/politics/europe/index.html",
        "/about/": "about/index.html",
        "/feed/": "feed/index.xml",
        "/tag/rail/feed/atom/": "tag/rail/feed/atom/index.xml",
        "/comments/feed/": "comments/feed/index.xml",
        "/2010/07/01/july-one/feed/": "2010/07/01/july-one/feed/index.xml",
        "/sitemap.xml": "sitemap.xml",
        "/robots.txt": "robots.txt",
    }.items():
        with rendering_static_copy():  # parts inlined: Django's bytes for a static copy
            assert (output / relative).read_bytes() == client.get(url).content, url
    assert b"Page not found" in (output / "404.html").read_bytes()
    assert b"<!--#" not in (output / "index.html").read_bytes()
    assert (output / "static" / "broadsheet" / "theme.css").exists()
    assert (output / "media" / "2010" / "07" / "photo.jpg").read_bytes().startswith(b"\xff\xd8")
    assert not any(name.startswith("_") and name != "_redirects" for name in os.listdir(output))
    # the moved address: an HTML refresh page, an nginx rule and a Netlify rule
    refresh = (output / "2009/01/02/old-name/index.html").read_text()
    assert 'http-equiv="refresh" content="0; url=http://127.0.0.1:8000/2010/07/01/july-one/"' in refresh
    assert "location = \"/2009/01/02/old-name/\" { return 301 \"/2010/07/01/july-one/\"; }" in (
        output / "nginx-redirects.conf"
    ).read_text()
    redirects = (output / "_redirects").read_text().splitlines()
    assert "/2009/01/02/old-name/  /2010/07/01/july-one/  301" in redirects
    assert "/feed/  /feed/index.xml  200" in redirects
    assert report.redirects == 1


def test_a_static_copy_has_no_form_that_needs_a_server(site, tmp_path):
    """No server answers a static host's forms: the comment form goes, the search form goes to /search/."""
    posts, _about = site
    post = posts["july1"]
    Comment.objects.create(post=post, author_name="Rosa", body="First!", status=Comment.Status.APPROVED)
    output = tmp_path / "public"
    assert build_site(output, workers=1).failed == {}
    live = Client().get(post.get_absolute_url()).content.decode()
    assert 'id="commentform"' in live and 'action="/"' in live  # the site Django serves keeps its forms
    static = (output / post.get_absolute_url().lstrip("/") / "index.html").read_text()
    assert 'id="commentform"' not in static and "replytocom" not in static
    assert "First!" in static and '<p class="comments-closed">Comments are closed.</p>' in static
    assert 'action="/search/"' in static and 'action="/"' not in static
    home = (output / "index.html").read_text()
    assert "#respond" not in home  # no "Leave a comment" link to a form that is not there
    search_page = (output / "search" / "index.html").read_text()
    assert 'data-index="/search/index.json"' in search_page and "search/static-search.js" in search_page
    assert (output / "static" / "search" / "static-search.js").exists()
    index = json.loads((output / "search" / "index.json").read_bytes())
    by_url = {entry["url"]: entry for entry in index["entries"]}
    assert by_url[post.get_absolute_url()]["title"] == post.title
    assert set(by_url) == {entry.get_absolute_url() for entry in [*Post.objects.listed(), *Page.objects.listed()]}


def test_a_page_rendered_for_a_static_copy_and_one_for_the_site_each_get_their_own_forms(site):
    # (The site-wide parts, which hold the sidebar's search form, are kept once rendered: one per kind.)
    for _round in range(2):
        with rendering_static_copy():
            assert 'action="/search/"' in Client().get("/").content.decode()
        live = Client().get("/").content.decode()
        assert 'action="/"' in live and 'action="/search/"' not in live


def test_the_search_index_holds_only_what_readers_may_see(site):
    posts, _about = site
    draft = Post.objects.create(title="Secret draft", slug="secret-draft", body="hidden", status="draft")
    locked = posts["july1"]
    locked.password = "pw"
    locked.save()
    nameless = Post.objects.create(title="!!!", body="No slug.", status="publish")  # answers at /?p=ID only
    index = json.loads(static_search_index(collect_urls().paths))
    titles = {entry["title"] for entry in index["entries"]}
    assert draft.title not in titles and locked.title not in titles
    assert nameless.get_absolute_url().startswith("/?") and nameless.title not in titles  # no page in a static copy
    listed = Post.objects.listed().exclude(pk=nameless.pk).order_by("-published_at", "-pk").first()
    first = index["entries"][0]
    assert (first["title"], first["url"]) == (listed.title, listed.get_absolute_url())  # newest first
    assert first["by"] == listed.byline and first["text"] == listed.summary_text
    assert set(first["terms"]) == {*listed.categories.values_list("name", flat=True),
                                   *listed.tags.values_list("name", flat=True)}  # fmt: skip


def test_a_site_in_another_time_zone_shows_its_own_dates_on_every_page(site, tmp_path):
    """Pages rendered through Django inside a build (robots.txt, feeds, pages) used to leave UTC active for the
    listings rendered after them in the same batch, which then showed UTC dates (a late post on the wrong day)."""
    factories.site(time_zone="America/New_York")
    late = factories.post("Late news", "2010-07-02 03:30")  # 23:30 on 1 July in New York
    output = tmp_path / "public"
    assert build_site(output, workers=1).failed == {}
    stamps = [stamp for path in output.rglob("*.html")
              for stamp in re.findall(r'<time datetime="([^"]+)"', path.read_text())]  # fmt: skip
    assert len(stamps) > 20 and all(stamp.endswith(("-04:00", "-05:00")) for stamp in stamps), set(stamps)
    day = (output / "2010/07/01/index.html").read_text()  # New York's 1 July holds the late post
    assert late.title in day and "2010-07-01T23:30:00-04:00" in day


def test_pages_rendered_after_an_edit_use_the_site_s_time_zone_too(site, store, publishing):
    from broadsheet.publishing.publish import refresh_store

    with publishing():
        factories.site(time_zone="America/New_York")
    refresh_store(store, workers=1)  # (a change of the site's settings marks the store stale)
    with publishing():
        late = factories.post("Late news", "2010-07-02 03:30")  # 23:30 on 1 July in New York
    day = store.read("2010/07/01/index.html").decode()
    assert late.title in day and "2010-07-01T23:30:00-04:00" in day
    report = check_store(store, workers=1)
    assert (report.differ, report.missing, report.extra) == ([], [], [])


def test_a_request_inside_a_render_leaves_the_render_s_time_zone_as_it_found_it(site):
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert Client().get("/robots.txt").status_code == 200  # the site's zone (UTC) while it answers
        assert timezone.get_current_timezone_name() == "Asia/Tokyo"


def test_re_slugged_posts_get_redirects_in_the_static_site(site, store, publishing, tmp_path):
    posts, _about = site
    with publishing():
        posts["may"].slug = "in-may-2010"
        posts["may"].save()
    output = tmp_path / "public"
    build_site(output, workers=1)
    assert "/2010/05/03/in-may/  /2010/05/03/in-may-2010/  301" in (output / "_redirects").read_text()
    assert (output / "2010/05/03/in-may/index.html").exists()
    assert (output / "2010/05/03/in-may-2010/index.html").exists()


def test_base_url_makes_absolute_links_use_it(site, tmp_path):
    output = tmp_path / "public"
    build_site(output, base_url="https://blog.example.org/", workers=1)
    html = (output / "2010/07/index.html").read_text()
    assert '<link rel="canonical" href="https://blog.example.org/2010/07/">' in html
    assert "<loc>https://blog.example.org/2010/07/01/july-one/</loc>" in (output / "sitemap.xml").read_text()
    assert "<link>https://blog.example.org/</link>" in (output / "feed/index.xml").read_text()
    assert "Sitemap: https://blog.example.org/sitemap.xml" in (output / "robots.txt").read_text()
    assert "127.0.0.1" not in html


def test_a_rebuild_replaces_the_folder_as_a_whole(site, tmp_path, publishing):
    posts, _about = site
    output = tmp_path / "public"
    build_site(output, workers=1)
    (output / "stray.html").write_text("left over")
    posts["may"].status = "draft"
    posts["may"].save()
    build_site(output, workers=1)
    assert not (output / "stray.html").exists()
    assert not (output / "2010/05").exists()
    assert [path.name for path in tmp_path.iterdir() if ".building-" in path.name] == []  # the old one is deleted in the background


def test_an_interrupted_build_leaves_the_previous_site_intact(site, tmp_path, monkeypatch):
    output = tmp_path / "public"
    build_site(output, workers=1)
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    chunks = []
    real = build_module._render_chunk

    def interrupted(urls):
        chunks.append(urls)
        if len(chunks) == 2:  # Ctrl+C half way
            raise KeyboardInterrupt
        return real(urls)

    monkeypatch.setattr(build_module, "_render_chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(output, workers=1)
    after = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    assert after == before
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no half-built folder


def test_check_reports_a_page_changed_by_hand(site, store):
    assert check_store(store, workers=1).ok
    record = store.pages()["/2010/07/"]
    (store.root / record.file).write_bytes(b"<html>tampered</html>")
    removed = store.pages()["/tag/rail/"]
    (store.root / removed.file).unlink()
    with store.writing() as writer:
        writer.remove("/2010/06/")
    check = check_store(store, workers=1)
    assert check.differ == ["/2010/07/", "/tag/rail/"]
    assert check.missing == ["/2010/06/"] and check.extra == []
    assert not check.ok


def test_the_command_prints_every_difference_and_fails(site, store):
    (store.root / store.pages()["/2010/07/"].file).write_bytes(b"tampered")
    out = StringIO()
    with pytest.raises(CommandError, match="differs from a fresh build in 1 places"):
        call_command("build_site", check=True, workers=1, stdout=out)
    assert "differs: /2010/07/" in out.getvalue()


def test_the_command_builds_a_site(site, tmp_path):
    out = StringIO()
    call_command("build_site", output=str(tmp_path / "public"), workers=1, stdout=out)
    assert "Built " in out.getvalue() and (tmp_path / "public" / "index.html").exists()


def test_the_command_says_when_the_check_matches(site, store):
    out = StringIO()
    call_command("build_site", check=True, workers=1, stdout=out)
    assert "The page store matches a fresh build" in out.getvalue()


def _fresh_environment(home, **env):
    environment = {**os.environ, "BROADSHEET_HOME": str(home), **env}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BROADSHEET_SITE_URL", "BROADSHEET_PAGE_STORE"):
        environment.pop(name, None)
    return environment


def test_build_from_the_command_line_uses_two_workers(tmp_path):
    """A real installation: the sample site, two forked workers each with its own database connection."""
    home = tmp_path / "home"
    environment = _fresh_environment(home)
    setup = "from broadsheet.content.sample import create_sample_site; create_sample_site()"
    subprocess.run([sys.executable, "-m", "broadsheet", "manage", "shell", "-c", setup], env=environment,
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    output = tmp_path / "public"
    result = subprocess.run(
        [sys.executable, "-m", "broadsheet", "build", "--output", str(output), "--workers", "2"],
        env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(2 workers;" in result.stdout
    assert (output / "2010" / "07" / "index.html").exists()
    assert (output / "feed" / "index.xml").exists()
    # and the page store: rendered, then checked against a fresh build by two workers
    for arguments in (["build", "--store", "--workers", "2"], ["build", "--check", "--workers", "2"]):
        result = subprocess.run([sys.executable, "-m", "broadsheet", *arguments], env=environment,
                                capture_output=True, text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stderr + result.stdout
    assert "matches a fresh build" in result.stdout
    assert Path(home / "pages" / "_manifest.sqlite3").exists()


def test_the_build_command_called_from_code_returns_to_its_caller(site, tmp_path):
    # The program ends a static build without tearing the interpreter down (os._exit, after flushing);
    # ``main`` called from other code (here click's runner) must return as any function does.
    from click.testing import CliRunner

    from broadsheet.cli import main

    result = CliRunner().invoke(main, ["build", "--output", str(tmp_path / "public"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Built " in result.output
    assert (tmp_path / "public" / "2010" / "07" / "index.html").exists()


def test_a_file_written_twice_or_in_another_files_place_is_an_error(tmp_path):
    # Two URLs on one file, or a page where another page's folder must go, stop the build (as in Pelican).
    build_module._made_folders.clear()
    build_module._write_new(tmp_path, "2010/07/one/index.html", b"first")
    assert (tmp_path / "2010/07/one/index.html").read_bytes() == b"first"
    with pytest.raises(build_module.StoreError, match="written twice"):
        build_module._write_new(tmp_path, "2010/07/one/index.html", b"second")
    assert (tmp_path / "2010/07/one/index.html").read_bytes() == b"first"
    build_module._write_new(tmp_path, "feed", b"a file named like a folder")
    with pytest.raises(build_module.StoreError, match="clashes"):
        build_module._write_new(tmp_path, "feed/atom/index.xml", b"<feed/>")
    big = os.urandom(3 * 1024 * 1024)  # more than one write() may take
    build_module._write_new(tmp_path, "big/index.html", big)
    assert (tmp_path / "big/index.html").read_bytes() == big
    build_module._made_folders.clear()


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_fast_build_writes_the_same_bytes_as_django_and_restores_the_collector(site, tmp_path):
    # The batch renders the site-wide parts into each page; Django's pages get them spliced in after.
    import gc

    thresholds = gc.get_threshold()
    fast = build_site(tmp_path / "fast", workers=1)
    assert gc.get_threshold() == thresholds
    slow = build_site(tmp_path / "slow", workers=1, fast=False)
    assert fast.failed == slow.failed == {}
    built, reference = _files(tmp_path / "fast"), _files(tmp_path / "slow")
    assert built.keys() == reference.keys()
    for name, body in built.items():
        assert body == reference[name], name
        assert b'<!--# include' not in body, name
    assert built["index.html"].count(b'<section class="widget widget-search">') == 1  # the sidebar, once


def test_a_render_outside_a_request_leaves_the_caller_s_time_zone_as_it_found_it(site):
    from broadsheet.publishing.publish import _SiteContext

    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        with _SiteContext():  # (as a publish after a commit does, inside the request that committed)
            assert timezone.get_current_timezone_name() == "UTC"  # the site's
        assert timezone.get_current_timezone_name() == "Asia/Tokyo"
