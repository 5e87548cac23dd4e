"""Exporting the site as WXR 1.2: well-formed, read back without repairs, and equal after a round trip.

A round trip imports (or builds) a site, takes its :func:`snapshot_site`, exports it, empties the
database, imports the export and takes the snapshot again: the two must be equal item by item.
"""

import io
import pathlib
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.management import CommandError, call_command

from broadsheet.cli import main
from broadsheet.comments.models import Comment
from broadsheet.content.models import Author, Category, MenuItem, Page, Post, SiteSettings, Tag
from broadsheet.exporters.wordpress import NAMESPACES, export_wxr, get_item_ids
from broadsheet.importers.wordpress.load import import_wxr
from broadsheet.importers.wordpress.models import WordPressItem, WordPressTerm
from broadsheet.importers.wordpress.records import ItemRecord
from broadsheet.importers.wordpress.wxr import ParseStats, read_wxr
from broadsheet.media.models import MediaItem
from tests import factories
from tests.conftest import SHARED

SMALL = pathlib.Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "wxr" / "small-site.xml"
THEME_UNIT_TEST = SHARED / "wordpress" / "themeunittestdata.wordpress.xml"
_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

pytestmark = pytest.mark.django_db


# -- the comparable site ------------------------------------------------------------


def _second(value):
    return value.replace(microsecond=0).isoformat() if value is not None else None


def _kept_meta(link, drop=()) -> list:
    """Return the item's postmeta as kept by the import, minus Broadsheet's own transport keys."""
    meta = link.record.get("meta", []) if link is not None else []
    return [list(pair) for pair in meta if not pair[0].startswith("_broadsheet_") and pair[0] not in drop]


def _kept_terms(link) -> list:
    """Return the other taxonomies' terms of an item (categories, tags and co-authors have columns)."""
    terms = link.record.get("terms", []) if link is not None else []
    return sorted(
        (t["domain"], t["slug"], t["name"]) for t in terms if t["domain"] not in ("category", "post_tag", "tag", "author")
    )


def _login(author) -> str:
    return (author.login or author.slug) if author is not None else ""


def _entry(entry, link) -> dict:
    return {
        "title": entry.title, "slug": entry.slug, "body": entry.body, "body_format": entry.body_format,
        "excerpt": entry.excerpt, "status": entry.status, "password": entry.password,
        # A draft with no publication date has only its creation date in WXR ("floating" post_date).
        "date": _second(entry.published_at or entry.created_at), "published": entry.published_at is not None,
        "modified": _second(entry.modified_at), "comment_status": entry.comment_status,
        # _thumbnail_id is compared as "featured_image" (native posts have it only once exported).
        "ping_status": entry.ping_status, "meta": _kept_meta(link, drop=("_thumbnail_id",)), "terms": _kept_terms(link),
    }  # fmt: skip


