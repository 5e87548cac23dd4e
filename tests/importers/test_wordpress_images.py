"""Imported images: sizes from ``_wp_attachment_metadata`` (read strictly), srcset in bodies, featured images."""

import pathlib
import re

import pytest

from broadsheet.content.models import Post
from broadsheet.importers.wordpress.attachment_metadata import read_attachment_metadata
from broadsheet.importers.wordpress.load import import_wxr
from broadsheet.importers.wordpress.models import WordPressItem
from broadsheet.importers.wordpress.php_serialized import PHPValueRefused, read_php_value, write_php_value
from broadsheet.media.models import MediaItem

pytestmark = pytest.mark.django_db

SITE = "https://blog.example.org"
UPLOADS = f"{SITE}/wp-content/uploads"
# As WordPress 6 writes it for a 1200×800 JPEG: the four default sizes beside the original.
METADATA = write_php_value({
    "width": 1200, "height": 800, "file": "2020/05/view.jpg", "filesize": 123456,
    "sizes": {
        "medium": {"file": "view-300x200.jpg", "width": 300, "height": 200, "mime-type": "image/jpeg", "filesize": 9000},
        "large": {"file": "view-1024x683.jpg", "width": 1024, "height": 683, "mime-type": "image/jpeg"},
        "thumbnail": {"file": "view-150x150.jpg", "width": 150, "height": 150, "mime-type": "image/jpeg"},
        "medium_large": {"file": "view-768x512.jpg", "width": 768, "height": 512, "mime-type": "image/jpeg"},
    },
    "image_meta": {"aperture": "0", "credit": "", "camera": "", "caption": "", "created_timestamp": "0",
                   "copyright": "", "focal_length": "0", "iso": "0", "shutter_speed": "0", "title": "",
                   "orientation": "0", "keywords": []},
})  # fmt: skip
SIZE_FILES = ["view-300x200.jpg", "view-1024x683.jpg", "view-150x150.jpg", "view-768x512.jpg"]
BODY = (
    f'<img class="aligncenter size-large wp-image-301" src="{UPLOADS}/2020/05/view-1024x683.jpg" '
    'alt="The view" width="1024" height="683" />\n\nA paragraph under the picture.'
)


def _meta(key: str, value: str) -> str:
    return f"<wp:postmeta><wp:meta_key><![CDATA[{key}]]></wp:meta_key><wp:meta_value><![CDATA[{value}]]></wp:meta_value></wp:postmeta>"


def _post(thumbnail: str = "301", body: str = BODY) -> str:
    meta = _meta("_thumbnail_id", thumbnail) if thumbnail else ""
    return f"""<item><title>A post with a view</title><link>{SITE}/2020/05/10/a-view/</link>
<dc:creator><![CDATA[editor]]></dc:creator><guid isPermaLink="false">{SITE}/?p=300</guid>
<content:encoded><![CDATA[{body}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>300</wp:post_id><wp:post_date>2020-05-10 10:00:00</wp:post_date><wp:post_date_gmt>2020-05-10 10:00:00</wp:post_date_gmt>
<wp:post_name>a-view</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>
<wp:post_type>post</wp:post_type>{meta}</item>"""


def _attachment(metadata: str = METADATA, wp_id: int = 301) -> str:
    return f"""<item><title>view</title><link>{SITE}/2020/05/10/a-view/view/</link>
<dc:creator><![CDATA[editor]]></dc:creator><guid isPermaLink="false">{UPLOADS}/2020/05/view.jpg</guid>
<content:encoded><![CDATA[]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{wp_id}</wp:post_id><wp:post_date>2020-05-10 09:00:00</wp:post_date><wp:post_date_gmt>2020-05-10 09:00:00</wp:post_date_gmt>
<wp:post_name>view</wp:post_name><wp:status>inherit</wp:status><wp:post_parent>300</wp:post_parent>
<wp:post_type>attachment</wp:post_type><wp:attachment_url>{UPLOADS}/2020/05/view.jpg</wp:attachment_url>
{_meta("_wp_attached_file", "2020/05/view.jpg")}{_meta("_wp_attachment_metadata", metadata)}
{_meta("_wp_attachment_image_alt", "The view")}</item>"""


