"""WordPress shortcodes: the parser's semantics, the core shortcodes, autoembed, hostile input."""

import html5lib
import pytest

from broadsheet.content.rendering.shortcodes import (
    KNOWN_SHORTCODES,
    Attachment,
    ShortcodeResult,
    autoembed,
    find_unknown_shortcodes,
    parse_shortcode_atts,
    render_shortcodes,
    safe_url,
)

LIBRARY = {
    1: Attachment("https://example.com/wp-content/uploads/one.jpg", title="One", caption="First <b>one</b>", alt="A cat", width=640, height=480),
    2: Attachment("https://example.com/wp-content/uploads/two.jpg", title="Two"),
    3: Attachment("/media/three.jpg", caption="Third"),
    4: Attachment("javascript:alert(1)", caption="evil"),
    5: Attachment("https://example.com/song.mp3", title="A song"),
}  # fmt: skip


def render(text: str) -> str:
    return render_shortcodes(text, resolve_attachment=LIBRARY.get).html


def assert_inert(markup: str) -> None:
    """Parse like a browser and check nothing can run."""
    document = html5lib.parse(markup, namespaceHTMLElements=False)
    for element in document.iter():
        assert element.tag not in ("script", "iframe", "object", "embed", "style", "svg", "math"), markup
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, markup)
            if name in ("href", "src", "poster"):
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                assert scheme in ("", "http", "https"), (value, markup)


# --------------------------------------------------------------------------- attributes


def test_attributes_in_double_single_and_no_quotes():
    atts = parse_shortcode_atts(' id="attachment_5" align=\'alignleft\' width=300 CLASS="x y"')
    assert atts == {"id": "attachment_5", "align": "alignleft", "width": "300", "class": "x y"}


def test_attributes_positional_values_and_odd_spaces():
    assert parse_shortcode_atts(' "quoted value" \'single\' bare') == {0: "quoted value", 1: "single", 2: "bare"}
    assert parse_shortcode_atts("\u00a0a=1\u200bb=2") == {"a": "1", "b": "2"}
    assert parse_shortcode_atts("   ") == {}


def test_attributes_are_stripcslashed_like_wordpress():
    assert parse_shortcode_atts(r'b="C:\\dir" c="\x41\101" d="\q"') == {"b": "C:\\dir", "c": "AA", "d": "q"}
    # A backslash does not escape a quote: the broken pair falls back to positional values.
    assert parse_shortcode_atts(r'a="say \"hi\""') == {0: 'a="say', 1: '"hi""'}
    assert parse_shortcode_atts(r'title="line\none"') == {"title": "line\none"}


def test_attributes_with_unclosed_html_are_emptied():
    assert parse_shortcode_atts('caption="a <b>bold</b> word" bad="x <img src=y"') == {"caption": "a <b>bold</b> word", "bad": ""}


# --------------------------------------------------------------------------- parser semantics


def test_text_without_shortcodes_is_unchanged():
    text = "<p>Nothing [to] see here, <a href=\"x\">a link</a></p>"
    assert render_shortcodes(text) == ShortcodeResult(text, frozenset({"to"}))
    assert render("plain") == "plain"


def test_escaped_shortcodes_become_literal_text():
    assert render("[[caption]]") == "[caption]"
    assert render('[[gallery ids="1"]]') == '[gallery ids="1"]'
    assert render("[[embed]https://example.com/[/embed]]") == "[embed]https://example.com/[/embed]"
    # The closer is found inside "[[/embed]]", so the outer brackets escape the whole match (as in WordPress).
    assert render("[[embed]]https://example.com/[[/embed]]") == "[embed]]https://example.com/[[/embed]"
    assert render("[[video]x[/video]]") == "[video]x[/video]"
    assert render_shortcodes("[[gallery]]").unknown == frozenset()


def test_half_escaped_shortcodes_keep_their_extra_bracket():
    # As in do_shortcode_tag(): only [[tag]] with both brackets doubled is an escape.
    assert render('[[gallery ids="3"]') == '[<figure class="wp-block-gallery gallery columns-3"><figure class="gallery-item"><a href="/media/three.jpg"><img src="/media/three.jpg" alt=""></a><figcaption>Third</figcaption></figure></figure>'
    assert render("[embed]https://a.example/[/embed]]") == '<p class="embed"><a href="https://a.example/">https://a.example/</a></p>]'


def test_self_closing_and_enclosing_forms():
    assert render('[gallery ids="2" /]') == render('[gallery ids="2"]') == render('[gallery ids="2"][/gallery]')
    assert "wp-block-gallery" in render('[gallery ids="2"/]')
    # A self-closing tag does not swallow a later closer.
    assert render('[embed src="https://a.example/" /] text [/embed]').endswith(" text [/embed]")


