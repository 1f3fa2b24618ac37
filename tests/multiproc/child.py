"""What a desk does in its own process, for the multi-process tests of the local site.

Children are forked from the test process (staffterm is imported once, not once per child), so
twenty desks start in a fraction of a second. Each child writes one JSON line per thing it did
with a single ``os.write`` straight to its own log file: a line is on disk the moment the call
returns, so a parent that kills the child with SIGKILL knows exactly which writes were reported
done.
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.local.db import LocalDatabase
from staffterm.errors import StafftermError
from staffterm.models import BookingDraft, EventDraft

WRITER_START = datetime(2030, 1, 1, tzinfo=timezone.utc)


class Log:
    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def say(self, **fields: Any) -> None:
        os.write(self.fd, (json.dumps(fields) + "\n").encode())


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def desk_draft(asset: str, start: datetime, minutes: int, user: str, **extra: Any) -> BookingDraft:
    return BookingDraft(
        type="desk", asset_ids=[asset], start=start, end=start + timedelta(minutes=minutes),
        user_email=user, title=f"desk for {user}", **extra,
    )


def first_open(log_path: Path, database: Path, start_line: Any) -> None:
    """Open a new database the way every staffterm does: the schema, then the demo seed."""
    log = Log(log_path)
    start_line.wait()

    async def run() -> None:
        db = LocalDatabase(database)
        try:
            await db.open()
        except StafftermError as exc:
            log.say(event="error", kind=exc.kind, message=str(exc))
            return
        steps = getattr(db, "migrations_applied", None)
        await db.close()
        backend = LocalBackend("multi", database=database, seed_demo=True)
        try:
            rooms = await backend.list_rooms()
        except StafftermError as exc:
            log.say(event="error", kind=exc.kind, message=str(exc))
            return
        finally:
            await backend.close()
        log.say(event="opened", migrations=steps, rooms=len(rooms))

    asyncio.run(run())


def book_once(log_path: Path, database: Path, start_line: Any, kind: str, place: str, start: datetime, user: str) -> None:
    """Open the site, wait at the line for the other desks, then book ``place`` for an hour
    from ``start``: a meeting in a room's calendar (``kind`` "room") or a desk booking."""
    log = Log(log_path)

    async def run() -> None:
        backend = LocalBackend("multi", database=database, seed_demo=False)
        try:
            await backend.open()
            room = await backend.get_room(place) if kind == "room" else None
            await asyncio.to_thread(start_line.wait)
            if room is not None:
                draft = EventDraft(
                    title=f"meeting of {user}", start=start, end=start + timedelta(hours=1), host=user, room_ids=[room.id]
                )
                made = await backend.create_event(room.email, draft)
            else:
                made = await backend.create_booking(desk_draft(place, start, 60, user))
            log.say(event="booked", id=made.id, user=user)
        except StafftermError as exc:
            log.say(event="error", kind=exc.kind, message=str(exc), user=user)
        finally:
            await backend.close()

    asyncio.run(run())


def write_forever(log_path: Path, database: Path, prefix: str, first_day: int) -> None:
    """Book one desk after another (each desk, then the next hour; from ``first_day`` days
    after 2030-01-01) until killed; log each booking once the backend reported it done."""
    log = Log(log_path)

    async def run() -> None:
        backend = LocalBackend("multi", database=database, seed_demo=False)
        await backend.open()
        desks = [a.id for a in await backend.list_assets(type="desk")]
        log.say(event="ready")
        n = 0
        while True:
            slot = WRITER_START + timedelta(days=first_day, hours=n // len(desks))
            draft = desk_draft(
                desks[n % len(desks)], slot, 60, f"writer-{prefix}@acme.example",
                description=f"{prefix}-{n} " + "x" * 2000,
            )
            booking = await backend.create_booking(draft, idempotency_key=f"{prefix}-{n}")
            log.say(event="booked", id=booking.id, n=n)
            n += 1

    asyncio.run(run())
