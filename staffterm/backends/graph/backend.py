"""The Microsoft 365 backend: Places for zones and rooms, getSchedule in ``$batch`` for
free/busy, calendars, the directory and mail, behind the one ``Backend`` contract.

Conversions live in ``convert*.py``, the free/busy fan-out in ``freebusy.py``, the estate in
``places.py``; this module and its ``backend_*`` parts decide which calls answer a contract
method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from staffterm.backends.coerce import check_capacity, require_text
from staffterm.backends.graph.backend_core import GraphCore
from staffterm.backends.graph.backend_directory import DirectoryMixin
from staffterm.backends.graph.backend_events import EventsMixin
from staffterm.backends.graph.convert import availability_from_schedule
from staffterm.backends.graph.guests import GuestsMixin
from staffterm.errors import InvalidInputError, NotFoundError, NotSupportedError
from staffterm.models import Room, RoomAvailability, Zone, ZoneKind
from staffterm.times import require_window

if TYPE_CHECKING:
    from staffterm.backends.base import CheckStep
    from staffterm.backends.graph.driver import GraphDriver

MAX_WINDOW = timedelta(days=62)  # getSchedule: the period "must be less than 62 days"


def view_interval(start: datetime, end: datetime) -> int:
    """availabilityViewInterval in minutes: 15 for a day's view, coarser for long windows so the
    view stays short; between the documented 5 and 1440."""
    minutes = (end - start).total_seconds() / 60
    for interval in (15, 30, 60, 240, 1440):
        if minutes / interval <= 200:
            return interval
    return 1440


class GraphBackend(GuestsMixin, DirectoryMixin, EventsMixin, GraphCore):
    """``GraphBackend(tenant_name, settings, clock=, transport=, token_dir=, msal_session=, sleep=)``."""

    @property
    def driver(self) -> GraphDriver:
        """The Graph API driver's commands on this tenant's connection (``staffterm graph …``)."""
        from staffterm.backends.graph.driver import GraphDriver

        return GraphDriver(self)

    # ----------------------------------------------------------------- check

    async def check(self) -> list[str]:
        lines: list[str] = []
        for step in self.check_steps():
            lines += await step.run()
        return lines

    def check_steps(self) -> list[CheckStep]:
        from staffterm.backends.graph.check import check_steps

        return check_steps(self)

    async def sign_in(self, show: Callable[[str, str, str], Any]) -> str:
        """Delegated device-code sign-in (``auth_mode = "device_code"``): ``show(code, url,
        message)`` tells the admin what to enter where; returns the signed-in account."""
        from staffterm.backends.graph.auth import DeviceCodeAuth

        await self.open()
        if not isinstance(self.auth, DeviceCodeAuth):
            raise NotSupportedError(
                f"tenant {self.tenant_name!r} signs in as the app (or with token_command): there is no one to sign in",
                capability="sign_in", hint='Set auth_mode = "device_code" to sign in as yourself.')
        # The backend's own wait (the loop's sleep; instant in tests) between polls.
        return await self.auth.sign_in(show, **({"sleep": self._sleep} if self._sleep is not None else {}))

    async def access_token(self) -> str:
        """The access token this tenant's requests carry (admins only; never logged or shown
        unasked: the console confirms first). Signs in first if it has to."""
        await self.open()
        auth: Any = self.auth
        if hasattr(auth, "token"):
            return str(await auth.token(self.http))
        header = (await auth.headers(self.http)).get("Authorization", "")
        return header.removeprefix("Bearer ").strip()

    # ----------------------------------------------------------------- zones and rooms

    async def list_zones(self, *, parent_id: str | None = None, kind: str | None = None,
                         tags: Sequence[str] = (), query: str | None = None) -> list[Zone]:
        if kind is not None and kind not in {k.value for k in ZoneKind}:
            raise InvalidInputError(f"unknown zone kind {kind!r} (one of: {', '.join(k.value for k in ZoneKind)})",
                                    field="kind")
        zones, _ = await self.estate()
        out = list(zones.values())
        if parent_id is not None:
            out = [z for z in out if z.parent_id == parent_id]
        if kind is not None:
            out = [z for z in out if z.kind.value == kind]
        if tags:
            out = [z for z in out if all(t in z.tags for t in tags)]
        if query:
            needle = query.strip().lower()
            out = [z for z in out if needle in z.name.lower() or needle in z.id.lower()]
        return sorted(out, key=lambda z: (z.kind.value, z.name.lower(), z.id))

    async def get_zone(self, zone_id: str) -> Zone:
        key = require_text(zone_id, "zone_id")
        zones, _ = await self.estate()
        zone = zones.get(key) or zones.get(key.lower())
        if zone is None:
            raise NotFoundError(f"no zone {key!r} in Microsoft 365", hint="List zones with `staffterm zones`.")
        return zone

    async def list_rooms(self, *, zone_id: str | None = None, capacity: int | None = None,
                         features: Sequence[str] = (), bookable: bool | None = None,
                         query: str | None = None) -> list[Room]:
        check_capacity(capacity)
        _, rooms = await self.estate()
        out = list(rooms.values())
        if zone_id is not None:
            zone_key = (await self.get_zone(zone_id)).id
            out = [r for r in out if r.in_zone(zone_key)]
        if capacity is not None:
            out = [r for r in out if r.capacity >= capacity]
        if features:
            out = [r for r in out if r.has_features(list(features))]
        if bookable is not None:
            out = [r for r in out if r.bookable == bookable]
        if query:
            needle = query.strip().lower()
            out = [r for r in out if needle in r.name.lower() or needle in r.email]
        return sorted(out, key=lambda r: (r.name.lower(), r.email))

    async def get_room(self, room_id: str) -> Room:
        return await self.require_room(room_id)

    # ----------------------------------------------------------------- free/busy

    async def free_busy(self, start: datetime, end: datetime, *, room_ids: Sequence[str] = (),
                        zone_id: str | None = None) -> list[RoomAvailability]:
        from staffterm.backends.graph.freebusy import plan_calls, run_schedules

        require_window(start, end)
        if end - start >= MAX_WINDOW:
            raise InvalidInputError("Microsoft Graph answers free/busy for less than 62 days at a time", field="end")
        if room_ids:
            rooms = list({r.email: r for r in [await self.require_room(k, "room_ids") for k in room_ids]}.values())
        elif zone_id is not None:
            rooms = await self.list_rooms(zone_id=zone_id)
        else:
            rooms = await self.list_rooms()
        if not rooms:
            return []
        interval = view_interval(start, end)
        calls = plan_calls([r.email for r in rooms])
        kwargs = {"sleep": self._sleep} if self._sleep is not None else {}
        await run_schedules(self.http, calls, start, end, interval, **kwargs)
        by_email = {r.email: r for r in rooms}
        out: dict[str, RoomAvailability] = {}
        failed: list[str] = []
        for call in calls:
            infos = {str(i.get("scheduleId") or "").lower(): i for i in call.value or [] if isinstance(i, dict)}
            for email in call.emails:
                room = by_email[email]
                if call.value is None:
                    message = call.error.message if call.error is not None else "no answer"
                    out[email] = RoomAvailability(room_id=room.id, email=email, start=start, end=end,
                                                  error=f"free/busy could not be read: {message}")
                    failed.append(email)
                    continue
                out[email] = availability_from_schedule(infos.get(email), room.id, start, end, interval)
        if failed:
            self.warn(f"free/busy of {len(failed)} room(s) could not be read (first: {failed[0]})")
        return [out[r.email] for r in rooms]
