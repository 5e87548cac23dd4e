"""WordPress's footnotes block (6.3+): the notes live in the ``footnotes`` post meta and show at the block."""

import io
import json

import pytest
from django.test import Client

from broadsheet.content.models import Post
from broadsheet.content.rendering import render_body
from broadsheet.content.rendering.blocks import render_blocks, render_footnotes
from broadsheet.exporters.wordpress import export_wxr
from broadsheet.importers.wordpress.load import import_wxr

NOTES = [
    {"id": "aa48-first", "content": "A <em>note</em> with a source"},
    {"id": "f51b-second", "content": 'Another note<script>alert(1)</script><img src=x onerror="alert(2)">'},
]
BODY = (
    "<!-- wp:paragraph -->\n"
    '<p>A claim<sup data-fn="aa48-first" class="fn"><a href="#aa48-first" id="aa48-first-link">1</a></sup>'
    " and another<sup data-fn=\"f51b-second\" class=\"fn\"><a href=\"#f51b-second\" id=\"f51b-second-link\">2</a></sup>.</p>\n"
    "<!-- /wp:paragraph -->\n\n<!-- wp:footnotes /-->"
)

WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Notes</title><link>https://notes.example.org</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://notes.example.org</wp:base_site_url>
  <wp:base_blog_url>https://notes.example.org</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[ann]]></wp:author_login>
    <wp:author_display_name><![CDATA[Ann]]></wp:author_display_name></wp:author>
  <item>
    <title><![CDATA[With notes]]></title>
    <link>https://notes.example.org/2023/09/01/with-notes/</link>
    <dc:creator><![CDATA[ann]]></dc:creator>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>75</wp:post_id>
    <wp:post_date><![CDATA[2023-09-01 10:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2023-09-01 10:00:00]]></wp:post_date_gmt>
    <wp:comment_status><![CDATA[open]]></wp:comment_status>
    <wp:post_name><![CDATA[with-notes]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:postmeta><wp:meta_key><![CDATA[footnotes]]></wp:meta_key>
      <wp:meta_value><![CDATA[{notes}]]></wp:meta_value></wp:postmeta>
  </item>
</channel>
</rss>
"""


def test_the_block_renders_the_notes_as_wordpress_does():
    html = render_footnotes(json.dumps(NOTES[:1]))
    assert html == (
        '<ol class="wp-block-footnotes"><li id="aa48-first">A <em>note</em> with a source '
        '<a href="#aa48-first-link" aria-label="Jump to footnote reference 1">↩︎</a></li></ol>'
    )


@pytest.mark.parametrize("meta", [None, "", "not json", "{}", "[]", '[1, "x"]', "[" * 100_000])
def test_missing_or_unreadable_meta_renders_nothing(meta):
    assert render_footnotes(meta) == ""


def test_a_hostile_id_cannot_leave_its_attribute():
    html = render_footnotes(json.dumps([{"id": '"><script>alert(1)</script>', "content": "x"}]))
    assert "<script>" not in html and 'id="&quot;&gt;&lt;script&gt;' in html


def test_without_the_meta_the_block_renders_nothing_and_the_notes_are_sanitised():
    assert "wp-block-footnotes" not in render_blocks(BODY)
    meta = {"footnotes": json.dumps(NOTES)}.get
    body = render_body(BODY, "html", anchor_id=1, post_meta=meta).html
    assert '<li id="aa48-first">A <em>note</em> with a source <a href="#aa48-first-link"' in body
    assert 'aria-label="Jump to footnote reference 2"' in body
    assert "<script" not in body and "onerror" not in body and "Another note" in body
    assert 'id="aa48-first-link"' in body  # the reference the note links back to


@pytest.fixture
def imported(db, tmp_path):
    export = tmp_path / "notes.xml"
    export.write_text(WXR.replace("{body}", BODY).replace("{notes}", json.dumps(NOTES)), encoding="utf-8")
    import_wxr(export)
    return Post.objects.get(slug="with-notes")


def test_imported_footnotes_show_on_the_post_and_after_an_edit(imported):
    page = Client().get(imported.get_absolute_url()).content.decode()
    assert '<ol class="wp-block-footnotes"><li id="aa48-first">A <em>note</em>' in page
    assert '<a href="#f51b-second" id="f51b-second-link">2</a>' in page
    imported.title = "With notes, edited"
    imported.save()  # rendered again: the notes come from the imported item's meta
    assert '<li id="f51b-second">Another note' in Post.objects.get(pk=imported.pk).rendered_html


def test_the_footnotes_meta_goes_back_out_in_the_export(imported):
    stream = io.BytesIO()
    export_wxr(stream)
    exported = stream.getvalue().decode()
    assert "<!-- wp:footnotes /-->" in exported
    assert f"<wp:meta_value><![CDATA[{json.dumps(NOTES)}]]></wp:meta_value>" in exported