def snapshot_site() -> dict:
    """Return the whole site as plain data keyed by WordPress ID (login, slug, comment ID for the rest).

    Items native to Broadsheet are keyed by the ID the exporter gives them, so a native site and its
    re-import compare key for key.
    """
    ids = get_item_ids()
    settings = SiteSettings.load()
    data = {
        "site": {"title": settings.title, "tagline": settings.tagline, "time_zone": settings.time_zone,
                 "permalink_structure": settings.permalink_structure},  # fmt: skip
        "authors": {}, "categories": {}, "tags": {}, "terms": {}, "posts": {}, "pages": {},
        "attachments": {}, "items": {}, "comments": {}, "menus": [],
    }  # fmt: skip
    for author in Author.objects.all():
        data["authors"][_login(author)] = {
            "display_name": author.display_name, "slug": author.slug, "email": author.email,
            "first_name": author.first_name, "last_name": author.last_name, "bio": author.bio, "website": author.website,
        }  # fmt: skip
    for category in Category.objects.select_related("parent"):
        data["categories"][category.slug] = {
            "name": category.name, "description": category.description, "path": category.path,
            "parent": category.parent.slug if category.parent else None,
        }  # fmt: skip
    for tag in Tag.objects.all():
        data["tags"][tag.slug] = {"name": tag.name, "description": tag.description}
    for term in WordPressTerm.objects.exclude(taxonomy__in=("category", "post_tag")):
        data["terms"][(term.taxonomy, term.slug)] = {
            "name": term.name, "parent": term.parent_slug, "description": term.description, "meta": term.meta,
            "term_id": term.term_id,
        }  # fmt: skip
    for post in Post.objects.select_related("wordpress", "featured_image__wordpress").prefetch_related("categories", "tags"):
        link = getattr(post, "wordpress", None)
        data["posts"][ids.post(post)] = {
            **_entry(post, link),
            "featured_image": ids.media(post.featured_image) if post.featured_image else None,
            "sticky": post.sticky,
            "authors": [_login(author) for author in post.ordered_authors],
            "categories": sorted(c.slug for c in post.categories.all()),
            "tags": sorted(t.slug for t in post.tags.all()),
        }
    for page in Page.objects.select_related("wordpress", "author", "parent__wordpress"):
        link = getattr(page, "wordpress", None)
        data["pages"][ids.page(page)] = {
            **_entry(page, link),
            "path": page.path,
            "parent": ids.page(page.parent) if page.parent else None,
            "menu_order": page.menu_order,
            "author": _login(page.author),
        }
    for media in MediaItem.objects.select_related("wordpress", "parent_post__wordpress", "parent_page__wordpress"):
        link = getattr(media, "wordpress", None)
        if media.parent_post:
            parent = ("post", ids.post(media.parent_post))
        elif media.parent_page:
            parent = ("page", ids.page(media.parent_page))
        else:
            parent = None
        data["attachments"][ids.media(media)] = {
            "title": media.title, "caption": media.caption, "description": media.description, "alt": media.alt_text,
            "url": media.url if media.url.startswith("http") else django_settings.SITE_URL + media.url,
            "parent": parent, "uploaded": _second(media.uploaded_at), "width": media.width, "height": media.height,
            # Where a size is served changes (the media store, else beside the original URL); its file name does not.
            "sizes": {name: (size["width"], size["height"], size["url"].rsplit("/", 1)[-1]) for name, size in media.sizes.items()},
            # An upload's _wp_attachment_metadata is written by the export: compared as width, height and sizes.
            "meta": _kept_meta(link, drop=("_wp_attached_file", "_wp_attachment_image_alt", "_wp_attachment_metadata")),
        }  # fmt: skip
    for link in WordPressItem.objects.exclude(post_type__in=("post", "page", "attachment")).select_related("site"):
        records = [{k: v for k, v in record.items() if k != "line"} for record in (link.record, *link.duplicates)]
        for record in records:  # custom menu links into the site itself: relative to the site, as the menus have them
            record["meta"] = [
                [k, v.removeprefix(link.site.base_url.rstrip("/")) or "/" if k == "_menu_item_url" else v]
                for k, v in record.get("meta", [])
            ]
        data["items"][ids.item(link)] = records
    for comment in Comment.objects.select_related("post__wordpress", "page__wordpress", "wordpress"):
        stored = comment.wordpress.record if getattr(comment, "wordpress", None) else {}
        data["comments"][comment.pk] = {
            "on": ("post", ids.post(comment.post)) if comment.post else ("page", ids.page(comment.page)),
            "parent": comment.parent_id, "author": comment.author_name, "email": comment.author_email,
            "url": comment.author_url, "ip": comment.author_ip, "body": comment.body, "kind": comment.kind,
            "status": comment.status, "date": _second(comment.created_at), "meta": stored.get("meta", []),
            "user_id": stored.get("user_id", 0),
        }  # fmt: skip
    for item in MenuItem.objects.select_related("page__wordpress", "post__wordpress", "category", "parent"):
        if item.page:
            target = ("page", ids.page(item.page))
        elif item.post:
            target = ("post", ids.post(item.post))
        elif item.category:
            target = ("category", item.category.slug)
        else:
            target = ("url", item.url)
        data["menus"].append((item.menu, item.position, item.label, target, item.parent.label if item.parent else None))
    data["menus"].sort()
    return data


