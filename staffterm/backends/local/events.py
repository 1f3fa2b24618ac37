"""Calendar events of the local site: listing, booking rooms, approvals, cancellations.

A calendar id is a room id, a room email or a person's email. A room calendar shows the
events booking that room; a person's calendar the events they host or attend.

Clashes and free/busy live in ``busy``; the guest visits a meeting implies in ``event_visits``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from staffterm.backends.local.busy import refuse_room_clashes
from staffterm.backends.local.directory import notify
from staffterm.backends.local.event_visits import sync_event_visits
from staffterm.backends.local.places import require_room, room_timezone
from staffterm.backends.local.records import (
    load_events,
    room_window,
    write_event,
)
from staffterm.backends.local.store import (
    Session,
    find_room,
    find_user,
    new_id,
    room_approval_flag,
)
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import (
    Attendee,
    Event,
    EventDraft,
    EventPatch,
    EventStatus,
    ResponseStatus,
    Room,
)
from staffterm.rules import room_requires_approval
from staffterm.times import format_local_span, require_window, to_epoch


@dataclass(frozen=True)
class CalendarRef:
    """A resolved calendar: a room's or a person's, named by its email."""

    email: str
    room: Room | None = None

    def shows(self, event: Event) -> bool:
        if self.room is not None:
            return self.room.id in event.room_ids
        return event.host == self.email or any(a.email == self.email for a in event.attendees)


def resolve_calendar(s: Session, calendar_id: str) -> CalendarRef:
    key = calendar_id.strip() if isinstance(calendar_id, str) else ""
    if not key:
        raise InvalidInputError("a calendar id is needed (a room id, a room email or a person's email)", field="calendar_id")
    room = find_room(s.conn, key)
    if room is not None:
        return CalendarRef(email=room.email, room=room)
    if "@" in key:
        user = find_user(s.conn, key)
        if user is not None:
            return CalendarRef(email=user.email)
        raise NotFoundError(f"no room or person with the email {key!r} on this site")
    raise NotFoundError(f"no room with id {key!r}", hint="List rooms with `staffterm rooms`.")


def _as_seen_from(event: Event, ref: CalendarRef) -> Event:
    return event.model_copy(update={"calendar_id": ref.email})


def _load_one(s: Session, event_id: str) -> Event:
    found = load_events(s.conn, [event_id]) if isinstance(event_id, str) else []
    if not found:
        raise NotFoundError(f"no meeting with id {event_id!r}")
    return found[0]


def _event_in(s: Session, ref: CalendarRef, event_id: str) -> Event:
    event = _load_one(s, event_id)
    if not ref.shows(event):
        raise NotFoundError(f"meeting {event_id!r} is not in the calendar {ref.email}")
    return event


def _refuse_cancelled(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise InvalidInputError(f"the meeting {event.title or event.id!r} was cancelled; it cannot be changed")


# --------------------------------------------------------------------------- reading


def list_events(s: Session, calendar_id: str, start: datetime, end: datetime, include_cancelled: bool) -> list[Event]:
    start, end = require_window(start, end)
    ref = resolve_calendar(s, calendar_id)
    status_clause = "" if include_cancelled else "AND e.status != 'cancelled'"
    window = (to_epoch(end), to_epoch(start))
    if ref.room is not None:
        # A range of the room's (room_id, start_ts) index bounded at both ends, not its history.
        rows = s.conn.execute(
            "SELECT e.id FROM event_rooms r JOIN events e ON e.id = r.event_id "
            "WHERE r.room_id = ? AND r.start_ts >= ? AND r.start_ts < ? AND r.end_ts > ? "
            f"{status_clause} ORDER BY e.start_ts, e.id",
            (ref.room.id, *room_window(s.conn, start, end)),
        )
    else:
        rows = s.conn.execute(
            "SELECT e.id FROM events e WHERE (e.host = ? OR e.id IN "
            "(SELECT event_id FROM event_attendees WHERE email = ?)) "
            f"AND e.start_ts < ? AND e.end_ts > ? {status_clause} ORDER BY e.start_ts, e.id",
            (ref.email, ref.email, *window),
        )
    return [_as_seen_from(e, ref) for e in load_events(s.conn, [r["id"] for r in rows])]


def get_event(s: Session, calendar_id: str, event_id: str) -> Event:
    ref = resolve_calendar(s, calendar_id)
    return _as_seen_from(_event_in(s, ref, event_id), ref)


# --------------------------------------------------------------------------- writing


def _resolve_rooms(s: Session, room_ids: list[str], *, must_be_bookable: set[str] | None = None) -> list[Room]:
    rooms: dict[str, Room] = {}
    for room_id in room_ids:
        room = require_room(s, room_id)
        if not room.bookable and (must_be_bookable is None or room.id in must_be_bookable):
            raise InvalidInputError(f"{room.name} ({room.id}) cannot be booked", field="room_ids")
        rooms.setdefault(room.id, room)
    return list(rooms.values())


def _check_email(value: str, field: str) -> str:
    text = value.strip().lower()
    if "@" not in text or text.startswith("@") or text.endswith("@"):
        raise InvalidInputError(f"{value!r} is not an email address", field=field)
    return text


def _room_response(s: Session, room: Room) -> ResponseStatus:
    pending = room_requires_approval(room, room_approval_flag(s.conn, room.id))
    return ResponseStatus.TENTATIVE if pending else ResponseStatus.ACCEPTED


def _attendees(
    s: Session, people: list[Attendee], host: str, rooms: list[Room], responses: dict[str, ResponseStatus]
) -> list[Attendee]:
    """Organizer first, then people, then one resource attendee per room."""
    room_emails = {r.email for r in rooms}
    given = {a.email: a for a in people}
    out: list[Attendee] = []
    if host:
        user = find_user(s.conn, host)
        mine = given.get(host)
        base = mine if mine is not None else Attendee(email=host, name=user.name if user else "")
        out.append(base.model_copy(update={"organizer": True, "response": ResponseStatus.ACCEPTED, "visit_expected": False}))
    seen = {host}
    for person in people:
        _check_email(person.email, "attendees")
        if person.email in seen or person.email in room_emails:
            continue
        seen.add(person.email)
        out.append(person.model_copy(update={"organizer": False}))
    for room in rooms:
        out.append(Attendee(email=room.email, name=room.name, resource=True, response=responses[room.id]))
    return out


def create_event(s: Session, calendar_id: str, draft: EventDraft, idempotency_key: str | None) -> Event:
    ref = resolve_calendar(s, calendar_id)
    earlier = s.remembered("event", idempotency_key)
    if earlier is not None:
        return _as_seen_from(_load_one(s, earlier), ref)
    room_ids = list(draft.room_ids)
    if ref.room is not None and ref.room.id not in room_ids and ref.room.email not in room_ids:
        room_ids.insert(0, ref.room.id)
    rooms = _resolve_rooms(s, room_ids)
    host = draft.host.strip().lower() if draft.host.strip() else ("" if ref.room is not None else ref.email)
    if host:
        host = _check_email(host, "host")
    people = list(draft.attendees)
    if ref.room is None and ref.email != host and all(a.email != ref.email for a in people):
        # Booked into someone's calendar on their behalf: they attend it.
        people.append(Attendee(email=ref.email, response=ResponseStatus.ACCEPTED))
    refuse_room_clashes(s, rooms, draft.start, draft.end)
    responses = {room.id: _room_response(s, room) for room in rooms}
    tz_name = draft.timezone or next((tz for tz in (room_timezone(s, r) for r in rooms) if tz), None)
    event = Event(
        id=new_id("evt"),
        calendar_id=ref.email,
        ical_uid=str(uuid.uuid4()),
        title=draft.title.strip(),
        body=draft.body,
        host=host,
        attendees=_attendees(s, people, host, rooms, responses),
        location=draft.location or ", ".join(r.name for r in rooms),
        room_ids=[r.id for r in rooms],
        start=draft.start,
        end=draft.end,
        timezone=tz_name,
        all_day=draft.all_day,
        private=draft.private,
        online_meeting_provider=draft.online_meeting_provider,
        created=s.now,
        updated=s.now,
        extension_data=dict(draft.extension_data),
    )
    write_event(s.conn, event, insert=True)
    sync_event_visits(s, event)
    s.remember("event", idempotency_key, event.id)
    s.audit("event", event.id, "created", event.title)
    return _as_seen_from(_load_one(s, event.id), ref)


def update_event(s: Session, calendar_id: str, event_id: str, patch: EventPatch, notify_people: bool) -> Event:
    ref = resolve_calendar(s, calendar_id)
    event = _event_in(s, ref, event_id)
    _refuse_cancelled(event)
    start = patch.start or event.start
    end = patch.end or event.end
    if end <= start:
        raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="end")
    old_rooms = set(event.room_ids)
    if patch.room_ids is not None:
        wanted = [require_room(s, r).id for r in patch.room_ids]
        rooms = _resolve_rooms(s, wanted, must_be_bookable=set(wanted) - old_rooms)
    else:
        rooms = _resolve_rooms(s, event.room_ids, must_be_bookable=set())
    moved = start != event.start or end != event.end or {r.id for r in rooms} != old_rooms
    refuse_room_clashes(s, rooms, start, end, exclude_event_id=event.id)
    old_responses = {a.email: a.response for a in event.attendees if a.resource}
    responses: dict[str, ResponseStatus] = {}
    for room in rooms:
        keep = room.id in old_rooms and start == event.start and end == event.end
        # A moved meeting needs a fresh approval from a room that requires one.
        responses[room.id] = old_responses.get(room.email, _room_response(s, room)) if keep else _room_response(s, room)
    old_room_emails = {a.email for a in event.attendees if a.resource and find_room(s.conn, a.email) is not None}
    people = patch.attendees if patch.attendees is not None else [
        a for a in event.attendees if a.email not in old_room_emails
    ]
    changes: dict[str, Any] = {
        "start": start,
        "end": end,
        "room_ids": [r.id for r in rooms],
        "attendees": _attendees(s, list(people), event.host, rooms, responses),
        "updated": s.now,
    }
    for name in ("title", "body", "location", "private"):
        value = getattr(patch, name)
        if value is not None:
            changes[name] = value
    if patch.extension_data is not None:
        changes["extension_data"] = {**event.extension_data, **patch.extension_data}
    if patch.room_ids is not None and patch.location is None:
        changes["location"] = ", ".join(r.name for r in rooms)
    updated = event.model_copy(update=changes)
    Event.model_validate(updated.model_dump())  # re-run validators on the merged result
    write_event(s.conn, updated, insert=False)
    sync_event_visits(s, updated)
    s.audit("event", event.id, "updated", "moved" if moved else "edited")
    if notify_people and moved:
        tz_name = updated.timezone
        notify(
            s,
            _people_to_tell(updated, exclude=updated.host),
            f"Updated: {updated.display_title()}",
            f"{updated.display_title()} is now {format_local_span(start, end, tz_name)}"
            + (f" in {updated.location}" if updated.location else "")
            + ".",
        )
    return _as_seen_from(_load_one(s, event.id), ref)


def _people_to_tell(event: Event, *, exclude: str = "") -> list[str]:
    return [a.email for a in event.attendees if not a.resource and a.email != exclude]


def _cancel(s: Session, event: Event, extra: dict[str, Any], attendees: list[Attendee] | None = None) -> Event:
    changes: dict[str, Any] = {
        "status": EventStatus.CANCELLED,
        "updated": s.now,
        "extension_data": {**event.extension_data, **extra},
    }
    if attendees is not None:
        changes["attendees"] = attendees
    cancelled = event.model_copy(update=changes)
    write_event(s.conn, cancelled, insert=False)
    sync_event_visits(s, cancelled)
    return cancelled


def _when(event: Event) -> str:
    where = f" in {event.location}" if event.location else ""
    return f"{format_local_span(event.start, event.end, event.timezone)}{where}"


def delete_event(s: Session, calendar_id: str, event_id: str, notify_people: bool, comment: str | None) -> None:
    ref = resolve_calendar(s, calendar_id)
    event = _event_in(s, ref, event_id)
    _refuse_cancelled(event)
    extra: dict[str, Any] = {"cancelled_by": ref.email}
    if comment:
        extra["cancel_comment"] = comment
    cancelled = _cancel(s, event, extra)
    s.audit("event", event.id, "cancelled", comment or "")
    if notify_people:
        text = f"{cancelled.display_title()} ({_when(cancelled)}) has been cancelled."
        if comment:
            text += f"\n\n{comment}"
        # Everyone but whoever cancelled it: from the room's calendar (the desk), the host is told too.
        notify(s, _people_to_tell(cancelled, exclude=ref.email), f"Cancelled: {cancelled.display_title()}", text)


def decline_event(s: Session, calendar_id: str, event_id: str, notify_people: bool, comment: str | None) -> None:
    ref = resolve_calendar(s, calendar_id)
    event = _event_in(s, ref, event_id)
    _refuse_cancelled(event)
    attendees = [
        a.model_copy(update={"response": ResponseStatus.DECLINED}) if a.email == ref.email else a
        for a in event.attendees
    ]
    extra: dict[str, Any] = {"declined_by": ref.email}
    if comment:
        extra["decline_comment"] = comment
    if ref.room is None and ref.email != event.host:
        # A guest saying no does not call the meeting off for everyone else.
        declined = event.model_copy(
            update={"attendees": attendees, "updated": s.now, "extension_data": {**event.extension_data, **extra}}
        )
        write_event(s.conn, declined, insert=False)
        sync_event_visits(s, declined)
        told = [declined.host]
    else:
        declined = _cancel(s, event, extra, attendees)
        told = _people_to_tell(declined, exclude=ref.email)
    s.audit("event", event.id, "declined", ref.email)
    if notify_people:
        who = ref.room.name if ref.room is not None else ref.email
        text = f"{who} declined {declined.display_title()} ({_when(declined)})."
        if comment:
            text += f"\n\n{comment}"
        notify(s, told, f"Declined: {declined.display_title()}", text)


def _room_event(s: Session, room_id: str, event_id: str) -> tuple[Room, Event]:
    room = require_room(s, room_id)
    event = _load_one(s, event_id)
    if room.id not in event.room_ids:
        raise NotFoundError(f"meeting {event_id!r} does not book {room.name} ({room.id})")
    _refuse_cancelled(event)
    return room, event


def _set_room_response(event: Event, room: Room, response: ResponseStatus) -> list[Attendee]:
    attendees = [a.model_copy(update={"response": response}) if a.email == room.email else a for a in event.attendees]
    if not any(a.email == room.email for a in attendees):
        attendees.append(Attendee(email=room.email, name=room.name, resource=True, response=response))
    return attendees


def approve_event(s: Session, room_id: str, event_id: str) -> Event:
    room, event = _room_event(s, room_id, event_id)
    approved = event.model_copy(update={"attendees": _set_room_response(event, room, ResponseStatus.ACCEPTED), "updated": s.now})
    write_event(s.conn, approved, insert=False)
    s.audit("event", event.id, "approved", room.id)
    return _as_seen_from(_load_one(s, event.id), CalendarRef(email=room.email, room=room))


def reject_event(s: Session, room_id: str, event_id: str) -> Event:
    room, event = _room_event(s, room_id, event_id)
    rejected = _cancel(
        s, event, {"rejected_by": room.email}, _set_room_response(event, room, ResponseStatus.DECLINED)
    )
    s.audit("event", event.id, "rejected", room.id)
    if rejected.host:
        notify(
            s,
            [rejected.host],
            f"Declined: {rejected.display_title()}",
            f"{room.name} declined {rejected.display_title()} ({_when(rejected)}); the meeting is cancelled.",
        )
    return _as_seen_from(_load_one(s, event.id), CalendarRef(email=room.email, room=room))


