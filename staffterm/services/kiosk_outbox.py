"""The lobby kiosk's durable outbox: guest check-ins taken while the backend could not be
reached, sent exactly once, in order, when it returns.

One SQLite file in the user data dir. Every check-in goes through it (online ones are sent at
once), so there is one path. Each entry moves through states, each committed before the next
step starts, so a restart (or ``kill -9``) at any point resumes where it stopped:

``queued`` → (notice accepted, guest checked in: both absolute writes, the same when sent
twice) → ``checked_in`` → ``notifying`` (committed before the mail is sent) → ``done``.

A mail whose reply was lost (an entry found in ``notifying``) is never guessed at: it is looked
up in the backend's sent mail (``list_outbox``) and re-sent only when it is not there; a backend
that cannot be asked records the entry as done with a note that the host may not have been told.
Only one process drains at a time (an exclusive lock on a side file, released by the kernel when
the process dies).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from staffterm import paths
from staffterm.backends.base import Capability
from staffterm.errors import StafftermError, UnavailableError
from staffterm.models import Guest, GuestPatch
from staffterm.services.reception import ReceptionService

log = logging.getLogger(__name__)

OUTBOX_FILE = "kiosk-outbox.sqlite3"
NOTICE_VERSION_KEY = "kiosk_notice_version"
NOTICE_ACCEPTED_KEY = "kiosk_notice_accepted_at"
CHECKED_IN_FROM_KEY = "kiosk_checked_in_from"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    guest_id TEXT NOT NULL,
    kiosk TEXT NOT NULL DEFAULT '',
    notice_version TEXT,
    taken_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    notify_started_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    note TEXT,
    done_at TEXT
);
"""

PENDING_STATES = ("queued", "checked_in", "notifying")


def default_outbox_path() -> Path:
    return paths.data_dir() / OUTBOX_FILE


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    tenant: str
    guest_id: str
    kiosk: str
    notice_version: str | None
    taken_at: str
    state: str
    notify_started_at: str | None
    attempts: int
    last_error: str | None
    note: str | None


@dataclass(frozen=True)
class DrainResult:
    sent: list[int]
    failed: list[int]
    waiting: int
    error: str | None = None

    @property
    def backend_down(self) -> bool:
        return self.error is not None