# -- helpers ----------------------------------------------------------------------


def _export(path: pathlib.Path):
    with path.open("wb") as stream:
        return export_wxr(stream)


def _empty_database() -> None:
    """Start again from an empty database (every table flushed), as on a new site."""
    from django.db import connection

    from broadsheet.theme.context import clear_sidebar_cache

    if connection.vendor == "postgresql":
        # Inside the test's transaction, PostgreSQL refuses TRUNCATE while deferred FK checks are pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    SiteSettings.reset_current()
    clear_sidebar_cache()
    cache.clear()
    assert not Post.objects.exists() and not Author.objects.exists() and not WordPressItem.objects.exists()


def _round_trip(tmp_path: pathlib.Path):
    """Return (before, after, export report, import report) of export -> empty database -> import."""
    before = snapshot_site()
    path = tmp_path / "export.xml"
    export_report = _export(path)
    _empty_database()
    import_report = import_wxr(path)
    SiteSettings.reset_current()
    return before, snapshot_site(), export_report, import_report


def _assert_same_site(before: dict, after: dict, skip=()) -> None:
    for part in before:
        if part not in skip:
            assert after[part] == before[part], part


def _read_back(data: bytes) -> tuple[list, ParseStats]:
    stats = ParseStats()
    records = list(read_wxr(io.BytesIO(data), stats))
    return records, stats


# -- (1) well-formed, read without repairs -------------------------------------------


def test_export_is_well_formed_and_read_back_without_repairs():
    import_wxr(SMALL)
    stream = io.BytesIO()
    report = export_wxr(stream)
    data = stream.getvalue()
    root = ET.fromstring(data)  # well-formed
    assert root.tag == "rss" and root.find("channel/{http://wordpress.org/export/1.2/}wxr_version").text == "1.2"
    for prefix, uri in NAMESPACES.items():
        assert f'xmlns:{prefix}="{uri}"'.encode() in data
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    records, stats = _read_back(data)
    assert (stats.control_characters_removed, stats.bytes_reencoded, stats.notes) == (0, 0, [])
    items = [record for record in records if isinstance(record, ItemRecord)]
    types = sorted(item.post_type for item in items)
    assert types == ["attachment", "guest-author", "nav_menu_item", "nav_menu_item", "page", "page"] + ["post"] * 6
    assert len({item.post_id for item in items}) == len(items)  # no two items share an ID
    assert report.count("post") == 6 and report.count("comment") == 5 and report.control_characters_removed == 0
    assert b"]]]]><![CDATA[>" in data  # a "]]>" in a body is split as wxr_cdata() does


def test_imported_fields_without_a_column_come_back_from_the_kept_record():
    import_wxr(SMALL)
    post = Post.objects.get(pk=101)
    post.title = "Edited after the import"
    post.save()
    records, _ = _read_back(_export_bytes())
    item = next(r for r in records if isinstance(r, ItemRecord) and r.post_id == 101)
    assert item.title == "Edited after the import"  # Broadsheet's current state
    assert item.guid == "https://policy.example.org/?p=101"  # kept
    assert item.link == "http://127.0.0.1:8000/2010/07/28/why-councils-stopped-building/"  # the permalink now
    assert ("_custom_serialised", 'a:2:{s:3:"one";s:5:"Tomás";i:0;b:1;}') in item.meta  # byte-exact
    assert [(t.domain, t.slug) for t in item.terms] == [
        ("category", "europe"), ("post_tag", "budget"), ("series", "long-reads"),
    ]  # fmt: skip
    co_authored = next(r for r in records if isinstance(r, ItemRecord) and r.post_id == 102)
    assert [(t.domain, t.slug) for t in co_authored.terms if t.domain == "author"] == [
        ("author", "cap-tvarga"), ("author", "cap-iokafor"),
    ]  # fmt: skip
    assert co_authored.creator == "tvarga"
    draft = next(r for r in records if isinstance(r, ItemRecord) and r.post_id == 103)
    assert draft.post_date is not None and draft.post_date_gmt is None  # 0000-00-00 00:00:00
    comments = {c.comment_id: c for c in next(r for r in records if isinstance(r, ItemRecord) and r.post_id == 101).comments}
    assert comments[502].parent == 501 and comments[506].type == "pingback" and comments[503].approved == "0"
    assert comments[505].type == "note" and comments[505].approved == "1"  # as WordPress had it


