"""The Jinja2 environment for public pages: loader chain, filters and globals.

Jinja2 was chosen over Django templates for speed (see docs/benchmarks.md).
Autoescaping is always on; bodies are marked safe only after sanitising.
"""

from functools import lru_cache

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.utils import dateformat, timezone
from jinja2 import Environment

from broadsheet.content.permalinks import reverse_memoized
from broadsheet.theme.loaders import build_loader
from broadsheet.theme.parts import site_part
from broadsheet.theme.static_copy import static_copy


def format_date(value, format_string):
    """Format an aware datetime in the current (site) time zone with a PHP/WordPress format string.

    As ``django.utils.dateformat.format``, with the format string split once per
    string, and the time zone checks of ``DateFormat`` skipped when no specifier
    in it reads the zone (the usual "F j, Y" or "j M": a day and a month name).
    """
    if value is None:
        return ""
    local = timezone.localtime(value)
    pieces, needs_zone = _format_pieces(format_string)
    formatter = dateformat.DateFormat(local) if needs_zone else _ZonelessDateFormat(local)
    return "".join(piece if literal else str(getattr(formatter, piece)()) for literal, piece in pieces)


# DateFormat's specifiers that read its time zone (the rest read only the date and time fields).
_ZONE_SPECIFIERS = frozenset("eOTZIrUc")


class _ZonelessDateFormat(dateformat.DateFormat):
    def __init__(self, obj):  # noqa: super().__init__ skipped: it only works out self.timezone
        self.data = obj
        self.timezone = None


@lru_cache(maxsize=64)
def _format_pieces(format_string: str) -> tuple[tuple[tuple[bool, str], ...], bool]:
    """((is literal, text or specifier), ...) as Formatter.format splits it, and whether a specifier reads the zone."""
    pieces = []
    for index, piece in enumerate(dateformat.re_formatchars.split(str(format_string))):
        if index % 2:
            pieces.append((False, piece))
        elif piece:
            pieces.append((True, dateformat.re_escaped.sub(r"\1", piece)))
    needs_zone = any(not literal and piece in _ZONE_SPECIFIERS for literal, piece in pieces)
    return tuple(pieces), needs_zone


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
        static=static, url=url, absolute_url=absolute_url, get_messages=get_messages, site_part=site_part,
        static_copy=static_copy,
    )
    from broadsheet.desk.navigation import desk_navigation  # the desk's pages share this environment

    environment.globals["desk_navigation"] = desk_navigation
    from broadsheet.media.responsive import featured_image  # <img> with srcset and alt, for themes

    environment.globals["featured_image"] = featured_image
    environment.filters.update(site_date=format_date, iso_datetime=iso_datetime)
    if settings.TEMPLATE_CACHE_DIR:  # compiled templates kept between processes (theme/bytecode.py)
        from broadsheet.theme.bytecode import use_template_cache

        use_template_cache(environment, settings.TEMPLATE_CACHE_DIR)
    return environment
