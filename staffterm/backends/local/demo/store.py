"""Storing the demo site (``demo.estate`` and ``demo.seed``) in a local database, and wiping it.

The estate is written once; each building's day of meetings is written the first time the
site is opened on that (building-local) date, recorded in ``meta`` so it happens once, and
without touching what people booked themselves: generated items that would clash with real
bookings are skipped.
"""

from __future__ import annotations

from staffterm.backends.local.booking_clashes import refuse_booking_clashes
from staffterm.backends.local.busy import room_clashes
from staffterm.backends.local.db import DATA_TABLES, SCHEMA_VERSION_KEY
from staffterm.backends.local.demo import estate as demo_estate
from staffterm.backends.local.demo import seed as demo_seed
from staffterm.backends.local.records import write_booking, write_event, write_visit
from staffterm.backends.local.store import (
    Session,
    find_room,
    get_meta,
    insert_asset,
    insert_group,
    insert_room,
    insert_user,
    insert_zone,
    set_meta,
)
from staffterm.errors import ConflictError

ESTATE_KEY = "demo_estate"
SITE_NAME_KEY = "site_name"


def day_key(building_id: str, day: str) -> str:
    return f"demo_day:{building_id}:{day}"


def seed_estate(s: Session) -> bool:
    """Write the demo estate unless it is already there; returns whether it wrote it."""
    if get_meta(s.conn, ESTATE_KEY):
        return False
    estate = demo_estate.demo_estate()
    for zone in estate.zones:
        insert_zone(s.conn, zone)
    for room in estate.rooms:
        insert_room(s.conn, room)
    for asset in estate.assets:
        insert_asset(s.conn, asset)
    for user in estate.users:
        insert_user(s.conn, user)
    for group, members in estate.groups:
        insert_group(s.conn, group, members)
    set_meta(s.conn, ESTATE_KEY, "1")
    set_meta(s.conn, SITE_NAME_KEY, demo_estate.ORG_NAME)
    s.audit("site", demo_estate.ORG_ID, "demo_estate_seeded")
    return True


def days_due(s: Session) -> list[tuple[str, str]]:
    """(building id, ISO date) pairs of today that have not been seeded yet."""
    due = []
    for building_id, day in demo_seed.local_dates(s.now).items():
        if get_meta(s.conn, day_key(building_id, day.isoformat())) is None:
            due.append((building_id, day.isoformat()))
    return due


def seed_today(s: Session) -> int:
    """Add today's demo activity to every building that lacks it; returns items written."""
    written = 0
    plans = {}
    for building_id, day_text in days_due(s):
        day = demo_seed.local_dates(s.now)[building_id]
        if day not in plans:
            plans[day] = demo_seed.demo_days(day)
        written += _store_day(s, plans[day][building_id])
        set_meta(s.conn, day_key(building_id, day_text), "1")
        s.audit("site", building_id, "demo_day_seeded", day_text)
    return written


def _store_day(s: Session, plan: demo_seed.DemoDay) -> int:
    skipped: set[str] = set()
    written = 0
    for event in plan.events:
        exists = s.conn.execute("SELECT 1 FROM events WHERE id = ?", (event.id,)).fetchone()
        rooms = [find_room(s.conn, r) for r in event.room_ids]
        if exists or any(r is None or room_clashes(s, r, event.start, event.end) for r in rooms):
            skipped.add(event.id)
            continue
        write_event(s.conn, event, insert=True)
        written += 1
    for booking in plan.bookings:
        exists = s.conn.execute("SELECT 1 FROM bookings WHERE id = ?", (booking.id,)).fetchone()
        if exists:
            skipped.add(booking.id)
            continue
        try:
            refuse_booking_clashes(s, booking.type, booking.asset_ids, booking.start, booking.end, None)
        except ConflictError:
            skipped.add(booking.id)
            continue
        write_booking(s.conn, booking, insert=True)
        written += 1
    for guest in plan.guests:
        linked = guest.event_id or guest.booking_id or ""
        exists = s.conn.execute("SELECT 1 FROM guest_visits WHERE id = ?", (guest.id,)).fetchone()
        if exists or linked in skipped:
            continue
        write_visit(s.conn, guest, insert=True, now=s.now)
        written += 1
    return written


def wipe(s: Session) -> None:
    """Delete every row of site data (the schema and its version stay)."""
    for table in DATA_TABLES:
        s.conn.execute(f"DELETE FROM {table}")
    s.conn.execute("DELETE FROM meta WHERE key != ?", (SCHEMA_VERSION_KEY,))


def site_name(s: Session, fallback: str) -> str:
    stored = get_meta(s.conn, SITE_NAME_KEY)
    if stored:
        return stored
    row = s.conn.execute("SELECT name FROM zones WHERE kind = 'org' ORDER BY id LIMIT 1").fetchone()
    return str(row[0]) if row else fallback
