"""Block-editor content: delimiters removed, static blocks kept, dynamic blocks rendered as nothing or links."""

import pathlib
import re

import pytest

from broadsheet.content.rendering.blocks import has_blocks, render_blocks

SHARED = pathlib.Path(__file__).resolve().parents[3] / "shared" / "wordpress"
DELIMITER = re.compile(r"<!--\s+/?wp:")


def test_has_blocks():
    assert has_blocks("<!-- wp:paragraph -->\n<p>x</p>\n<!-- /wp:paragraph -->")
    assert has_blocks("text <!-- wp:latest-posts /-->")
    assert not has_blocks("<p>classic post</p><!--more-->")
    assert not has_blocks("<!--wp:paragraph-->")  # WordPress looks for "<!-- wp:" exactly


def test_text_without_blocks_is_unchanged():
    text = "<p>Classic <b>post</b></p>\n<!--more-->\n<!-- a comment -->\n[gallery ids=1]"
    assert render_blocks(text) == text


def test_paragraph_heading_and_list():
    text = (
        "<!-- wp:paragraph -->\n<p>Hello <strong>world</strong></p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">Heading</h3>\n<!-- /wp:heading -->\n\n'
        '<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>One</li>\n<!-- /wp:list-item -->\n\n'
        "<!-- wp:list-item -->\n<li>Two</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->"
    )
    assert render_blocks(text) == (
        "\n<p>Hello <strong>world</strong></p>\n\n\n"
        '\n<h3 class="wp-block-heading">Heading</h3>\n\n\n'
        "\n<ul>\n<li>One</li>\n\n\n"
        "\n<li>Two</li>\n</ul>\n"
    )


def test_nested_layout_blocks_keep_their_html():
    text = (
        '<!-- wp:columns -->\n<div class="wp-block-columns"><!-- wp:column {"backgroundColor":"pale-cyan-blue"} -->\n'
        '<div class="wp-block-column has-pale-cyan-blue-background-color has-background"><!-- wp:paragraph -->\n'
        "<p>One column</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:column --></div>\n<!-- /wp:columns -->\n\n"
        '<!-- wp:group {"style":{"spacing":{"margin":{"top":"0px","bottom":"0px"}}},"layout":{"type":"flex"}} -->\n'
        '<div class="wp-block-group"><!-- wp:buttons -->\n<div class="wp-block-buttons"><!-- wp:button {"width":25} -->\n'
        '<div class="wp-block-button has-custom-width wp-block-button__width-25"><a class="wp-block-button__link wp-element-button" href="#">25%</a></div>\n'
        "<!-- /wp:button --></div>\n<!-- /wp:buttons --></div>\n<!-- /wp:group -->"
    )
    out = render_blocks(text)
    assert not DELIMITER.search(out)
    assert '<div class="wp-block-columns">\n<div class="wp-block-column has-pale-cyan-blue-background-color has-background">\n<p>One column</p>\n</div>\n</div>' in out
    assert '<div class="wp-block-group">\n<div class="wp-block-buttons">\n<div class="wp-block-button' in out
    assert out.rstrip().endswith("</div>\n</div>\n</div>")


def test_image_gallery_quote_and_separator():
    text = (
        '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-images columns-default is-cropped">'
        '<!-- wp:image {"id":769,"sizeSlug":"large","linkDestination":"none"} -->\n'
        '<figure class="wp-block-image size-large"><img src="https://example.com/img_0747.jpg" alt="" class="wp-image-769"/></figure>\n'
        '<!-- /wp:image --><figcaption class="blocks-gallery-caption wp-element-caption">Gallery caption</figcaption></figure>\n<!-- /wp:gallery -->\n\n'
        '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>Quote</p>\n<!-- /wp:paragraph --><cite>Citation</cite></blockquote>\n<!-- /wp:quote -->\n\n'
        '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n<!-- /wp:separator -->'
    )
    out = render_blocks(text)
    assert not DELIMITER.search(out)
    assert '<figure class="wp-block-gallery has-nested-images columns-default is-cropped">\n<figure class="wp-block-image size-large"><img src="https://example.com/img_0747.jpg" alt="" class="wp-image-769"/></figure>\n<figcaption' in out
    assert '<blockquote class="wp-block-quote">\n<p>Quote</p>\n<cite>Citation</cite></blockquote>' in out
    assert '<hr class="wp-block-separator has-alpha-channel-opacity"/>' in out


