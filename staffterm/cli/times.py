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


def computer_zone() -> tzinfo:
    """This computer's zone, as an IANA zone where it can be named (so a time on the far side
    of a daylight-saving change gets that day's offset, and a skipped time can be told)."""
    import os
    from zoneinfo import ZoneInfo

    names = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.path.realpath("/etc/localtime")
    except OSError:
        link = ""
    if "zoneinfo/" in link:
        names.append(link.split("zoneinfo/", 1)[1])
    for name in names:
        if name and not name.startswith("/"):
            try:
                return ZoneInfo(name)
            except (ValueError, OSError):
                continue
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else timezone.utc


def zone_name(tz: tzinfo) -> str:
    return str(getattr(tz, "key", None) or datetime.now(tz).tzname() or tz)


def _offset(moment: datetime) -> str:
    """``+01:00``: the ISO 8601 offset of an aware time, as typed after a time."""
    return moment.isoformat(timespec="minutes")[16:]


def _exists(wall: datetime, tz: tzinfo) -> bool:
    aware = wall.replace(tzinfo=tz, fold=0)
    return aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) == wall


def localize(wall: datetime, tz: tzinfo, *, notes: list[str] | None = None, side: str = "start") -> datetime:
    """A wall-clock time in ``tz`` as an aware datetime.

    A time the clocks skip (01:30 in London on the night they go forward) is refused: moving it
    an hour without being asked would book the wrong hour. A time that happens twice (01:30 on
    the night the clocks go back) is its first occurrence, and ``notes`` gets a line saying so.
    """
    wall = wall.replace(fold=0)
    first, second = wall.replace(tzinfo=tz), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    typed = f"{wall:%Y-%m-%dT%H:%M}"
    if not _exists(wall, tz):
        from staffterm.errors import InvalidInputError

        gap_start = wall
        while not _exists(gap_start - timedelta(minutes=1), tz):
            gap_start -= timedelta(minutes=1)
        jump = abs((second.utcoffset() or timedelta(0)) - (first.utcoffset() or timedelta(0)))
        gap_end = gap_start + jump
        until = f"{gap_end:%H:%M}" if gap_end.date() == gap_start.date() else f"{gap_end:%Y-%m-%d %H:%M}"
        raise InvalidInputError(
            f"--{side} {typed} does not exist in {zone_name(tz)}: the clocks go forward there, "
            f"from {gap_start:%H:%M} straight to {until}",
            field=side,
            hint=f"Give a time outside the gap, or one with an offset (e.g. {typed}{_offset(first)}).",
        )
    if notes is not None:
        notes.append(
            f"{typed} happens twice in {zone_name(tz)} (the clocks go back then); the first, "
            f"{first:%H:%M %Z} ({_offset(first)}), was used. For the second, give {typed}{_offset(second)}"
        )
    # As a fixed offset: Python never finds a time in a repeated hour equal to one in another
    # zone (PEP 495), which would make a clash check miss the booking it overlaps.
    return first.astimezone(timezone(first.utcoffset() or timedelta(0)))


def _attach(moment: datetime, tz: tzinfo | None, notes: list[str] | None, side: str) -> datetime:
    if moment.tzinfo is not None:
        return moment
    # No building known: a naive time means the operator's own wall clock.
    return localize(moment, tz if tz is not None else computer_zone(), notes=notes, side=side)


def _local_tz(tz: tzinfo | None) -> tzinfo:
    return tz if tz is not None else computer_zone()


def resolve_start(arg: TimeArg, tz: tzinfo | None, notes: list[str] | None = None) -> datetime:
    """An aware start; a bare date means that day's local midnight."""
    if arg.is_day:
        return day_window(arg.value, _local_tz(tz))[0]  # type: ignore[arg-type]
    return _attach(arg.value, tz, notes, "start")  # type: ignore[arg-type]


def resolve_end(arg: TimeArg, tz: tzinfo | None, notes: list[str] | None = None) -> datetime:
    """An aware end; a bare date includes the whole of that day."""
    if arg.is_day:
        return day_window(arg.value, _local_tz(tz))[1]  # type: ignore[arg-type]
    return _attach(arg.value, tz, notes, "end")  # type: ignore[arg-type]


def needs_zone(*args: TimeArg | None) -> bool:
    """Whether any of these typed times means something only in a zone (no offset, or a date)."""
    return any(a is not None and (a.is_day or a.value.tzinfo is None) for a in args)  # type: ignore[union-attr]


def resolve_window(
    start: TimeArg | None, end: TimeArg | None, tz: tzinfo | None, now: datetime, notes: list[str] | None = None
) -> tuple[datetime, datetime]:
    """The query window for a listing command.

    Nothing given: today, as a local day of the building (``tz``) or else the UTC day. One side
    given: the other side is the edge of the day that side falls in.
    """
    if start is None and end is None:
        day_tz = tz if tz is not None else timezone.utc
        return day_window(now.astimezone(day_tz).date(), day_tz)
    if start is not None and end is not None:
        return resolve_start(start, tz, notes), resolve_end(end, tz, notes)
    if start is not None:
        begin = resolve_start(start, tz, notes)
        if start.is_day:
            return begin, resolve_end(start, tz, notes)
        zone = begin.tzinfo if tz is None else tz
        return begin, day_window(begin.astimezone(zone).date(), zone)[1]  # type: ignore[arg-type]
    assert end is not None
    finish = resolve_end(end, tz, notes)
    if end.is_day:
        return resolve_start(end, tz, notes), finish
    zone = finish.tzinfo if tz is None else tz
    day_start = day_window(finish.astimezone(zone).date(), zone)[0]  # type: ignore[arg-type]
    if day_start == finish:
        # An end at exactly midnight closes the previous day, not an empty one.
        day_start = day_window(finish.astimezone(zone).date() - timedelta(days=1), zone)[0]  # type: ignore[arg-type]
    return day_start, finish
