"""The room board: every room's free/busy for a day and its status now.

Free/busy is asked once per building (never per room), in the building's own local day, so a
board spanning London and New York shows each building's day in its own zone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

from staffterm.backends.base import Backend
from staffterm.clock import Clock
from staffterm.errors import InvalidInputError, NotFoundError, StafftermError
from staffterm.models import BusyBlock, BusyStatus, Room, RoomAvailability, Zone
from staffterm.services.block_names import name_blocks
from staffterm.services.estate import Estate
from staffterm.services.zones import (
    BuildingTree,
    ancestors,
    local_day_window,
    local_hours_window,
    room_in_zone,
    timezone_for,
)

RoomState = Literal["free", "busy", "soon", "unavailable"]

# Worst wins when a slot holds several blocks.
STATUS_RANK: dict[BusyStatus, int] = {
    BusyStatus.FREE: 0,
    BusyStatus.ELSEWHERE: 1,
    BusyStatus.TENTATIVE: 2,
    BusyStatus.OOF: 3,
    BusyStatus.BUSY: 4,
}


def format_clock(moment: datetime, tz: tzinfo, *, clock_24h: bool = True, reference: datetime | None = None) -> str:
    """``14:30`` (or ``2:30 pm``) in ``tz``; prefixed with the weekday and date when the moment
    falls on another local day than ``reference``."""
    local = moment.astimezone(tz)
    text = f"{local:%H:%M}" if clock_24h else f"{local.hour % 12 or 12}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    if reference is not None and local.date() != reference.astimezone(tz).date():
        text = f"{local:%a} {local.day} {local:%b} {text}"
    return text


@dataclass(frozen=True)
class RoomStatus:
    """A room's state at ``at``: free, busy, free but a meeting starts ``soon``, or unavailable."""

    room: Room
    state: RoomState
    at: datetime
    current: BusyBlock | None = None
    next: BusyBlock | None = None
    free_until: datetime | None = None
    busy_until: datetime | None = None
    error: str | None = None

    def describe(self, tz: tzinfo, clock_24h: bool = True) -> str:
        def clock(moment: datetime) -> str:
            return format_clock(moment, tz, clock_24h=clock_24h, reference=self.at)

        if self.state == "unavailable":
            return f"unavailable: {self.error}" if self.error else "unavailable"
        if self.state == "busy":
            return f"busy until {clock(self.busy_until)}" if self.busy_until else "busy"
        if self.state == "soon" and self.next is not None:
            return f"next meeting at {clock(self.next.start)}"
        if self.free_until is not None:
            return f"free until {clock(self.free_until)}"
        return "free"


def _busy_blocks(availability: RoomAvailability) -> list[BusyBlock]:
    return sorted((b for b in availability.blocks if b.status != BusyStatus.FREE), key=lambda b: (b.start, b.end))


def room_status(
    room: Room, availability: RoomAvailability | None, now: datetime, soon_minutes: int = 15
) -> RoomStatus:
    if availability is None:
        return RoomStatus(room, "unavailable", now, error="no free/busy for this room")
    if availability.error:
        return RoomStatus(room, "unavailable", now, error=availability.error)
    blocks = _busy_blocks(availability)
    current = next((b for b in blocks if b.start <= now < b.end), None)
    if current is not None:
        # Back-to-back (or overlapping) meetings keep the room busy until the chain ends.
        busy_until = current.end
        for block in blocks:
            if block.start <= busy_until and block.end > busy_until:
                busy_until = block.end
        upcoming = next((b for b in blocks if b.start >= busy_until), None)
        return RoomStatus(room, "busy", now, current=current, next=upcoming, busy_until=busy_until)
    upcoming = next((b for b in blocks if b.start > now), None)
    if upcoming is None:
        return RoomStatus(room, "free", now)
    state: RoomState = "soon" if upcoming.start - now <= timedelta(minutes=soon_minutes) else "free"
    return RoomStatus(room, state, now, next=upcoming, free_until=upcoming.start)


