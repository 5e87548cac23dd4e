"""Comment text to HTML: paragraphs, line breaks, nofollow links, and never the writer's markup."""

import html5lib
import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.comments.rendering import render_comment_text

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=//evil.example></iframe>",
    '"><script>alert(1)</script>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<style>body{display:none}</style>",
    "http://example.com/\"onmouseover=\"alert(1)",
    "https://example.com/<script>alert(1)</script>",
]


def _elements(markup: str) -> list:
    fragment = html5lib.parseFragment(markup, namespaceHTMLElements=False)
    return list(fragment.iter())[1:]


def test_paragraphs_and_line_breaks():
    assert render_comment_text("One\nline two\n\n\nTwo") == "<p>One<br>\nline two</p>\n<p>Two</p>"


def test_windows_newlines_and_surrounding_space():
    assert render_comment_text("  One\r\n\r\nTwo  \r\n") == "<p>One</p>\n<p>Two</p>"


def test_addresses_become_nofollow_ugc_links():
    html = render_comment_text("See https://example.com/a?b=1&c=2. Or www.example.org.")
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc">https://example.com/a?b=1&amp;c=2</a>.' in html
    assert '<a href="http://www.example.org" rel="nofollow ugc">www.example.org</a>.' in html


def test_brackets_around_an_address_stay_outside_the_link():
    html = render_comment_text("(see https://en.wikipedia.org/wiki/Foo_(bar)) and [https://example.com]")
    assert 'href="https://en.wikipedia.org/wiki/Foo_(bar)"' in html
    assert html.endswith('[<a href="https://example.com" rel="nofollow ugc">https://example.com</a>]</p>')


def test_only_http_addresses_are_linked():
    html = render_comment_text("javascript:alert(1) ftp://example.com mailto:a@example.com http://")
    assert "<a" not in html


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_as_text(text):
    html = render_comment_text(text)
    for element in _elements(html):
        assert element.tag in {"p", "br", "a"}, (text, html)
        for name, value in element.attrib.items():
            assert name in {"href", "rel"}, (text, html)
            if name == "href":
                assert value.startswith(("http://", "https://")), (text, html)
    assert not any(tag in html for tag in ("<script", "<img", "<svg", "<iframe", "<style", "<math", "<!--"))


@pytest.mark.parametrize("text", HOSTILE)
def test_nh3_leaves_the_result_unchanged(text):
    html = render_comment_text(text)
    cleaned = nh3.clean(html, tags={"p", "br", "a"}, attributes={"a": {"href"}}, link_rel="nofollow ugc")
    assert cleaned == html


def test_control_characters_are_dropped():
    assert render_comment_text("a\x07b\x1bc") == "<p>abc</p>"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_renders_to_allowed_markup_only(text):
    html = render_comment_text(text)
    for element in _elements(html):
        assert element.tag in {"p", "br", "a"}
        assert set(element.attrib) <= {"href", "rel"}
        if "href" in element.attrib:
            assert element.attrib["href"].startswith(("http://", "https://"))
            assert element.attrib["rel"] == "nofollow ugc"
