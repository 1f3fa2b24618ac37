"""Small helpers shared by the Staff API client modules: epoch times, required values, filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from staffterm.errors import InvalidInputError

STAFF = "/api/staff/v1"
# Written into a created item's extension_data so a retry after a lost reply can find it.
REQUEST_ID_KEY = "staffterm_request_id"


def utc_now() -> datetime:
    return datetime.now(UTC)


def epoch(value: Any, field: str) -> int:
    """Epoch seconds from an int/float, a digit string or a timezone-aware datetime."""
    if value is None or value == "":
        raise InvalidInputError(f"{field} is required", field=field)
    if isinstance(value, bool):
        raise InvalidInputError(f"{field} must be a time, not {value!r}", field=field)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous at a desk that serves several time zones.
            raise InvalidInputError(f"{field} needs a time zone (got {value.isoformat()})", field=field)
        return int(value.timestamp())
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return epoch(datetime.fromisoformat(text), field)
        except ValueError:
            pass
    raise InvalidInputError(f"{field} must be epoch seconds or an ISO time with a zone, not {value!r}", field=field)


def epoch_or_none(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else epoch(value, field)


def required(value: Any, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise InvalidInputError(f"{field} is required", field=field)
    return text


def clash_params(return_available: bool, include_clash_time: bool) -> dict[str, Any]:
    if return_available and include_clash_time:
        raise InvalidInputError("return_available and include_clash_time cannot be combined", field="include_clash_time")
    return {"return_available": True if return_available else None,
            "include_clash_time": True if include_clash_time else None}


def extension_data_filter(value: Any) -> str | None:
    """The ``extension_data`` query filter in the Staff API's ``{key:value,key2:value}`` syntax."""
    if value is None or value == {} or value == "":
        return None
    if isinstance(value, dict):
        return "{" + ",".join(f"{key}:{_filter_value(v)}" for key, v in value.items()) + "}"
    text = str(value).strip()
    return text if text.startswith("{") else "{" + text + "}"


def _filter_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- a whole PlaceCalendar::Event for PUT/PATCH /events/{id} ----------------------------------------

# staff-api parses the update body as a whole PlaceCalendar::Event (staff-api
# src/controllers/events.cr, update; PlaceOS/calendar src/models/event.cr): these have no default.
EVENT_REQUIRED = ("event_start", "attendees", "private", "all_day")
# What a read adds that is not ours to send back: where it was read from, the room object, the
# linked bookings, the metadata side-car (sent ext data is *merged*, so leaving it out keeps it).
_READ_ONLY = (
    "calendar", "mailbox", "system", "linked_bookings", "status", "created", "updated", "recurring_master_id",
    "extension_data", "setup_time", "breakdown_time", "setup_event_id", "breakdown_event_id", "permission",
)
_ATTENDEE_KEYS = ("name", "email", "response_status", "resource", "organizer")
# Only a visitor carries these back: staff-api gives every attendee sent with ``visit_expected``
# (true *or* false) a guest record, and replaces that guest's extension_data with the attendee's
# (``{}`` when left out) -- so a visitor goes back with theirs and nobody else gets one.
_VISITOR_KEYS = (
    "visit_expected", "extension_data", "preferred_name", "phone", "organisation", "photo", "notes", "banned",
    "dangerous",
)


def is_whole_event(body: dict[str, Any]) -> bool:
    return all(key in body and body[key] is not None for key in EVENT_REQUIRED) and body.get("event_end") is not None


def _sendable_attendee(raw: Any, visitors: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or not str(raw.get("email") or "").strip():
        return None
    email = str(raw["email"]).strip().lower()
    out = {key: raw[key] for key in _ATTENDEE_KEYS if raw.get(key) is not None}
    out["email"] = email
    out["name"] = str(raw.get("name") or "").strip() or email
    visitor = {**visitors.get(email, {}), **(raw if raw.get("visit_expected") else {})}
    if visitor.get("visit_expected"):
        out.update({key: visitor[key] for key in _VISITOR_KEYS if visitor.get(key) is not None})
    return out


def whole_event(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``current`` (an event as read) with ``changes`` laid over it, fit to send as a whole event:
    read-only parts dropped, attendees trimmed to what an update means (visitors keep theirs, also
    when ``changes`` brings a new attendee list), the required flags present."""
    base = {key: value for key, value in current.items() if key not in _READ_ONLY}
    visitors = {
        str(a.get("email") or "").strip().lower(): a
        for a in current.get("attendees") or [] if isinstance(a, dict) and a.get("visit_expected")
    }
    system = current.get("system")
    if not base.get("system_id") and isinstance(system, dict) and system.get("id"):
        base["system_id"] = system["id"]
    base.update(changes)
    attendees = [_sendable_attendee(a, visitors) for a in base.get("attendees") or []]
    base["attendees"] = [a for a in attendees if a is not None]
    base["private"] = bool(base.get("private") or False)
    base["all_day"] = bool(base.get("all_day") or False)
    if "private" in changes:
        base["visibility"] = "private" if base["private"] else "normal"
    start = base.get("event_start")
    if base.get("event_end") is None and isinstance(start, int):
        base["event_end"] = start + 24 * 3600  # an event read without an end lasts its day
    return {key: value for key, value in base.items() if value is not None}
