"""``dateTimeTimeZone`` on the wire (api-reference/v1.0/resources/datetimetimezone.md): a local
``dateTime`` without offset plus a ``timeZone`` name, Windows (e.g. "Pacific Standard Time") or
IANA (e.g. "America/Los_Angeles"). Responses carry seven fractional digits
("2019-03-15T12:00:00.0000000", as in every calendar sample) in UTC unless
``Prefer: outlook.timezone`` names another zone (user-list-calendarview.md, calendar-getschedule.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakes.graph.wire import GraphError, bad_request

# The Windows names the fake understands (a subset of the Windows-to-IANA table Exchange uses).
WINDOWS_ZONES = {
    "utc": "UTC",
    "coordinated universal time": "UTC",
    "pacific standard time": "America/Los_Angeles",
    "mountain standard time": "America/Denver",
    "central standard time": "America/Chicago",
    "eastern standard time": "America/New_York",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "romance standard time": "Europe/Paris",
    "aus eastern standard time": "Australia/Sydney",
    "e. australia standard time": "Australia/Brisbane",
    "tokyo standard time": "Asia/Tokyo",
    "india standard time": "Asia/Kolkata",
    "singapore standard time": "Asia/Singapore",
}


def zone(name: str | None) -> ZoneInfo:
    """A zone by Windows or IANA name. An unknown name is a 400; the code and wording are the ones
    users report (TimeZoneNotSupportedException), the reference pages do not list them."""
    if not name or not str(name).strip():
        raise _unsupported(name or "")
    wanted = str(name).strip()
    iana = WINDOWS_ZONES.get(wanted.lower(), wanted)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise _unsupported(wanted) from None


def _unsupported(name: str) -> GraphError:
    return bad_request("TimeZoneNotSupportedException",
                       f"A valid TimeZone value must be specified. The following TimeZone value is not supported: "
                       f"'{name}'.")


def parse_dtz(value: Any, field: str) -> datetime:
    """A ``dateTimeTimeZone`` object -> an aware UTC datetime."""
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", f"Cannot convert the literal '{value}' to the expected type "
                          f"'microsoft.graph.dateTimeTimeZone' for '{field}'.")
    folded = {k.lower(): v for k, v in value.items() if not k.startswith("@odata.")}
    unknown = set(folded) - {"datetime", "timezone"}
    if unknown:
        from tests.fakes.graph.wire import unknown_property

        raise unknown_property(sorted(unknown)[0], "Microsoft.OutlookServices.DateTimeTimeZone")
    raw = folded.get("datetime")
    tz = zone(folded.get("timezone"))
    if not isinstance(raw, str) or not raw:
        raise bad_request("ErrorInvalidRequest", f"The value of '{field}.dateTime' is missing or invalid.")
    try:
        local = datetime.fromisoformat(_trim_fraction(raw.rstrip("Z")))
    except ValueError:
        raise bad_request("ErrorInvalidRequest", f"Cannot convert '{raw}' to a date and time.") from None
    if local.tzinfo is not None:
        local = local.replace(tzinfo=None)
    return local.replace(tzinfo=tz).astimezone(UTC)


def parse_query_instant(raw: str | None) -> datetime | None:
    """calendarView's startDateTime/endDateTime: ISO 8601; their offset is honoured and a value
    without one is UTC, whatever the Prefer header says (user-list-calendarview.md)."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().replace(" ", "+") if "T" in raw else raw.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(_trim_fraction(text))
    except ValueError:
        raise bad_request("ErrorInvalidParameter", f"The value '{raw}' of parameter 'StartDateTime' or "
                          "'EndDateTime' is invalid.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _trim_fraction(text: str) -> str:
    # Graph writes 7 fractional digits; Python reads at most 6.
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = ""
    tail = ""
    for index, char in enumerate(rest):
        if char.isdigit():
            digits += char
        else:
            tail = rest[index:]
            break
    return f"{head}.{digits[:6].ljust(6, '0')}{tail}"


def format_dtz(moment: datetime, tz_name: str | None) -> dict[str, str]:
    """An instant as Graph returns it: in the Prefer zone when one was asked for, else UTC."""
    if tz_name:
        local = moment.astimezone(zone(tz_name))
        label = tz_name
    else:
        local = moment.astimezone(UTC)
        label = "UTC"
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000", "timeZone": label}


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "Z"
