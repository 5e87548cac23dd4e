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

When Django renders a page (no page store), each part's HTML is kept in
process memory for as long as the site's settings and sidebar objects are the
same ones (both are per-version objects shared by requests: see
``SiteSettings.load_shared`` and ``theme.context.get_sidebar``), so the 240
archive months are rendered once per content version, not on every request.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.utils.functional import LazyObject, empty
from jinja2 import pass_context
from markupsafe import Markup

from broadsheet.theme.static_copy import static_copy

PART_NAMES = ("menu", "sidebar")

_as_includes = contextvars.ContextVar("broadsheet_parts_as_includes", default=False)
_inlined: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("broadsheet_parts_inlined", default=None)


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


@contextlib.contextmanager
def parts_inlined(parts: dict[str, str]):
    """Within this block, ``site_part`` gives these parts, rendered once for every page (a static build).

    (The same bytes as writing include markers and splicing the parts in
    afterwards, without searching and copying each page again.)
    """
    token = _inlined.set({name: Markup(html) for name, html in parts.items()})
    try:
        yield
    finally:
        _inlined.reset(token)


def rendering_parts_as_includes() -> bool:
    return _as_includes.get()


def render_part(environment, name: str, site, sidebar) -> str:
    """Render the part ``name`` with the site-wide context only."""
    if name not in PART_NAMES:
        raise ValueError(f"unknown site part {name!r}")
    return environment.get_template(f"_{name}.html").render(site=site, sidebar=sidebar)


# (environment id, part name) -> (site, sidebar, HTML): the last rendering of each part.
_rendered: dict[tuple[int, str], tuple[object, object, Markup]] = {}


def _unwrapped(value):
    """The object behind a lazy context value (the sidebar is a ``SimpleLazyObject``)."""
    if isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        return value._wrapped
    return value


@pass_context
def site_part(context, name: str) -> Markup:
    inlined = _inlined.get()
    if inlined is not None and name in inlined:
        return inlined[name]
    if _as_includes.get():
        return Markup(include_marker(name))
    environment = context.environment
    site, sidebar = context.get("site"), _unwrapped(context.get("sidebar"))
    if environment.auto_reload:  # templates may change on disk (DEBUG): render every time
        return Markup(render_part(environment, name, site, sidebar))
    key = (id(environment), name, static_copy())  # (a static copy's search form differs)
    kept = _rendered.get(key)
    if kept is not None and kept[0] is site and kept[1] is sidebar:
        return kept[2]
    html = Markup(render_part(environment, name, site, sidebar))
    _rendered[key] = (site, sidebar, html)
    return html