class KioskOutbox:
    """The outbox file. Its SQLite work is small and runs in a thread, off the event loop."""

    def __init__(self, path: Path | None = None, *, tenant: str = "") -> None:
        self.path = Path(path) if path is not None else default_outbox_path()
        self.tenant = tenant
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            # WAL + synchronous=FULL: a committed state survives a power cut, not just a crash.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    # ----------------------------------------------------------------- rows

    def _add(self, guest_id: str, notice_version: str | None, taken_at: datetime, kiosk: str) -> int:
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO entries(tenant, guest_id, kiosk, notice_version, taken_at) VALUES (?, ?, ?, ?, ?)",
                (self.tenant, guest_id, kiosk, notice_version, taken_at.isoformat()),
            )
            return int(cur.lastrowid or 0)

    async def add(self, guest_id: str, *, taken_at: datetime, notice_version: str | None = None, kiosk: str = "") -> int:
        """Record a check-in durably; returns its place in the queue."""
        return await asyncio.to_thread(self._add, guest_id, notice_version, taken_at, kiosk)

    def _entries(self, states: tuple[str, ...] | None) -> list[OutboxEntry]:
        with self._db() as db:
            sql = ("SELECT seq, tenant, guest_id, kiosk, notice_version, taken_at, state, notify_started_at, attempts, "
                   "last_error, note FROM entries WHERE tenant = ?")
            args: list[object] = [self.tenant]
            if states:
                sql += f" AND state IN ({','.join('?' * len(states))})"
                args.extend(states)
            rows = db.execute(sql + " ORDER BY seq", args).fetchall()
        return [OutboxEntry(*row) for row in rows]

    async def entries(self, *, pending_only: bool = False) -> list[OutboxEntry]:
        return await asyncio.to_thread(self._entries, PENDING_STATES if pending_only else None)

    def _set(self, seq: int, **values: object) -> None:
        names = ", ".join(f"{k} = ?" for k in values)
        with self._db() as db:
            db.execute(f"UPDATE entries SET {names} WHERE seq = ?", [*values.values(), seq])

    async def _update(self, seq: int, **values: object) -> None:
        await asyncio.to_thread(self._set, seq, **values)

    # ----------------------------------------------------------------- draining

    @contextlib.contextmanager
    def _drain_lock(self) -> Iterator[bool]:
        lock_path = self.path.with_suffix(".lock")
        handle = open(lock_path, "a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    async def drain(self, reception: ReceptionService) -> DrainResult:
        """Send what is waiting, oldest first. Stops at the first outage (order is kept: nothing
        later is sent before it); an entry the backend refuses for good (the visit is gone) is
        marked failed and the rest go on."""
        sent: list[int] = []
        failed: list[int] = []
        with self._drain_lock() as mine:
            if not mine:
                waiting = len(await self.entries(pending_only=True))
                return DrainResult(sent, failed, waiting, None)
            for entry in await self.entries(pending_only=True):
                try:
                    await self._send(entry, reception)
                except UnavailableError as exc:
                    await self._update(entry.seq, attempts=entry.attempts + 1, last_error=str(exc))
                    waiting = len(await self.entries(pending_only=True))
                    return DrainResult(sent, failed, waiting, str(exc))
                except StafftermError as exc:
                    log.warning("kiosk check-in %s for %s failed: %s", entry.seq, entry.guest_id, exc)
                    await self._update(entry.seq, state="failed", last_error=str(exc), attempts=entry.attempts + 1,
                                       done_at=reception.clock.now().isoformat())
                    failed.append(entry.seq)
                    continue
                sent.append(entry.seq)
        return DrainResult(sent, failed, len(await self.entries(pending_only=True)), None)

    async def _send(self, entry: OutboxEntry, reception: ReceptionService) -> None:
        backend = reception.backend
        now = reception.clock.now
        state = entry.state
        guest: Guest | None = None
        if state == "queued":
            extra: dict[str, object] = {CHECKED_IN_FROM_KEY: entry.kiosk or "kiosk"}
            if entry.notice_version:
                extra |= {NOTICE_VERSION_KEY: entry.notice_version, NOTICE_ACCEPTED_KEY: entry.taken_at}
            if backend.supports(Capability.GUESTS):
                # Absolute values: sent twice after a lost reply, they land the same.
                await backend.update_guest(entry.guest_id, GuestPatch(extension_data=extra))
            guest = await backend.check_in_guest(entry.guest_id)
            await self._update(entry.seq, state="checked_in")
            state = "checked_in"
        if guest is None:
            guest = await backend.get_guest(entry.guest_id)
        if state == "notifying":
            if await self._already_sent(entry, guest, reception):
                await self._update(entry.seq, state="done", done_at=now().isoformat(), note="the host's mail was found sent")
                return
            if not backend.supports(Capability.OUTBOX):
                await self._update(entry.seq, state="done", done_at=now().isoformat(),
                                   note="the host may not have been told: the reply to their mail was lost and it cannot be looked up")
                return
        message = await reception.host_notice(guest)
        if message is None:
            await self._update(entry.seq, state="done", done_at=now().isoformat(), note="no host mail to send")
            return
        if not backend.supports(Capability.MAIL):
            await self._update(entry.seq, state="done", done_at=now().isoformat(), note="this backend cannot send mail")
            return
        started = now().isoformat()
        await self._update(entry.seq, state="notifying", notify_started_at=started)
        await backend.send_mail(message)
        await self._update(entry.seq, state="done", done_at=now().isoformat(), note="host told")

    async def _already_sent(self, entry: OutboxEntry, guest: Guest, reception: ReceptionService) -> bool:
        """Was the host's mail for this entry sent before the crash? Looked up, never guessed."""
        backend = reception.backend
        if not backend.supports(Capability.OUTBOX) or entry.notify_started_at is None:
            return False
        message = await reception.host_notice(guest)
        if message is None:
            return True
        since = datetime.fromisoformat(entry.notify_started_at)
        for sent in await backend.list_outbox(limit=500):
            if (
                [a.lower() for a in sent.to] == [a.lower() for a in message.to]
                and sent.subject == message.subject
                and sent.sent_at is not None
                and sent.sent_at >= since
            ):
                return True
        return False


__all__ = ["DrainResult", "KioskOutbox", "OutboxEntry", "default_outbox_path"]
