"""Aware times, shared by every backend: validation (aware, a window whose end is after its start),
epoch seconds (the local site's storage and PlaceOS's wire format; sub-second precision is
dropped, calendars never need it; handed back as aware UTC datetimes) and building-local days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from staffterm.errors import InvalidInputError


def require_aware(moment: object, field: str) -> datetime:
    """Refuse naive or non-datetime values with a message that names the field."""
    if not isinstance(moment, datetime):
        raise InvalidInputError(f"{field} must be a date and time, got {moment!r}", field=field)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(
            f"{field} ({moment.isoformat()}) has no time zone; give an offset such as +00:00", field=field
        )
    return moment


def require_window(start: object, end: object) -> tuple[datetime, datetime]:
    start_dt = require_aware(start, "start")
    end_dt = require_aware(end, "end")
    if end_dt <= start_dt:
        raise InvalidInputError(
            f"end ({end_dt.isoformat()}) must be after start ({start_dt.isoformat()})", field="end"
        )
    return start_dt, end_dt


def storable(moment: datetime, field: str) -> datetime:
    """Refuse a moment that has no UTC form (``9999-12-31T23:00-05:00`` is in the year 10000
    in UTC): stored as epoch seconds it could never be read back as a date."""
    try:
        moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise InvalidInputError(
            f"the {field} ({moment.isoformat()}) is outside the dates the local site can store "
            "(years 1 to 9999 in UTC)",
            field=field,
        ) from None
    return moment


def to_epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def to_epoch_or_none(moment: datetime | None) -> int | None:
    return None if moment is None else to_epoch(moment)


def from_epoch(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc)


def from_epoch_or_none(seconds: int | float | None) -> datetime | None:
    return None if seconds is None else from_epoch(seconds)


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar date at ``moment`` in the given IANA zone."""
    return moment.astimezone(ZoneInfo(tz_name)).date()


def local_moment(day: date, at: time, tz_name: str) -> datetime:
    """A wall-clock time on ``day`` in the zone, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def local_day_window(day: date, tz_name: str) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight, in UTC: 23 or 25 hours across a DST change."""
    start = local_moment(day, time(0, 0), tz_name)
    end = local_moment(day + timedelta(days=1), time(0, 0), tz_name)
    return start, end


def format_local_time(moment: datetime, tz_name: str | None) -> str:
    """``2026-03-29 09:00 Europe/London``."""
    zone = ZoneInfo(tz_name) if tz_name else timezone.utc
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {tz_name or 'UTC'}"


def format_local_span(start: datetime, end: datetime, tz_name: str | None) -> str:
    """``2026-03-29 09:00–10:00 Europe/London`` — how clashes are described to an operator."""
    zone = ZoneInfo(tz_name) if tz_name else timezone.utc
    a = start.astimezone(zone)
    b = end.astimezone(zone)
    label = tz_name or "UTC"
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M} {label}"
    return f"{a:%Y-%m-%d %H:%M}–{b:%Y-%m-%d %H:%M} {label}"
