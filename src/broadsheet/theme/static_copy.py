"""Pages rendered for a static copy of the site (``broadsheet build``), which no server answers behind.

On a static host nothing receives a form. While ``rendering_static_copy()``
is in force, the templates' ``static_copy()`` is true and the default theme
leaves the comment form out (the thread still shows, followed by "Comments
are closed."), with the reply links and "Leave a comment" links, and its
search forms send readers to ``/search/``: the build writes that page with a
script that searches ``/search/index.json`` in the browser
(``broadsheet.search.static_index``). The page store, which Django stands
behind, is rendered without it and keeps every form.
"""

from __future__ import annotations

import contextlib
import contextvars

_rendering: contextvars.ContextVar[bool] = contextvars.ContextVar("broadsheet_static_copy", default=False)


@contextlib.contextmanager
def rendering_static_copy():
    """Within the block (and in processes forked in it), pages are rendered for a static copy."""
    token = _rendering.set(True)
    try:
        yield
    finally:
        _rendering.reset(token)


def static_copy() -> bool:
    """Whether the page being rendered is for a static copy of the site (a template global)."""
    return _rendering.get()
