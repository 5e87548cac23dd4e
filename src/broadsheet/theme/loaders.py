"""The template override chain, built in one place.

Lookup order: the site's theme folder (``BROADSHEET_THEME_DIR``), then the
templates shipped in Broadsheet's apps (the default theme). A site template
can extend the shipped one it replaces with the ``default:`` prefix::

    {% extends "default:base.html" %}
    {% block footer %}...{% endblock %}
"""

import jinja2


def build_loader(theme_dir: str, shipped: jinja2.BaseLoader) -> jinja2.BaseLoader:
    return jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(theme_dir),
            shipped,
            jinja2.PrefixLoader({"default": shipped}, delimiter=":"),
        ]
    )
