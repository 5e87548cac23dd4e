"""Body -> safe HTML: formats, the fold, and the sanitiser running last."""

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.content.rendering import render_body
from broadsheet.content.rendering.fold import split_fold
from broadsheet.content.rendering.sanitise import sanitise_html

XSS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>", "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', '<a href="JaVaScRiPt:alert(1)">x</a>', '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>', '<a href="vbscript:msgbox(1)">x</a>', '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="https://evil.example"></iframe>', "<object data=x></object>", "<embed src=x>", "<style>*{}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>', "<form action=x><input name=a></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    '<svg><a><set attributeName=href to="javascript:alert(1)"/></a></svg>', "</title><script>alert(1)</script>",
    '"><svg onload=alert(1)>', "<img src=\"x\" alt=\"\" onmouseover=\"alert(1)\">", "<details open ontoggle=alert(1)>",
    "<a title=\"<!--more-->\" onclick=alert(1)>x</a>", "<!--more <img src=x onerror=alert(1)>-->",
    "[x](javascript:alert(1))", "<javascript:alert(1)>", '![a](" onerror=alert(1))', "[a][r]\n\n[r]: javascript:alert(1)",
    "<base href=//evil.example/>", "<meta http-equiv=refresh content=0;url=javascript:alert(1)>", "<link rel=import href=x>",
]  # fmt: skip


def assert_inert(markup: str) -> None:
    """Parse like a browser and check nothing can run."""
    document = html5lib.parse(markup, namespaceHTMLElements=False)
    for element in document.iter():
        assert element.tag not in ("script", "iframe", "object", "embed", "style", "base", "meta", "link", "form", "svg", "math")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, markup)
            if name in ("href", "src", "action", "formaction", "xlink:href", "poster"):
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto", "tel"), (value, markup)


@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("body_format", ["markdown", "html"])
def test_hostile_markup_renders_inert(payload, body_format):
    source = f"Intro.\n\n{payload}\n\n<!--more-->\n\n{payload}"
    rendered = render_body(source, body_format, anchor_id=7)
    assert_inert(rendered.html)
    assert_inert(rendered.teaser_html)


def test_custom_more_text_is_kept_as_text():
    fold = split_fold("A<!--more <img src=x onerror=alert(1)>-->B")
    assert fold.more_text == "<img src=x onerror=alert(1)>"  # escaped by the template, never trusted


def test_real_post_markup_survives():
    source = (
        '<figure class="wp-caption"><img src="https://example.org/a.jpg" alt="A bridge" width="300" height="200">'
        "<figcaption>The bridge</figcaption></figure>\n\n<table><tr><th>Year</th><td>2010</td></tr></table>\n\n"
        '<pre><code class="language-python">print("hi")</code></pre>\n\n<blockquote cite="https://example.org">Quoted</blockquote>\n\n'
        '<a href="https://example.org/" title="Link">link</a> <del>gone</del> <sup>1</sup>'
    )
    html = render_body(source, "html", anchor_id=1).html
    for kept in ('<figure class="wp-caption">', 'alt="A bridge"', "<figcaption>The bridge</figcaption>", "<table>",
                 '<code class="language-python">', '<blockquote cite="https://example.org">', "<del>gone</del>",
                 'href="https://example.org/"'):  # fmt: skip
        assert kept in html, kept


def test_markdown_extensions():
    html = render_body("a ~~b~~[^1]\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n[^1]: Note.", "markdown", anchor_id=1).html
    assert "<s>b</s>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'id="fn1"' in html and "Note." in html


def test_html_format_uses_wordpress_paragraph_rules():
    html = render_body("First line\nsecond line\n\nNew paragraph", "html", anchor_id=1).html
    assert "<p>First line<br>" in html or "<p>First line<br />" in html
    assert "<p>New paragraph</p>" in html


def test_fold_anchor_and_teaser():
    rendered = render_body("Teaser.\n\n<!--more-->\n\nRest.", "markdown", anchor_id=42)
    assert rendered.has_fold
    assert '<span id="more-42"></span>' in rendered.html
    assert "Rest." in rendered.html and "Rest." not in rendered.teaser_html
    assert "Teaser." in rendered.teaser_html


def test_noteaser_hides_teaser_on_the_full_page():
    rendered = render_body("Teaser.\n<!--noteaser-->\n<!--more-->\nRest.", "html", anchor_id=3)
    assert "Teaser." not in rendered.html and "Rest." in rendered.html
    assert "Teaser." in rendered.teaser_html


def test_trusted_raw_html_is_not_filtered():
    rendered = render_body('<div data-widget="x"><iframe src="https://video.example/1"></iframe></div>', "html", anchor_id=1, trusted=True)
    assert "<iframe" in rendered.html


def test_deep_nesting_is_bounded():
    """markdown-it's maxNesting caps the depth instead of recursing 10,000 times."""
    rendered = render_body(">" * 10_000 + " deep", "markdown", anchor_id=1)
    assert 0 < rendered.html.count("<blockquote>") <= 20


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' aonerrscipt:javjs&#x09;!-[]()*\n")), max_size=200))
def test_sanitiser_is_idempotent_and_inert(soup):
    once = sanitise_html(soup)
    assert sanitise_html(once) == once
    assert_inert(once)