def test_enclosed_content_runs_to_the_first_closer():
    # Same-name nesting is not supported, in WordPress either.
    out = render("[video src=v.mp4]<track src=a.vtt>[video src=w.mp4]<track src=b.vtt>[/video][/video]")
    assert out == '<video controls src="v.mp4" preload="metadata"><track src=a.vtt><track src=b.vtt><a href="v.mp4">v.mp4</a></video>[/video]'


def test_names_are_exact_and_case_sensitive():
    assert render("[gallery-extra ids=1]") == "[gallery-extra ids=1]"
    assert render("[galleryx ids=1]") == "[galleryx ids=1]"
    assert render("[Gallery ids=1]") == "[Gallery ids=1]"
    assert render("[gallery]") == ""  # no ids: nothing we can show


def test_an_opening_tag_without_a_closing_bracket_is_text():
    assert render("[gallery ids=1") == "[gallery ids=1"
    assert render("[embed https://a.example/") == "[embed https://a.example/"


def test_shortcodes_inside_html_tags_and_comments_are_not_run():
    text = '<a title="[gallery ids=1]" href="x">y</a><!--[if IE]><p>[gallery ids=1]</p><![endif]-->'
    assert render(text) == text


def test_brackets_inside_tags_do_not_end_a_shortcode():
    out = render('[caption width="10"]<img src="a.jpg" alt="[x]"> The [caption][/caption]')
    assert out == '<figure class="wp-caption alignnone"><img src="a.jpg" alt="[x]"><figcaption class="wp-caption-text">The [caption]</figcaption></figure>'


def test_shortcode_alone_in_a_paragraph_loses_the_paragraph():
    assert render('<p>[gallery ids="2"]</p>').startswith('<figure class="wp-block-gallery')
    assert render('<p>&nbsp;[embed]https://a.example/[/embed] </p>') == '<p class="embed"><a href="https://a.example/">https://a.example/</a></p>'
    assert render("<p>Before [gallery ids=2]</p>").startswith("<p>Before <figure")
    assert render("<p>[[gallery]]</p>") == "<p>[gallery]</p>"


# --------------------------------------------------------------------------- unknown shortcodes


def test_unknown_shortcodes_are_left_exactly_as_written_and_reported():
    text = '<p>[contact-form-7 id="1" title="Contact"]</p>\n[foo]bar[/foo] [su_button url="x" /]'
    result = render_shortcodes(text)
    assert result.html == text
    assert result.unknown == frozenset({"contact-form-7", "foo", "su_button"})


def test_known_shortcodes_inside_unknown_ones_still_render():
    result = render_shortcodes("[tabs][embed]https://a.example/[/embed][/tabs]")
    assert result.html == '[tabs]<p class="embed"><a href="https://a.example/">https://a.example/</a></p>[/tabs]'
    assert result.unknown == frozenset({"tabs"})


def test_unknown_shortcodes_inside_a_caption_are_reported():
    result = render_shortcodes('[caption width="5"]<img src="a.jpg"> Made with [plugin][/caption]')
    assert result.unknown == frozenset({"plugin"})
    assert "Made with [plugin]</figcaption>" in result.html


def test_find_unknown_shortcodes():
    text = '[gallery ids=1] [x_form id=2] [[escaped]] [/closing-only] <b title="[in-tag]">[note]</b> [1] [a b=c]'
    assert find_unknown_shortcodes(text) == {"x_form", "note", "a"}
    assert find_unknown_shortcodes("no brackets") == set()
    assert KNOWN_SHORTCODES >= {"caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"}


# --------------------------------------------------------------------------- [caption]


def test_caption_with_the_text_inside():
    text = '[caption id="attachment_5" align="alignleft" width="300"]<img src="a.jpg" width="300"> Caption text[/caption]'
    assert render(text) == (
        '<figure id="attachment_5" class="wp-caption alignleft"><img src="a.jpg" width="300">'
        '<figcaption class="wp-caption-text">Caption text</figcaption></figure>'
    )


def test_caption_keeps_the_link_around_the_image_and_html_in_the_text():
    text = '[caption id="attachment_9" align="aligncenter" width="580"]<a href="big.jpg"><img class="size-full" src="a.jpg" /></a> Look at <a href="https://example.com/">this</a>[/caption]'
    assert render(text) == (
        '<figure id="attachment_9" class="wp-caption aligncenter"><a href="big.jpg"><img class="size-full" src="a.jpg" /></a>'
        '<figcaption class="wp-caption-text">Look at <a href="https://example.com/">this</a></figcaption></figure>'
    )


