"""The per-call session of the local site, its settings, and the rows of places and people.

Everything here runs on the database thread (see ``db``) and takes the connection or a
``Session`` bound to it. Meetings, bookings and visits are mapped in ``records``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from staffterm.errors import ConfigError
from staffterm.models import Asset, Group, Room, User, Zone
from staffterm.times import to_epoch

# SQLite's default limit on bound parameters is 999 on older builds.
_MAX_PARAMS = 900


@dataclass(frozen=True)
class LocalConfig:
    """The tenant settings the local backend reads."""

    early_checkin_seconds: int = 3600
    booking_limits: dict[str, int] = field(default_factory=dict)
    mail_from: str = "reception@acme.example"


def config_from_settings(settings: object | None) -> LocalConfig:
    early = getattr(settings, "early_checkin_seconds", 3600)
    if early is None:
        early = 3600
    if isinstance(early, bool) or not isinstance(early, int) or early < 0:
        raise ConfigError(
            f"early_checkin_seconds must be a whole number of seconds (0 or more), got {early!r}",
            key="early_checkin_seconds",
        )
    limits = getattr(settings, "booking_limits", None) or {}
    if not isinstance(limits, dict):
        raise ConfigError("booking_limits must map a booking type to a number", key="booking_limits")
    clean: dict[str, int] = {}
    for kind, limit in limits.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ConfigError(
                f"booking_limits.{kind} must be a whole number (0 or more), got {limit!r}",
                key=f"booking_limits.{kind}",
            )
        clean[str(kind)] = limit
    # The config calls it `mailer_from` (as the Graph driver does); `mail_from` is kept for old callers.
    mail_from = getattr(settings, "mailer_from", None) or getattr(settings, "mail_from", None) or "reception@acme.example"
    if not isinstance(mail_from, str) or "@" not in mail_from:
        raise ConfigError(f"mail_from must be an email address, got {mail_from!r}", key="mail_from")
    return LocalConfig(early_checkin_seconds=early, booking_limits=clean, mail_from=mail_from)


@dataclass
class Session:
    """One call's view of the database: the connection, "now", and the tenant's settings."""

    conn: sqlite3.Connection
    now: datetime
    config: LocalConfig

    def audit(self, kind: str, item_id: str, action: str, detail: str = "") -> None:
        self.conn.execute(
            "INSERT INTO audit(time_ts, kind, item_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (to_epoch(self.now), kind, item_id, action, detail),
        )

    def remembered(self, kind: str, key: str | None) -> str | None:
        """The id a previous create with this idempotency key made, if any."""
        if not key:
            return None
        row = self.conn.execute(
            "SELECT item_id FROM idempotency WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return None if row is None else str(row[0])

    def remember(self, kind: str, key: str | None, item_id: str) -> None:
        if key:
            self.conn.execute(
                "INSERT INTO idempotency(kind, key, item_id, created_ts) VALUES (?, ?, ?, ?)",
                (kind, key, item_id, to_epoch(self.now)),
            )


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    return json.loads(text)


def chunks(items: Sequence[str], size: int = _MAX_PARAMS) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def placeholders(count: int) -> str:
    return ",".join("?" * count)


# --------------------------------------------------------------------------- meta


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# --------------------------------------------------------------------------- zones, rooms, assets


def insert_zone(conn: sqlite3.Connection, zone: Zone) -> None:
    conn.execute(
        "INSERT INTO zones(id, name, kind, parent_id, timezone, tags, description) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (zone.id, zone.name, zone.kind.value, zone.parent_id, zone.timezone, dumps(zone.tags), zone.description),
    )


def zone_from_row(row: sqlite3.Row) -> Zone:
    return Zone(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        parent_id=row["parent_id"],
        timezone=row["timezone"],
        tags=loads(row["tags"], []),
        description=row["description"],
    )


def all_zones(conn: sqlite3.Connection) -> list[Zone]:
    return [zone_from_row(r) for r in conn.execute("SELECT * FROM zones")]


def find_zone(conn: sqlite3.Connection, zone_id: str) -> Zone | None:
    row = conn.execute("SELECT * FROM zones WHERE id = ?", (zone_id,)).fetchone()
    return None if row is None else zone_from_row(row)


def insert_room(conn: sqlite3.Connection, room: Room, *, requires_approval: bool = False) -> None:
    conn.execute(
        "INSERT INTO rooms(id, email, name, zone_ids, capacity, features, bookable, accessible, "
        "requires_approval, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            room.id,
            room.email.lower(),
            room.name,
            dumps(room.zone_ids),
            room.capacity,
            dumps(room.features),
            int(room.bookable),
            int(room.accessible),
            int(requires_approval),
            room.description,
        ),
    )
    # The index of rooms by zone (schema step 2): a zone's rooms are read without the estate.
    conn.executemany(
        "INSERT OR IGNORE INTO room_zones(room_id, zone_id) VALUES (?, ?)", [(room.id, z) for z in room.zone_ids]
    )


def room_from_row(row: sqlite3.Row) -> Room:
    return Room(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        zone_ids=loads(row["zone_ids"], []),
        capacity=row["capacity"],
        features=loads(row["features"], []),
        bookable=bool(row["bookable"]),
        accessible=bool(row["accessible"]),
        description=row["description"],
    )


def all_rooms(conn: sqlite3.Connection) -> list[Room]:
    return [room_from_row(r) for r in conn.execute("SELECT * FROM rooms ORDER BY id")]


def find_room(conn: sqlite3.Connection, room_id_or_email: str) -> Room | None:
    key = room_id_or_email.strip()
    row = conn.execute(
        "SELECT * FROM rooms WHERE id = ? OR email = ?", (key, key.lower())
    ).fetchone()
    return None if row is None else room_from_row(row)


def room_approval_flag(conn: sqlite3.Connection, room_id: str) -> bool:
    row = conn.execute("SELECT requires_approval FROM rooms WHERE id = ?", (room_id,)).fetchone()
    return bool(row and row[0])


def insert_asset(conn: sqlite3.Connection, asset: Asset) -> None:
    conn.execute(
        "INSERT INTO assets(id, type, name, zone_ids, features) VALUES (?, ?, ?, ?, ?)",
        (asset.id, asset.type, asset.name, dumps(list(asset.zone_ids)), dumps(list(asset.features))),
    )


def asset_from_row(row: sqlite3.Row) -> Asset:
    return Asset(
        id=row["id"],
        type=row["type"],
        name=row["name"],
        zone_ids=tuple(loads(row["zone_ids"], [])),
        features=tuple(loads(row["features"], [])),
    )


def find_asset(conn: sqlite3.Connection, asset_id: str) -> Asset | None:
    row = conn.execute("SELECT * FROM assets WHERE id = ?", (asset_id,)).fetchone()
    return None if row is None else asset_from_row(row)


def all_assets(conn: sqlite3.Connection) -> list[Asset]:
    return [asset_from_row(r) for r in conn.execute("SELECT * FROM assets ORDER BY id")]


# --------------------------------------------------------------------------- directory


def insert_user(conn: sqlite3.Connection, user: User) -> None:
    conn.execute(
        "INSERT INTO users(id, email, name, phone, department, title, office_location, manager_email, suspended) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user.id,
            user.email.lower(),
            user.name,
            user.phone,
            user.department,
            user.title,
            user.office_location,
            user.manager_email.lower() if user.manager_email else None,
            int(user.suspended),
        ),
    )


def user_from_row(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        phone=row["phone"],
        department=row["department"],
        title=row["title"],
        office_location=row["office_location"],
        manager_email=row["manager_email"],
        suspended=bool(row["suspended"]),
    )


def find_user(conn: sqlite3.Connection, user_id_or_email: str) -> User | None:
    key = user_id_or_email.strip()
    row = conn.execute("SELECT * FROM users WHERE id = ? OR email = ?", (key, key.lower())).fetchone()
    return None if row is None else user_from_row(row)


def insert_group(conn: sqlite3.Connection, group: Group, member_emails: Iterable[str]) -> None:
    conn.execute(
        "INSERT INTO directory_groups(id, name, email, description) VALUES (?, ?, ?, ?)",
        (group.id, group.name, group.email, group.description),
    )
    conn.executemany(
        "INSERT INTO group_members(group_id, user_email) VALUES (?, ?)",
        [(group.id, email.lower()) for email in member_emails],
    )


def group_from_row(row: sqlite3.Row) -> Group:
    return Group(id=row["id"], name=row["name"], email=row["email"], description=row["description"])