def wxr(*items: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Views</title><link>{SITE}</link><description></description><language>en-GB</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url><wp:base_blog_url>{SITE}</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[editor]]></wp:author_login>
<wp:author_email><![CDATA[e@example.org]]></wp:author_email><wp:author_display_name><![CDATA[Editor]]></wp:author_display_name>
<wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>
{"".join(items)}
</channel></rss>"""


def _import(tmp_path, *items, **options):
    path = tmp_path / "export.xml"
    path.write_text(wxr(*items), encoding="utf-8")
    return import_wxr(path, **options)


@pytest.fixture
def uploads(tmp_path, settings):
    """A copy of the old site's wp-content/uploads holding the original and its four sizes; media store in tmp."""
    folder = tmp_path / "uploads" / "2020" / "05"
    folder.mkdir(parents=True)
    for name in ["view.jpg", *SIZE_FILES]:
        (folder / name).write_bytes(b"\xff\xd8\xff\xe0 " + name.encode())
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "uploads"


def _srcset(html: str) -> dict[str, str]:
    tag = re.search(r"<img\b[^>]*>", html).group(0)
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


# -- sizes ----------------------------------------------------------------------------------


def test_metadata_sizes_are_kept_beside_the_original_url(tmp_path):
    report = _import(tmp_path, _post(), _attachment())
    media = MediaItem.objects.get(pk=301)
    assert (media.width, media.height) == (1200, 800)
    assert media.sizes == {
        "medium": {"url": f"{UPLOADS}/2020/05/view-300x200.jpg", "width": 300, "height": 200},
        "large": {"url": f"{UPLOADS}/2020/05/view-1024x683.jpg", "width": 1024, "height": 683},
        "thumbnail": {"url": f"{UPLOADS}/2020/05/view-150x150.jpg", "width": 150, "height": 150},
        "medium_large": {"url": f"{UPLOADS}/2020/05/view-768x512.jpg", "width": 768, "height": 512},
    }
    assert media.stored_names() == []  # nothing in the media store to delete with it
    assert report.attachments_with_sizes == 1 and report.warnings == []


@pytest.mark.parametrize("order", ["attachment after the post", "attachment before the post"])
def test_with_media_dir_sizes_are_copied_and_bodies_get_srcset(tmp_path, uploads, settings, client, order):
    items = (_post(), _attachment()) if order == "attachment after the post" else (_attachment(), _post())
    report = _import(tmp_path, *items, media_dir=uploads)
    media = MediaItem.objects.get(pk=301)
    assert media.file.name == "2020/05/view.jpg"
    assert media.sizes["medium"] == {
        "file": "2020/05/view-300x200.jpg", "url": "/media/2020/05/view-300x200.jpg", "width": 300, "height": 200
    }
    for name in SIZE_FILES:
        assert (tmp_path / "media" / "2020" / "05" / name).read_bytes().endswith(name.encode())
    attributes = _srcset(Post.objects.get(pk=300).rendered_html)
    assert attributes["src"] == "/media/2020/05/view-1024x683.jpg"
    assert attributes["srcset"] == (
        "/media/2020/05/view-300x200.jpg 300w, /media/2020/05/view-768x512.jpg 768w, "
        "/media/2020/05/view-1024x683.jpg 1024w, /media/2020/05/view.jpg 1200w"
    )  # the square thumbnail has other proportions: left out, as WordPress does
    assert attributes["sizes"] == "(max-width: 1024px) 100vw, 1024px"
    page = client.get(Post.objects.get(pk=300).get_absolute_url()).content.decode()
    assert "view-768x512.jpg 768w" in page
    assert report.attachments_with_sizes == 1 and report.featured_images_linked == 1


@pytest.mark.parametrize(
    "order,reader_process",
    [("attachment after the post", False), ("attachment before the post", False), ("attachment after the post", True)],
)
def test_without_media_dir_bodies_get_srcset_at_the_old_urls(tmp_path, order, reader_process):
    items = (_post(), _attachment()) if order == "attachment after the post" else (_attachment(), _post())
    _import(tmp_path, *items, reader_process=reader_process)
    post = Post.objects.get(pk=300)
    attributes = _srcset(post.rendered_html)
    assert attributes["src"] == f"{UPLOADS}/2020/05/view-1024x683.jpg"
    assert attributes["srcset"] == (
        f"{UPLOADS}/2020/05/view-300x200.jpg 300w, {UPLOADS}/2020/05/view-768x512.jpg 768w, "
        f"{UPLOADS}/2020/05/view-1024x683.jpg 1024w, {UPLOADS}/2020/05/view.jpg 1200w"
    )
    post.save()  # edited in the desk later: rendered alike
    assert _srcset(post.rendered_html)["srcset"] == attributes["srcset"]


def test_a_wp_image_class_naming_another_item_changes_nothing(tmp_path):
    # The class names attachment 301, but the src is another file: not that attachment's image.
    body = BODY.replace("view-1024x683.jpg", "other-1024x683.jpg")
    _import(tmp_path, _post(body=body), _attachment())
    assert "srcset" not in Post.objects.get(pk=300).rendered_html


