"""The Jinja2 environment for public pages: loader chain, filters and globals.

Jinja2 was chosen over Django templates for speed (see docs/benchmarks.md).
Autoescaping is always on; bodies are marked safe only after sanitising.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.utils import dateformat, timezone
from jinja2 import Environment

from broadsheet.content.permalinks import reverse_memoized
from broadsheet.theme.loaders import build_loader
from broadsheet.theme.parts import site_part


def format_date(value, format_string):
    """Format an aware datetime in the current (site) time zone with a PHP/WordPress format string."""
    if value is None:
        return ""
    return dateformat.format(timezone.localtime(value), format_string)


def iso_datetime(value):
    return timezone.localtime(value).isoformat() if value else ""


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def url(name, *args, **kwargs):
    return reverse_memoized(name, *args, **kwargs)


def build_environment(**options) -> Environment:
    options["loader"] = build_loader(settings.THEME_DIR, options["loader"])
    options.setdefault("autoescape", True)
    options["trim_blocks"] = True
    options["lstrip_blocks"] = True
    environment = Environment(**options)
    environment.globals.update(
        static=static, url=url, absolute_url=absolute_url, get_messages=get_messages, site_part=site_part
    )
    from broadsheet.desk.navigation import desk_navigation  # the desk's pages share this environment

    environment.globals["desk_navigation"] = desk_navigation
    from broadsheet.media.responsive import featured_image  # <img> with srcset and alt, for themes

    environment.globals["featured_image"] = featured_image
    environment.filters.update(site_date=format_date, iso_datetime=iso_datetime)
    return environment
