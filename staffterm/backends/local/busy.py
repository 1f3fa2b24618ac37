"""What keeps a room of the local site busy: the clashes a write refuses, and free/busy over a window.

Both read events and room bookings the same way: live ones only (not cancelled, not declined
by the room, not rejected, deleted or checked out), bounded at both ends of the time index.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from staffterm.backends.clashes import room_clash_error
from staffterm.backends.local.places import room_timezone, rooms_for
from staffterm.backends.local.records import booking_from_row, load_events, room_window
from staffterm.backends.local.store import Session, placeholders
from staffterm.models import (
    Booking,
    BusyBlock,
    BusyStatus,
    Event,
    EventStatus,
    ResponseStatus,
    Room,
    RoomAvailability,
)
from staffterm.times import from_epoch, require_window

# --------------------------------------------------------------------------- clashes


def room_clashes(
    s: Session,
    room: Room,
    start: datetime,
    end: datetime,
    *,
    exclude_event_id: str | None = None,
    exclude_booking_id: str | None = None,
) -> list[Event | Booking]:
    """Live events (not cancelled, not declined by the room) and room bookings overlapping."""
    rows = s.conn.execute(
        "SELECT e.id FROM event_rooms r JOIN events e ON e.id = r.event_id "
        "LEFT JOIN event_attendees a ON a.event_id = e.id AND a.email = ? "
        "WHERE r.room_id = ? AND r.start_ts >= ? AND r.start_ts < ? AND r.end_ts > ? AND e.status != 'cancelled' "
        "AND e.id != ? AND COALESCE(a.response, '') != 'declined' ORDER BY e.start_ts",
        (room.email, room.id, *room_window(s.conn, start, end), exclude_event_id or ""),
    )
    clashes: list[Event | Booking] = list(load_events(s.conn, [r["id"] for r in rows]))
    booking_rows = s.conn.execute(
        "SELECT b.* FROM booking_assets a JOIN bookings b ON b.id = a.booking_id "
        "WHERE a.asset_id = ? AND a.start_ts >= ? AND a.start_ts < ? AND a.end_ts > ? "
        "AND b.type = 'room' AND b.deleted = 0 AND b.rejected = 0 "
        "AND b.checked_out_ts IS NULL AND b.id != ? ORDER BY b.start_ts",
        (room.id, *room_window(s.conn, start, end, bookings=True), exclude_booking_id or ""),
    )
    clashes.extend(booking_from_row(r, s.now) for r in booking_rows)
    return clashes


def refuse_room_clashes(
    s: Session,
    rooms: list[Room],
    start: datetime,
    end: datetime,
    *,
    exclude_event_id: str | None = None,
    exclude_booking_id: str | None = None,
) -> None:
    found = [
        (room, room_timezone(s, room),
         room_clashes(s, room, start, end, exclude_event_id=exclude_event_id, exclude_booking_id=exclude_booking_id))
        for room in rooms
    ]
    refusal = room_clash_error(found)
    if refusal is not None:
        raise refusal


# --------------------------------------------------------------------------- free/busy


def free_busy(
    s: Session, start: datetime, end: datetime, room_ids: list[str], zone_id: str | None
) -> list[RoomAvailability]:
    start, end = require_window(start, end)
    rooms = rooms_for(s, room_ids, zone_id)
    blocks: dict[str, list[BusyBlock]] = {r.id: [] for r in rooms}
    ids = [r.id for r in rooms]
    # Per room, one range of (room_id, start_ts) bounded at both ends: the window's meetings,
    # never the rooms' history.
    bounds = room_window(s.conn, start, end)
    booking_bounds = room_window(s.conn, start, end, bookings=True)
    for i in range(0, len(ids), 800):
        part = ids[i : i + 800]
        marks = placeholders(len(part))
        rows = s.conn.execute(
            "SELECT r.room_id, e.id, e.title, e.private, e.status, e.start_ts, e.end_ts, a.response "
            "FROM event_rooms r JOIN events e ON e.id = r.event_id JOIN rooms rm ON rm.id = r.room_id "
            "LEFT JOIN event_attendees a ON a.event_id = e.id AND a.email = rm.email "
            f"WHERE r.room_id IN ({marks}) AND r.start_ts >= ? AND r.start_ts < ? AND r.end_ts > ? "
            "AND e.status != 'cancelled'",
            (*part, *bounds),
        )
        for row in rows:
            if row["response"] == ResponseStatus.DECLINED.value:
                continue
            tentative = row["status"] == EventStatus.TENTATIVE.value or row["response"] == ResponseStatus.TENTATIVE.value
            blocks[row["room_id"]].append(
                _clipped(row, start, end, BusyStatus.TENTATIVE if tentative else BusyStatus.BUSY, event_id=row["id"])
            )
        rows = s.conn.execute(
            "SELECT a.asset_id AS room_id, b.title, b.start_ts, b.end_ts FROM booking_assets a "
            "JOIN bookings b ON b.id = a.booking_id "
            f"WHERE a.asset_id IN ({marks}) AND a.start_ts >= ? AND a.start_ts < ? AND a.end_ts > ? "
            "AND b.type = 'room' AND b.deleted = 0 AND b.rejected = 0 AND b.checked_out_ts IS NULL",
            (*part, *booking_bounds),
        )
        for row in rows:
            blocks[row["room_id"]].append(_clipped(row, start, end, BusyStatus.BUSY, event_id=None))
    return [
        RoomAvailability(
            room_id=r.id,
            email=r.email,
            start=start,
            end=end,
            blocks=sorted(blocks[r.id], key=lambda b: (b.start, b.end)),
        )
        for r in rooms
    ]


def _clipped(row: sqlite3.Row, start: datetime, end: datetime, status: BusyStatus, *, event_id: str | None) -> BusyBlock:
    keys = row.keys()
    # The SQL overlap test guarantees a non-empty intersection with the window.
    private = bool(row["private"]) if "private" in keys else False
    return BusyBlock(
        start=max(from_epoch(row["start_ts"]), start),
        end=min(from_epoch(row["end_ts"]), end),
        status=status,
        event_id=event_id,
        # Free/busy is shown on every screen and kiosk: a private meeting's title never leaves here.
        title=None if private else (row["title"] or None),
        private=private,
    )
