"""What a kiosk last knew, kept on disk so a kiosk restarted during an outage still has it: the
room panel's day and the lobby's list of today's visits.

One SQLite file in the user data dir, next to the outbox. Each kiosk keeps one snapshot per room
or building, replaced whenever the backend answers, and read back only when the backend cannot
be reached and the kiosk has nothing in memory (it just started). A snapshot is used only on
the day it describes: a panel restarted tomorrow during an outage shows no day rather than
yesterday's.

A panel in a public place keeps no more than it may show: titles (and organisers) of meetings
the panel masks are not written at all. The lobby's snapshot holds today's visitors, which the
kiosk needs to find a visit offline; the file is readable by its owner only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from staffterm import paths
from staffterm.models import Guest, Room
from staffterm.services.room_panel import PanelDay, PanelMeeting, Privacy

log = logging.getLogger(__name__)

MEMORY_FILE = "kiosk-memory.sqlite3"
PANEL_DAY = "panel-day"
LOBBY_VISITS = "lobby-visits"
#: Snapshots this long past their day are deleted when another is saved.
KEEP = timedelta(days=2)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    kind TEXT NOT NULL,
    tenant TEXT NOT NULL,
    subject TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, tenant, subject)
);
"""


def default_memory_path() -> Path:
    return paths.data_dir() / MEMORY_FILE


@dataclass(frozen=True)
class RememberedVisits:
    guests: list[Guest]
    # When the backend last gave this list, and until when it is today's.
    saved_at: datetime
    valid_until: datetime
    # The building's time zone, to say "as of 09:12" in the building's time.
    tz: tzinfo


# ------------------------------------------------------------------------------- panel day codec


def _tz_text(tz: tzinfo) -> str:
    if isinstance(tz, ZoneInfo):
        return tz.key
    offset = datetime.now(tz).utcoffset() or timedelta(0)
    return f"offset:{int(offset.total_seconds())}"


def _tz_from(text: str) -> tzinfo:
    if text.startswith("offset:"):
        return timezone(timedelta(seconds=int(text.split(":", 1)[1])))
    return ZoneInfo(text)


def _masked(meeting: PanelMeeting, privacy: Privacy) -> bool:
    return meeting.private or privacy == "private"


def panel_day_body(day: PanelDay, privacy: Privacy) -> str:
    meetings = [
        {
            "start": m.start.isoformat(),
            "end": m.end.isoformat(),
            "event_id": m.event_id,
            # A masked title is never shown, so it is never stored either.
            "title": "" if _masked(m, privacy) else m.title,
            "host": "" if _masked(m, privacy) else m.host,
            "private": m.private,
            "checked_in": m.checked_in,
        }
        for m in day.meetings
    ]
    return json.dumps({
        "room": day.room.model_dump(mode="json"),
        "tz": _tz_text(day.tz),
        "day_start": day.day_start.isoformat(),
        "day_end": day.day_end.isoformat(),
        "loaded_at": day.loaded_at.isoformat(),
        "knows_events": day.knows_events,
        "can_write": day.can_write,
        "meetings": meetings,
    })


def panel_day_from(body: str) -> PanelDay:
    data: dict[str, Any] = json.loads(body)
    when = datetime.fromisoformat
    meetings = tuple(
        PanelMeeting(
            start=when(m["start"]), end=when(m["end"]), event_id=m["event_id"], title=m["title"], private=m["private"],
            host=m["host"], checked_in=m["checked_in"],
        )
        for m in data["meetings"]
    )
    return PanelDay(
        Room.model_validate(data["room"]), _tz_from(data["tz"]), when(data["day_start"]), when(data["day_end"]), meetings,
        when(data["loaded_at"]), knows_events=data["knows_events"], can_write=data["can_write"],
    )


# ------------------------------------------------------------------------------- the file


