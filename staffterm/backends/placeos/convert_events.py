"""PlaceOS calendar events and attendees <-> Event / EventDraft / EventPatch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from staffterm.backends.placeos.convert_common import (
    APPROVAL_FEATURE,
    build,
    ext_data,
    from_epoch,
    malformed,
    require_mapping,
    to_epoch,
    valid_timezone,
    wire_bool,
    wire_email,
    wire_id,
    wire_text,
    wire_timestamp,
)
from staffterm.models import (
    Attendee,
    Event,
    EventDraft,
    EventPatch,
    EventStatus,
    ResponseStatus,
    Room,
)

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- events


def _response(value: Any) -> ResponseStatus:
    text = value.strip() if isinstance(value, str) else ""
    aliases = {
        "none": "needsAction",
        "notResponded": "needsAction",
        "organizer": "accepted",
        "tentativelyAccepted": "tentative",
        "needsaction": "needsAction",
    }
    text = aliases.get(text, text)
    try:
        return ResponseStatus(text)
    except ValueError:
        return ResponseStatus.NEEDS_ACTION


def attendee_from_wire(data: Any, thing: str = "attendee") -> Attendee:
    data = require_mapping(data, thing)
    email = wire_email(data, "email", thing)
    if not email:
        raise malformed(thing, "an attendee has no email")
    name = wire_text(data, "name", thing) or wire_text(data, "preferred_name", thing)
    return build(
        Attendee,
        thing,
        email=email,
        name=name,
        response=_response(data.get("response_status")),
        resource=wire_bool(data, "resource"),
        organizer=wire_bool(data, "organizer"),
        checked_in=wire_bool(data, "checked_in"),
        visit_expected=wire_bool(data, "visit_expected"),
        organisation=wire_text(data, "organisation", thing),
        phone=wire_text(data, "phone", thing),
    )


def attendee_to_wire(attendee: Attendee) -> dict[str, Any]:
    out: dict[str, Any] = {"name": attendee.name, "email": attendee.email}
    if attendee.response != ResponseStatus.NEEDS_ACTION:
        out["response_status"] = attendee.response.value
    if attendee.resource:
        out["resource"] = True
    if attendee.organizer:
        out["organizer"] = True
    if attendee.visit_expected:
        out["visit_expected"] = True
    if attendee.checked_in:
        out["checked_in"] = True
    if attendee.organisation:
        out["organisation"] = attendee.organisation
    if attendee.phone:
        out["phone"] = attendee.phone
    return out


def attendees_from_wire(data: Mapping[str, Any], thing: str) -> list[Attendee]:
    raw = data.get("attendees") or []
    if not isinstance(raw, list):
        raise malformed(thing, "attendees is not a list")
    out: list[Attendee] = []
    seen: set[str] = set()
    for item in raw:
        attendee = attendee_from_wire(item, thing)
        if attendee.email not in seen:
            seen.add(attendee.email)
            out.append(attendee)
    return out


def _approval_rooms(data: Mapping[str, Any], rooms_by_email: Mapping[str, Room] | None) -> set[str]:
    """The mailboxes of the event's rooms that need approval (known rooms, or the system the
    event was read through)."""
    emails = {email for email, room in (rooms_by_email or {}).items()
              if APPROVAL_FEATURE in {f.lower() for f in room.features}}
    system = data.get("system")
    if isinstance(system, Mapping) and wire_bool(system, "approval") and isinstance(system.get("email"), str):
        emails.add(system["email"].strip().lower())
    return emails


def _awaiting_approval(attendees: list[Attendee], approval_rooms: set[str]) -> list[Attendee]:
    # A room that needs approval leaves the invite unanswered until an approver decides; the
    # console calls that the room's tentative answer ("awaiting approval"), as the local site does.
    return [
        a.model_copy(update={"response": ResponseStatus.TENTATIVE})
        if a.email in approval_rooms and a.response == ResponseStatus.NEEDS_ACTION else a
        for a in attendees
    ]


def _event_status(value: Any) -> EventStatus:
    text = value.strip().lower() if isinstance(value, str) else ""
    try:
        return EventStatus(text)
    except ValueError:
        return EventStatus.CONFIRMED


def event_system_id(data: Mapping[str, Any]) -> str | None:
    """The room (engine system) an event was read through or booked into, if any."""
    system = data.get("system")
    if isinstance(system, Mapping) and system.get("id"):
        return str(system["id"])
    value = data.get("system_id")
    return str(value) if isinstance(value, (str, int)) and str(value) else None


def event_from_wire(
    data: Any, *, calendar_id: str | None = None, rooms_by_email: Mapping[str, Room] | None = None
) -> Event:
    data = require_mapping(data, "event")
    event_id = wire_id(data, "event")
    start = from_epoch(data.get("event_start"), "event_start", "event")
    all_day = wire_bool(data, "all_day")
    raw_end = data.get("event_end")
    if raw_end is None or raw_end == "":
        # PlaceOS omits the end of all-day events (and of events made without one): a day long.
        end = start + _ONE_DAY
    else:
        end = from_epoch(raw_end, "event_end", "event")
        if end <= start:
            if not all_day:
                raise malformed("event", f"{event_id} ends ({end.isoformat()}) before it starts ({start.isoformat()})")
            end = start + _ONE_DAY
    attendees = _awaiting_approval(attendees_from_wire(data, "event"), _approval_rooms(data, rooms_by_email))
    room_ids: list[str] = []
    system_id = event_system_id(data)
    if system_id:
        room_ids.append(system_id)
    if rooms_by_email:
        for attendee in attendees:
            room = rooms_by_email.get(attendee.email)
            if room is not None and room.id not in room_ids:
                room_ids.append(room.id)
    system = data.get("system")
    system_email = str(system.get("email") or "") if isinstance(system, Mapping) else ""
    mailbox = wire_text(data, "mailbox", "event").strip() or wire_text(data, "calendar", "event").strip()
    calendar = (mailbox or calendar_id or system_email or wire_email(data, "host", "event")).strip().lower()
    visibility = wire_text(data, "visibility", "event").lower()
    return build(
        Event,
        "event",
        id=event_id,
        calendar_id=calendar,
        ical_uid=wire_text(data, "ical_uid", "event"),
        title=wire_text(data, "title", "event"),
        body=wire_text(data, "body", "event"),
        host=wire_email(data, "host", "event"),
        attendees=attendees,
        location=wire_text(data, "location", "event"),
        room_ids=room_ids,
        start=start,
        end=end,
        timezone=valid_timezone(data.get("timezone")),
        all_day=all_day,
        private=wire_bool(data, "private") or visibility in ("private", "confidential"),
        recurring=wire_bool(data, "recurring") or bool(data.get("recurring_event_id")),
        status=_event_status(data.get("status")),
        online_meeting_url=wire_text(data, "online_meeting_url", "event") or None,
        online_meeting_provider=wire_text(data, "online_meeting_provider", "event") or None,
        created=wire_timestamp(data.get("created")),
        updated=wire_timestamp(data.get("updated")),
        extension_data=ext_data(data),
    )


def event_to_wire(
    item: EventDraft | EventPatch,
    *,
    system_id: str | None = None,
    host: str | None = None,
    resources: Sequence[Room] = (),
    timezone_name: str | None = None,
) -> dict[str, Any]:
    """A draft (every field) or a patch (only what changes) -> a POST/PATCH ``/events`` body.

    ``system_id`` is the room PlaceOS books (it adds the room as a resource attendee itself);
    ``resources`` are further rooms, sent as resource attendees.
    """
    body: dict[str, Any] = {}
    if isinstance(item, EventDraft):
        body.update(
            event_start=to_epoch(item.start),
            event_end=to_epoch(item.end),
            title=item.title,
            body=item.body,
            location=item.location,
            private=item.private,
            all_day=item.all_day,
            extension_data=dict(item.extension_data),
        )
        attendees: list[Attendee] | None = list(item.attendees)
        tz = timezone_name or item.timezone
        if item.online_meeting_provider:
            body["online_meeting_provider"] = item.online_meeting_provider
    else:
        if item.start is not None:
            body["event_start"] = to_epoch(item.start)
        if item.end is not None:
            body["event_end"] = to_epoch(item.end)
        for name in ("title", "body", "location", "private"):
            value = getattr(item, name)
            if value is not None:
                body[name] = value
        if item.extension_data is not None:
            body["extension_data"] = dict(item.extension_data)
        attendees = list(item.attendees) if item.attendees is not None else None
        tz = timezone_name
    host = host or (item.host if isinstance(item, EventDraft) else None)
    if host:
        body["host"] = host.strip().lower()
    if tz:
        body["timezone"] = tz
    if system_id:
        body["system_id"] = system_id
    if attendees is not None or resources:
        people = [attendee_to_wire(a) for a in attendees or [] if not a.resource]
        known = {p["email"] for p in people}
        for room in resources:
            if room.email not in known:
                known.add(room.email)
                people.append({"name": room.name, "email": room.email, "resource": True})
        body["attendees"] = people
    return body
