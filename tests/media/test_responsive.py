"""Sizes as WordPress makes them, srcset in rendered content, featured images in the theme."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.media.imaging import IMAGE_SIZES, SizeSpec, target_size
from broadsheet.media.responsive import add_image_attributes, featured_image, srcset_candidates
from broadsheet.media.uploads import accept_upload
from tests import factories
from tests.media import samples


def _image(name="photo.jpg", size=(1600, 1200), fmt="JPEG", alt=""):
    item = accept_upload(SimpleUploadedFile(name, samples.image_bytes(fmt, size=size)), user=None)
    if alt:
        item.alt_text = alt
        item.save()
    return item


def _attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


@pytest.mark.parametrize(
    "size,spec,expected",
    [
        ((1600, 1200), SizeSpec("thumbnail", 150, 150, crop=True), (150, 150)),
        ((1600, 1200), SizeSpec("medium", 300, 300), (300, 225)),
        ((1200, 1600), SizeSpec("medium", 300, 300), (225, 300)),
        ((1600, 1200), SizeSpec("medium_large", 768, 0), (768, 576)),
        ((1600, 1200), SizeSpec("large", 1024, 1024), (1024, 768)),
        ((800, 600), SizeSpec("large", 1024, 1024), None),  # never upscaled
        ((1024, 500), SizeSpec("large", 1024, 1024), None),  # the same size is not a new size
        ((100, 80), SizeSpec("thumbnail", 150, 150, crop=True), None),
        ((400, 100), SizeSpec("thumbnail", 150, 150, crop=True), (150, 100)),  # crop only the side that is larger
    ],
)
def test_target_sizes_follow_wordpress(size, spec, expected):
    assert target_size(*size, spec) == expected


@pytest.mark.django_db
def test_sizes_are_generated_recorded_and_stored(media_root):
    item = _image(size=(1600, 1200))
    assert {name: (size["width"], size["height"]) for name, size in item.sizes.items()} == {
        "thumbnail": (150, 150),
        "medium": (300, 225),
        "medium_large": (768, 576),
        "large": (1024, 768),
    }
    for size in item.sizes.values():
        assert size["url"] == "/media/" + size["file"]
        assert (media_root / size["file"]).exists()
        assert re.search(r"-\d+x\d+\.jpg\Z", size["file"])


@pytest.mark.django_db
def test_small_images_are_not_upscaled(media_root):
    item = _image(size=(500, 400))
    assert set(item.sizes) == {"thumbnail", "medium"}
    assert all(size["width"] <= 500 for size in item.sizes.values())


@pytest.mark.django_db
def test_sizes_keep_the_original_format(media_root):
    for fmt, extension in (("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")):
        item = _image(f"pic.{extension}", size=(900, 600), fmt=fmt)
        assert all(size["file"].endswith("." + extension) for size in item.sizes.values())


@pytest.mark.django_db
def test_delete_removes_the_file_and_its_sizes(media_root, django_capture_on_commit_callbacks):
    item = _image()
    names = item.stored_names()
    assert len(names) == 5 and all((media_root / name).exists() for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert not any((media_root / name).exists() for name in names)


@pytest.mark.django_db
def test_srcset_excludes_other_proportions_and_is_sorted(media_root):
    item = _image(size=(1600, 1200))
    candidates = srcset_candidates(item, 1600, 1200)
    assert [width for _, width in candidates] == [300, 768, 1024, 1600]  # the square thumbnail is left out


@pytest.mark.django_db
def test_srcset_leaves_out_versions_wider_than_2048(media_root):
    item = _image(size=(3000, 2000))
    assert [width for _, width in srcset_candidates(item, 3000, 2000)] == [300, 768, 1024]


@pytest.mark.django_db
def test_markdown_post_gets_srcset_sizes_dimensions_and_alt(media_root):
    item = _image(size=(1600, 1200), alt="A red square")
    post = factories.post("Pictures", body=f"Look:\n\n![]({item.url})\n", body_format="markdown")
    tag = re.search(r"<img[^>]*>", post.rendered_html).group(0)
    attributes = _attributes(tag)
    assert attributes["src"] == item.url
    assert attributes["alt"] == "A red square"
    assert (attributes["width"], attributes["height"]) == ("1600", "1200")
    assert attributes["srcset"] == ", ".join(
        f"{url} {width}w" for url, width in [
            (item.sizes["medium"]["url"], 300),
            (item.sizes["medium_large"]["url"], 768),
            (item.sizes["large"]["url"], 1024),
            (item.url, 1600),
        ]
    )
    assert attributes["sizes"] == "(max-width: 1600px) 100vw, 1600px"


@pytest.mark.django_db
def test_html_post_with_a_size_url_gets_srcset_and_keeps_its_alt(media_root):
    item = _image(size=(1600, 1200), alt="Library alt")
    medium = item.sizes["medium"]["url"]
    post = factories.post("HTML", body=f'<p><img class="wp-image-1" src="{medium}" alt="Writer alt"></p>')
    attributes = _attributes(re.search(r"<img[^>]*>", post.rendered_html).group(0))
    assert attributes["alt"] == "Writer alt"
    assert attributes["src"] == medium and attributes["width"] == "300" and attributes["height"] == "225"
    assert "1024w" in attributes["srcset"] and attributes["sizes"] == "(max-width: 300px) 100vw, 300px"


@pytest.mark.django_db
def test_absolute_urls_to_the_site_are_recognised(media_root, settings):
    item = _image()
    markup = add_image_attributes(f'<img src="{settings.SITE_URL}{item.url}">')
    assert "srcset=" in markup


@pytest.mark.django_db
def test_images_outside_the_library_are_left_alone(media_root):
    markup = '<p><img src="https://elsewhere.example/a.jpg" alt=""><img src="/media/2020/01/not-there.jpg"></p>'
    with CaptureQueriesContext(connection) as queries:
        assert add_image_attributes(markup) == markup
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert add_image_attributes("<p>No images.</p>") == "<p>No images.</p>"
    assert len(queries) == 0


@pytest.mark.django_db
def test_an_existing_srcset_is_kept(media_root):
    item = _image()
    markup = f'<img src="{item.url}" srcset="{item.url} 1x" width="800">'
    result = add_image_attributes(markup)
    assert 'srcset="' + item.url + ' 1x"' in result and result.count("srcset=") == 1


@pytest.mark.django_db
def test_one_query_for_a_body_with_many_images(media_root):
    items = [_image(f"p{n}.jpg", size=(900, 600)) for n in range(5)]
    markup = "".join(f'<img src="{item.url}">' for item in items)
    with CaptureQueriesContext(connection) as queries:
        result = add_image_attributes(markup)
    assert len(queries) == 1
    assert result.count("srcset=") == 5


@pytest.mark.django_db
def test_hostile_alt_text_is_escaped_in_content(media_root):
    item = _image(alt=samples.HOSTILE)
    post = factories.post("Hostile", body=f'<img src="{item.url}">')
    assert "<img src=x" not in post.rendered_html
    assert post.rendered_html.count("<img") == 1
    assert 'alt="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in post.rendered_html or 'alt="&quot;&gt;&lt;img' in post.rendered_html


@pytest.mark.django_db
def test_featured_image_tag(media_root):
    item = _image(size=(1600, 1200), alt="Cover")
    post = factories.post("Featured", featured_image=item)
    tag = str(featured_image(post, "large"))
    attributes = _attributes(tag)
    assert attributes["src"] == item.sizes["large"]["url"]
    assert attributes["alt"] == "Cover" and attributes["width"] == "1024" and attributes["height"] == "768"
    assert "1600w" in attributes["srcset"] and attributes["sizes"] == "(max-width: 1024px) 100vw, 1024px"
    assert str(featured_image(factories.post("Plain"))) == ""


@pytest.mark.django_db
def test_featured_image_of_an_imported_item_without_sizes(media_root):
    from broadsheet.media.models import MediaItem

    item = MediaItem.objects.create(original_url="https://old.example/wp-content/uploads/a.jpg", mime_type="image/jpeg", width=640, height=480, alt_text="Old")
    attributes = _attributes(str(featured_image(factories.post("Old", featured_image=item))))
    assert attributes["src"] == item.original_url and attributes["alt"] == "Old" and "srcset" not in attributes


@pytest.mark.django_db
def test_featured_image_shows_on_post_page_and_listing_escaped(client, media_root):
    item = _image(size=(1600, 1200), alt=samples.HOSTILE)
    post = factories.post("With a cover", featured_image=item, authors=[factories.author("Ann")])
    for path in (post.get_absolute_url(), "/"):
        html = client.get(path).content.decode()
        assert 'class="featured-image"' in html, path
        assert item.sizes["large" if path != "/" else "medium_large"]["url"] in html
        assert "<img src=x" not in html and "onerror=alert(1)>" not in html


@pytest.mark.django_db
def test_protected_post_hides_its_featured_image(client, media_root):
    item = _image()
    post = factories.post("Secret", featured_image=item, password="pw")
    html = client.get(post.get_absolute_url()).content.decode()
    assert item.sizes["large"]["url"] not in html


def _add_posts_with_featured_images(count: int, author, covers):
    start = datetime.datetime(2010, 7, 1, 8, tzinfo=datetime.UTC)
    for n in range(count):
        factories.post(f"Essay {n}", start + datetime.timedelta(hours=n), authors=[author], featured_image=covers[n % 3])


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="featured-image"') >= 1
    return len(queries)


@pytest.mark.django_db
def test_listing_query_count_does_not_grow_with_featured_images(client, media_root):
    factories.site(posts_per_page=10)
    author = factories.author("Writer")
    covers = [_image(f"cover{n}.jpg", size=(400, 300)) for n in range(3)]
    _add_posts_with_featured_images(3, author, covers)
    few = {"home": _queries(client, "/"), "month": _queries(client, "/2010/07/")}
    _add_posts_with_featured_images(30, author, covers)
    many = {"home": _queries(client, "/"), "month": _queries(client, "/2010/07/")}
    assert few == many, (few, many)


def test_image_sizes_are_wordpress_defaults():
    assert [(s.name, s.width, s.height, s.crop) for s in IMAGE_SIZES] == [
        ("thumbnail", 150, 150, True),
        ("medium", 300, 300, False),
        ("medium_large", 768, 0, False),
        ("large", 1024, 1024, False),
    ]


@pytest.mark.django_db
def test_rewritten_tags_drop_malformed_attribute_names_and_keep_case_insensitivity(media_root):
    item = _image(alt="Alt")
    result = add_image_attributes(f'<IMG SRC="{item.url}" "onerror=alert(1) data-x="1">')
    assert result.startswith(f'<img src="{item.url}"') and 'data-x="1"' in result
    assert "onerror" not in result and "srcset=" in result and 'alt="Alt"' in result


@pytest.mark.django_db
def test_an_image_named_by_its_wp_image_class_and_served_elsewhere_gets_srcset():
    from broadsheet.media.models import MediaItem
    from broadsheet.media.responsive import lookups_by_class

    base = "https://old.example.org/wp-content/uploads/2020/05"
    MediaItem.objects.create(
        pk=301, original_url=f"{base}/view.jpg", mime_type="image/jpeg", width=1200, height=800, alt_text="The view",
        sizes={"medium": {"url": f"{base}/view-300x200.jpg", "width": 300, "height": 200},
               "large": {"url": f"{base}/view-1024x683.jpg", "width": 1024, "height": 683}},
    )  # fmt: skip
    body = f'<p><img class="size-medium wp-image-301" src="{base}/view-300x200.jpg" alt=""></p>'
    with CaptureQueriesContext(connection) as queries:
        tag = _attributes(add_image_attributes(body))
    assert len(queries) == 1
    assert tag["srcset"] == f"{base}/view-300x200.jpg 300w, {base}/view-1024x683.jpg 1024w, {base}/view.jpg 1200w"
    assert (tag["width"], tag["height"], tag["alt"]) == ("300", "200", "The view")
    elsewhere = body.replace("view-300x200.jpg", "someone-else.jpg")
    assert add_image_attributes(elsewhere) == elsewhere  # the class names the item, the src is not its image
    no_class = body.replace("wp-image-301", "")
    assert add_image_attributes(no_class) == no_class
    with lookups_by_class(False), CaptureQueriesContext(connection) as queries:
        assert add_image_attributes(body) == body
    assert len(queries) == 0
