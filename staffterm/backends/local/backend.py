"""The embedded local backend: a real site kept in one SQLite file.

With no configuration staffterm opens the demo site on this backend; a small office with no
cloud calendar can run on it for real (bookings persist, clashes are refused, check-ins stick).

All database work runs on one dedicated thread (``db``); this class only validates the
call, hands a function to that thread and awaits the result, so the event loop never blocks.
Methods open the database on first use, so a CLI can call them without ``open()``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from staffterm.backends.base import Backend
from staffterm.backends.coerce import as_model, require_text
from staffterm.backends.local import bookings, busy, directory, events, guests, places
from staffterm.backends.local.db import LocalDatabase, claim_backup_path, write_backup
from staffterm.backends.local.demo import store as demo_store
from staffterm.backends.local.demo.seed import local_dates
from staffterm.backends.local.store import LocalConfig, Session, config_from_settings
from staffterm.capabilities import Capability
from staffterm.clock import SYSTEM_CLOCK, Clock
from staffterm.errors import ConfigError, NotSupportedError, invalid_input_from
from staffterm.models import (
    Asset,
    Booking,
    BookingDraft,
    BookingPatch,
    BookingQuery,
    Calendar,
    Event,
    EventDraft,
    EventPatch,
    Group,
    Guest,
    GuestDraft,
    GuestPatch,
    MailMessage,
    Room,
    RoomAvailability,
    User,
    Zone,
)
from staffterm.paths import default_database_path

T = TypeVar("T")


def _default_path(tenant_name: str) -> Path:
    name = tenant_name.strip()
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise ConfigError(
            f"tenant name {tenant_name!r} cannot name a database file",
            key="database",
            hint="Use a plain name (letters, digits, dashes) or set the tenant's database path.",
        )
    return default_database_path(name)


class LocalBackend(Backend):
    provider: ClassVar[str] = "local"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)

    def __init__(
        self,
        tenant_name: str = "demo",
        settings: object | None = None,
        *,
        database: Path | None = None,
        clock: Clock | None = None,
        seed_demo: bool | None = None,
    ) -> None:
        super().__init__(tenant_name, settings)
        configured = getattr(settings, "database", None)
        path = database if database is not None else configured
        self.database_path = Path(path).expanduser() if path else _default_path(tenant_name)
        self.seed_demo = bool(getattr(settings, "demo", True)) if seed_demo is None else seed_demo
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.config: LocalConfig = config_from_settings(settings)
        self._db = LocalDatabase(self.database_path)
        self._open_lock = asyncio.Lock()
        self._seeded_dates: dict[str, date] = {}

    # ----------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        async with self._open_lock:
            if not self._db.is_open:
                await self._db.open()
            await self._seed_if_due()

    async def close(self) -> None:
        async with self._open_lock:
            await self._db.close()
            self._seeded_dates = {}

    async def _seed_if_due(self) -> None:
        if not self.seed_demo:
            return
        today = local_dates(self.clock.now())
        if today == self._seeded_dates:
            return

        def seed(s: Session) -> None:
            demo_store.seed_estate(s)
            demo_store.seed_today(s)

        await self._db.run(self._bind(seed), write=True)
        self._seeded_dates = today

    async def _ready(self) -> None:
        if not self._db.is_open:
            await self.open()
        elif self.seed_demo and local_dates(self.clock.now()) != self._seeded_dates:
            # A console left running past midnight gets the new day's demo meetings.
            async with self._open_lock:
                await self._seed_if_due()

    def _bind(self, work: Callable[[Session], T]) -> Callable[[Any], T]:
        def run(conn: Any) -> T:
            session = Session(conn=conn, now=self.clock.now(), config=self.config)
            try:
                return work(session)
            except ValidationError as exc:
                raise invalid_input_from(exc) from None

        return run

    async def _read(self, work: Callable[[Session], T]) -> T:
        await self._ready()
        return await self._db.run(self._bind(work), write=False)

    async def _write(self, work: Callable[[Session], T]) -> T:
        await self._ready()
        return await self._db.run(self._bind(work), write=True)

    async def check(self) -> list[str]:
        zones = await self.list_zones()
        rooms = await self.list_rooms()
        return [
            f"local database {self.database_path}",
            f"site {await self.site_name()}: {len(zones)} zones, {len(rooms)} rooms",
        ]

    async def site_name(self) -> str:
        return await self._read(lambda s: demo_store.site_name(s, self.tenant_name))

    def request_stats(self) -> tuple[int, int]:
        """(queued, in flight) database operations, for the console's header."""
        return self._db.stats()

    async def reset_demo(self) -> None:
        """Wipe every row and seed the demo site again for today (demo sites only)."""
        if not self.seed_demo:
            # A real office's bookings, rooms and people are never wiped by a demo command.
            raise NotSupportedError(
                f"tenant {self.tenant_name!r} is not a demo site; a demo reset would wipe its real data",
                capability="demo",
                hint=f"To start this site over, run `staffterm site reset --tenant {self.tenant_name} "
                f"--confirm {self.tenant_name}` (a backup is kept).",
            )
        await self._ready()

        def reset(s: Session) -> None:
            demo_store.wipe(s)
            demo_store.seed_estate(s)
            demo_store.seed_today(s)

        await self._db.run(self._bind(reset), write=True)
        self._seeded_dates = local_dates(self.clock.now())

    async def reset_site(self) -> Path:
        """Back the file up, then delete every row (a demo site is seeded again); returns the
        backup's path. The backup is taken under the write lock, so it holds exactly what was
        wiped: no other desk can commit in between."""
        await self._ready()
        backup = claim_backup_path(self.database_path, self.clock.now())

        def reset(s: Session) -> None:
            write_backup(self.database_path, backup)
            demo_store.wipe(s)
            if self.seed_demo:
                demo_store.seed_estate(s)
                demo_store.seed_today(s)

        try:
            await self._db.run(self._bind(reset), write=True)
        except BaseException:
            backup.unlink(missing_ok=True)  # nothing was wiped: no half-made backup left behind
            raise
        self._seeded_dates = local_dates(self.clock.now()) if self.seed_demo else {}
        return backup

    async def seed_demo_estate(self) -> bool:
        """Write the demo estate (zones, rooms, desks, people) without any day's activity.

        For a site with ``demo`` off that wants the sample building to start from; returns
        False when the estate was already there.
        """
        return await self._write(demo_store.seed_estate)

    async def list_audit(self, limit: int = 100) -> list[dict[str, Any]]:
        return await self._read(lambda s: directory.list_audit(s, limit=limit))

    # ----------------------------------------------------------------- zones and rooms

    async def list_zones(
        self, *, parent_id: str | None = None, kind: str | None = None, tags: Sequence[str] = (), query: str | None = None
    ) -> list[Zone]:
        return await self._read(
            lambda s: places.list_zones(s, parent_id=parent_id, kind=kind, tags=tuple(tags), query=query)
        )

    async def get_zone(self, zone_id: str) -> Zone:
        zone_id = require_text(zone_id, "zone_id")
        return await self._read(lambda s: places.get_zone(s, zone_id))

    async def list_rooms(
        self,
        *,
        zone_id: str | None = None,
        capacity: int | None = None,
        features: Sequence[str] = (),
        bookable: bool | None = None,
        query: str | None = None,
    ) -> list[Room]:
        return await self._read(
            lambda s: places.list_rooms(
                s, zone_id=zone_id, capacity=capacity, features=tuple(features), bookable=bookable, query=query
            )
        )

    async def get_room(self, room_id: str) -> Room:
        room_id = require_text(room_id, "room_id")
        return await self._read(lambda s: places.require_room(s, room_id))

    async def list_assets(self, *, type: str | None = None, zone_id: str | None = None) -> list[Asset]:
        """Desks, parking spaces and lockers (not in the base contract)."""
        return await self._read(lambda s: places.list_assets(s, type=type, zone_id=zone_id))

    async def free_busy(
        self,
        start: datetime,
        end: datetime,
        *,
        room_ids: Sequence[str] = (),
        zone_id: str | None = None,
    ) -> list[RoomAvailability]:
        ids = list(room_ids)
        return await self._read(lambda s: busy.free_busy(s, start, end, ids, zone_id))

    # ----------------------------------------------------------------- events

    async def list_events(
        self, calendar_id: str, start: datetime, end: datetime, *, include_cancelled: bool = False
    ) -> list[Event]:
        return await self._read(lambda s: events.list_events(s, calendar_id, start, end, include_cancelled))

    async def get_event(self, calendar_id: str, event_id: str) -> Event:
        return await self._read(lambda s: events.get_event(s, calendar_id, event_id))

    async def create_event(self, calendar_id: str, draft: EventDraft, *, idempotency_key: str | None = None) -> Event:
        draft = as_model(EventDraft, draft, "meeting")
        return await self._write(lambda s: events.create_event(s, calendar_id, draft, idempotency_key))

    async def update_event(self, calendar_id: str, event_id: str, patch: EventPatch, *, notify: bool = True) -> Event:
        patch = as_model(EventPatch, patch, "meeting change")
        return await self._write(lambda s: events.update_event(s, calendar_id, event_id, patch, notify))

    async def delete_event(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        await self._write(lambda s: events.delete_event(s, calendar_id, event_id, notify, comment))

    async def decline_event(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        await self._write(lambda s: events.decline_event(s, calendar_id, event_id, notify, comment))

    async def approve_event(self, room_id: str, event_id: str) -> Event:
        return await self._write(lambda s: events.approve_event(s, room_id, event_id))

    async def reject_event(self, room_id: str, event_id: str) -> Event:
        return await self._write(lambda s: events.reject_event(s, room_id, event_id))

    # ----------------------------------------------------------------- bookings

    async def query_bookings(self, query: BookingQuery) -> list[Booking]:
        query = as_model(BookingQuery, query, "booking query")
        return await self._read(lambda s: bookings.query_bookings(s, query))

    async def get_booking(self, booking_id: str) -> Booking:
        return await self._read(lambda s: bookings.require_booking(s, booking_id))

    async def create_booking(
        self,
        draft: BookingDraft,
        *,
        booked_by: str | None = None,
        idempotency_key: str | None = None,
        limit_override: int | None = None,
    ) -> Booking:
        draft = as_model(BookingDraft, draft, "booking")
        return await self._write(
            lambda s: bookings.create_booking(s, draft, booked_by, idempotency_key, limit_override)
        )

    async def update_booking(self, booking_id: str, patch: BookingPatch) -> Booking:
        patch = as_model(BookingPatch, patch, "booking change")
        return await self._write(lambda s: bookings.update_booking(s, booking_id, patch))

    async def approve_booking(self, booking_id: str, *, approver: str | None = None) -> Booking:
        return await self._write(lambda s: bookings.approve_booking(s, booking_id, approver))

    async def reject_booking(self, booking_id: str, *, approver: str | None = None) -> Booking:
        return await self._write(lambda s: bookings.reject_booking(s, booking_id, approver))

    async def check_in_booking(self, booking_id: str, *, state: bool = True) -> Booking:
        return await self._write(lambda s: bookings.check_in_booking(s, booking_id, bool(state)))

    async def set_booking_state(self, booking_id: str, state: str) -> Booking:
        return await self._write(lambda s: bookings.set_booking_state(s, booking_id, state))

    async def delete_booking(self, booking_id: str) -> None:
        await self._write(lambda s: bookings.delete_booking(s, booking_id))

    # ----------------------------------------------------------------- guests

    async def query_guests(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        zone_id: str | None = None,
        query: str | None = None,
    ) -> list[Guest]:
        return await self._read(lambda s: guests.query_guests(s, start, end, zone_id, query))

    async def get_guest(self, guest_id: str) -> Guest:
        return await self._read(lambda s: guests.require_guest(s, guest_id))

    async def create_guest(self, draft: GuestDraft, *, idempotency_key: str | None = None) -> Guest:
        draft = as_model(GuestDraft, draft, "guest")
        return await self._write(lambda s: guests.create_guest(s, draft, idempotency_key))

    async def update_guest(self, guest_id: str, patch: GuestPatch) -> Guest:
        patch = as_model(GuestPatch, patch, "guest change")
        return await self._write(lambda s: guests.update_guest(s, guest_id, patch))

    async def check_in_guest(self, guest_id: str, *, state: bool = True) -> Guest:
        return await self._write(lambda s: guests.check_in_guest(s, guest_id, bool(state)))

    # ----------------------------------------------------------------- directory

    async def list_users(self, *, query: str | None = None, limit: int = 100) -> list[User]:
        return await self._read(lambda s: directory.list_users(s, query=query, limit=limit))

    async def get_user(self, user_id: str) -> User:
        return await self._read(lambda s: directory.require_user(s, user_id))

    async def user_manager(self, user_id: str) -> User | None:
        return await self._read(lambda s: directory.user_manager(s, user_id))

    async def user_groups(self, user_id: str) -> list[Group]:
        return await self._read(lambda s: directory.user_groups(s, user_id))

    async def list_groups(self, *, query: str | None = None) -> list[Group]:
        return await self._read(lambda s: directory.list_groups(s, query=query))

    async def group_members(self, group_id: str) -> list[User]:
        group_id = require_text(group_id, "group_id")
        return await self._read(lambda s: directory.group_members(s, group_id))

    async def list_calendars(self, user_id: str) -> list[Calendar]:
        return await self._read(lambda s: directory.list_calendars(s, user_id))

    # ----------------------------------------------------------------- mail

    async def send_mail(self, message: MailMessage) -> MailMessage:
        message = as_model(MailMessage, message, "mail")
        return await self._write(lambda s: directory.send_mail(s, message))

    async def list_outbox(self, *, limit: int = 100) -> list[MailMessage]:
        return await self._read(lambda s: directory.list_outbox(s, limit=limit))


__all__ = ["LocalBackend", "default_database_path"]
