"""Times of day typed into forms: "9", "0930", "9:30", "09.30" on the form's day, in its building's zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from staffterm.errors import InvalidInputError

_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:.h]?(\d{2}))?\s*$")


def parse_clock(text: str, field: str, label: str) -> time | None:
    """``9``, ``0930``, ``9:30``, ``09.30`` → a time of day; ``24:00`` → None (midnight after)."""
    match = _CLOCK.match(text or "")
    if match is None:
        raise InvalidInputError(f"{label} {text.strip()!r} is not a time; type it as HH:MM, e.g. 09:30", field=field)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if (hour, minute) == (24, 0):
        return None
    if hour > 23 or minute > 59:
        raise InvalidInputError(f"{label} {text.strip()!r} is not a time of day (00:00–24:00)", field=field)
    return time(hour, minute)


def on_day(day: date, clock: time | None, tz: tzinfo) -> datetime:
    """``clock`` on ``day`` in ``tz``; None is the midnight that ends the day."""
    if clock is None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, clock, tzinfo=tz)