def test_caption_old_attribute_form_and_wp_caption():
    text = '[wp_caption id="attachment_612" align="alignright" width="640" caption="Chunk of husk &amp; bark"]<img src="husk.jpg" />[/wp_caption]'
    assert render(text) == (
        '<figure id="attachment_612" class="wp-caption alignright"><img src="husk.jpg" />'
        '<figcaption class="wp-caption-text">Chunk of husk &amp; bark</figcaption></figure>'
    )


def test_caption_has_no_inline_style_and_cleans_id_and_classes():
    out = render('[caption id="attachment_5&quot; onclick=&quot;x" align="alignleft extra\'" class="mine" width="300"]<img src="a.jpg"> Text[/caption]')
    assert 'style' not in out
    assert out.startswith('<figure id="attachment_5quotonclickquotx" class="wp-caption alignleft extra mine">')


def test_caption_without_width_or_text_is_just_the_image():
    # img_caption_shortcode(): width < 1 or an empty caption returns the content alone.
    assert render('[caption id="a" align="alignleft"]<img src="a.jpg"> Lost caption[/caption]') == '<img src="a.jpg">'
    assert render('[caption width="300"]<img src="a.jpg">[/caption]') == '<img src="a.jpg">'
    assert render('[caption width="300" caption=""]<img src="a.jpg">[/caption]') == '<img src="a.jpg">'


def test_caption_runs_shortcodes_in_its_content():
    out = render('[caption width="300" caption="Cap"][embed]https://a.example/[/embed][/caption]')
    assert out == '<figure class="wp-caption alignnone"><p class="embed"><a href="https://a.example/">https://a.example/</a></p><figcaption class="wp-caption-text">Cap</figcaption></figure>'


def test_hostile_caption_attribute_is_escaped_text():
    out = render("[caption caption='<img src=x onerror=alert(1)>' width=1]<img src=\"a.jpg\">[/caption]")
    assert "<figcaption class=\"wp-caption-text\">&lt;img src=x onerror=alert(1)&gt;</figcaption>" in out
    assert_inert(out)
    out = render('[caption width=1 caption="&lt;script&gt;alert(1)&lt;/script&gt;"]<img src="a.jpg">[/caption]')
    assert "&lt;script&gt;" in out and "<script" not in out


# --------------------------------------------------------------------------- [gallery]


def test_gallery_renders_resolved_attachments_in_order():
    out = render('[gallery ids="3,1,99" columns="2" link="file"]')
    assert out == (
        '<figure class="wp-block-gallery gallery columns-2">'
        '<figure class="gallery-item"><a href="/media/three.jpg"><img src="/media/three.jpg" alt=""></a><figcaption>Third</figcaption></figure>'
        '<figure class="gallery-item"><a href="https://example.com/wp-content/uploads/one.jpg">'
        '<img src="https://example.com/wp-content/uploads/one.jpg" alt="A cat" width="640" height="480"></a>'
        "<figcaption>First &lt;b&gt;one&lt;/b&gt;</figcaption></figure>"
        "</figure>"
    )


def test_gallery_link_none_columns_default_and_include():
    out = render('[gallery include="2" link="none"]')
    assert out == '<figure class="wp-block-gallery gallery columns-3"><figure class="gallery-item"><img src="https://example.com/wp-content/uploads/two.jpg" alt=""></figure></figure>'
    assert "columns-3" in render('[gallery ids="2" columns="0"]')
    assert "columns-9" in render('[gallery ids="2" columns="40"]')


def test_gallery_only_takes_integer_ids():
    asked = []

    def resolve(number):
        asked.append(number)
        return LIBRARY.get(number)

    assert render_shortcodes('[gallery ids="1) OR 1=1"]', resolve_attachment=resolve).html == ""
    assert render_shortcodes('[gallery ids="2 , 2,x, -3, 1.5, 0, 99999999999999999999999"]', resolve_attachment=resolve).html.count("gallery-item") == 1
    assert asked == [2]
    assert all(isinstance(number, int) for number in asked)


def test_gallery_with_nothing_to_show_is_empty():
    assert render("[gallery]") == ""
    assert render('[gallery ids="99,98"]') == ""
    assert render('[gallery ids="4"]') == ""  # the attachment's URL is not http(s)


# --------------------------------------------------------------------------- [playlist]


