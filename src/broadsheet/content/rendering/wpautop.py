"""A port of WordPress's ``wpautop()``: blank lines become paragraphs, line breaks ``<br />``.

Ported from ``wp-includes/formatting.php`` as of WordPress 6.9, together with the
helpers it calls: the ``<pre>`` placeholders, ``wp_html_split()`` /
``wp_replace_in_html_tags()`` (newlines inside tags and comments are hidden while
paragraphs are built) and ``_autop_newline_preservation_helper()``. The output is
meant to be byte-for-byte what WordPress gives for the same text. That behaviour has
held since WordPress 6.2 (Trac #13340, changeset 55272), when ``math`` left
``$allblocks`` and joined ``script``/``style``/``svg`` as an element whose newlines are
kept as they are; WordPress 6.0 and 6.1 treat ``<math>`` as a block instead.
``shortcode_unautop()`` is not part of this port.

Every step below carries the PHP line it ports. Translating PHP's PCRE to Python:

* PCRE's ``\\s`` without the ``u`` flag is the six ASCII spaces (space, ``\\t``, ``\\n``,
  ``\\x0b``, ``\\f``, ``\\r``); Python's ``\\s`` on ``str`` also takes NBSP and other Unicode
  spaces, so the class is spelt out as ``_S``. The one case-insensitive pattern is
  compiled with ``re.ASCII`` so that, say, the Kelvin sign does not match ``k``.
* PHP's ``trim()`` strips ``" \\t\\n\\r\\0\\x0B"``, not what ``str.strip()`` strips.
* ``$`` without ``m``/``D``, and ``.`` without ``s``, mean the same in both engines.
* ``preg_split(..., PREG_SPLIT_NO_EMPTY)`` is ``re.split`` without the empty strings;
  with ``PREG_SPLIT_DELIM_CAPTURE`` it is ``re.split`` with one capturing group.
* ``str_replace()`` with arrays replaces one pair after the other, in order.
* The conditional groups of ``get_html_split_regex()`` become an atomic alternation;
  its possessive quantifiers are kept (Python 3.11+).

Several PHP steps are quadratic on hostile text: a leading ``\\s*`` retried at every
position of a long run of spaces, ``[^>]*`` rescanned from every ``<object`` or
``</div`` when no ``>`` follows, ``.*?`` rescanned from every ``<script`` with no
``</script>``, and one full ``str_replace()`` pass per ``<pre>`` when putting the
``<pre>`` elements back. Those steps are done here by small scanners that find the
very same matches (the same leftmost, non-overlapping matches the PCRE pattern would
find) in linear time; each one's docstring says why they are the same. The remaining
steps stay plain regular expressions, because their attempts start at tokens such
as ``<p>`` or ``<br />`` whose own ``>`` bounds the scan.

Where this port parts from PHP: PHP runs on bytes and this on ``str`` (the same on
UTF-8 text, since every pattern here is ASCII); and where PCRE gives up on a huge
input (``pcre.backtrack_limit``, JIT stack), ``preg_replace()`` returns ``null`` and
WordPress outputs an empty or truncated post, whereas this port finishes the job.
"""

from __future__ import annotations

import re

__all__ = ["wpautop"]

# PCRE's \s (no /u flag): space, \t, \n, \v, \f, \r.
_S = r"[ \t\n\x0b\f\r]"
_WS_CHARS = " \t\n\x0b\f\r"
# PHP's trim() default character list.
_PHP_TRIM_CHARS = " \t\n\r\0\x0b"

# $allblocks, WordPress 6.2+ (no "math": see the module docstring).
_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area"
    r"|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer"
    r"|nav|figure|figcaption|details|menu|summary)"
)

_NEWLINE_PLACEHOLDER = "<WPPreserveNewline />"
_TAG_NEWLINE_PLACEHOLDER = " <!-- wpnl --> "

