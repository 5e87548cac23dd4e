"""Site-wide parts of every themed page: the header menu and the sidebar.

``base.html`` shows them with ``{{ site_part("menu") }}`` and
``{{ site_part("sidebar") }}``. A part is rendered from ``_<name>.html`` with
the site-wide context only (``site`` and ``sidebar``), never with the page's
own variables, so it is the same on every page. That is what lets the page
store keep each part once (``broadsheet.publishing``): while it renders a
page for the store, ``parts_as_includes()`` makes ``site_part`` write an
include marker instead (an SSI comment that nginx's ``ssi on`` resolves, and
that the store's own server splices), so a change to the archive counts or
the menu rewrites one small file instead of every page.
"""

from __future__ import annotations

import contextlib
import contextvars

from jinja2 import pass_context
from markupsafe import Markup

PART_NAMES = ("menu", "sidebar")

_as_includes = contextvars.ContextVar("broadsheet_parts_as_includes", default=False)


def include_marker(name: str) -> str:
    """Return the SSI comment that stands for the part ``name`` in a stored page."""
    return f'<!--# include file="/_parts/{name}.html" -->'


@contextlib.contextmanager
def parts_as_includes():
    """Within this block, ``site_part`` writes include markers instead of the parts."""
    token = _as_includes.set(True)
    try:
        yield
    finally:
        _as_includes.reset(token)


def rendering_parts_as_includes() -> bool:
    return _as_includes.get()


def render_part(environment, name: str, site, sidebar) -> str:
    """Render the part ``name`` with the site-wide context only."""
    if name not in PART_NAMES:
        raise ValueError(f"unknown site part {name!r}")
    return environment.get_template(f"_{name}.html").render(site=site, sidebar=sidebar)


@pass_context
def site_part(context, name: str) -> Markup:
    if _as_includes.get():
        return Markup(include_marker(name))
    return Markup(render_part(context.environment, name, context.get("site"), context.get("sidebar")))