def test_playlist_lists_media_with_players():
    out = render('[playlist ids="5,99"]')
    assert out == (
        '<ol class="wp-playlist wp-audio-playlist"><li><audio controls preload="none" src="https://example.com/song.mp3"></audio>'
        '<a href="https://example.com/song.mp3">A song</a></li></ol>'
    )
    assert render('[playlist type="video" ids="3"]').startswith('<ol class="wp-playlist wp-video-playlist"><li><video controls')
    assert render("[playlist]") == ""


# --------------------------------------------------------------------------- embeds


def test_embed_shortcode_is_a_link():
    link = '<p class="embed"><a href="https://www.youtube.com/watch?v=x">https://www.youtube.com/watch?v=x</a></p>'
    assert render("[embed]https://www.youtube.com/watch?v=x[/embed]") == link
    assert render('[embed width="640" height="480"] https://www.youtube.com/watch?v=x [/embed]') == link
    assert render('[embed src="https://www.youtube.com/watch?v=x" /]') == link
    assert render("[embed][/embed]") == "" and render("[embed]") == ""


def test_embed_url_entities_are_decoded_once():
    out = render("[embed]https://www.youtube.com/watch?v=x&amp;t=10[/embed]")
    assert out == '<p class="embed"><a href="https://www.youtube.com/watch?v=x&amp;t=10">https://www.youtube.com/watch?v=x&amp;t=10</a></p>'


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "jav&#x09;ascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/", "vbscript:x", "https://a b.example/", 'https://a.example/"onmouseover="x'],
)
def test_embed_of_anything_but_http_is_escaped_text(url):
    out = render(f"[embed]{url}[/embed]")
    assert "<a" not in out and "<p" not in out
    assert "<script" not in out
    assert_inert(out)


def test_bare_url_on_its_own_line_becomes_a_link():
    text = "Watch this:\nhttps://www.youtube.com/watch?v=x\n  https://vimeo.com/1  \nNot this https://a.example/ one"
    assert render(text) == (
        "Watch this:\n"
        '<p class="embed"><a href="https://www.youtube.com/watch?v=x">https://www.youtube.com/watch?v=x</a></p>\n'
        '  <p class="embed"><a href="https://vimeo.com/1">https://vimeo.com/1</a></p>  \n'
        "Not this https://a.example/ one"
    )


def test_bare_url_alone_in_a_paragraph_becomes_a_link():
    assert render('<p>https://vimeo.com/1</p>') == '<p class="embed"><a href="https://vimeo.com/1">https://vimeo.com/1</a></p>'
    assert render('<p class="x">\n  https://vimeo.com/1\n</p>') == '<p class="embed"><a href="https://vimeo.com/1">https://vimeo.com/1</a></p>'
    assert render("<p>See https://vimeo.com/1</p>") == "<p>See https://vimeo.com/1</p>"


def test_urls_in_links_code_and_tags_are_not_autoembedded():
    text = (
        '<a href="https://a.example/">\nhttps://a.example/\n</a>\n'
        "<pre>\nhttps://b.example/\n</pre>\n"
        '<img\nsrc="x"\nalt=\nhttps://c.example/\n>\n'
        "<code>https://d.example/</code>"
    )
    assert render(text) == text


def test_autoembed_keeps_text_before_and_after():
    assert autoembed("a\nhttps://x.example/\nb") == 'a\n<p class="embed"><a href="https://x.example/">https://x.example/</a></p>\nb'
    assert autoembed("no urls here") == "no urls here"
    assert autoembed('<p>https://x.example/?a=1&amp;b=<i>2</i></p>') == '<p>https://x.example/?a=1&amp;b=<i>2</i></p>'


def test_safe_url():
    assert safe_url("https://a.example/x") == "https://a.example/x"
    assert safe_url("HTTP://a.example/") == "HTTP://a.example/"
    assert safe_url(" https://a.example/x\n") == "https://a.example/x"
    assert safe_url("/media/x.jpg") is None
    assert safe_url("/media/x.jpg", allow_relative=True) == "/media/x.jpg"
    assert safe_url("x.mp3", allow_relative=True) == "x.mp3"
    for bad in ("javascript:alert(1)", "java\tscript:alert(1)", "&#106;avascript:alert(1)", "https:", "https://", "mailto:a@b", ""):
        assert safe_url(bad, allow_relative=True) is None, bad


# --------------------------------------------------------------------------- [audio] and [video]


def test_audio_shortcode():
    assert render('[audio src="x.mp3"]') == '<audio controls src="x.mp3" preload="none"><a href="x.mp3">x.mp3</a></audio>'
    assert render('[audio mp3="https://e.example/a.mp3" ogg="https://e.example/a.ogg" loop="on" preload="auto"]') == (
        '<audio controls src="https://e.example/a.mp3" loop="" preload="auto"><a href="https://e.example/a.mp3">https://e.example/a.mp3</a></audio>'
    )