def _export_bytes() -> bytes:
    stream = io.BytesIO()
    export_wxr(stream)
    return stream.getvalue()


# -- (2) round trip of the small fixture ------------------------------------------------


def test_round_trip_of_the_small_fixture(tmp_path):
    import_wxr(SMALL)
    before, after, export_report, import_report = _round_trip(tmp_path)
    assert len(before["posts"]) == 6 and len(before["pages"]) == 2 and len(before["comments"]) == 5
    assert before["posts"][102]["authors"] == ["tvarga", "iokafor"]
    assert before["authors"]["iokafor"]["bio"] == "Economist."
    _assert_same_site(before, after)
    assert import_report.count("post", "skipped") == 0 and import_report.count("comment", "skipped") == 0


# -- (3) round trip of WordPress's theme unit test data ---------------------------------


@pytest.mark.skipif(not THEME_UNIT_TEST.exists(), reason=f"{THEME_UNIT_TEST} is absent (../shared not mounted)")
def test_round_trip_of_the_theme_unit_test_data(tmp_path):
    import_wxr(THEME_UNIT_TEST)
    before, after, export_report, _ = _round_trip(tmp_path)
    assert len(before["posts"]) > 40 and len(before["pages"]) > 10 and len(before["attachments"]) > 20
    assert len(before["comments"]) > 20 and len(before["items"]) > 50
    _records, stats = _read_back((tmp_path / "export.xml").read_bytes())
    assert (stats.control_characters_removed, stats.bytes_reencoded) == (0, 0)
    _assert_same_site(before, after)


# -- (4) a site made in Broadsheet ----------------------------------------------------------


