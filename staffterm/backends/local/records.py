"""Rows of meetings, bookings and guest visits to domain models and back.

Runs on the database thread (see ``db``); bookings get their computed state from "now".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from staffterm.backends.local.store import chunks, dumps, loads, placeholders
from staffterm.models import Attendee, Booking, Event, Guest, HistoryEntry
from staffterm.rules import booking_state
from staffterm.times import from_epoch, from_epoch_or_none, storable, to_epoch, to_epoch_or_none

# --------------------------------------------------------------------------- events


def write_event(conn: sqlite3.Connection, event: Event, *, insert: bool) -> None:
    """Insert or fully rewrite an event with its rooms and attendees."""
    storable(event.start, "start"), storable(event.end, "end")
    values = (
        event.calendar_id,
        event.ical_uid,
        event.title,
        event.body,
        event.host,
        event.location,
        to_epoch(event.start),
        to_epoch(event.end),
        event.timezone,
        int(event.all_day),
        int(event.private),
        int(event.recurring),
        event.status.value,
        event.online_meeting_url,
        event.online_meeting_provider,
        to_epoch_or_none(event.created),
        to_epoch_or_none(event.updated),
        dumps(event.extension_data),
    )
    columns = (
        "calendar_id, ical_uid, title, body, host, location, start_ts, end_ts, timezone, all_day, private, "
        "recurring, status, online_meeting_url, online_meeting_provider, created_ts, updated_ts, extension_data"
    )
    if insert:
        conn.execute(
            f"INSERT INTO events(id, {columns}) VALUES (?, {placeholders(len(values))})", (event.id, *values)
        )
    else:
        assignments = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
        conn.execute(f"UPDATE events SET {assignments} WHERE id = ?", (*values, event.id))
        conn.execute("DELETE FROM event_rooms WHERE event_id = ?", (event.id,))
        conn.execute("DELETE FROM event_attendees WHERE event_id = ?", (event.id,))
    # Each room row carries the meeting's times: the index a room's window is read from.
    conn.executemany(
        "INSERT INTO event_rooms(event_id, room_id, position, start_ts, end_ts) VALUES (?, ?, ?, ?, ?)",
        [(event.id, room_id, i, values[6], values[7]) for i, room_id in enumerate(event.room_ids)],
    )
    conn.executemany(
        "INSERT INTO event_attendees(event_id, position, email, name, response, resource, organizer, "
        "checked_in, visit_expected, organisation, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                event.id,
                i,
                a.email,
                a.name,
                a.response.value,
                int(a.resource),
                int(a.organizer),
                int(a.checked_in),
                int(a.visit_expected),
                a.organisation,
                a.phone,
            )
            for i, a in enumerate(event.attendees)
        ],
    )


def room_window(
    conn: sqlite3.Connection, start: datetime, end: datetime, *, bookings: bool = False
) -> tuple[int, int, int]:
    """``(earliest start, end, start)`` in epoch seconds for reading rooms' meetings (or, with
    ``bookings``, assets' bookings) overlapping ``start``–``end`` from ``event_rooms_by_room_time``
    (``booking_assets_by_asset_time``) as a range bounded at both ends:
    ``start_ts >= ? AND start_ts < ? AND end_ts > ?``.

    A meeting overlapping the window started at most the longest meeting on record before its
    start; that length is read from ``event_rooms_by_length`` (``booking_assets_by_length``) in
    one index seek, so the bound is exact however long meetings may be.
    """
    table = "booking_assets" if bookings else "event_rooms"
    longest = conn.execute(f"SELECT MAX(end_ts - start_ts) FROM {table}").fetchone()[0] or 0
    return to_epoch(start) - longest, to_epoch(end), to_epoch(start)


def load_events(conn: sqlite3.Connection, event_ids: Sequence[str]) -> list[Event]:
    """Events by id (missing ids are skipped), in the order given."""
    ids = list(dict.fromkeys(event_ids))
    rows: dict[str, sqlite3.Row] = {}
    rooms: dict[str, list[str]] = {i: [] for i in ids}
    people: dict[str, list[Attendee]] = {i: [] for i in ids}
    for part in chunks(ids):
        marks = placeholders(len(part))
        for row in conn.execute(f"SELECT * FROM events WHERE id IN ({marks})", tuple(part)):
            rows[row["id"]] = row
        for row in conn.execute(
            f"SELECT event_id, room_id FROM event_rooms WHERE event_id IN ({marks}) ORDER BY position", tuple(part)
        ):
            rooms[row["event_id"]].append(row["room_id"])
        for row in conn.execute(
            f"SELECT * FROM event_attendees WHERE event_id IN ({marks}) ORDER BY position", tuple(part)
        ):
            people[row["event_id"]].append(
                Attendee(
                    email=row["email"],
                    name=row["name"],
                    response=row["response"],
                    resource=bool(row["resource"]),
                    organizer=bool(row["organizer"]),
                    checked_in=bool(row["checked_in"]),
                    visit_expected=bool(row["visit_expected"]),
                    organisation=row["organisation"],
                    phone=row["phone"],
                )
            )
    return [
        _event_from_row(rows[i], rooms[i], people[i]) for i in ids if i in rows
    ]


def _event_from_row(row: sqlite3.Row, room_ids: list[str], attendees: list[Attendee]) -> Event:
    return Event(
        id=row["id"],
        calendar_id=row["calendar_id"],
        ical_uid=row["ical_uid"],
        title=row["title"],
        body=row["body"],
        host=row["host"],
        attendees=attendees,
        location=row["location"],
        room_ids=room_ids,
        start=from_epoch(row["start_ts"]),
        end=from_epoch(row["end_ts"]),
        timezone=row["timezone"],
        all_day=bool(row["all_day"]),
        private=bool(row["private"]),
        recurring=bool(row["recurring"]),
        status=row["status"],
        online_meeting_url=row["online_meeting_url"],
        online_meeting_provider=row["online_meeting_provider"],
        created=from_epoch_or_none(row["created_ts"]),
        updated=from_epoch_or_none(row["updated_ts"]),
        extension_data=loads(row["extension_data"], {}),
    )


# --------------------------------------------------------------------------- bookings

_BOOKING_COLUMNS = (
    "type", "asset_ids", "zones", "user_email", "user_name", "booked_by_email", "booked_by_name",
    "start_ts", "end_ts", "timezone", "title", "description", "all_day", "checked_in", "checked_in_ts",
    "checked_out_ts", "approved", "approved_ts", "rejected", "rejected_ts", "approver_email", "deleted",
    "deleted_ts", "process_state", "attendees", "history", "extension_data", "created_ts", "updated_ts",
)  # fmt: skip


def write_booking(conn: sqlite3.Connection, booking: Booking, *, insert: bool) -> None:
    storable(booking.start, "start"), storable(booking.end, "end")
    values = (
        booking.type,
        dumps(booking.asset_ids),
        dumps(booking.zones),
        booking.user_email,
        booking.user_name,
        booking.booked_by_email,
        booking.booked_by_name,
        to_epoch(booking.start),
        to_epoch(booking.end),
        booking.timezone,
        booking.title,
        booking.description,
        int(booking.all_day),
        int(booking.checked_in),
        to_epoch_or_none(booking.checked_in_at),
        to_epoch_or_none(booking.checked_out_at),
        int(booking.approved),
        to_epoch_or_none(booking.approved_at),
        int(booking.rejected),
        to_epoch_or_none(booking.rejected_at),
        booking.approver_email,
        int(booking.deleted),
        to_epoch_or_none(booking.deleted_at),
        booking.process_state,
        dumps([a.model_dump(mode="json") for a in booking.attendees]),
        dumps([h.model_dump(mode="json") for h in booking.history]),
        dumps(booking.extension_data),
        to_epoch_or_none(booking.created),
        to_epoch_or_none(booking.updated),
    )
    if insert:
        conn.execute(
            f"INSERT INTO bookings(id, {', '.join(_BOOKING_COLUMNS)}) VALUES (?, {placeholders(len(values))})",
            (booking.id, *values),
        )
    else:
        assignments = ", ".join(f"{c} = ?" for c in _BOOKING_COLUMNS)
        conn.execute(f"UPDATE bookings SET {assignments} WHERE id = ?", (*values, booking.id))
        conn.execute("DELETE FROM booking_assets WHERE booking_id = ?", (booking.id,))
    # Each asset row carries the booking's times: the index an asset's window is read from.
    conn.executemany(
        "INSERT INTO booking_assets(booking_id, asset_id, start_ts, end_ts) VALUES (?, ?, ?, ?)",
        [(booking.id, asset_id, to_epoch(booking.start), to_epoch(booking.end)) for asset_id in booking.asset_ids],
    )


def booking_from_row(row: sqlite3.Row, now: datetime) -> Booking:
    start = from_epoch(row["start_ts"])
    end = from_epoch(row["end_ts"])
    checked_in_at = from_epoch_or_none(row["checked_in_ts"])
    checked_out_at = from_epoch_or_none(row["checked_out_ts"])
    deleted_at = from_epoch_or_none(row["deleted_ts"])
    state = booking_state(
        start=start,
        end=end,
        now=now,
        checked_in=bool(row["checked_in"]),
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        rejected=bool(row["rejected"]),
        deleted=bool(row["deleted"]),
        deleted_at=deleted_at,
    )
    return Booking(
        id=row["id"],
        type=row["type"],
        asset_ids=loads(row["asset_ids"], []),
        zones=loads(row["zones"], []),
        user_email=row["user_email"],
        user_name=row["user_name"],
        booked_by_email=row["booked_by_email"],
        booked_by_name=row["booked_by_name"],
        start=start,
        end=end,
        timezone=row["timezone"],
        title=row["title"],
        description=row["description"],
        all_day=bool(row["all_day"]),
        checked_in=bool(row["checked_in"]),
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        approved=bool(row["approved"]),
        approved_at=from_epoch_or_none(row["approved_ts"]),
        rejected=bool(row["rejected"]),
        rejected_at=from_epoch_or_none(row["rejected_ts"]),
        approver_email=row["approver_email"],
        deleted=bool(row["deleted"]),
        deleted_at=deleted_at,
        state=state,
        process_state=row["process_state"],
        attendees=[Attendee.model_validate(a) for a in loads(row["attendees"], [])],
        history=[HistoryEntry.model_validate(h) for h in loads(row["history"], [])],
        extension_data=loads(row["extension_data"], {}),
        created=from_epoch_or_none(row["created_ts"]),
        updated=from_epoch_or_none(row["updated_ts"]),
    )


def find_booking(conn: sqlite3.Connection, booking_id: str, now: datetime) -> Booking | None:
    row = conn.execute("SELECT * FROM bookings WHERE id = ?", (booking_id,)).fetchone()
    return None if row is None else booking_from_row(row, now)


# --------------------------------------------------------------------------- guest visits

_VISIT_COLUMNS = (
    "email", "name", "phone", "organisation", "notes", "host_email", "host_name", "visit_start_ts",
    "visit_end_ts", "zone_ids", "checked_in", "checked_in_ts", "checked_out_ts", "visit_expected",
    "booking_id", "event_id", "extension_data", "created_ts", "updated_ts",
)  # fmt: skip


def write_visit(conn: sqlite3.Connection, guest: Guest, *, insert: bool, now: datetime) -> None:
    for moment, field in ((guest.visit_start, "visit_start"), (guest.visit_end, "visit_end")):
        if moment is not None:
            storable(moment, field)
    values = (
        guest.email,
        guest.name,
        guest.phone,
        guest.organisation,
        guest.notes,
        guest.host_email,
        guest.host_name,
        to_epoch_or_none(guest.visit_start),
        to_epoch_or_none(guest.visit_end),
        dumps(guest.zone_ids),
        int(guest.checked_in),
        to_epoch_or_none(guest.checked_in_at),
        to_epoch_or_none(guest.checked_out_at),
        int(guest.visit_expected),
        guest.booking_id,
        guest.event_id,
        dumps(guest.extension_data),
    )
    if insert:
        conn.execute(
            f"INSERT INTO guest_visits(id, {', '.join(_VISIT_COLUMNS)}) VALUES (?, {placeholders(len(values) + 2)})",
            (guest.id, *values, to_epoch(now), to_epoch(now)),
        )
    else:
        assignments = ", ".join(f"{c} = ?" for c in _VISIT_COLUMNS[:-2])
        conn.execute(
            f"UPDATE guest_visits SET {assignments}, updated_ts = ? WHERE id = ?", (*values, to_epoch(now), guest.id)
        )


def visit_from_row(row: sqlite3.Row) -> Guest:
    return Guest(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        phone=row["phone"],
        organisation=row["organisation"],
        notes=row["notes"],
        host_email=row["host_email"],
        host_name=row["host_name"],
        visit_start=from_epoch_or_none(row["visit_start_ts"]),
        visit_end=from_epoch_or_none(row["visit_end_ts"]),
        zone_ids=loads(row["zone_ids"], []),
        checked_in=bool(row["checked_in"]),
        checked_in_at=from_epoch_or_none(row["checked_in_ts"]),
        checked_out_at=from_epoch_or_none(row["checked_out_ts"]),
        visit_expected=bool(row["visit_expected"]),
        booking_id=row["booking_id"],
        event_id=row["event_id"],
        extension_data=loads(row["extension_data"], {}),
    )


def find_visit(conn: sqlite3.Connection, visit_id: str) -> Guest | None:
    row = conn.execute("SELECT * FROM guest_visits WHERE id = ?", (visit_id,)).fetchone()
    return None if row is None else visit_from_row(row)


def visits_linked_to(conn: sqlite3.Connection, *, event_id: str | None = None, booking_id: str | None = None) -> list[Guest]:
    if event_id is not None:
        rows = conn.execute("SELECT * FROM guest_visits WHERE event_id = ? ORDER BY id", (event_id,))
    else:
        rows = conn.execute("SELECT * FROM guest_visits WHERE booking_id = ? ORDER BY id", (booking_id,))
    return [visit_from_row(r) for r in rows]