def test_self_closing_dynamic_blocks_render_nothing():
    text = (
        "<!-- wp:latest-posts /-->\n\n"
        '<!-- wp:heading -->\n<h2 class="wp-block-heading">Oldest to newest:</h2>\n<!-- /wp:heading -->\n\n'
        '<!-- wp:latest-posts {"order":"asc"} /-->\n'
        '<!-- wp:search {"label":"Search","buttonText":"Search"} /-->'
        '<!-- wp:archives {"displayAsDropdown":true,"showPostCounts":true} /--><!-- wp:footnotes /-->'
        '<!-- wp:block {"ref":123} /-->'
    )
    assert render_blocks(text) == '\n\n\n<h2 class="wp-block-heading">Oldest to newest:</h2>\n\n\n\n'


def test_template_blocks_are_dropped_whole():
    text = (
        "<p>Before</p>\n"
        '<!-- wp:query {"queryId":1,"query":{"perPage":"2","pages":0,"exclude":[],"inherit":false}} -->\n'
        '<div class="wp-block-query"><!-- wp:post-template -->\n<!-- wp:post-title /-->\n<!-- /wp:post-template -->\n'
        '<!-- wp:query-no-results -->\n<!-- wp:paragraph {"placeholder":"Add text"} -->\n<p>No results</p>\n<!-- /wp:paragraph -->\n'
        "<!-- /wp:query-no-results --></div>\n<!-- /wp:query -->\n"
        "<p>After</p>"
    )
    assert render_blocks(text) == "<p>Before</p>\n\n<p>After</p>"


def test_embed_block_becomes_a_link():
    text = (
        '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=ssfHW5lwFZg","type":"video","providerNameSlug":"youtube","responsive":true,"className":"wp-embed-aspect-16-9 wp-has-aspect-ratio"} -->\n'
        '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">\n'
        "https://www.youtube.com/watch?v=ssfHW5lwFZg\n"
        '</div><figcaption class="wp-element-caption">A video</figcaption></figure>\n'
        "<!-- /wp:embed -->"
    )
    assert render_blocks(text) == (
        '\n<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio">'
        '<div class="wp-block-embed__wrapper"><p class="embed"><a href="https://www.youtube.com/watch?v=ssfHW5lwFZg">https://www.youtube.com/watch?v=ssfHW5lwFZg</a></p></div>'
        '<figcaption class="wp-element-caption">A video</figcaption></figure>\n'
    )


def test_legacy_provider_embed_and_self_closing_embed():
    legacy = (
        '<!-- wp:core-embed/twitter {"url":"https://twitter.com/wordpress/status/1","type":"rich","providerNameSlug":"twitter"} -->\n'
        '<figure class="wp-block-embed-twitter wp-block-embed is-type-rich is-provider-twitter"><div class="wp-block-embed__wrapper">\n'
        "https://twitter.com/wordpress/status/1\n</div></figure>\n<!-- /wp:core-embed/twitter -->"
    )
    assert '<div class="wp-block-embed__wrapper"><p class="embed"><a href="https://twitter.com/wordpress/status/1">' in render_blocks(legacy)
    assert render_blocks('<!-- wp:embed {"url":"https://vimeo.com/1"} /-->') == '<p class="embed"><a href="https://vimeo.com/1">https://vimeo.com/1</a></p>'
    assert render_blocks('<!-- wp:core/embed {"url":"https://vimeo.com/2"} /-->') == '<p class="embed"><a href="https://vimeo.com/2">https://vimeo.com/2</a></p>'
    assert render_blocks("<!-- wp:embed /-->") == ""
    assert render_blocks('<!-- wp:embed {"url":42} /-->') == ""


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example/"])
def test_embed_block_with_a_bad_url_is_not_a_link(url):
    out = render_blocks('<!-- wp:embed {"url":"' + url + '"} /-->')
    assert "<a" not in out and "href" not in out
    out = render_blocks(
        '<!-- wp:embed {"url":"' + url + '"} -->\n<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        + url + "\n</div></figure>\n<!-- /wp:embed -->"
    )
    assert "<a" not in out