def _native_site() -> None:
    factories.site(title="Native Review", tagline="Made here", time_zone="Europe/Paris")
    margaret = factories.author("Margaret Hale", email="m@example.org", first_name="Margaret", last_name="Hale")
    tomas = factories.author("Tomás Varga")
    politics = factories.category("Politics", description="Elections")
    europe = factories.category("Europe", parent=politics)
    budget = factories.tag("Budget", description="Money")
    factories.tag("Unused tag")
    first = factories.post(
        "Why councils stopped building", "2010-07-28 09:15", zone="Europe/Paris", authors=[margaret],
        categories=[europe], tags=[budget], body="# Heading\n\nSome *Markdown*.\r\n\r\nMore.",
        excerpt="How it faded.", sticky=True,
    )  # fmt: skip
    factories.post(
        "A co-authored treaty", "2010-07-21 18:40", zone="Europe/Paris", authors=[tomas, margaret],
        categories=[politics], body_format="html", body="<p>HTML body</p>", comment_status="closed",
        ping_status="open",
    )  # fmt: skip
    factories.post("Members only", "2010-07-15 10:00", authors=[tomas], password="members")
    factories.post("A floating draft", None, authors=[margaret], status="draft")
    factories.post("A dated draft", "2011-01-05 10:00", authors=[margaret], status="draft")
    factories.post("Scheduled", "2099-01-01 09:00", authors=[margaret], status="future")
    about = factories.page("About", menu_order=2, author=margaret)
    team = factories.page("The team", parent=about, menu_order=1)
    top = Comment.objects.create(
        post=first, author_name="Reader One", author_email="one@example.net", author_url="https://one.example.net",
        author_ip="192.0.2.1", body="A first remark.", status="approved",
        created_at=factories.aware("2010-07-28 12:00"),
    )  # fmt: skip
    Comment.objects.create(
        post=first, parent=top, author_name="Margaret Hale", body="A reply.", status="approved",
        created_at=factories.aware("2010-07-28 13:00"),
    )  # fmt: skip
    at = factories.aware
    Comment.objects.create(post=first, author_name="Waiting", body="Pending.", created_at=at("2010-07-28 14:00"))
    Comment.objects.create(post=first, author_name="Spammer", body="Buy.", status="spam", created_at=at("2010-07-28 15:00"))
    Comment.objects.create(
        post=first, author_name="Other Blog", author_url="https://other.example.com/", body="[...] linked [...]",
        kind="pingback", status="approved", created_at=factories.aware("2010-07-29 08:00"),
    )  # fmt: skip
    Comment.objects.create(page=team, author_name="Visitor", body="Nice.", status="approved", created_at=at("2010-08-01 08:00"))
    MediaItem.objects.create(
        title="Estate", caption="A 1960s estate", alt_text="An estate", description="Photo",
        original_url="https://cdn.example.org/estate.jpg", parent_post=first, uploaded_at=factories.aware("2010-07-28 08:00"),
    )  # fmt: skip
    MediaItem.objects.create(title="Stored file", file="2010/08/chart.png", parent_page=about, alt_text="A chart")
    home = MenuItem.objects.create(label="Home", url="/", position=1)
    MenuItem.objects.create(page=about, label="About us", position=2)
    MenuItem.objects.create(category=politics, label="Politics", position=3, parent=home)
    MenuItem.objects.create(post=first, label="", position=4)


def test_round_trip_of_a_site_made_in_broadsheet(tmp_path):
    _native_site()
    co_authored = Post.objects.get(title="A co-authored treaty").pk
    before, after, export_report, import_report = _round_trip(tmp_path)
    assert before["posts"][co_authored]["authors"] == ["tomás-varga", "margaret-hale"]
    assert len(before["comments"]) == 6 and len(before["menus"]) == 4 and len(before["attachments"]) == 2
    _assert_same_site(before, after, skip=("terms", "items"))
    assert before["terms"] == {} and before["items"] == {}
    # The byline of the co-authored post travels as Co-Authors Plus terms; the menu as a nav_menu term and
    # nav_menu_item items (kept by the import like any WordPress menu, and equal as menus above).
    assert set(after["terms"]) == {("author", "cap-tomás-varga"), ("author", "cap-margaret-hale"), ("nav_menu", "primary")}
    assert [records[0]["post_type"] for records in after["items"].values()] == ["nav_menu_item"] * 4
    assert export_report.count("menu item") == 4 and export_report.count("page") == 2


def test_native_ids_do_not_clash_with_imported_ones():
    import_wxr(SMALL)  # posts 101-107, pages 110-111, attachment 201, menu items 401-402
    new_page = factories.page("Contact")
    post_pks = [factories.post(f"New {n}").pk for n in range(5)]  # 108..112: 110 and 111 are imported pages' IDs
    ids = get_item_ids()
    assert ids.offset == 1000 and ids.page(new_page) == 1000 + new_page.pk
    records, _ = _read_back(_export_bytes())
    items = [record for record in records if isinstance(record, ItemRecord)]
    assert len({item.post_id for item in items}) == len(items)
    assert 108 in {item.post_id for item in items} and 110 in post_pks
    assert ids.post(Post.objects.get(pk=110)) >= 4000


def _add_posts(start: int, stop: int) -> None:
    authors = [Author.objects.get_or_create(slug=f"writer-{i}", defaults={"display_name": f"Writer {i}"})[0] for i in range(3)]
    category = Category.objects.get_or_create(slug="news", defaults={"name": "News"})[0]
    tag = Tag.objects.get_or_create(slug="budget", defaults={"name": "Budget"})[0]
    for i in range(start, stop):
        post = factories.post(f"Post {i}", authors=authors[: 1 + i % 3], categories=[category], tags=[tag])
        Comment.objects.create(post=post, author_name="Reader", body="Hello.", status="approved")
        factories.page(f"Page {i}")
        MediaItem.objects.create(title=f"File {i}", original_url=f"https://cdn.example.org/{i}.jpg", parent_post=post)