def test_audio_that_is_not_audio_is_a_link_or_nothing():
    assert render('[audio src="https://e.example/a.wma"]') == '<a class="wp-embedded-audio" href="https://e.example/a.wma">https://e.example/a.wma</a>'
    assert render("[audio]") == ""  # WordPress would use the post's attached audio
    assert render('[audio mp3="https://e.example/a.ogg"]') == ""
    out = render('[audio src="javascript:alert(1)//x.mp3"]')
    assert out == ""
    out = render('[audio src="javascript:alert(1)"]')
    assert "<a" not in out and "<audio" not in out


def test_video_shortcode():
    out = render('[video src="https://e.example/v.mp4" poster="https://e.example/p.jpg" width="640" height="360"][/video]')
    assert out == (
        '<video controls src="https://e.example/v.mp4" poster="https://e.example/p.jpg" width="640" height="360" preload="metadata">'
        '<a href="https://e.example/v.mp4">https://e.example/v.mp4</a></video>'
    )
    assert render('[video mp4="/media/v.mp4"]') == '<video controls src="/media/v.mp4" preload="metadata"><a href="/media/v.mp4">/media/v.mp4</a></video>'


def test_video_keeps_tracks_drops_bad_poster_and_links_hosted_video():
    out = render('[video webm="v.webm" poster="javascript:alert(1)" width="x"]<track kind="captions" src="c.vtt">\n<script>x</script>[/video]')
    assert out == '<video controls src="v.webm" preload="metadata"><track kind="captions" src="c.vtt"><a href="v.webm">v.webm</a></video>'
    assert render('[video src="https://www.youtube.com/watch?v=x"]') == '<p class="embed"><a href="https://www.youtube.com/watch?v=x">https://www.youtube.com/watch?v=x</a></p>'
    assert render('[video src="https://e.example/v.mov"]') == '<a class="wp-embedded-video" href="https://e.example/v.mov">https://e.example/v.mov</a>'


# --------------------------------------------------------------------------- hostile input

HOSTILE = [
    "[caption caption='<img src=x onerror=alert(1)>' width=300]<img src=x>[/caption]",
    '[caption width=300 caption="x" id="\'><script>alert(1)</script>" align="\\" onmouseover=alert(1)"]<img src=x>[/caption]',
    "[embed]javascript:alert(1)[/embed]",
    '[gallery ids="1) OR 1=1"]',
    '[gallery ids="4"]',
    '[audio src="javascript:alert(1)"]',
    '[audio mp3="javascript:alert(1)//a.mp3"]',
    '[video src="x.mp4" poster="javascript:alert(1)"]',
    '[video src="javascript:alert(1)//x.mp4"]',
    '[video src="https://e.example/v.mp4" width=\'"><script>alert(1)</script>\']',
    '[playlist ids="4"]',
    '[embed src=\'"><svg onload=alert(1)>\' /]',
]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_shortcodes_render_inert(text):
    out = render(text)
    assert_inert(out)
    assert "<script" not in out and "<svg" not in out


@pytest.mark.parametrize(
    "text",
    [
        ('[]"\'' * 250_000),
        "[caption " * 120_000,
        "[caption]" * 120_000,
        "[[caption]" * 100_000,
        "[gallery ids=1" * 80_000,
        '[[caption "]" \'[/caption]' * 60_000,
        "[gallery " + 'a="' * 300_000 + "]",
        "[gallery " + "a " * 300_000 + "]",
        "[foo " * 200_000,
        "[caption]" + "<a " * 200_000 + "[/caption]",
        "\n" * 500_000 + "https://x.example/" + " " * 500_000,
        "<p " * 300_000,
    ],
    ids=["brackets-and-quotes", "open-tags", "unclosed-enclosing", "escapes", "no-close", "mixed", "quotes-in-attrs", "many-attrs", "unknown", "anchors", "newlines", "paragraphs"],
)
def test_hostile_megabyte_returns(text):
    result = render_shortcodes(text)
    assert isinstance(result.html, str)
    assert len(result.html) <= len(text) + 200
    if "caption" not in text and "gallery" not in text and "http" not in text:
        assert result.html == text


def test_megabyte_of_brackets_and_quotes_is_unchanged():
    text = ('[]"\'' * 250_000)[:1_000_000]
    assert len(text) == 1_000_000
    result = render_shortcodes(text)
    assert result.html == text
    assert result.unknown == frozenset()
    assert find_unknown_shortcodes(text) == set()
