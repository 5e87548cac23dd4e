"""Find the WordPress site's time zone from its items' local and GMT dates.

WXR does not name the zone, but each published item has ``post_date`` (wall
time) and ``post_date_gmt``. The zone is the one that maps every sampled GMT
time to its wall time, daylight saving included; a site set to a fixed UTC
offset in WordPress gets the matching ``Etc/GMT±N`` zone.
"""

from __future__ import annotations

import datetime
import zoneinfo
from functools import lru_cache

_PREFERRED = ("UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "America/Chicago",
              "America/Denver", "America/Los_Angeles", "Australia/Sydney", "Asia/Tokyo")  # fmt: skip


@lru_cache(maxsize=1)
def _zones() -> list[str]:
    names = sorted(zoneinfo.available_timezones())
    return [*_PREFERRED, *(name for name in names if name not in _PREFERRED and "/" in name)]


def infer_time_zone(pairs: list[tuple[datetime.datetime, datetime.datetime]]) -> str | None:
    """Return a zone name where each (local, gmt) pair agrees, or None (no samples, or none fits)."""
    pairs = [(local, gmt) for local, gmt in pairs if local and gmt][:300]
    if not pairs:
        return None
    for name in _zones():
        zone = zoneinfo.ZoneInfo(name)
        if all(
            gmt.replace(tzinfo=datetime.UTC).astimezone(zone).replace(tzinfo=None) == local for local, gmt in pairs
        ):
            return name
    return None
