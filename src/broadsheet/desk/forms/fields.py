"""Form fields the editor needs beyond Django's: a local time in the site's zone, comma-separated lists."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
LOCAL_DISPLAY_FORMAT = "%Y-%m-%dT%H:%M"


class SiteDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as a wall-clock time in ``tzinfo`` (the site's zone, not the browser's).

    A time that does not exist in the zone (skipped by a daylight-saving change) or exists
    twice (repeated by one) is refused with a message, rather than guessed.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_DISPLAY_FORMAT)

    def __init__(self, *, tzinfo, **kwargs):
        self.tzinfo = tzinfo
        kwargs.setdefault("input_formats", LOCAL_INPUT_FORMATS)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value, self.tzinfo).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            naive = value.replace(tzinfo=None) if timezone.is_naive(value) else None
            if naive is None:
                return value
        else:
            naive = None
            for input_format in self.input_formats:
                try:
                    naive = datetime.datetime.strptime(str(value).strip(), input_format)
                    break
                except (ValueError, TypeError):
                    continue
            if naive is None:
                raise ValidationError("Enter a date and time, such as 2026-03-01 09:30.", code="invalid")
        return _aware(naive, self.tzinfo)


def _aware(naive: datetime.datetime, tzinfo) -> datetime.datetime:
    earlier = naive.replace(tzinfo=tzinfo, fold=0)
    round_trip = earlier.astimezone(datetime.UTC).astimezone(tzinfo).replace(tzinfo=None)
    if round_trip != naive:
        raise ValidationError(
            "%(time)s does not exist in %(zone)s (clocks go forward): choose another time.",
            code="imaginary",
            params={"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": tzinfo},
        )
    if earlier.utcoffset() != naive.replace(tzinfo=tzinfo, fold=1).utcoffset():
        raise ValidationError(
            "%(time)s happens twice in %(zone)s (clocks go back): choose another minute.",
            code="ambiguous",
            params={"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": tzinfo},
        )
    return earlier


class CommaSeparatedField(forms.CharField):
    """Text such as "one, two, three" → ["one", "two", "three"] (stripped, empty parts and repeats dropped)."""

    def __init__(self, *, max_items: int, item_max_length: int = 200, **kwargs):
        self.max_items = max_items
        self.item_max_length = item_max_length
        kwargs.setdefault("max_length", 4000)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        items, seen = [], set()
        for part in (text or "").split(","):
            part = " ".join(part.split())
            if not part or part.casefold() in seen:
                continue
            if len(part) > self.item_max_length:
                raise ValidationError(
                    "“%(item)s…” is too long (at most %(limit)d characters).",
                    params={"item": part[:40], "limit": self.item_max_length},
                )
            seen.add(part.casefold())
            items.append(part)
        if len(items) > self.max_items:
            raise ValidationError("At most %(limit)d items.", params={"limit": self.max_items})
        return items
