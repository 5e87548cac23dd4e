"""Markdown: CommonMark plus tables, strikethrough and footnotes (markdown-it-py).

Raw HTML is allowed in the source because the pipeline sanitises the result.
``maxNesting`` bounds the work done on hostile nesting (10,000-deep quotes).
"""

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "typographer": False, "maxNesting": 20})
    parser.enable(["table", "strikethrough"])
    parser.use(footnote_plugin)
    return parser


def render_markdown(source: str) -> str:
    return _parser().render(source)