def test_a_size_whose_file_is_missing_from_the_uploads_is_left_out(tmp_path, uploads):
    (uploads / "2020" / "05" / "view-768x512.jpg").unlink()
    _import(tmp_path, _post(), _attachment(), media_dir=uploads)
    assert set(MediaItem.objects.get(pk=301).sizes) == {"medium", "large", "thumbnail"}


def test_a_reimport_after_the_format_changed_fills_in_sizes(tmp_path, uploads):
    _import(tmp_path, _post(), _attachment(), media_dir=uploads)
    MediaItem.objects.filter(pk=301).update(sizes={})
    WordPressItem.objects.update(source_hash="from an older importer")
    _import(tmp_path, _post(), _attachment(), media_dir=uploads)
    assert len(MediaItem.objects.get(pk=301).sizes) == 4


# -- featured images --------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["attachment after the post", "attachment before the post"])
def test_thumbnail_id_becomes_the_featured_image(tmp_path, client, order):
    items = (_post(), _attachment()) if order == "attachment after the post" else (_attachment(), _post())
    _import(tmp_path, *items)
    post = Post.objects.get(pk=300)
    assert post.featured_image_id == 301
    page = client.get(post.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="featured-image">(.*?)</figure>', page, re.S).group(1)
    assert f'src="{UPLOADS}/2020/05/view-1024x683.jpg"' in figure and "view-768x512.jpg 768w" in figure
    assert 'alt="The view"' in figure


def test_a_thumbnail_id_naming_no_attachment_is_reported(tmp_path):
    report = _import(tmp_path, _post(thumbnail="999"), _attachment())
    assert Post.objects.get(pk=300).featured_image is None
    assert "post #300: featured image #999 is not an attachment in the export" in report.warnings


def test_an_updated_export_without_the_thumbnail_clears_it(tmp_path):
    _import(tmp_path, _post(), _attachment())
    assert Post.objects.get(pk=300).featured_image_id == 301
    _import(tmp_path, _post(thumbnail=""), _attachment())
    assert Post.objects.get(pk=300).featured_image is None


def test_featured_images_cost_a_few_queries_whatever_the_number_of_posts(tmp_path, django_assert_max_num_queries):
    from broadsheet.importers.wordpress import load

    posts = [_post().replace("300", str(1000 + n)).replace("a-view", f"view-{n}") for n in range(40)]
    _import(tmp_path, *posts, _attachment())
    assert Post.objects.filter(featured_image_id=301).count() == 40
    loader = load._Loader.__new__(load._Loader)
    loader.site, loader.report = WordPressItem.objects.first().site, load.ImportReport()
    loader.featured = dict.fromkeys(Post.objects.values_list("pk", flat=True), 301)
    with django_assert_max_num_queries(3):
        loader._link_featured_images()


# -- hostile or broken metadata ---------------------------------------------------------------

HOSTILE = {
    "an object": 'O:8:"stdClass":1:{s:5:"width";i:1200;}',
    "an object inside the sizes": 'a:2:{s:5:"width";i:1200;s:5:"sizes";a:1:{s:6:"medium";O:11:"ArrayObject":0:{}}}',
    "a custom-serialised object": 'C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}',
    "a reference": 'a:2:{i:0;a:0:{}i:1;R:2;}',
    "a huge string length": 's:999999999:"x";',
    "a huge array count": "a:999999999:{i:0;i:0;}",
    "deep nesting": "a:1:{i:0;" * 200 + "N;" + "}" * 200,
    "a truncated value": 'a:3:{s:5:"width";i:1200;s:6:"height";i:800;s:4:"fi',
    "trailing bytes": 'a:0:{}O:8:"stdClass":0:{}',
    "not serialised at all": "width=1200",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_metadata_is_refused_with_a_line_in_the_report(tmp_path, name):
    report = _import(tmp_path, _post(), _attachment(metadata=HOSTILE[name]))
    media = MediaItem.objects.get(pk=301)
    assert media.sizes == {}
    assert [line for line in report.warnings if line.startswith("attachment #301: _wp_attachment_metadata not read")]
    assert Post.objects.get(pk=300).featured_image_id == 301  # the rest of the import went on
    kept = dict(WordPressItem.objects.get(wp_id=301).record["meta"])["_wp_attachment_metadata"]
    assert kept == HOSTILE[name]  # kept as it came, for the export


def test_an_oversized_value_is_refused_before_it_is_read():
    with pytest.raises(PHPValueRefused, match="more than"):
        read_php_value('s:300000:"' + "x" * 300_000 + '";')


def test_sizes_that_point_outside_the_folder_are_left_out_and_reported(tmp_path, uploads):
    metadata = write_php_value({
        "width": 1200, "height": 800, "file": "2020/05/view.jpg",
        "sizes": {"medium": {"file": "view-300x200.jpg", "width": 300, "height": 200},
                  "evil": {"file": "../../../etc/passwd", "width": 300, "height": 200},
                  "absolute": {"file": "/etc/passwd", "width": 10, "height": 10},
                  "zero": {"file": "view-0x0.jpg", "width": 0, "height": 0}},
    })  # fmt: skip
    report = _import(tmp_path, _post(), _attachment(metadata=metadata), media_dir=uploads)
    assert set(MediaItem.objects.get(pk=301).sizes) == {"medium"}
    (line,) = [line for line in report.warnings if line.startswith("attachment #301: sizes left out")]
    assert "'evil'" in line and "'absolute'" in line and "'zero'" in line


def test_drifted_string_lengths_still_give_width_and_height():
    # A Latin-1 export converted to UTF-8: "é" is now two bytes, the declared length still says one.
    metadata = read_attachment_metadata('a:3:{s:5:"width";i:640;s:6:"height";i:480;s:4:"file";s:10:"2020/é.jpg";}')
    assert (metadata.width, metadata.height, metadata.sizes) == (640, 480, {})
    assert "does not end at its closing quote" in metadata.problem


# -- the reader itself --------------------------------------------------------------------------


def test_plain_values_are_read():
    text = 'a:7:{i:0;N;i:1;b:1;i:2;i:-42;i:3;d:0.5;s:5:"café";s:4:"thé";s:1:"n";a:1:{i:5;d:INF;}i:9;d:1.0E+25;}'
    assert read_php_value(text) == {0: None, 1: True, 2: -42, 3: 0.5, "café": "thé", "n": {5: float("inf")}, 9: 1e25}


def test_written_values_read_back():
    value = {"width": 10, "file": 'odd "quoted";} name ü.jpg', "sizes": {"a": {"w": 1}}, 3: [True, None, 1.5]}
    assert read_php_value(write_php_value(value)) == {**value, 3: {0: True, 1: None, 2: 1.5}}


def test_a_string_whose_crlf_became_lf_in_the_xml_is_read():
    # Declared 12 bytes: "line1\r\nline2" before the export's XML parser turned CRLF into LF.
    assert read_php_value('a:1:{s:7:"caption";s:12:"line1\nline2";}') == {"caption": "line1\nline2"}


@pytest.mark.parametrize(
    "text,reason",
    [
        ('O:8:"stdClass":0:{}', "an object"),
        ('C:3:"Foo":0:{}', "an object"),
        ("a:1:{i:0;r:1;}", "a reference"),
        ("a:1:{i:0;" * 20 + "N;" + "}" * 20, "nested more than"),
        ('s:5:"abc";', "does not end"),
        ("a:2:{i:0;i:1;}", "array"),
        ("a:1:{a:0:{}i:1;}", "array key"),
        ("b:2;", "boolean"),
        ("i:12345678901234567890123;", "integer"),
        ("", "ends early"),
    ],
)
def test_refusals_say_why(text, reason):
    with pytest.raises(PHPValueRefused, match=reason):
        read_php_value(text)


# -- the real exports in ../shared ------------------------------------------------------------


@pytest.mark.parametrize("name", ["themeunittestdata.wordpress.xml", "64-block-test-data.xml", "theme-preview.xml"])
def test_real_exports_featured_images_and_sizes(name):
    from tests.conftest import SHARED

    path = SHARED / "wordpress" / name
    if not path.exists():
        pytest.skip("../shared/wordpress is not present on this machine")
    report = import_wxr(path)
    expected = {}
    for link in WordPressItem.objects.filter(post_type="post").select_related("post"):
        thumbnail = dict(link.record.get("meta", [])).get("_thumbnail_id", "")
        target = WordPressItem.objects.filter(site=link.site, post_type="attachment", wp_id=int(thumbnail or 0)).first()
        expected[link.post.pk] = target.media_id if target is not None else None
    assert dict(Post.objects.values_list("pk", "featured_image_id")) == expected
    assert report.featured_images_linked == sum(1 for media_id in expected.values() if media_id)
    with_metadata = sum(
        1 for link in WordPressItem.objects.filter(post_type="attachment") if dict(link.record["meta"]).get("_wp_attachment_metadata")
    )
    assert report.attachments_with_sizes <= with_metadata
    print(f"{name}: {report.featured_images_linked} featured images, {report.attachments_with_sizes} attachments with sizes")
