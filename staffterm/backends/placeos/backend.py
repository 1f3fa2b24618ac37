"""The PlaceOS backend: the engine API's zones and systems (rooms), the Staff API's free/busy,
meetings, bookings, guests and people, behind the one ``Backend`` contract.

Conversions live in ``convert*.py``, the raw HTTP calls in ``engine.py``/``staff*.py``; this
module and its ``backend_*`` parts decide which calls answer a contract method. Calls that the
console makes often are kept to one request where PlaceOS allows it: free/busy for a zone is a
single ``/calendars/free_busy?zone_ids=`` call however many rooms the zone holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from staffterm.backends.coerce import check_capacity, require_text
from staffterm.backends.placeos.backend_core import gather_all
from staffterm.backends.placeos.backend_events import EventsMixin
from staffterm.backends.placeos.backend_guests import GuestsMixin
from staffterm.backends.placeos.convert import (
    availability_from_wire,
    calendar_from_wire,
    group_from_wire,
    room_from_wire,
    to_epoch,
    user_from_wire,
    zone_from_wire,
)
from staffterm.backends.placeos.convert_common import APPROVAL_FEATURE
from staffterm.errors import (
    ConfigError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
)
from staffterm.models import (
    Calendar,
    Group,
    Room,
    RoomAvailability,
    User,
    Zone,
    ZoneKind,
)
from staffterm.times import require_window

if TYPE_CHECKING:
    from staffterm.backends.base import CheckStep

STAFF = "/api/staff/v1"
# Zone tags asked for one by one when listing every zone: a plain user may not list zones
# without a filter (403), and these are the levels the console's pickers show.
HIERARCHY_TAGS = ("org", "region", "building", "level")
_KIND_ORDER = {kind.value: i for i, kind in enumerate(ZoneKind)}
MIN_FREE_BUSY = timedelta(minutes=5)  # PlaceOS refuses shorter windows (400 on period_end)
MAX_IDS_PER_CALL = 100  # Graph's getSchedule limit; PlaceOS batches above it, we split to keep URLs short
NO_ROW = "PlaceOS returned no free/busy for this room"
_FAILURE_TEXT = {"limit": "could not be read (rate-limited)", "issue": "could not be read (failed)"}


def _names(header: str | None) -> list[str]:
    return [n.strip().lower() for n in (header or "").split(",") if n.strip()]


# Rows converted between yields to the event loop (~5 ms of work): a 1,000-room zone in one go
# would hold the UI for longer than its 50 ms stall budget.
_ROWS_PER_SLICE = 200


class PlaceOSBackend(GuestsMixin, EventsMixin):
    """``PlaceOSBackend(tenant_name, settings, clock=, transport=, token_dir=, sleep=)``."""

    # ----------------------------------------------------------------- check

    async def check(self) -> list[str]:
        """Every step of ``check_steps`` in turn, strictly: the first failure raises.
        ``staffterm config check`` runs the steps one by one instead, so a missing extra (the
        booking limits, the desk lists) is reported as missing without failing the tenant."""
        lines: list[str] = []
        for step in self.check_steps():
            lines += await step.run()
        return lines

    def check_steps(self) -> list[CheckStep]:
        from staffterm.backends.placeos.check import check_steps

        return check_steps(self)

    async def _check_server(self) -> str:
        hint = "Check base_url: it should be the PlaceOS address, e.g. https://placeos.example.com (no /api path)"
        response = await self.http.request("GET", STAFF, use_auth=False, allow_status=range(300, 500))
        if response.status_code != 200:
            raise ConfigError(
                f"{self.base_url} does not look like a PlaceOS server ({STAFF} answered HTTP {response.status_code})",
                key="base_url",
                hint=hint,
            )
        try:
            info = response.json()
        except ValueError:
            info = None
        if not isinstance(info, dict):
            raise ConfigError(
                f"{self.base_url} does not look like a PlaceOS server ({STAFF} did not answer with PlaceOS's build info)",
                key="base_url",
                hint=hint,
            )
        build = str(info.get("commit") or info.get("version") or "unknown")
        when = str(info.get("build_time") or "").strip()
        return f"reached PlaceOS at {self.base_url} (staff-api build {build}{', ' + when if when else ''})"

    # ----------------------------------------------------------------- zones and rooms

    async def list_zones(
        self, *, parent_id: str | None = None, kind: str | None = None, tags: Sequence[str] = (), query: str | None = None
    ) -> list[Zone]:
        if kind is not None and kind not in _KIND_ORDER:
            raise InvalidInputError(f"unknown zone kind {kind!r} (one of: {', '.join(_KIND_ORDER)})", field="kind")
        wanted = [t.strip() for t in tags if isinstance(t, str) and t.strip()]
        server_tags = list(wanted)
        if kind is not None and kind != ZoneKind.OTHER.value and kind not in server_tags:
            server_tags.append(kind)
        q = query.strip() if isinstance(query, str) and query.strip() else None
        parent = parent_id.strip() if isinstance(parent_id, str) and parent_id.strip() else None
        if parent or server_tags:
            rows = await self.engine.all_zones(tags=server_tags or None, parent=parent, q=q)
        elif kind == ZoneKind.OTHER.value:
            rows = await self.engine.all_zones(q=q)
        else:
            pages = await gather_all(*(self.engine.all_zones(tags=tag, q=q) for tag in HIERARCHY_TAGS))
            rows = [row for page in pages for row in page]
        lowered = {t.lower() for t in wanted}
        unique: dict[str, Zone] = {}
        for zone in self.convert_rows(rows, zone_from_wire, "zone"):
            if kind is not None and zone.kind.value != kind:
                continue
            if not lowered <= {t.lower() for t in zone.tags}:
                continue
            if parent is not None and zone.parent_id != parent:
                continue
            unique.setdefault(zone.id, zone)
        self.remember_zones(unique.values())
        return sorted(unique.values(), key=lambda z: (_KIND_ORDER[z.kind.value], z.parent_id or "", z.name.lower(), z.id))

    async def get_zone(self, zone_id: str) -> Zone:
        key = require_text(zone_id, "zone_id")
        try:
            zone = zone_from_wire(await self.engine.zone(key))
        except NotFoundError:
            raise NotFoundError(f"no zone with id {key!r} in PlaceOS", hint="List zones with `staffterm zones`.") from None
        self.remember_zones([zone])
        return zone

    async def list_rooms(
        self,
        *,
        zone_id: str | None = None,
        capacity: int | None = None,
        features: Sequence[str] = (),
        bookable: bool | None = None,
        query: str | None = None,
    ) -> list[Room]:
        check_capacity(capacity)
        wanted = [f.strip() for f in features if isinstance(f, str) and f.strip()]
        # "approval" stands for the system's approval flag, not a feature PlaceOS could filter on.
        server_features = [f for f in wanted if f.lower() != APPROVAL_FEATURE]
        q = query.strip() if isinstance(query, str) and query.strip() else None
        rows = await self.engine.all_systems(
            q=q,
            zone_id=zone_id or None,
            capacity=capacity,
            bookable=bookable,
            features=server_features or None,
        )
        rooms = self.convert_rows(rows, room_from_wire, "room")
        # An unfiltered list is every room: it doubles as the room index (no second listing).
        unfiltered = q is None and not zone_id and capacity is None and not server_features and bookable is None
        self.remember_rooms(rooms, complete=unfiltered)
        # PlaceOS filters already; checking again keeps a lenient server from widening a search.
        return [
            r
            for r in rooms
            if (zone_id is None or r.in_zone(zone_id))
            and (capacity is None or r.capacity >= capacity)
            and r.has_features(wanted)
            and (bookable is None or r.bookable == bookable)
        ]

    async def get_room(self, room_id: str) -> Room:
        return await self.require_room(room_id)

    # ----------------------------------------------------------------- free/busy

    async def free_busy(
        self,
        start: datetime,
        end: datetime,
        *,
        room_ids: Sequence[str] = (),
        zone_id: str | None = None,
    ) -> list[RoomAvailability]:
        start, end = require_window(start, end)
        if end - start < MIN_FREE_BUSY:
            raise InvalidInputError("PlaceOS needs a free/busy window of at least 5 minutes", field="end")
        index = await self.room_index()
        asked: list[tuple[str, Room | None]] = []  # (what was asked, the room; None = PlaceOS has none)
        for key in room_ids:
            text = require_text(key, "room_ids")
            room = index.get(text.lower()) if "@" in text else self._rooms.get(text)
            # An id PlaceOS does not know would fail the whole call (404): find out first.
            asked.append((text, room or await self.find_room(text)))
        if not room_ids and not zone_id:
            # Neither rooms nor a zone: every room PlaceOS has, as the local site does.
            asked = [(room.id, room) for room in index.values()]
        systems = list(dict.fromkeys(room.id for _, room in asked if room is not None))
        calls = []
        if zone_id:
            calls.append(self._free_busy_call(start, end, zones=[require_text(zone_id, "zone_id")]))
        for i in range(0, len(systems), MAX_IDS_PER_CALL):
            calls.append(self._free_busy_call(start, end, systems=systems[i : i + MAX_IDS_PER_CALL]))
        answers = await gather_all(*calls)
        rows: list[Any] = [row for found, _ in answers for row in found]
        failures: dict[str, str] = {}
        for _, failed in answers:
            failures.update(failed)
        return await self._availability(rows, failures, asked, zone_id, start, end)

    async def _free_busy_call(
        self, start: datetime, end: datetime, *, zones: list[str] | None = None, systems: list[str] | None = None
    ) -> tuple[list[Any], dict[str, str]]:
        """One ``/calendars/free_busy`` request; a 206's ``X-Calendar-*`` headers say which
        calendars PlaceOS could not read (and the warning names them)."""
        from staffterm.backends.placeos.engine import as_list, id_list
        from staffterm.backends.placeos.wire_errors import partial_failure

        params = {
            "period_start": to_epoch(start), "period_end": to_epoch(end), "zone_ids": id_list(zones),
            "system_ids": id_list(systems),
        }
        response = await self.http.request("GET", f"{STAFF}/calendars/free_busy", params=params)
        failures: dict[str, str] = {}
        if response.status_code == 206:
            for email in _names(response.headers.get("x-calendar-limit")):
                failures[email] = _FAILURE_TEXT["limit"]
            for email in _names(response.headers.get("x-calendar-issue")):
                failures[email] = _FAILURE_TEXT["issue"]
            message = partial_failure(response)
            if message:
                self.warn(message)
        return as_list(response), failures

    async def _availability(
        self, rows: list[Any], failures: dict[str, str], asked: list[tuple[str, Room | None]],
        zone_id: str | None, start: datetime, end: datetime,
    ) -> list[RoomAvailability]:
        found: dict[str, RoomAvailability] = {}  # by room id and by email
        ordered: list[RoomAvailability] = []
        for n, row in enumerate(rows, 1):
            if n % _ROWS_PER_SLICE == 0:
                await asyncio.sleep(0)  # a big zone's rows: let the UI paint between slices
            try:
                item = availability_from_wire(row, start=start, end=end, rooms_by_email=self._rooms_by_email)
            except UnavailableError as exc:
                email = str(row.get("id") or "").lower() if isinstance(row, dict) else ""
                room = self._rooms_by_email.get(email)
                if not email:
                    self.warn(exc.message)
                    continue
                item = RoomAvailability(room_id=room.id if room else email, email=email, start=start, end=end, error=exc.message)
            if item.room_id in found:
                continue
            found[item.room_id] = found[item.email] = item
            ordered.append(item)

        def missing(room_id: str, email: str) -> RoomAvailability:
            reason = failures.get(email.lower()) if email else None
            return RoomAvailability(room_id=room_id, email=email, start=start, end=end, error=reason or NO_ROW)

        if asked:
            out: list[RoomAvailability] = []
            seen: set[str] = set()
            for key, room in asked:
                if room is None:
                    item = RoomAvailability(room_id=key, email=key.lower() if "@" in key else "", start=start, end=end,
                                            error=f"no room with id or email {key!r} in PlaceOS")
                else:
                    item = found.get(room.id) or found.get(room.email) or missing(room.id, room.email)
                if item.room_id not in seen:
                    seen.add(item.room_id)
                    out.append(item)
            if zone_id:
                out.extend(i for i in ordered if i.room_id not in seen)
                seen.update(i.room_id for i in ordered)
                out.extend(missing(r.id, r.email) for r in self._rooms.values() if r.in_zone(zone_id) and r.id not in seen)
            return out
        ordered.extend(missing(r.id, r.email) for r in self._rooms.values() if zone_id and r.in_zone(zone_id) and r.id not in found)
        return ordered

    # ----------------------------------------------------------------- directory

    async def list_users(self, *, query: str | None = None, limit: int = 100) -> list[User]:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInputError(f"limit must be a whole number above 0, got {limit!r}", field="limit")
        rows = await self.staff.people(q=query.strip() if isinstance(query, str) and query.strip() else None)
        return self.convert_rows(rows, user_from_wire, "person")[:limit]

    async def get_user(self, user_id: str) -> User:
        key = require_text(user_id, "user_id")
        try:
            return user_from_wire(await self.staff.staff_details(key))
        except NotFoundError:
            raise NotFoundError(f"no one called {key!r} is in the PlaceOS directory") from None

    async def user_manager(self, user_id: str) -> User | None:
        key = require_text(user_id, "user_id")
        try:
            row = await self.staff.person_manager(key)
        except NotFoundError:
            return None
        return user_from_wire(row) if isinstance(row, dict) and row.get("email") else None

    async def user_groups(self, user_id: str) -> list[Group]:
        key = require_text(user_id, "user_id")
        return self.convert_rows(await self.staff.person_groups(key), group_from_wire, "group")

    async def list_groups(self, *, query: str | None = None) -> list[Group]:
        q = query.strip() if isinstance(query, str) and query.strip() else None
        return self.convert_rows(await self.staff.groups(q=q), group_from_wire, "group")

    async def group_members(self, group_id: str) -> list[User]:
        key = require_text(group_id, "group_id")
        try:
            rows = await self.staff.group_members(key)
        except NotFoundError:
            raise NotFoundError(f"no group with id {key!r} in PlaceOS") from None
        return self.convert_rows(rows, user_from_wire, "group member")

    async def list_calendars(self, user_id: str) -> list[Calendar]:
        key = require_text(user_id, "user_id")
        owner = key.lower() if "@" in key else ""
        rows = await self.staff.person_calendars(key)
        return self.convert_rows(rows, lambda row: calendar_from_wire(row, owner_email=owner), "calendar")


__all__ = ["PlaceOSBackend"]
