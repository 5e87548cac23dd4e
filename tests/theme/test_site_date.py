"""The templates' ``site_date`` filter formats exactly as Django's ``dateformat.format`` does."""

import datetime
import zoneinfo

import pytest
from django.utils import dateformat, timezone, translation

from broadsheet.theme.environment import format_date

SPECIFIERS = "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTuUwWyYzZ"
FORMATS = [
    "F j, Y", "j M", "g:i a", r"\T\o\d\a\y \i\s l", "Y-m-d H:i:s", r"jS \o\f F Y, \a\t P", "D, d M Y H:i:s O",
    *SPECIFIERS, "".join(SPECIFIERS), "",
]  # fmt: skip
MOMENTS = [
    datetime.datetime(2021, 3, 28, 0, 30, tzinfo=datetime.UTC),  # Europe/London's clocks go forward at 01:00 UTC
    datetime.datetime(2021, 10, 31, 1, 30, tzinfo=datetime.UTC),  # ... and back (an ambiguous local time)
    datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(1999, 12, 31, 12, 0, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/St_Johns", "Asia/Kathmandu"])
@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_site_date_is_django_dateformat(zone, language):
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        for moment in MOMENTS:
            for format_string in FORMATS:
                expected = dateformat.format(timezone.localtime(moment), format_string)
                assert format_date(moment, format_string) == expected, (zone, moment, format_string)
    assert format_date(None, "j M") == ""
