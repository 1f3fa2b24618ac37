"""The Events tab's period: two typed dates read in a building's zone, as a whole-day window.

Kept apart from the widgets so the rules (what may be typed, what is refused) are testable
without a screen.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

from staffterm.errors import InvalidInputError
from staffterm.services.zones import local_day_window

#: The longest period the Events tab lists in one go: a quarter is plenty for an admin's look,
#: and keeps a busy room's list (and the backend's paging) small.
MAX_PERIOD_DAYS = 92
DEFAULT_DAYS = 7

_RELATIVE = re.compile(r"^([+-])\s*(\d{1,3})$")


def parse_day(text: str, today: date, *, field: str) -> date:
    """``YYYY-MM-DD``, ``today``, ``tomorrow``, ``yesterday`` or ``+N``/``-N`` days from today."""
    raw = (text or "").strip().lower()
    if not raw:
        raise InvalidInputError(f"the {field} date is empty; type a date like {today.isoformat()}", field=field)
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if raw in named:
        return today + timedelta(days=named[raw])
    relative = _RELATIVE.match(raw)
    if relative:
        days = int(relative.group(2))
        return today + timedelta(days=days if relative.group(1) == "+" else -days)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            f"the {field} date {text.strip()!r} is not a date; type it like {today.isoformat()}, "
            "or today, tomorrow, +7",
            field=field,
        ) from None


def period_window(from_text: str, to_text: str, tz: tzinfo, now: datetime) -> tuple[date, date, datetime, datetime]:
    """The days typed (both included) and the window they cover in ``tz``: from the first
    day's midnight to the midnight after the last day."""
    today = now.astimezone(tz).date()
    first = parse_day(from_text, today, field="from")
    last = parse_day(to_text, today, field="to")
    if last < first:
        raise InvalidInputError(
            f"the period ends ({last:%a %d %b %Y}) before it starts ({first:%a %d %b %Y})",
            field="to",
        )
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInputError(
            f"the period is {(last - first).days + 1} days; list at most {MAX_PERIOD_DAYS} days at a time",
            field="to",
        )
    start, _ = local_day_window(first, tz)
    _, end = local_day_window(last, tz)
    return first, last, start, end


def default_period(tz: tzinfo, now: datetime) -> tuple[str, str]:
    """Today to a week on, as the two fields show them."""
    today = now.astimezone(tz).date()
    return today.isoformat(), (today + timedelta(days=DEFAULT_DAYS)).isoformat()