def _export_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        export_wxr(io.BytesIO())
    return len(queries)


def test_query_count_does_not_grow_with_the_site():
    _add_posts(0, 10)
    at_ten = _export_queries()
    _add_posts(10, 60)
    assert _export_queries() == at_ten


# -- (5) hostile content ----------------------------------------------------------------------


def test_hostile_content_is_exported_safely_and_round_trips(tmp_path):
    writer = factories.author("Eve ]]> Writer")
    hostile_tag = factories.tag('Tag "quoted" & <angled>', slug="tag-quoted")
    post = factories.post(
        "<script>alert('title')</script> ]]> end", authors=[writer], tags=[hostile_tag],
        body="before ]]> after ]]]]> <![CDATA[ nested \x01\x02\x1b controls\r\nCRLF kept\ufffe",
        excerpt="excerpt \x0b with a vertical tab", body_format="html",
    )  # fmt: skip
    Comment.objects.create(post=post, author_name="<b>bold</b>", body="comment ]]> \x07 body", status="approved")
    path = tmp_path / "export.xml"
    report = _export(path)
    data = path.read_bytes()
    assert report.control_characters_removed == 6
    assert not _CONTROLS.search(data)
    ET.fromstring(data)  # still well-formed
    assert b"<script>" not in data.replace(b"<![CDATA[<script>", b"")  # only ever inside CDATA
    records, stats = _read_back(data)
    assert (stats.control_characters_removed, stats.bytes_reencoded) == (0, 0)
    before = snapshot_site()
    _empty_database()
    import_wxr(path)
    after = snapshot_site()
    (key,) = before["posts"]
    assert after["posts"][key]["title"] == "<script>alert('title')</script> ]]> end"
    assert after["posts"][key]["body"] == "before ]]> after ]]]]> <![CDATA[ nested  controls\r\nCRLF kept"
    assert after["posts"][key]["excerpt"] == "excerpt  with a vertical tab"
    assert after["tags"]["tag-quoted"]["name"] == 'Tag "quoted" & <angled>'
    assert after["authors"]["eve-writer"]["display_name"] == "Eve ]]> Writer"
    (comment,) = after["comments"].values()
    assert comment["body"] == "comment ]]>  body" and comment["author"] == "<b>bold</b>"
    for part in ("categories", "pages", "menus"):
        assert after[part] == before[part]


# -- the command and the CLI -----------------------------------------------------------------


def test_command_writes_the_file_whole_or_not_at_all(tmp_path, monkeypatch):
    import_wxr(SMALL)
    target = tmp_path / "site.xml"
    out = io.StringIO()
    call_command("export_wordpress", output=str(target), stdout=out)
    assert "6 posts" in out.getvalue() and str(target) in out.getvalue()
    assert target.read_bytes().startswith(b"<?xml") and [p.name for p in tmp_path.iterdir()] == ["site.xml"]

    def broken(stream):
        stream.write(b"<?xml half")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("broadsheet.exporters.management.commands.export_wordpress.export_wxr", broken)
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        call_command("export_wordpress", output=str(target), stdout=io.StringIO())
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["site.xml"]


def test_command_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_wordpress", output=str(tmp_path / "nowhere" / "site.xml"), stdout=io.StringIO())


def test_command_writes_to_standard_output_by_default():
    import_wxr(SMALL)
    out, err = io.StringIO(), io.StringIO()
    call_command("export_wordpress", stdout=out, stderr=err)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert out.getvalue().rstrip().endswith("</rss>") and "6 posts" in err.getvalue()