def slot_states(
    availability: RoomAvailability, start: datetime, slot_minutes: int = 15, slots: int = 96
) -> list[BusyStatus]:
    """Bucket blocks into ``slots`` consecutive slots from ``start``; the worst status in a slot
    wins (busy > oof > tentative > elsewhere > free). Cost is per block, not per slot × block."""
    if slot_minutes <= 0 or slots < 0:
        raise InvalidInputError("slots must be a positive length and a non-negative count", field="slot_minutes")
    out = [BusyStatus.FREE] * slots
    step = timedelta(minutes=slot_minutes).total_seconds()
    # In UTC: two datetimes sharing one ZoneInfo subtract by wall clock, an hour out across a DST change.
    start = start.astimezone(timezone.utc)
    for block in availability.blocks:
        if block.status == BusyStatus.FREE:
            continue
        first = int((block.start - start).total_seconds() // step)
        # A block ending exactly on a slot boundary does not touch the next slot.
        last = -int(-(block.end - start).total_seconds() // step) - 1
        rank = STATUS_RANK[block.status]
        for index in range(max(first, 0), min(last, slots - 1) + 1):
            if STATUS_RANK[out[index]] < rank:
                out[index] = block.status
    return out


# --------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class BuildingWindow:
    """The rooms of one building and the window asked for them, in the building's zone."""

    building: Zone | None
    tz: tzinfo
    start: datetime
    end: datetime
    rooms: list[Room]


async def fetch_availability(
    backend: Backend, windows: Sequence[BuildingWindow], *, zone_hint: Mapping[str | None, str] | None = None
) -> tuple[dict[str, RoomAvailability], list[str]]:
    """One free/busy call per building, concurrently. A building whose call fails gets an
    ``error`` on each of its rooms (listed in the returned errors); if every call fails, the
    first error is raised so the caller keeps its last good data."""

    async def one(window: BuildingWindow) -> list[RoomAvailability]:
        hint = (zone_hint or {}).get(window.building.id if window.building else None)
        if hint is not None:
            return await backend.free_busy(window.start, window.end, zone_id=hint)
        return await backend.free_busy(window.start, window.end, room_ids=[room.id for room in window.rooms])

    targets = [w for w in windows if w.rooms]
    results = await asyncio.gather(*(one(w) for w in targets), return_exceptions=True)
    availability: dict[str, RoomAvailability] = {}
    errors: list[str] = []
    failures: list[BaseException] = []
    for window, result in zip(targets, results, strict=False):
        where = window.building.name if window.building else "rooms in no building"
        if isinstance(result, BaseException):
            if not isinstance(result, StafftermError):
                raise result
            failures.append(result)
            errors.append(f"{where}: {result}")
            for room in window.rooms:
                availability[room.id] = RoomAvailability(
                    room_id=room.id, email=room.email, start=window.start, end=window.end, error=str(result)
                )
            continue
        by_key = {}
        for item in result:
            by_key[item.room_id] = item
            if item.email:
                by_key.setdefault(item.email.lower(), item)
        for room in window.rooms:
            found = by_key.get(room.id) or by_key.get(room.email.lower())
            availability[room.id] = found or RoomAvailability(
                room_id=room.id, email=room.email, start=window.start, end=window.end,
                error="the calendar service returned no free/busy for this room",
            )
    if targets and len(failures) == len(targets):
        raise failures[0]
    return availability, errors


def filter_rooms(
    rooms: Iterable[Room],
    *,
    capacity: int | None = None,
    features: Sequence[str] = (),
    accessible: bool | None = None,
    bookable: bool | None = None,
) -> list[Room]:
    if capacity is not None and capacity < 0:
        raise InvalidInputError(f"capacity must be 0 or more, not {capacity}", field="capacity")
    return [
        room
        for room in rooms
        if (capacity is None or room.capacity >= capacity)
        and room.has_features(list(features))
        and (accessible is None or room.accessible == accessible)
        and (bookable is None or room.bookable == bookable)
    ]


# --------------------------------------------------------------------------- the board


@dataclass(frozen=True)
class BoardSnapshot:
    zone_id: str | None
    day: date | None
    zones: dict[str, Zone]
    tree: BuildingTree
    rooms: list[Room]
    availability: dict[str, RoomAvailability]
    statuses: dict[str, RoomStatus]
    windows: dict[str | None, tuple[datetime, datetime]]
    loaded_at: datetime
    errors: list[str] = field(default_factory=list)

    def timezone_of(self, room: Room) -> tzinfo:
        return timezone_for(room, self.zones)

    def statuses_at(self, now: datetime, soon_minutes: int = 15) -> dict[str, RoomStatus]:
        """Recompute statuses for a later moment without asking the backend again."""
        return {r.id: room_status(r, self.availability.get(r.id), now, soon_minutes) for r in self.rooms}


def zone_hints(
    zone_id: str | None, groups: Mapping[str | None, list[Room]], all_rooms: Sequence[Room], zones: Mapping[str, Zone]
) -> dict[str | None, str]:
    """Per building, the zone to ask free/busy for when the selection is exactly that zone's
    rooms (PlaceOS answers a zone in one call); otherwise the rooms are asked for by id."""
    hints: dict[str | None, str] = {}
    for building_id, selected in groups.items():
        if building_id is None:
            continue
        candidate = zone_id if zone_id is not None and zone_id != building_id else building_id
        if building_id not in {z.id for z in ancestors(candidate, zones)}:
            candidate = building_id
        in_candidate = {room.id for room in all_rooms if room_in_zone(room, candidate, zones)}
        if in_candidate == {room.id for room in selected}:
            hints[building_id] = candidate
    return hints


class RoomBoard:
    def __init__(self, backend: Backend, clock: Clock, estate: Estate | None = None) -> None:
        self.backend = backend
        self.clock = clock
        self.estate = estate or Estate(backend)

    async def free_busy(self, start: datetime, end: datetime, room_ids: Sequence[str]) -> list[RoomAvailability]:
        """The rooms' free/busy as the backend tells it (blocks clipped to the window asked)."""
        return await self.backend.free_busy(start, end, room_ids=list(room_ids))

    async def name_blocks(self, room: Room, blocks: list[BusyBlock], start: datetime, end: datetime) -> list[BusyBlock]:
        """``room``'s busy blocks named from its calendar (see ``block_names``)."""
        return await name_blocks(self.backend, room, blocks, start, end)

    async def load(
        self,
        zone_id: str | None,
        day: date | None = None,
        *,
        capacity: int | None = None,
        features: Sequence[str] = (),
        accessible: bool | None = None,
        bookable: bool | None = None,
        hours: tuple[time, time] | None = None,
        soon_minutes: int = 15,
    ) -> BoardSnapshot:
        """Rooms in ``zone_id`` (every room when ``None``) with free/busy for ``day`` (today in
        each building's zone when ``None``), over ``hours`` of that day (the whole day when
        ``None``)."""
        index = await self.estate.index()
        zone_list, all_rooms, zones = index.zones, index.rooms, index.zones_by_id
        if zone_id is not None and zone_id not in zones:
            raise NotFoundError(f"no zone {zone_id!r} on this site", hint="Pick a building or level from the zone list.")
        in_zone = [room for room in all_rooms if zone_id is None or room_in_zone(room, zone_id, zones)]
        rooms = filter_rooms(in_zone, capacity=capacity, features=features, accessible=accessible, bookable=bookable)
        now = self.clock.now()
        windows: list[BuildingWindow] = []
        window_by_building: dict[str | None, tuple[datetime, datetime]] = {}
        groups = index.group_by_building(rooms)
        for building_id, group in groups.items():
            building = zones.get(building_id) if building_id else None
            tz = timezone_for(building_id, zones) if building_id else timezone_for(group[0], zones)
            the_day = day or now.astimezone(tz).date()
            start, end = local_hours_window(the_day, tz, *hours) if hours else local_day_window(the_day, tz)
            windows.append(BuildingWindow(building, tz, start, end, group))
            window_by_building[building_id] = (start, end)
        availability, errors = await fetch_availability(
            self.backend, windows, zone_hint=zone_hints(zone_id, groups, all_rooms, zones)
        )
        statuses = {r.id: room_status(r, availability.get(r.id), now, soon_minutes) for r in rooms}
        return BoardSnapshot(
            zone_id=zone_id,
            day=day,
            zones=zones,
            tree=BuildingTree.build(zone_list, rooms),
            rooms=rooms,
            availability=availability,
            statuses=statuses,
            windows=window_by_building,
            loaded_at=now,
            errors=errors,
        )
