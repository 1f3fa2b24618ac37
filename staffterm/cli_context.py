"""What every command needs: the parsed options, the config, the tenant's session, the clock,
and which building's time zone to read and show times in."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from staffterm.cli_parser import UsageError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend
    from staffterm.clock import Clock, FrozenClock
    from staffterm.config import Config
    from staffterm.models import Room, Zone
    from staffterm.services.session import Session

FROZEN_NOW_ENV = "STAFFTERM_FROZEN_NOW"


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
        from staffterm.backends import create_backend

        name, settings = self.config.tenant(tenant if tenant is not None else self.requested_tenant)
        backend = create_backend(name, settings.provider, settings, clock=self.clock)
        backend.warning_sink = self.warn
        return backend

    def warn(self, message: str) -> None:
        """A partial result (some calendars unreadable): said on stderr, the output stays usable."""
        import sys

        from staffterm.cli_output import message as visible_message

        sys.stderr.write(f"staffterm: warning: {visible_message(message)}\n")

    def window(self, tz: tzinfo | None) -> tuple[datetime, datetime]:
        """``--start``/``--end`` resolved in ``tz`` (today when both are missing)."""
        from staffterm.cli_times import resolve_window

        start, end = resolve_window(getattr(self.args, "start", None), getattr(self.args, "end", None), tz, self.now())
        return self._ordered(start, end)

    def period(self, tz: tzinfo | None) -> tuple[datetime, datetime]:
        """Required ``--start``/``--end`` of a new booking or event, resolved in ``tz``."""
        from staffterm.cli_times import resolve_end, resolve_start

        return self._ordered(resolve_start(self.args.start, tz), resolve_end(self.args.end, tz))

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
    """Zones and rooms looked up once per command, to find the building's time zone."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._zones: dict[str, Zone] | None = None
        self._rooms: dict[str, Room] = {}

    async def zones(self) -> dict[str, Zone]:
        if self._zones is None:
            from staffterm.backends.base import Capability

            found: list[Zone] = []
            if self.backend.supports(Capability.ZONES):
                found = await self.backend.list_zones()
            self._zones = {zone.id: zone for zone in found}
        return self._zones

    async def room(self, room_id: str) -> Room:
        """A room by id (or calendar email); ``NotFoundError`` from the backend if there is none."""
        if room_id not in self._rooms:
            self._rooms[room_id] = await self.backend.get_room(room_id)
        return self._rooms[room_id]

    async def tz_for_zone(self, zone_id: str | None) -> tzinfo | None:
        """The zone's building time zone, or ``None`` when the zone is not known here."""
        if not zone_id:
            return None
        zones = await self.zones()
        if zone_id not in zones:
            return None
        from staffterm.services.zones import timezone_for

        return timezone_for(zone_id, zones)

    async def require_zone(self, zone_id: str | None) -> None:
        """Refuse a zone id the site does not have (when the site lists zones at all), so a
        typo is not answered with an empty list."""
        if not zone_id:
            return
        zones = await self.zones()
        if zones and zone_id not in zones:
            from staffterm.errors import NotFoundError

            raise NotFoundError(f"no zone with id {zone_id!r}", hint="List zones with `staffterm zones`.")

    async def tz_for_zones(self, zone_ids: Iterable[str]) -> tzinfo | None:
        """The first zone (or its ancestors) that names a time zone; PlaceOS lists an org zone
        without one before the building that has one. UTC for known zones naming none."""
        zones = await self.zones()
        known = [zone_id for zone_id in zone_ids if zone_id in zones]
        if not known:
            return None
        from staffterm.services.zones import ancestors

        for zone_id in known:
            for zone in ancestors(zone_id, zones):
                if zone.timezone:
                    from zoneinfo import ZoneInfo

                    return ZoneInfo(zone.timezone)
        return await self.tz_for_zone(known[0])

    async def tz_for_room(self, room: Room) -> tzinfo | None:
        return await self.tz_for_zones(room.zone_ids)

    async def tz_for_rooms(self, room_ids: Sequence[str]) -> tzinfo | None:
        for room_id in room_ids:
            tz = await self.tz_for_room(await self.room(room_id))
            if tz is not None:
                return tz
        return None

    async def find_room(self, id_or_email: str) -> Room | None:
        """The room whose id or calendar email this is, or ``None`` (e.g. a person's calendar)."""
        from staffterm.backends.base import Capability
        from staffterm.errors import NotFoundError

        if not self.backend.supports(Capability.ROOMS):
            return None
        try:
            return await self.room(id_or_email)
        except NotFoundError:
            pass
        wanted = id_or_email.lower()
        for room in await self.backend.list_rooms():
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