def test_more_nextpage_html_and_shortcode_blocks_keep_their_inner_html():
    text = (
        "<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->\n"
        "<!-- wp:nextpage -->\n<!--nextpage-->\n<!-- /wp:nextpage -->\n"
        "<!-- wp:html -->\n<b>Hello World</b>\n<!-- /wp:html -->\n"
        '<!-- wp:shortcode -->\n[gallery columns=2 ids="769,767"]\n<!-- /wp:shortcode -->'
    )
    assert render_blocks(text) == '\n<!--more-->\n\n\n<!--nextpage-->\n\n\n<b>Hello World</b>\n\n\n[gallery columns=2 ids="769,767"]\n'


def test_attributes_with_braces_and_arrows_inside_strings():
    text = '<!-- wp:paragraph {"a":"}","b":"-->","c":{"d":{"e":"}}"}}} -->\n<p>x</p>\n<!-- /wp:paragraph -->'
    assert render_blocks(text) == "\n<p>x</p>\n"
    # JSON is not needed to find the end of the delimiter: a broken one still parses.
    assert render_blocks('<!-- wp:paragraph {"broken": } -->\n<p>y</p>\n<!-- /wp:paragraph -->') == "\n<p>y</p>\n"


def test_malformed_delimiters():
    # Not delimiters at all: left alone.
    assert render_blocks("<!--wp:paragraph--><!-- wp:Upper --><!-- wp:x{} -->") == "<!--wp:paragraph--><!-- wp:Upper --><!-- wp:x{} -->"
    # A stray closer is dropped; an unclosed block runs to the end.
    assert render_blocks("<p>a</p><!-- /wp:paragraph --><p>b</p>") == "<p>a</p><p>b</p>"
    assert render_blocks("<!-- wp:paragraph -->\n<p>c</p>") == "\n<p>c</p>"
    # A closer closes the innermost block whatever its name, as in WordPress's parser.
    assert render_blocks("<!-- wp:group --><div><!-- wp:paragraph --><p>d</p><!-- /wp:group --></div><!-- /wp:paragraph -->") == "<div><p>d</p></div>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!-- wp:a {" * 100_000, None),
        ("<!-- wp:a " * 100_000, None),
        ("<!-- wp:a {}" + " " * 1_000_000, None),
        ("}  -->" * 200_000, None),
        ("<!-- /wp:a -->" * 70_000, ""),
        ('<!-- wp:a {"x":"' + "}" * 1_000_000 + '"} /-->', ""),
    ],
    ids=["open-attrs", "no-end", "spaces", "attr-ends", "closers", "braces"],
)
def test_hostile_megabyte_returns(text, expected):
    assert render_blocks(text) == (text if expected is None else expected)


def test_wordpress_block_test_data_renders_without_delimiters():
    data = SHARED / "64-block-test-data.xml"
    if not data.exists():
        pytest.skip("the WordPress block test data is not available")
    from defusedxml import ElementTree

    namespace = {"content": "http://purl.org/rss/1.0/modules/content/"}
    bodies = [item.findtext("content:encoded", default="", namespaces=namespace) for item in ElementTree.parse(data).getroot().iter("item")]
    block_bodies = [body for body in bodies if has_blocks(body)]
    assert len(block_bodies) > 50
    for body in block_bodies:
        out = render_blocks(body)
        assert not DELIMITER.search(out), out[:300]
        if "<!--more-->" in body:
            assert "<!--more-->" in out
