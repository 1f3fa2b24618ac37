"""A large local site, written straight into a fresh database file with ``executemany``, row
for row as the local backend writes it (``insert_room``, ``write_event``).

The default shape is the one measured for issue 13: 5 buildings × 40 levels (200 levels) ×
5 rooms = 1,000 rooms, each with 20 one-hour meetings spread over the 30 days before ``now``
and the 10 after it (20,000 meetings, most of them history). The tests build smaller sites of
the same shape to count the work a query does as history or the estate grows.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from staffterm.backends.local.schema import migrate

LONDON = "Europe/London"
ORG = "zone-org"
HOST = "host@acme.example"
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SiteShape:
    buildings: int = 5
    levels_per_building: int = 40
    rooms_per_level: int = 5
    meetings_per_room: int = 20
    days_back: int = 30
    days_ahead: int = 10

    @property
    def rooms(self) -> int:
        return self.buildings * self.levels_per_building * self.rooms_per_level

    @property
    def levels(self) -> int:
        return self.buildings * self.levels_per_building


def building_id(b: int) -> str:
    return f"zone-b{b}"


def level_id(b: int, lv: int) -> str:
    return f"zone-b{b}-l{lv:03d}"


def room_id(b: int, lv: int, n: int) -> str:
    return f"rm-b{b}-l{lv:03d}-{n}"


def build_site(path: Path, shape: SiteShape = SiteShape(), now: datetime = NOW) -> None:
    """Creates ``path`` with the current schema and fills it; one transaction, a few seconds at most."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, path)
        conn.execute("BEGIN")
        _fill(conn, shape, now)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _fill(conn: sqlite3.Connection, shape: SiteShape, now: datetime) -> None:
    zones = [(ORG, "Acme", "org", None, LONDON, '["org"]', "")]
    rooms = []
    for b in range(shape.buildings):
        zones.append((building_id(b), f"Tower {b}", "building", ORG, LONDON, '["building"]', ""))
        for lv in range(shape.levels_per_building):
            zones.append((level_id(b, lv), f"Level {lv}", "level", building_id(b), None, '["level"]', ""))
            for n in range(shape.rooms_per_level):
                rid = room_id(b, lv, n)
                zone_ids = f'["{ORG}", "{building_id(b)}", "{level_id(b, lv)}"]'
                features = '["screen", "vc"]' if n % 2 else '["screen"]'
                rooms.append((rid, f"{rid}@acme.example", f"Room {b}.{lv:03d}.{n}", zone_ids, 4 + 2 * n, features,
                              1, n % 3 == 0, 0, ""))
    conn.executemany("INSERT INTO zones(id, name, kind, parent_id, timezone, tags, description) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", zones)
    conn.executemany("INSERT INTO rooms(id, email, name, zone_ids, capacity, features, bookable, accessible, "
                     "requires_approval, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rooms)
    conn.executemany("INSERT INTO room_zones(room_id, zone_id) VALUES (?, ?)",
                     [(room[0], zone_id) for room in rooms for zone_id in json.loads(room[3])])
    events, event_rooms, attendees = [], [], []
    london = ZoneInfo(LONDON)
    today = now.astimezone(london).date()
    span = shape.days_back + shape.days_ahead
    created = int((now - timedelta(days=1000)).timestamp())
    for rid, email, name, *_rest in rooms:
        n = int(rid.rsplit("-", 1)[1])  # the room's place on its level
        for m in range(shape.meetings_per_room):
            # Spread evenly over the span, each room on its own days and hours; a room's meeting
            # on a given day is the same on every site shape (tests compare sites).
            offset = (m * span) // shape.meetings_per_room - shape.days_back + n % 2
            start = datetime.combine(today + timedelta(days=offset), time(8 + (n + offset) % 9), tzinfo=london)
            start_ts = int(start.timestamp())
            event_id = f"ev-{rid}-{offset}"
            events.append((event_id, email, f"{event_id}@acme.example", "Meeting", "", HOST, name, start_ts,
                           start_ts + 3600, LONDON, "confirmed", created, created, "{}"))
            event_rooms.append((event_id, rid, 0, start_ts, start_ts + 3600))
            attendees.append((event_id, 0, HOST, "Host", "accepted", 0, 1))
            attendees.append((event_id, 1, email, name, "accepted", 1, 0))
    conn.executemany("INSERT INTO events(id, calendar_id, ical_uid, title, body, host, location, start_ts, end_ts, "
                     "timezone, status, created_ts, updated_ts, extension_data) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
    conn.executemany("INSERT INTO event_rooms(event_id, room_id, position, start_ts, end_ts) VALUES (?, ?, ?, ?, ?)",
                     event_rooms)
    conn.executemany("INSERT INTO event_attendees(event_id, position, email, name, response, resource, organizer) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", attendees)
