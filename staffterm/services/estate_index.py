"""The one index of a tenant's estate: zones and rooms by id, each room's building, levels, time
zones. Built once per read of the estate (``Estate.index()``) and shared by the services, the
console's screens and the CLI, so names and time zones are dict lookups, not walks or re-reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from staffterm.models import Room, Zone, ZoneKind
from staffterm.services.zones import Placement, timezone_for

UTC = ZoneInfo("UTC")


@dataclass
class EstateIndex:
    zones: list[Zone] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._zones_by_id = {z.id: z for z in self.zones}
        self._rooms_by_key: dict[str, Room] = {}
        for room in reversed(self.rooms):  # the first of two rooms sharing a key wins, as a scan would
            self._rooms_by_key[room.email.lower()] = room
        for room in reversed(self.rooms):
            self._rooms_by_key[room.id] = room
        self._placement = Placement(self._zones_by_id)

    @property
    def buildings(self) -> list[Zone]:
        return sorted((z for z in self.zones if z.kind == ZoneKind.BUILDING), key=lambda z: z.name)

    def zone(self, zone_id: str | None) -> Zone | None:
        return self._zones_by_id.get(zone_id) if zone_id is not None else None

    def room(self, room_id: str | None) -> Room | None:
        """A room by id or by calendar email (any case)."""
        if room_id is None:
            return None
        return self._rooms_by_key.get(room_id) or self._rooms_by_key.get(room_id.lower())

    def levels(self, building_id: str) -> list[Zone]:
        return sorted((z for z in self.zones if z.parent_id == building_id), key=lambda z: _natural(z.name))

    def rooms_in(self, zone_id: str) -> list[Room]:
        inside = {zone_id} | {z.id for z in self.zones if z.parent_id == zone_id}
        return [r for r in self.rooms if inside.intersection(r.zone_ids)]

    def tz(self, zone_or_room: str | Room | None) -> tzinfo:
        if zone_or_room is None:
            return UTC
        try:
            return timezone_for(zone_or_room, self._zones_by_id)
        except Exception:  # an unknown id falls back to UTC rather than breaking a screen
            return UTC

    @property
    def zones_by_id(self) -> dict[str, Zone]:
        """Every zone by id (a copy: callers may keep or change it)."""
        return dict(self._zones_by_id)

    def group_by_building(self, rooms: Iterable[Room]) -> dict[str | None, list[Room]]:
        """``rooms`` by their building's id (``None``: in no building), in the order given."""
        groups: dict[str | None, list[Room]] = {}
        for room in rooms:
            building = self._placement.building(room)
            groups.setdefault(building.id if building else None, []).append(room)
        return groups

    def level_of(self, room: Room) -> Zone | None:
        """The level ``room`` is on, if its zones name one."""
        return self._placement.level(room)

    def building_for(self, zone_or_room: str | Room) -> Zone | None:
        if isinstance(zone_or_room, Room):
            return self._placement.building(zone_or_room)
        return self._placement.building_of(zone_or_room)

    def today(self, zone_id: str | None, now: datetime) -> date:
        return now.astimezone(self.tz(zone_id)).date()


def _natural(name: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name))