def test_cli_export_wordpress(tmp_path):
    import_wxr(SMALL)
    target = tmp_path / "cli.xml"
    result = CliRunner().invoke(main, ["export", "wordpress", "-o", str(target)])
    assert result.exit_code == 0, result.output
    ET.fromstring(target.read_bytes())
    result = CliRunner().invoke(main, ["export", "wordpress"])
    assert result.exit_code == 0 and "<wp:wxr_version>1.2</wp:wxr_version>" in result.stdout


# -- (6) images: featured images and sizes ------------------------------------------------------


def _import_images(tmp_path, *items):
    from tests.importers.test_wordpress_images import wxr

    path = tmp_path / "images.xml"
    path.write_text(wxr(*items), encoding="utf-8")
    return import_wxr(path)


def _exported_items(data: bytes) -> dict[int, ItemRecord]:
    records, _ = _read_back(data)
    return {record.post_id: record for record in records if isinstance(record, ItemRecord)}


def test_round_trip_keeps_featured_images_and_sizes(tmp_path):
    from tests.importers.test_wordpress_images import _attachment, _post

    _import_images(tmp_path, _post(), _attachment())
    before, after, _, import_report = _round_trip(tmp_path)
    assert before["posts"][300]["featured_image"] == 301
    assert before["attachments"][301]["sizes"]["medium_large"] == (768, 512, "view-768x512.jpg")
    assert len(before["attachments"][301]["sizes"]) == 4
    _assert_same_site(before, after)
    assert import_report.featured_images_linked == 1 and import_report.attachments_with_sizes == 1


def test_kept_metadata_and_thumbnail_are_written_once_as_they_came(tmp_path):
    from tests.importers.test_wordpress_images import METADATA, _attachment, _post

    _import_images(tmp_path, _attachment(), _post())
    items = _exported_items(_export_bytes())
    assert items[301].meta_values("_wp_attachment_metadata") == [METADATA]
    assert items[300].meta_values("_thumbnail_id") == ["301"]


def test_a_thumbnail_id_naming_nothing_is_kept_and_one_removed_here_is_dropped(tmp_path):
    from tests.importers.test_wordpress_images import _attachment, _post

    _import_images(tmp_path, _post(thumbnail="999"), _attachment())
    assert _exported_items(_export_bytes())[300].meta_values("_thumbnail_id") == ["999"]
    _import_images(tmp_path, _post(), _attachment())
    assert Post.objects.get(pk=300).featured_image_id == 301
    Post.objects.filter(pk=300).update(featured_image=None)  # taken off in the desk
    assert _exported_items(_export_bytes())[300].meta_values("_thumbnail_id") == []


def test_an_uploaded_featured_image_round_trips_with_its_sizes(tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from broadsheet.importers.wordpress.attachment_metadata import read_attachment_metadata
    from broadsheet.media.uploads import accept_upload
    from tests.media import samples

    settings.MEDIA_ROOT = tmp_path / "media"
    image = accept_upload(SimpleUploadedFile("harbour.jpg", samples.image_bytes(size=(1600, 1200))), user=None)
    post = factories.post("With a picture")
    post.featured_image = image
    post.save()
    ids = get_item_ids()
    items = _exported_items(_export_bytes())
    assert items[ids.post(post)].meta_values("_thumbnail_id") == [str(ids.media(image))]
    (metadata,) = items[ids.media(image)].meta_values("_wp_attachment_metadata")
    read = read_attachment_metadata(metadata)
    assert (read.width, read.height, read.file, read.problem) == (1600, 1200, image.file.name, "")
    assert {name: (size.width, size.height) for name, size in read.sizes.items()} == {
        name: (size["width"], size["height"]) for name, size in image.sizes.items()
    }
    before, after, _, _ = _round_trip(tmp_path)
    assert before["posts"][ids.post(post)]["featured_image"] == ids.media(image)
    assert len(before["attachments"][ids.media(image)]["sizes"]) == 4
    _assert_same_site(before, after, skip=("terms", "items"))
