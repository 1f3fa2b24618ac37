"""What every command needs: the parsed options, the config, the tenant's session, the clock,
and which building's time zone to read and show times in."""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Iterable, Sequence
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from staffterm.cli.parser import UsageError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend
    from staffterm.clock import Clock, FrozenClock
    from staffterm.config import Config
    from staffterm.models import Room, Zone
    from staffterm.services.estate import Estate
    from staffterm.services.session import Session

FROZEN_NOW_ENV = "STAFFTERM_FROZEN_NOW"
T = TypeVar("T")


class CommandContext:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json: bool = bool(getattr(args, "json", False))
        # The zone failures (e.g. a clash) are shown in; commands set it once they know the building.
        self.display_tz: tzinfo | None = None
        # The room or asset a write was about, for clash lines whose items do not name it.
        self.target: str | None = None

    # ----------------------------------------------------------------- config and tenant

    @cached_property
    def config_path(self) -> Path:
        from staffterm.config import config_path

        return Path(config_path(getattr(self.args, "config", None)))

    @cached_property
    def config(self) -> Config:
        from staffterm.config import load_config

        return load_config(self.config_path)

    @property
    def requested_tenant(self) -> str | None:
        return getattr(self.args, "tenant", None)

    @cached_property
    def tenant_name(self) -> str:
        name, _settings = self.config.tenant(self.requested_tenant)
        return name

    # ----------------------------------------------------------------- time

    @cached_property
    def frozen_clock(self) -> FrozenClock | None:
        """A testing aid: ``STAFFTERM_FROZEN_NOW=<ISO time>`` makes every command see that moment."""
        raw = os.environ.get(FROZEN_NOW_ENV, "").strip()
        if not raw:
            return None
        from staffterm.clock import FrozenClock

        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise UsageError(f"{FROZEN_NOW_ENV}={raw!r} is not an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise UsageError(f"{FROZEN_NOW_ENV}={raw!r} needs an offset or Z, e.g. 2026-11-21T09:00Z")
        return FrozenClock(moment)

    @property
    def clock(self) -> Clock:
        if self.frozen_clock is not None:
            return self.frozen_clock
        from staffterm.clock import SYSTEM_CLOCK

        return SYSTEM_CLOCK

    def now(self) -> datetime:
        return self.clock.now()

    # ----------------------------------------------------------------- session

    def session(self) -> Session:
        """The tenant's session, not yet opened: use ``async with ctx.session() as session``."""
        from staffterm.services.session import Session

        session = Session.from_config(self.config, self.requested_tenant, clock=self.clock)
        session.backend.warning_sink = self.warn
        return session

    def backend(self, tenant: str | None = None) -> Backend:
        """A tenant's backend alone, not yet opened: ``async with ctx.backend() as backend``.

        For commands that need no service: importing the services is a tenth of the
        ``staffterm rooms --json`` budget.
        """
        from staffterm.backends.registry import create_backend

        name, settings = self.config.tenant(tenant if tenant is not None else self.requested_tenant)
        backend = create_backend(name, settings.provider, settings, clock=self.clock)
        backend.warning_sink = self.warn
        return backend

    def warn(self, message: str) -> None:
        """A partial result (some calendars unreadable): said on stderr, the output stays usable."""
        import sys

        from staffterm.cli.output import message as visible_message

        sys.stderr.write(f"staffterm: warning: {visible_message(message)}\n")

    def note(self, message: str) -> None:
        """How the command read what was typed (which zone a time is in): stderr, so --json and
        tables on stdout stay as they are."""
        import sys

        sys.stderr.write(f"staffterm: note: {message}\n")

    async def follow_up(self, read: Awaitable[T], what: str, instead: str) -> T | None:
        """A read after a write that succeeded (a building's zone for display, a re-read): best
        effort. A failure is a warning on stderr, never a failed command, since the write stands."""
        from staffterm.errors import StafftermError

        try:
            return await read
        except StafftermError as exc:
            self.warn(f"done, but {what} could not be read ({exc.message}); {instead}")
            return None

    def say_zone(self, tz: tzinfo | None, where: str | None, *typed: Any) -> None:
        """Say which zone the times typed without an offset (or as bare dates) were read in."""
        from staffterm.cli.times import computer_zone, needs_zone, zone_name

        if not needs_zone(*typed):
            return
        if tz is None:
            self.note(
                f"times without an offset were read in this computer's zone, {zone_name(computer_zone())}: "
                "no building was named (give --zone, or an offset such as +01:00 or Z)"
            )
        else:
            self.note(f"times without an offset were read in {zone_name(tz)}" + (f", {where}" if where else ""))

    def window(self, tz: tzinfo | None, where: str | None = None) -> tuple[datetime, datetime]:
        """``--start``/``--end`` resolved in ``tz`` (today when both are missing)."""
        from staffterm.cli.times import resolve_window

        start_arg, end_arg = getattr(self.args, "start", None), getattr(self.args, "end", None)
        notes: list[str] = []
        start, end = resolve_window(start_arg, end_arg, tz, self.now(), notes)
        self.say_zone(tz, where, start_arg, end_arg)
        for line in notes:
            self.note(line)
        return self._ordered(start, end)

    def period(self, tz: tzinfo | None, where: str | None = None) -> tuple[datetime, datetime]:
        """Required ``--start``/``--end`` of a new booking or event, resolved in ``tz``."""
        from staffterm.cli.times import resolve_end, resolve_start

        notes: list[str] = []
        start, end = resolve_start(self.args.start, tz, notes), resolve_end(self.args.end, tz, notes)
        self.say_zone(tz, where, self.args.start, self.args.end)
        for line in notes:
            self.note(line)
        return self._ordered(start, end)

    def _ordered(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        if end <= start:
            from staffterm.errors import InvalidInputError

            typed = " ".join(
                f"--{side} {arg.text}" for side in ("start", "end") if (arg := getattr(self.args, side, None)) is not None
            )
            raise InvalidInputError(
                f"the end must be after the start ({typed} means {start.isoformat()} to {end.isoformat()})",
                field="end",
                hint="A bare date as --end includes that whole day.",
            )
        return start, end


class Places:
    """The zones and rooms a command needs, each read at most once.

    A building's time zone is found by reading the zone named and its parents by id (one or two
    requests), not by listing every zone of the site (on PlaceOS, one request per zone level);
    the whole list is read only by a command that shows it. Given the session's ``estate``, the
    lookups share the read the services make anyway (``events create``), instead of a second one.
    """

    def __init__(self, backend: Backend, *, estate: Estate | None = None) -> None:
        self.backend = backend
        self.estate = estate
        self._known: dict[str, Zone | None] = {}  # by id; None: not on this site
        self._listed = False
        self._rooms: dict[str, Room] = {}
        self._assets: dict[str, list[Any]] = {}  # by type: the backend's asset list, once

    def _reads_zones(self) -> bool:
        from staffterm.capabilities import Capability

        return self.backend.supports(Capability.ZONES)

    async def zones(self) -> dict[str, Zone]:
        """Every zone of the site (for tables that name buildings and levels)."""
        if not self._listed:
            found: list[Zone] = []
            if self.estate is not None:
                found = await self.estate.zones()
            elif self._reads_zones():
                found = await self.backend.list_zones()
            self._known.update({zone.id: zone for zone in found})
            self._listed = True
        return {zone_id: zone for zone_id, zone in self._known.items() if zone is not None}

    async def zone(self, zone_id: str) -> Zone | None:
        """One zone by id, or ``None`` when the site has no such zone."""
        if zone_id in self._known or self._listed:
            return self._known.get(zone_id)
        if self.estate is not None:
            return (await self.zones()).get(zone_id)
        zone: Zone | None = None
        if self._reads_zones():
            from staffterm.errors import NotFoundError

            try:
                zone = await self.backend.get_zone(zone_id)
            except NotFoundError:
                zone = None
        self._known[zone_id] = zone
        return zone

    async def room(self, room_id: str) -> Room:
        """A room by id (or calendar email); ``NotFoundError`` from the backend if there is none."""
        if room_id not in self._rooms:
            listed = await self._estate_room(room_id)
            self._rooms[room_id] = listed if listed is not None else await self.backend.get_room(room_id)
        return self._rooms[room_id]

    async def _estate_room(self, id_or_email: str) -> Room | None:
        if self.estate is None:
            return None
        return (await self.estate.index()).room(id_or_email)

    async def tz_for_zone(self, zone_id: str | None) -> tzinfo | None:
        """The zone's building time zone, or ``None`` when the zone is not known here."""
        return await self.tz_for_zones([zone_id]) if zone_id else None

    async def require_zone(self, zone_id: str | None) -> None:
        """Refuse a zone id the site does not have (when the site has zones at all), so a
        typo is not answered with an empty list."""
        if not zone_id or not self._reads_zones() or await self.zone(zone_id) is not None:
            return
        from staffterm.errors import NotFoundError

        raise NotFoundError(f"no zone with id {zone_id!r}", hint="List zones with `staffterm zones`.")

    async def tz_for_zones(self, zone_ids: Iterable[str]) -> tzinfo | None:
        """The first zone (or its ancestors) that names a time zone; PlaceOS lists an org zone
        without one before the building that has one. UTC for known zones naming none, ``None``
        when none of them is known here."""
        from zoneinfo import ZoneInfo

        known = False
        for zone_id in zone_ids:
            # Up the parents, reading each only if the one below names no time zone (a level
            # and its building: two reads). An unknown parent or a cycle ends the walk.
            seen: set[str] = set()
            zone = await self.zone(zone_id)
            while zone is not None and zone.id not in seen and len(seen) < 32:
                known = True
                seen.add(zone.id)
                if zone.timezone:
                    try:
                        return ZoneInfo(zone.timezone)
                    except (ValueError, OSError):
                        pass  # a zone naming no real time zone: its parent may
                zone = await self.zone(zone.parent_id) if zone.parent_id else None
        if not known:
            return None
        from staffterm.services.zones import UTC_ZONE

        return UTC_ZONE

    async def tz_for_room(self, room: Room) -> tzinfo | None:
        return await self.tz_for_zones(room.zone_ids)

    async def tz_for_rooms(self, room_ids: Sequence[str]) -> tzinfo | None:
        for room_id in room_ids:
            tz = await self.tz_for_room(await self.room(room_id))
            if tz is not None:
                return tz
        return None

    async def site_tz(self) -> tzinfo | None:
        """The time zone every building of the site shares, when there is just one."""
        from zoneinfo import ZoneInfo

        names = {zone.timezone for zone in (await self.zones()).values() if zone.timezone}
        if len(names) != 1:
            return None
        try:
            return ZoneInfo(names.pop())
        except (ValueError, OSError):
            return None

    async def asset_zones(self, asset_id: str, type: str | None) -> list[str] | None:
        """The zones of a desk, bay or locker from the backend's asset list (a courtesy: a
        backend that keeps no list, or will not share it, gives ``None``)."""
        from staffterm.errors import StafftermError

        list_assets = getattr(self.backend, "list_assets", None)
        if not callable(list_assets):
            return None
        key = type or ""
        if key not in self._assets:
            try:
                self._assets[key] = list(await list_assets(type=type))
            except StafftermError:
                self._assets[key] = []
        found = next((a for a in self._assets[key] if getattr(a, "id", None) == asset_id), None)
        return list(found.zone_ids) if found is not None else None

    async def find_room(self, id_or_email: str) -> Room | None:
        """The room whose id or calendar email this is, or ``None`` (e.g. a person's calendar)."""
        from staffterm.capabilities import Capability
        from staffterm.errors import NotFoundError

        if not self.backend.supports(Capability.ROOMS):
            return None
        try:
            return await self.room(id_or_email)
        except NotFoundError:
            pass
        wanted = id_or_email.lower()
        rooms = await self.estate.rooms() if self.estate is not None else await self.backend.list_rooms()
        for room in rooms:
            if room.email.lower() == wanted:
                self._rooms[id_or_email] = room
                return room
        return None


def build_model(model: type[Any], what: str, **fields: Any) -> Any:
    """Validate operator input into a model; a bad value becomes one readable ``InvalidInputError``."""
    from pydantic import ValidationError

    from staffterm.errors import invalid_input_from

    try:
        return model(**fields)
    except ValidationError as exc:
        raise invalid_input_from(exc, what=what) from None
