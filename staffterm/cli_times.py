"""Time arguments on the command line.

Parsing happens in two steps because a naive time means "in the building's zone", and which
building is only known once the backend has been asked about the zone or room: argparse checks
the syntax (so a typo exits 2 before anything is opened), and ``resolve_*`` later attaches the
zone.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class TimeArg:
    """A ``--start``/``--end`` value as typed: an aware or naive datetime, or a whole day."""

    text: str
    value: datetime | date

    @property
    def is_day(self) -> bool:
        return not isinstance(self.value, datetime)


def parse_time_arg(text: str) -> TimeArg:
    """argparse ``type=``: ISO 8601 with offset, ``Z``, naive, or a bare date."""
    cleaned = text.strip()
    if _BARE_DATE.match(cleaned):
        try:
            return TimeArg(text, date.fromisoformat(cleaned))
        except ValueError:
            pass
    else:
        try:
            return TimeArg(text, datetime.fromisoformat(cleaned))
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a time: use ISO 8601 such as 2026-11-21T09:30, 2026-11-21T09:30+01:00, "
        "2026-11-21T09:30Z, or a date such as 2026-11-21 for the whole day"
    )


def day_window(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight (23 or 25 hours long on DST change days)."""
    # Imported here: the parser uses this module, and ``--help`` should not pay for pydantic.
    from staffterm.services.zones import local_day_window

    return local_day_window(day, tz)


def _attach(moment: datetime, tz: tzinfo | None) -> datetime:
    if moment.tzinfo is not None:
        return moment
    if tz is not None:
        return moment.replace(tzinfo=tz)
    # No building known: a naive time means the operator's own wall clock.
    return moment.astimezone()


def _local_tz(tz: tzinfo | None) -> tzinfo:
    if tz is not None:
        return tz
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else timezone.utc


def resolve_start(arg: TimeArg, tz: tzinfo | None) -> datetime:
    """An aware start; a bare date means that day's local midnight."""
    if arg.is_day:
        return day_window(arg.value, _local_tz(tz))[0]  # type: ignore[arg-type]
    return _attach(arg.value, tz)  # type: ignore[arg-type]


def resolve_end(arg: TimeArg, tz: tzinfo | None) -> datetime:
    """An aware end; a bare date includes the whole of that day."""
    if arg.is_day:
        return day_window(arg.value, _local_tz(tz))[1]  # type: ignore[arg-type]
    return _attach(arg.value, tz)  # type: ignore[arg-type]


def resolve_window(
    start: TimeArg | None, end: TimeArg | None, tz: tzinfo | None, now: datetime
) -> tuple[datetime, datetime]:
    """The query window for a listing command.

    Nothing given: today, as a local day of the building (``tz``) or else the UTC day. One side
    given: the other side is the edge of the day that side falls in.
    """
    if start is None and end is None:
        day_tz = tz if tz is not None else timezone.utc
        return day_window(now.astimezone(day_tz).date(), day_tz)
    if start is not None and end is not None:
        return resolve_start(start, tz), resolve_end(end, tz)
    if start is not None:
        begin = resolve_start(start, tz)
        if start.is_day:
            return begin, resolve_end(start, tz)
        zone = begin.tzinfo if tz is None else tz
        return begin, day_window(begin.astimezone(zone).date(), zone)[1]  # type: ignore[arg-type]
    assert end is not None
    finish = resolve_end(end, tz)
    if end.is_day:
        return resolve_start(end, tz), finish
    zone = finish.tzinfo if tz is None else tz
    day_start = day_window(finish.astimezone(zone).date(), zone)[0]  # type: ignore[arg-type]
    if day_start == finish:
        # An end at exactly midnight closes the previous day, not an empty one.
        day_start = day_window(finish.astimezone(zone).date() - timedelta(days=1), zone)[0]  # type: ignore[arg-type]
    return day_start, finish
