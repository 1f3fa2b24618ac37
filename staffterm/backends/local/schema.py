"""The local site's schema: its tables, their version, and the migrations between versions.

The version lives in the ``meta`` table. Migrations run under SQLite's write lock, so many
processes opening one new file at once still create the schema exactly once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from staffterm.errors import ConfigError

SCHEMA_VERSION_KEY = "schema_version"

# Each entry upgrades the schema from version (index) to (index + 1). Never edit a shipped
# step: append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE zones (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_id TEXT REFERENCES zones(id),
        timezone TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        zone_ids TEXT NOT NULL DEFAULT '[]',
        capacity INTEGER NOT NULL DEFAULT 0,
        features TEXT NOT NULL DEFAULT '[]',
        bookable INTEGER NOT NULL DEFAULT 1,
        accessible INTEGER NOT NULL DEFAULT 0,
        requires_approval INTEGER NOT NULL DEFAULT 0,
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE assets (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        zone_ids TEXT NOT NULL DEFAULT '[]',
        features TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        office_location TEXT NOT NULL DEFAULT '',
        manager_email TEXT,
        suspended INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE directory_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE group_members (
        group_id TEXT NOT NULL REFERENCES directory_groups(id) ON DELETE CASCADE,
        user_email TEXT NOT NULL,
        PRIMARY KEY (group_id, user_email)
    );
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        calendar_id TEXT NOT NULL,
        ical_uid TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        host TEXT NOT NULL DEFAULT '',
        location TEXT NOT NULL DEFAULT '',
        start_ts INTEGER NOT NULL,
        end_ts INTEGER NOT NULL,
        timezone TEXT,
        all_day INTEGER NOT NULL DEFAULT 0,
        private INTEGER NOT NULL DEFAULT 0,
        recurring INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'confirmed',
        online_meeting_url TEXT,
        online_meeting_provider TEXT,
        created_ts INTEGER,
        updated_ts INTEGER,
        extension_data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_by_time ON events(start_ts, end_ts);
    CREATE INDEX events_by_host ON events(host);
    CREATE TABLE event_rooms (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        room_id TEXT NOT NULL REFERENCES rooms(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (event_id, room_id)
    );
    CREATE INDEX event_rooms_by_room ON event_rooms(room_id);
    CREATE TABLE event_attendees (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        email TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        response TEXT NOT NULL DEFAULT 'needsAction',
        resource INTEGER NOT NULL DEFAULT 0,
        organizer INTEGER NOT NULL DEFAULT 0,
        checked_in INTEGER NOT NULL DEFAULT 0,
        visit_expected INTEGER NOT NULL DEFAULT 0,
        organisation TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (event_id, email)
    );
    CREATE INDEX event_attendees_by_email ON event_attendees(email);
    CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        asset_ids TEXT NOT NULL,
        zones TEXT NOT NULL DEFAULT '[]',
        user_email TEXT NOT NULL DEFAULT '',
        user_name TEXT NOT NULL DEFAULT '',
        booked_by_email TEXT NOT NULL DEFAULT '',
        booked_by_name TEXT NOT NULL DEFAULT '',
        start_ts INTEGER NOT NULL,
        end_ts INTEGER NOT NULL,
        timezone TEXT,
        title TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        all_day INTEGER NOT NULL DEFAULT 0,
        checked_in INTEGER NOT NULL DEFAULT 0,
        checked_in_ts INTEGER,
        checked_out_ts INTEGER,
        approved INTEGER NOT NULL DEFAULT 0,
        approved_ts INTEGER,
        rejected INTEGER NOT NULL DEFAULT 0,
        rejected_ts INTEGER,
        approver_email TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        deleted_ts INTEGER,
        process_state TEXT,
        attendees TEXT NOT NULL DEFAULT '[]',
        history TEXT NOT NULL DEFAULT '[]',
        extension_data TEXT NOT NULL DEFAULT '{}',
        created_ts INTEGER,
        updated_ts INTEGER
    );
    CREATE INDEX bookings_by_time ON bookings(start_ts, end_ts);
    CREATE INDEX bookings_by_user ON bookings(user_email);
    CREATE TABLE booking_assets (
        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
        asset_id TEXT NOT NULL,
        PRIMARY KEY (booking_id, asset_id)
    );
    CREATE INDEX booking_assets_by_asset ON booking_assets(asset_id);
    CREATE TABLE guest_visits (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        host_email TEXT NOT NULL DEFAULT '',
        host_name TEXT NOT NULL DEFAULT '',
        visit_start_ts INTEGER,
        visit_end_ts INTEGER,
        zone_ids TEXT NOT NULL DEFAULT '[]',
        checked_in INTEGER NOT NULL DEFAULT 0,
        checked_in_ts INTEGER,
        checked_out_ts INTEGER,
        visit_expected INTEGER NOT NULL DEFAULT 1,
        booking_id TEXT REFERENCES bookings(id),
        event_id TEXT REFERENCES events(id),
        extension_data TEXT NOT NULL DEFAULT '{}',
        created_ts INTEGER,
        updated_ts INTEGER
    );
    CREATE INDEX guest_visits_by_time ON guest_visits(visit_start_ts, visit_end_ts);
    CREATE INDEX guest_visits_by_event ON guest_visits(event_id);
    CREATE INDEX guest_visits_by_booking ON guest_visits(booking_id);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sent_ts INTEGER NOT NULL,
        message TEXT NOT NULL
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        item_id TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE idempotency (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        item_id TEXT NOT NULL,
        created_ts INTEGER NOT NULL,
        PRIMARY KEY (kind, key)
    );
    """,
    # 2: indexes that read only what a zone or a window asks for. ``room_zones`` lists each
    # room's zones (the JSON ``rooms.zone_ids`` cannot be indexed) and ``zones_by_parent`` walks
    # down from a zone, so a level's rooms are read without the rest of the estate.
    # ``event_rooms`` carries its meeting's start and end, so a room's meetings in a window are one
    # bounded range of (room_id, start_ts): an index on start alone reads everything that started before the window's end, all history
    # (``booking_assets`` likewise, by (asset_id, start_ts), for bookings). The
    # lower bound is the window's start less the longest meeting (booking) on record, read
    # from ``event_rooms_by_length`` (``booking_assets_by_length``): PlaceOS sets no longest meeting (PlaceOS/staff-api
    # src/controllers/events.cr, create, only requires event_start and event_end), so no
    # fixed limit can be assumed.
    """
    CREATE TABLE room_zones (
        room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        zone_id TEXT NOT NULL,
        PRIMARY KEY (zone_id, room_id)
    ) WITHOUT ROWID;
    CREATE INDEX zones_by_parent ON zones(parent_id);
    INSERT OR IGNORE INTO room_zones(room_id, zone_id)
        SELECT rooms.id, listed.value FROM rooms, json_each(rooms.zone_ids) AS listed;
    ALTER TABLE event_rooms ADD COLUMN start_ts INTEGER;
    ALTER TABLE event_rooms ADD COLUMN end_ts INTEGER;
    UPDATE event_rooms SET
        start_ts = (SELECT e.start_ts FROM events e WHERE e.id = event_rooms.event_id),
        end_ts = (SELECT e.end_ts FROM events e WHERE e.id = event_rooms.event_id);
    DROP INDEX event_rooms_by_room;
    CREATE INDEX event_rooms_by_room_time ON event_rooms(room_id, start_ts);
    CREATE INDEX event_rooms_by_length ON event_rooms((end_ts - start_ts));
    ALTER TABLE booking_assets ADD COLUMN start_ts INTEGER;
    ALTER TABLE booking_assets ADD COLUMN end_ts INTEGER;
    UPDATE booking_assets SET
        start_ts = (SELECT b.start_ts FROM bookings b WHERE b.id = booking_assets.booking_id),
        end_ts = (SELECT b.end_ts FROM bookings b WHERE b.id = booking_assets.booking_id);
    DROP INDEX booking_assets_by_asset;
    CREATE INDEX booking_assets_by_asset_time ON booking_assets(asset_id, start_ts);
    CREATE INDEX booking_assets_by_length ON booking_assets((end_ts - start_ts));
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

# Tables holding site data, children first so foreign keys never block a wipe.
DATA_TABLES = (
    "idempotency",
    "audit",
    "outbox",
    "guest_visits",
    "booking_assets",
    "bookings",
    "event_attendees",
    "event_rooms",
    "events",
    "group_members",
    "directory_groups",
    "users",
    "assets",
    "room_zones",
    "rooms",
    "zones",
)


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if row is None:
        return 0
    found = conn.execute("SELECT value FROM meta WHERE key = ?", (SCHEMA_VERSION_KEY,)).fetchone()
    return int(found[0]) if found else 0


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the schema up to ``SCHEMA_VERSION``; returns how many steps this call applied.

    Many desks may open a brand-new file at the same moment. Each step runs under the write
    lock (BEGIN IMMEDIATE) and the version is read again *inside* that lock, so exactly one
    process applies a step and the others find it done; reading it before the lock is only a
    shortcut for the common case of a file already up to date (versions only ever grow).
    """
    applied = 0
    if _checked_version(conn, path) == SCHEMA_VERSION:
        return applied
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = _checked_version(conn, path)
            if current == SCHEMA_VERSION:
                conn.execute("ROLLBACK")
                return applied
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            for statement in _statements(MIGRATIONS[current]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (SCHEMA_VERSION_KEY, str(current + 1)),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied += 1


def _checked_version(conn: sqlite3.Connection, path: Path) -> int:
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise ConfigError(
            f"the local database {path} was written by a newer staffterm (schema {current}, "
            f"this version knows {SCHEMA_VERSION})",
            path=str(path),
            hint="Upgrade staffterm, or point the tenant at another database file.",
        )
    return current


def _statements(script: str) -> list[str]:
    # executescript() would commit behind our back; split instead (no ';' inside our DDL strings).
    return [part.strip() for part in script.split(";") if part.strip()]