# get_html_split_regex(): an HTML comment, a CDATA section or any other tag, each
# running to the end of the input when unterminated. PHP's
#   <(?(?=!--|!\[CDATA\[)(?(?=!-)COMMENT|CDATA)|[^>]*>?)
# becomes an atomic alternation (each guarded branch always matches once its
# lookahead holds, so no branch can fall through to the next).
_HTML_SPLIT = re.compile(
    r"("
    r"<"
    r"(?>"
    r"(?=!--)!(?:-(?!->)[^\-]*+)*+(?:-->)?"
    r"|(?=!\[CDATA\[)!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>)?"
    r"|[^>]*>?"
    r")"
    r")"
)

_BR_PAIR = re.compile(rf"<br{_S}*/?>{_S}*<br{_S}*/?>")
_BLOCK_OPENING = re.compile(rf"(<{_ALLBLOCKS}[ \t\n\x0b\f\r/>])")
_BLOCK_CLOSING = re.compile(rf"(</{_ALLBLOCKS}>)")
_HR = re.compile(rf"(<hr{_S}*?/?>)")
_NEWLINE_RUN = re.compile(r"\n\n+")
_PARAGRAPH_BREAK = re.compile(rf"\n{_S}*\n")
_EMPTY_PARAGRAPH = re.compile(rf"<p>{_S}*</p>")
_UNCLOSED_PARAGRAPH = re.compile(r"<p>([^<]+)</(div|address|form)>")
_PARAGRAPH_AROUND_BLOCK_TAG = re.compile(rf"<p>{_S}*(</?{_ALLBLOCKS}[^>]*>){_S}*</p>")
_PARAGRAPH_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.IGNORECASE | re.ASCII)
_PARAGRAPH_BEFORE_BLOCK_TAG = re.compile(rf"<p>{_S}*(</?{_ALLBLOCKS}[^>]*>)")
_BR_BEFORE_SOME_BLOCK_TAGS = re.compile(rf"<br />({_S}*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_NEWLINE_BEFORE_LAST_CLOSING_P = re.compile(r"\n</p>(?=\n?\Z)")  # PHP: "|\n</p>$|"

# Pieces for the linear scanners.
_BLOCK_TAG_START = re.compile(rf"</?{_ALLBLOCKS}")
_WS_THEN_CLOSING_P = re.compile(rf"{_S}*</p>")
_WS_THEN_BR = re.compile(rf"{_S}*<br />")
_OPTIONAL_WS = re.compile(rf"{_S}*")
# A whole run of whitespace that holds a newline: it starts where the previous
# character is not whitespace, so a long run without one costs one look, not one per
# position.
_WS_RUN_WITH_NEWLINE = re.compile(rf"(?<!{_S})[ \t\x0b\f\r]*+\n{_S}*")
_GT = re.compile(r">")
_GT_OR_BRACKET = re.compile(r"[>\]]")
_OPTION_OPEN = re.compile(r"<option")
_OPTION_CLOSE = re.compile(r"</option>")
_OBJECT_OPEN = re.compile(r"<object")
_OBJECT_CLOSE = re.compile(r"</object>")
_PARAM_OR_EMBED = re.compile(r"</?(?:param|embed)")
_MEDIA_OPEN = re.compile(r"[<\[](?:audio|video)")
_MEDIA_CLOSE = re.compile(r"[<\[]/(?:audio|video)[>\]]")
_SOURCE_OR_TRACK = re.compile(r"<(?:source|track)")
_FIGCAPTION_OPEN = re.compile(r"<figcaption")
_FIGCAPTION_CLOSE = re.compile(r"</figcaption>")
_RAW_TEXT_OPEN = re.compile(r"<(script|style|svg|math)")
_PRE_PLACEHOLDER = re.compile(r"<pre wp-pre-tag-([0-9]+)></pre>")


def wpautop(text: str, br: bool = True) -> str:
    """Replace double line breaks with paragraph elements, as WordPress does.

    Text separated by blank lines is wrapped in ``<p>``; block-level elements are not.
    With ``br`` (the default) the remaining single line breaks become ``<br />``,
    except inside ``<script>``, ``<style>``, ``<svg>`` and ``<math>``. The contents of
    ``<pre>`` elements are left exactly as they are.
    """
    # if ( '' === trim( $text ) ) return '';
    if text.strip(_PHP_TRIM_CHARS) == "":
        return ""

    # Just to make things a little easier, pad the end.
    text = text + "\n"

    # Pre tags shouldn't be touched by autop: placeholders now, contents back at the end.
    pre_tags: list[str] = []
    if "<pre" in text:
        text, pre_tags = _hide_pre_elements(text)

    # Change multiple <br>'s into two line breaks, which will turn into paragraphs.
    text = _BR_PAIR.sub("\n\n", text)

    # Add a double line break above block-level opening tags.
    text = _BLOCK_OPENING.sub("\n\n\\1", text)

    # Add a double line break below block-level closing tags.
    text = _BLOCK_CLOSING.sub("\\1\n\n", text)

    # Add a double line break after hr tags, which are self closing.
    text = _HR.sub("\\1\n\n", text)

    # Standardize newline characters to "\n".
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    # Find newlines in all elements and add placeholders.
    text = _wp_replace_in_html_tags(text, {"\n": _TAG_NEWLINE_PLACEHOLDER})

    # Collapse line breaks before and after <option> elements so they don't get autop'd.
    if "<option" in text:
        # preg_replace( '|\s*<option|', '<option', $text )
        text = _collapse_whitespace(text, _OPTION_OPEN, before=True)
        # preg_replace( '|</option>\s*|', '</option>', $text )
        text = _collapse_whitespace(text, _OPTION_CLOSE, after=True)

    # Collapse line breaks inside <object> elements, before <param> and <embed> elements
    # so they don't get autop'd.
    if "</object>" in text:
        # preg_replace( '|(<object[^>]*>)\s*|', '$1', $text )
        text = _collapse_whitespace(text, _OBJECT_OPEN, _GT, after=True)
        # preg_replace( '|\s*</object>|', '</object>', $text )
        text = _collapse_whitespace(text, _OBJECT_CLOSE, before=True)
        # preg_replace( '%\s*(</?(?:param|embed)[^>]*>)\s*%', '$1', $text )
        text = _collapse_whitespace(text, _PARAM_OR_EMBED, _GT, before=True, after=True)

    # Collapse line breaks inside <audio> and <video> elements,
    # before and after <source> and <track> elements.
    if "<source" in text or "<track" in text:
        # preg_replace( '%([<\[](?:audio|video)[^>\]]*[>\]])\s*%', '$1', $text )
        text = _collapse_whitespace(text, _MEDIA_OPEN, _GT_OR_BRACKET, after=True)
        # preg_replace( '%\s*([<\[]/(?:audio|video)[>\]])%', '$1', $text )
        text = _collapse_whitespace(text, _MEDIA_CLOSE, before=True)
        # preg_replace( '%\s*(<(?:source|track)[^>]*>)\s*%', '$1', $text )
        text = _collapse_whitespace(text, _SOURCE_OR_TRACK, _GT, before=True, after=True)

    # Collapse line breaks before and after <figcaption> elements.
    if "<figcaption" in text:
        # preg_replace( '|\s*(<figcaption[^>]*>)|', '$1', $text )
        text = _collapse_whitespace(text, _FIGCAPTION_OPEN, _GT, before=True)
        # preg_replace( '|</figcaption>\s*|', '</figcaption>', $text )
        text = _collapse_whitespace(text, _FIGCAPTION_CLOSE, after=True)

    # Remove more than two contiguous line breaks.
    text = _NEWLINE_RUN.sub("\n\n", text)

    # Split up the contents into an array of strings, separated by double line breaks
    # (PREG_SPLIT_NO_EMPTY), and rebuild the content, wrapping every bit with a <p>.
    paragraphs = [part for part in _PARAGRAPH_BREAK.split(text) if part]
    text = "".join("<p>" + paragraph.strip("\n") + "</p>\n" for paragraph in paragraphs)

    # Under certain strange conditions it could create a P of entirely whitespace.
    text = _EMPTY_PARAGRAPH.sub("", text)

    # Add a closing <p> inside <div>, <address>, or <form> tag if missing.
    text = _UNCLOSED_PARAGRAPH.sub("<p>\\1</p></\\2>", text)

    # If an opening or closing block element tag is wrapped in a <p>, unwrap it.
    text = _PARAGRAPH_AROUND_BLOCK_TAG.sub("\\1", text)

    # In some cases <li> may get wrapped in <p>, fix them.
    text = _unwrap_paragraph_around_li(text)

    # If a <blockquote> is wrapped with a <p>, move it inside the <blockquote>.
    text = _PARAGRAPH_BLOCKQUOTE.sub("<blockquote\\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")

    # If an opening or closing block element tag is preceded by an opening <p> tag, remove it.
    text = _PARAGRAPH_BEFORE_BLOCK_TAG.sub("\\1", text)

    # If an opening or closing block element tag is followed by a closing <p> tag, remove it.
    # preg_replace( '!(</?' . $allblocks . '[^>]*>)\s*</p>!', '$1', $text )
    text = _drop_after_block_tag(text, _WS_THEN_CLOSING_P)

    # Optionally insert line breaks.
    if br:
        # Replace newlines that shouldn't be touched with a placeholder.
        text = _preserve_raw_text_newlines(text)

        # Normalize <br>.
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")

        # Replace any new line characters that aren't preceded by a <br /> with a <br />.
        text = _newlines_to_br(text)

        # Replace newline placeholders with newlines.
        text = text.replace(_NEWLINE_PLACEHOLDER, "\n")

    # If a <br /> tag is after an opening or closing block tag, remove it.
    # preg_replace( '!(</?' . $allblocks . '[^>]*>)\s*<br />!', '$1', $text )
    text = _drop_after_block_tag(text, _WS_THEN_BR)

    # If a <br /> tag is before a subset of opening or closing block tags, remove it.
    text = _BR_BEFORE_SOME_BLOCK_TAGS.sub("\\1", text)
    text = _NEWLINE_BEFORE_LAST_CLOSING_P.sub("</p>", text)

    # Replace placeholder <pre> tags with their original content.
    if pre_tags:
        text = _restore_pre_elements(text, pre_tags)

    # Restore newlines in all elements.
    if "<!-- wpnl -->" in text:
        text = text.replace(_TAG_NEWLINE_PLACEHOLDER, "\n").replace("<!-- wpnl -->", "\n")

    return text


def _pre_placeholder(index: int) -> str:
    return f"<pre wp-pre-tag-{index}></pre>"


def _hide_pre_elements(text: str) -> tuple[str, list[str]]:
    """Swap each ``<pre…</pre>`` for ``<pre wp-pre-tag-N></pre>``; also return the originals.

    As in PHP, the text is cut at every ``</pre>``; a piece with no ``<pre`` is kept
    but loses its ``</pre>`` ("malformed HTML"), and otherwise everything from the
    piece's first ``<pre`` on is hidden. The N-th hidden element is ``pre_tags[N]``.
    """
    parts = text.split("</pre>")
    last_part = parts.pop()
    pre_tags: list[str] = []
    pieces: list[str] = []
    for part in parts:
        start = part.find("<pre")
        if start == -1:
            pieces.append(part)
            continue
        pieces.append(part[:start])
        pieces.append(_pre_placeholder(len(pre_tags)))
        pre_tags.append(part[start:] + "</pre>")
    pieces.append(last_part)
    return "".join(pieces), pre_tags


def _restore_pre_elements(text: str, pre_tags: list[str]) -> str:
    """``str_replace( array_keys( $pre_tags ), array_values( $pre_tags ), $text )``, in one pass.

    PHP replaces placeholder 0 everywhere, then placeholder 1 everywhere (also inside
    what placeholder 0 brought back), and so on: one pass over the text per ``<pre>``.
    The same result in one pass: a hidden element holds a single ``</pre>``, its last
    characters, so the only placeholder it can contain is one it ends with; PHP puts
    that one back later only if its number is higher. Expanding that chain gives
    what PHP's later passes would make of each element. No placeholder can arise
    across the edge of a restored element (it would need that ``</pre>`` inside it).
    """
    expanded: dict[int, str] = {}

    def expand(index: int) -> str:
        chain: list[tuple[int, str]] = []  # (index, text before the trailing placeholder)
        while index not in expanded:
            value = pre_tags[index]
            start = value.rfind("<pre wp-pre-tag-")
            match = _PRE_PLACEHOLDER.fullmatch(value, start) if start != -1 else None
            inner = int(match.group(1)) if match else -1
            if match and inner > index and inner < len(pre_tags) and match.group(0) == _pre_placeholder(inner):
                chain.append((index, value[:start]))
                index = inner
            else:
                expanded[index] = value
        result = expanded[index]
        for outer, head in reversed(chain):
            result = head + result
            expanded[outer] = result
        return result

    def replace(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index < len(pre_tags) and match.group(0) == _pre_placeholder(index):
            return expand(index)
        return match.group(0)

    return _PRE_PLACEHOLDER.sub(replace, text)


def _wp_html_split(text: str) -> list[str]:
    """``wp_html_split()``: text, element, text, element, …, text (elements at odd indices)."""
    return _HTML_SPLIT.split(text)


def _wp_replace_in_html_tags(haystack: str, replace_pairs: dict[str, str]) -> str:
    """``wp_replace_in_html_tags()``: replace only inside elements and comments, not in text."""
    textarr = _wp_html_split(haystack)
    changed = False
    if len(replace_pairs) == 1:
        ((needle, replace),) = replace_pairs.items()
        for i in range(1, len(textarr), 2):
            if needle in textarr[i]:
                textarr[i] = textarr[i].replace(needle, replace)
                changed = True
    else:
        # strtr(): at each position the longest key wins, and replacements are final.
        needles = sorted((needle for needle in replace_pairs if needle), key=len, reverse=True)
        strtr = re.compile("|".join(re.escape(needle) for needle in needles)) if needles else None
        for i in range(1, len(textarr), 2):
            if strtr is not None and any(needle in textarr[i] for needle in needles):
                textarr[i] = strtr.sub(lambda match: replace_pairs[match.group(0)], textarr[i])
                changed = True
    return "".join(textarr) if changed else haystack


def _autop_newline_preservation_helper(matched: str) -> str:
    """``_autop_newline_preservation_helper()``: hide the newlines of a matched element."""
    return matched.replace("\n", _NEWLINE_PLACEHOLDER)


def _preserve_raw_text_newlines(text: str) -> str:
    """``preg_replace_callback( '/<(script|style|svg|math).*?<\\/\\1>/s', helper, $text )``.

    A match starts at ``<script`` (or ``<style``, ``<svg``, ``<math``; case-sensitive,
    and ``<scripts`` counts too) and ends at the first ``</script>`` after it. When no
    closing tag follows, PCRE rescans to the end from every later opening of that
    name; here a name with no closing tag left is simply not looked for again.
    """
    pieces: list[str] = []
    pos = 0
    unclosed: set[str] = set()
    for opening in _RAW_TEXT_OPEN.finditer(text):
        start = opening.start()
        name = opening.group(1)
        if start < pos or name in unclosed:
            continue
        closing_tag = f"</{name}>"
        closing = text.find(closing_tag, opening.end())
        if closing == -1:
            unclosed.add(name)
            continue
        end = closing + len(closing_tag)
        pieces.append(text[pos:start])
        pieces.append(_autop_newline_preservation_helper(text[start:end]))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _newlines_to_br(text: str) -> str:
    """``preg_replace( '|(?<!<br />)\\s*\\n|', "<br />\\n", $text )``, run by run of whitespace.

    Within a run of whitespace that holds a newline, PCRE's match starts at the run's
    first character (or the second, when the run follows ``<br />``: the lookbehind
    holds anywhere else in a run) and, ``\\s*`` being greedy, ends just after the run's
    last newline. Text outside such runs is never matched. Scanning runs avoids
    PCRE's retry of ``\\s*`` at every position of a long run with no newline.
    """
    pieces: list[str] = []
    pos = 0
    for run in _WS_RUN_WITH_NEWLINE.finditer(text):
        start, end = run.span()
        last_newline = text.rfind("\n", start, end)
        if text.endswith("<br />", 0, start):
            start += 1
        if start > last_newline:
            continue
        pieces.append(text[pos:start])
        pieces.append("<br />\n")
        pos = last_newline + 1
    pieces.append(text[pos:])
    return "".join(pieces)


def _collapse_whitespace(
    text: str,
    start: re.Pattern[str],
    tag_end: re.Pattern[str] | None = None,
    *,
    before: bool = False,
    after: bool = False,
) -> str:
    """``preg_replace( '%\\s*(START[^>]*>)\\s*%', '$1', $text )`` and its variants.

    Removes the whitespace before (``before``) and/or after (``after``) each match of
    ``START`` followed, when ``tag_end`` is given, by everything up to and including
    the first character that ``tag_end`` matches (``>``, or ``>``/``]`` for
    ``[^>\\]]*[>\\]]``). ``START`` always begins with ``<`` or ``[``, never whitespace.

    Same matches as PCRE: a leading ``\\s*`` can only end where the element begins, so
    the leftmost match starts at the whitespace run before the leftmost element
    (cut at the end of the previous match); the element itself always matches up to
    the first terminator, and once no terminator is left nothing can match at all.
    PCRE instead retries ``\\s*`` from every position of a whitespace run and
    ``[^>]*`` from every ``START`` after the last ``>``; both are quadratic.
    """
    pieces: list[str] = []
    pos = 0
    for element in start.finditer(text):
        element_start = element.start()
        if element_start < pos:
            continue
        if tag_end is None:
            element_end = element.end()
        else:
            terminator = tag_end.search(text, element.end())
            if terminator is None:
                break
            element_end = terminator.end()
        gap = text[pos:element_start]
        pieces.append(gap.rstrip(_WS_CHARS) if before else gap)
        pieces.append(text[element_start:element_end])
        pos = _OPTIONAL_WS.match(text, element_end).end() if after else element_end
    pieces.append(text[pos:])
    return "".join(pieces)


def _drop_after_block_tag(text: str, follower: re.Pattern[str]) -> str:
    """``preg_replace( '!(</?' . $allblocks . '[^>]*>)FOLLOWER!', '$1', $text )``.

    ``FOLLOWER`` is ``\\s*</p>`` or ``\\s*<br />``. A block tag's ``[^>]*>`` always
    ends at the first ``>`` after its ``<``, so whether the follower comes next
    depends only on that ``>``: it is checked once per ``>`` rather than once per tag
    start (PCRE rescans to the same ``>`` from every ``</div`` in a long run of them).
    """
    pieces: list[str] = []
    pos = 0
    gt = -1  # the first '>' after the current tag start
    follower_end = -1  # where the follower ends when it comes right after `gt`, else -1
    for tag in _BLOCK_TAG_START.finditer(text):
        tag_start = tag.start()
        if tag_start < pos:
            continue
        if tag_start > gt:
            gt = text.find(">", tag_start)
            if gt == -1:
                break
            match = follower.match(text, gt + 1)
            follower_end = match.end() if match else -1
        if follower_end == -1:
            continue
        pieces.append(text[pos:tag_start])
        pieces.append(text[tag_start : gt + 1])
        pos = follower_end
    pieces.append(text[pos:])
    return "".join(pieces)


def _unwrap_paragraph_around_li(text: str) -> str:
    """``preg_replace( '|<p>(<li.+?)</p>|', '$1', $text )``.

    The match at a ``<p><li`` ends at the first ``</p>`` that leaves ``.+?`` at least
    one character, provided no newline comes before it (``.`` stops at ``\\n``). The
    next newline and the next ``</p>`` are remembered, so a long line with many
    ``<p><li`` and no ``</p>`` is scanned once, not once per ``<p><li``.
    """
    pieces: list[str] = []
    pos = 0
    newline = -1  # the first "\n" at or after the last lookup
    closing = -1  # the first "</p>" at or after the last lookup
    start = text.find("<p><li")
    while start != -1:
        body = start + len("<p><li")  # `.+?` takes text[body] at least
        if body > newline:
            newline = text.find("\n", body)
            if newline == -1:
                newline = len(text)
        if body + 1 > closing:
            closing = text.find("</p>", body + 1)
            if closing == -1:
                break
        if closing < newline:
            pieces.append(text[pos:start])
            pieces.append(text[start + len("<p>") : closing])
            pos = closing + len("</p>")
            start = text.find("<p><li", pos)
        else:
            start = text.find("<p><li", start + 1)
    pieces.append(text[pos:])
    return "".join(pieces)
