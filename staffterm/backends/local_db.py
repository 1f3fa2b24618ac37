"""The local site's SQLite file: schema, migrations, and the one thread that touches it.

SQLite calls block, so every statement runs on a single dedicated worker thread (the
connection is created there and never leaves it) and the event loop only awaits the result.
Each call is one transaction: an error anywhere rolls the whole call back, so a refused write
changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from staffterm.errors import ConfigError, UnavailableError

T = TypeVar("T")

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


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to ``SCHEMA_VERSION``, one transaction per step."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise ConfigError(
            f"the local database {path} was written by a newer staffterm (schema {current}, "
            f"this version knows {SCHEMA_VERSION})",
            path=str(path),
            hint="Upgrade staffterm, or point the tenant at another database file.",
        )
    for version in range(current, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (SCHEMA_VERSION_KEY, str(version + 1)),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    # executescript() would commit behind our back; split instead (no ';' inside our DDL strings).
    return [part.strip() for part in script.split(";") if part.strip()]


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class LocalDatabase:
    """One SQLite file, one worker thread, one connection living on that thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self.thread_id: int | None = None
        # Operations submitted and not finished; one at a time runs on the thread, the rest wait.
        self._pending = 0
        self._running = 0

    def stats(self) -> tuple[int, int]:
        """(queued, in flight): what the console's header shows as the request queue."""
        return (max(self._pending - self._running, 0), self._running)

    @property
    def is_open(self) -> bool:
        return self._executor is not None

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staffterm-sqlite")
        try:
            await self._submit(self._connect)
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    async def close(self) -> None:
        executor = self._executor
        if executor is None:
            return
        try:
            await self._submit(self._disconnect)
        finally:
            self._executor = None
            executor.shutdown(wait=True)

    async def run(self, work: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """Run ``work(conn)`` on the database thread inside one transaction."""
        if self._executor is None:
            raise UnavailableError(f"the local database {self.path} is closed", hint="")
        return await self._submit(lambda: self._transaction(work, write))

    async def _submit(self, call: Callable[[], T]) -> T:
        assert self._executor is not None
        loop = asyncio.get_running_loop()

        def counted() -> T:
            self._running += 1  # on the database thread: only one runs at a time
            try:
                return call()
            finally:
                self._running -= 1

        self._pending += 1
        try:
            return await loop.run_in_executor(self._executor, counted)
        finally:
            self._pending -= 1

    # ------------------------------------------------------------ on the database thread

    def _connect(self) -> None:
        try:
            _create_private_file(self.path)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
            conn.row_factory = sqlite3.Row
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the local database {self.path}: {exc}",
                path=str(self.path),
                key="database",
                hint="Check the path and its permissions, or set STAFFTERM_DATA_DIR.",
            ) from exc
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, self.path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ConfigError(
                f"{self.path} is not a usable staffterm database: {exc}",
                path=str(self.path),
                key="database",
                hint="Move the file away (staffterm will create a fresh one) or point the tenant elsewhere.",
            ) from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self.thread_id = threading.get_ident()

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _transaction(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        conn = self._conn
        if conn is None:
            raise UnavailableError(f"the local database {self.path} is closed", hint="")
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.OperationalError as exc:
            raise UnavailableError(
                f"the local database {self.path} is busy: {exc}",
                hint="Another staffterm is writing to it; try again in a moment.",
            ) from exc
        try:
            result = work(conn)
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            raise UnavailableError(f"the local database {self.path} failed: {exc}") from exc
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result
