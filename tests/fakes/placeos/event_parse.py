"""A PUT/PATCH ``/events/{id}`` body as staff-api parses it: a whole ``PlaceCalendar::Event``.

staff-api's ``update`` takes ``changes : PlaceCalendar::Event`` (src/controllers/events.cr); the
class is ``JSON::Serializable`` (PlaceOS/calendar src/models/event.cr, reopened by staff-api
src/models/event.cr). Crystal's JSON::Serializable needs every instance variable that is neither
nilable nor defaulted, checks each value's JSON type, and ignores unknown keys. A failure raises
``JSON::SerializableError``, which staff-api renders as 400 ``{error}`` (``handled_generic_error``,
src/controllers/application.cr; ``backtrace`` is added only outside production).

Required (no default, not nilable): ``event_start`` (epoch integer, ``Time::EpochConverter``),
``attendees`` (each with a string ``name`` and ``email``), ``private`` and ``all_day`` (Bool).
``attachments`` is required upstream but defaulted by staff-api's reopening. The line/column
in the real messages depend on the body's layout; the fake always says line 1, column 1.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.placeos.wire import ApiError

EVENT = "PlaceCalendar::Event"
ATTENDEE = "PlaceCalendar::Event::Attendee"

_STRING_FIELDS = (
    "id", "recurring_event_id", "host", "title", "body", "location", "timezone", "status", "creator", "ical_uid",
    "online_meeting_provider", "online_meeting_url", "online_meeting_sip", "online_meeting_pin",
    "online_meeting_id", "calendar", "system_id", "recurring_master_id", "setup_event_id", "breakdown_event_id",
    "mailbox",
)
_BOOL_FIELDS = ("hide_attendees", "recurring")
_INT_FIELDS = ("event_end", "setup_time", "breakdown_time")
_VISIBILITY = ("normal", "personal", "public", "private", "confidential")
_PERMISSION = ("private", "open", "public")  # PlaceOS::Model::EventMetadata::Permission
_ATTENDEE_STRINGS = ("response_status", "preferred_name", "phone", "organisation", "photo", "notes")
_ATTENDEE_BOOLS = ("resource", "organizer", "checked_in", "visit_expected", "banned", "dangerous")


def _error(message: str, klass: str = EVENT, attribute: str | None = None) -> ApiError:
    """``JSON::SerializableError``: the cause, then "parsing <class>[#attr]" and where. A type
    error's cause is the pull parser's own message, which carries its position already."""
    where = f"{klass}#{attribute}" if attribute else klass
    cause = f"{message} at line 1, column 1" if attribute else message
    return ApiError(400, f"{cause}\n  parsing {where} at line 1, column 1")


def _kind(value: Any) -> str:
    """The JSON::PullParser kind name Crystal reports."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Bool"
    if isinstance(value, int):
        return "Int"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "BeginArray"
    return "BeginObject"


def _expect(ok: bool, wanted: str, value: Any, klass: str, attribute: str) -> None:
    if not ok:
        raise _error(f"Expected {wanted} but was {_kind(value)}", klass, attribute)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_attendee(raw: Any) -> None:
    _expect(isinstance(raw, dict), "BeginObject", raw, EVENT, "attendees")
    for key in ("name", "email"):
        if key not in raw:
            raise _error(f"Missing JSON attribute: {key}", ATTENDEE)
        _expect(isinstance(raw[key], str), "String", raw[key], ATTENDEE, key)
    for key in _ATTENDEE_STRINGS:
        if raw.get(key) is not None:
            _expect(isinstance(raw[key], str), "String", raw[key], ATTENDEE, key)
    for key in _ATTENDEE_BOOLS:
        if raw.get(key) is not None:
            _expect(isinstance(raw[key], bool), "Bool", raw[key], ATTENDEE, key)


def _check_enum(value: Any, names: tuple[str, ...], enum: str, attribute: str) -> None:
    _expect(isinstance(value, str), "String", value, EVENT, attribute)
    if value.strip().lower().replace("_", "") not in names:
        raise _error(f"Unknown enum {enum} value: {value}", EVENT, attribute)


def parse_calendar_event(body: Any) -> dict[str, Any]:
    """The body if it would parse as a ``PlaceCalendar::Event``; else the 400 staff-api sends."""
    if not isinstance(body, dict):
        raise _error(f"Expected BeginObject but was {_kind(body)}")
    for key in ("event_start", "attendees", "private", "all_day"):
        if key not in body:
            raise _error(f"Missing JSON attribute: {key}")
    _expect(_is_int(body["event_start"]), "Int", body["event_start"], EVENT, "event_start")
    _expect(isinstance(body["attendees"], list), "BeginArray", body["attendees"], EVENT, "attendees")
    for attendee in body["attendees"]:
        _check_attendee(attendee)
    for key in ("private", "all_day"):
        _expect(isinstance(body[key], bool), "Bool", body[key], EVENT, key)
    for key in _STRING_FIELDS:
        if body.get(key) is not None:
            _expect(isinstance(body[key], str), "String", body[key], EVENT, key)
    for key in _BOOL_FIELDS:
        if body.get(key) is not None:
            _expect(isinstance(body[key], bool), "Bool", body[key], EVENT, key)
    for key in _INT_FIELDS:
        if body.get(key) is not None:
            _expect(_is_int(body[key]), "Int", body[key], EVENT, key)
    if body.get("visibility") is not None:
        _check_enum(body["visibility"], _VISIBILITY, "PlaceCalendar::Event::Visibility", "visibility")
    if body.get("permission") is not None:
        _check_enum(body["permission"], _PERMISSION, "PlaceOS::Model::EventMetadata::Permission", "permission")
    system = body.get("system")
    if system is not None:
        _expect(isinstance(system, dict), "BeginObject", system, EVENT, "system")
        if not isinstance(system.get("id"), str):
            raise _error("Missing JSON attribute: id", "PlaceCalendar::Event::System")
    for key in ("attachments", "online_meeting_phones"):
        if body.get(key) is not None:
            _expect(isinstance(body[key], list), "BeginArray", body[key], EVENT, key)
    return body