class KioskMemory:
    """The snapshot file. Its SQLite work is small and runs in a thread, off the event loop."""

    def __init__(self, path: Path | None = None, *, tenant: str = "") -> None:
        self.path = Path(path) if path is not None else default_memory_path()
        self.tenant = tenant
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Today's visitors are personal data: the file is its owner's alone.
        self.path.touch(mode=0o600, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    def _put(self, kind: str, subject: str, saved_at: datetime, valid_until: datetime, body: str) -> None:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT OR REPLACE INTO snapshots(kind, tenant, subject, saved_at, valid_until, body) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, self.tenant, subject, saved_at.isoformat(), valid_until.astimezone(UTC).isoformat(), body),
            )
            stale = (saved_at - KEEP).astimezone(UTC).isoformat()
            db.execute("DELETE FROM snapshots WHERE valid_until < ?", (stale,))
            db.execute("COMMIT")

    def _get(self, kind: str, subject: str, now: datetime) -> tuple[str, str, str] | None:
        with self._db() as db:
            row = db.execute(
                "SELECT saved_at, body, valid_until FROM snapshots WHERE kind = ? AND tenant = ? AND subject = ? AND valid_until > ?",
                (kind, self.tenant, subject, now.astimezone(UTC).isoformat()),
            ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    async def _save(self, kind: str, subject: str, saved_at: datetime, valid_until: datetime, body: str) -> None:
        """Best effort: a kiosk that cannot write its memory (a full disk) still works online."""
        try:
            await asyncio.to_thread(self._put, kind, subject, saved_at, valid_until, body)
        except (OSError, sqlite3.Error) as exc:
            log.warning("kiosk could not keep its %s for %s: %s", kind, subject, exc)

    async def _load(self, kind: str, subject: str, now: datetime) -> tuple[str, str, str] | None:
        try:
            return await asyncio.to_thread(self._get, kind, subject, now)
        except (OSError, sqlite3.Error) as exc:
            log.warning("kiosk could not read its %s for %s: %s", kind, subject, exc)
            return None

    # ----------------------------------------------------------------- the panel's day

    async def save_panel_day(self, room_key: str, day: PanelDay, privacy: Privacy) -> None:
        await self._save(PANEL_DAY, room_key, day.loaded_at, day.day_end, panel_day_body(day, privacy))

    async def load_panel_day(self, room_key: str, now: datetime) -> PanelDay | None:
        """The room's day as last read, if it is the day of ``now``."""
        found = await self._load(PANEL_DAY, room_key, now)
        if found is None:
            return None
        try:
            day = panel_day_from(found[1])
        except (ValueError, KeyError, TypeError, ValidationError, ZoneInfoNotFoundError) as exc:
            log.warning("the panel's remembered day for %s is unreadable: %s", room_key, exc)
            return None
        return day if day.day_start <= now < day.day_end else None

    # ----------------------------------------------------------------- the lobby's visits

    async def save_visits(
        self, building_id: str, guests: list[Guest], *, saved_at: datetime, valid_until: datetime, tz: tzinfo,
    ) -> None:
        body = json.dumps({"tz": _tz_text(tz), "guests": [g.model_dump(mode="json") for g in guests]})
        await self._save(LOBBY_VISITS, building_id, saved_at, valid_until, body)

    async def load_visits(self, building_id: str, now: datetime) -> RememberedVisits | None:
        found = await self._load(LOBBY_VISITS, building_id, now)
        if found is None:
            return None
        try:
            data = json.loads(found[1])
            guests = [Guest.model_validate(g) for g in data["guests"]]
            return RememberedVisits(guests, datetime.fromisoformat(found[0]), datetime.fromisoformat(found[2]), _tz_from(data["tz"]))
        except (ValueError, KeyError, TypeError, ValidationError, ZoneInfoNotFoundError) as exc:
            log.warning("the lobby's remembered visits for %s are unreadable: %s", building_id, exc)
            return None


__all__ = ["KioskMemory", "RememberedVisits", "default_memory_path", "panel_day_body", "panel_day_from"]
