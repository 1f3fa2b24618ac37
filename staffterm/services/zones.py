"""Helpers over zone lists: which building a zone or room is in, its time zone, local day
windows, and the buildings → levels → rooms tree the floor screen shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from staffterm.errors import InvalidInputError
from staffterm.models import Room, Zone, ZoneKind

UTC_ZONE = ZoneInfo("UTC")

# Deep enough for org → region → campus → building → level → area; a cycle in provider data
# must not hang the console.
_MAX_DEPTH = 32


def _index(zones: Iterable[Zone] | Mapping[str, Zone]) -> Mapping[str, Zone]:
    if isinstance(zones, Mapping):
        return zones
    return {zone.id: zone for zone in zones}


def ancestors(zone_id: str, zones: Iterable[Zone] | Mapping[str, Zone]) -> list[Zone]:
    """The zone itself then each parent up to the root (unknown ids end the walk)."""
    by_id = _index(zones)
    chain: list[Zone] = []
    seen: set[str] = set()
    current = by_id.get(zone_id)
    while current is not None and current.id not in seen and len(chain) < _MAX_DEPTH:
        chain.append(current)
        seen.add(current.id)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return chain


def building_of(zone_id: str, zones: Iterable[Zone] | Mapping[str, Zone]) -> Zone | None:
    """The building zone that is ``zone_id`` or contains it, or ``None``."""
    for zone in ancestors(zone_id, zones):
        if zone.kind == ZoneKind.BUILDING:
            return zone
    return None


def room_building(room: Room, zones: Iterable[Zone] | Mapping[str, Zone]) -> Zone | None:
    by_id = _index(zones)
    for zone_id in room.zone_ids:
        building = building_of(zone_id, by_id)
        if building is not None:
            return building
    return None


def room_in_zone(room: Room, zone_id: str, zones: Iterable[Zone] | Mapping[str, Zone]) -> bool:
    """Whether the room is in ``zone_id`` directly or through a parent (a level of that building)."""
    by_id = _index(zones)
    if zone_id in room.zone_ids:
        return True
    return any(zone.id == zone_id for rz in room.zone_ids for zone in ancestors(rz, by_id))


def room_level(room: Room, zones: Iterable[Zone] | Mapping[str, Zone]) -> Zone | None:
    by_id = _index(zones)
    for zone_id in room.zone_ids:
        for zone in ancestors(zone_id, by_id):
            if zone.kind == ZoneKind.LEVEL:
                return zone
    return None


class Placement:
    """Each zone's building and level worked out once, so placing 1,000 rooms is dict lookups
    rather than 1,000 walks up the same parent chains (``room_building`` / ``room_level``)."""

    def __init__(self, zones: Iterable[Zone] | Mapping[str, Zone]) -> None:
        by_id = _index(zones)
        self._building: dict[str, Zone | None] = {}
        self._level: dict[str, Zone | None] = {}
        for zone_id in by_id:
            chain = ancestors(zone_id, by_id)
            self._building[zone_id] = next((z for z in chain if z.kind == ZoneKind.BUILDING), None)
            self._level[zone_id] = next((z for z in chain if z.kind == ZoneKind.LEVEL), None)

    def building(self, room: Room) -> Zone | None:
        """As ``room_building``."""
        return next((b for b in map(self._building.get, room.zone_ids) if b is not None), None)

    def level(self, room: Room) -> Zone | None:
        """As ``room_level``."""
        return next((lv for lv in map(self._level.get, room.zone_ids) if lv is not None), None)

    def building_of(self, zone_id: str) -> Zone | None:
        return self._building.get(zone_id)


def timezone_for(zone_id_or_room: str | Room | Sequence[str], zones: Iterable[Zone] | Mapping[str, Zone]) -> ZoneInfo:
    """The IANA zone of a zone, a room or a list of zones (PlaceOS lists an org zone naming no
    time zone before the building that names one): the nearest zone up the parents that names
    one, trying each zone in turn; UTC if none."""
    by_id = _index(zones)
    zone_ids: Sequence[str]
    if isinstance(zone_id_or_room, Room):
        zone_ids = zone_id_or_room.zone_ids
    elif isinstance(zone_id_or_room, str):
        zone_ids = [zone_id_or_room]
    else:
        zone_ids = list(zone_id_or_room)
    for zone_id in zone_ids:
        for zone in ancestors(zone_id, by_id):
            if zone.timezone:
                return ZoneInfo(zone.timezone)
    return UTC_ZONE


def local_day_window(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """From local midnight of ``day`` to local midnight of the next day, returned in UTC so that
    ``end - start`` is the real length (23 h or 25 h on a daylight-saving change)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def local_hours_window(day: date, tz: tzinfo, start_at: time, end_at: time) -> tuple[datetime, datetime]:
    """A working-hours window on ``day`` in ``tz`` (e.g. 07:00–19:00), in UTC."""
    start = datetime.combine(day, start_at, tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(day, end_at, tzinfo=tz).astimezone(timezone.utc)
    if end <= start:
        raise InvalidInputError(
            f"the day ends ({end_at:%H:%M}) before it starts ({start_at:%H:%M})", field="hours"
        )
    return start, end


def local_today(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class LevelNode:
    zone: Zone
    rooms: list[Room] = field(default_factory=list)


@dataclass(frozen=True)
class BuildingNode:
    zone: Zone
    levels: list[LevelNode] = field(default_factory=list)
    # Rooms placed in the building but on no known level.
    rooms: list[Room] = field(default_factory=list)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.zone.timezone) if self.zone.timezone else UTC_ZONE

    def all_rooms(self) -> list[Room]:
        return [room for level in self.levels for room in level.rooms] + list(self.rooms)


def _level_sort_key(zone: Zone) -> tuple[str, str]:
    # Names like "Level 2" / "Level 10" sort naturally by their digits.
    digits = "".join(ch for ch in zone.name if ch.isdigit())
    return (digits.zfill(6) if digits else "~", zone.name.lower())


@dataclass(frozen=True)
class BuildingTree:
    """Buildings → levels → rooms, plus rooms that sit in no known building."""

    buildings: list[BuildingNode]
    unplaced: list[Room]
    zones: dict[str, Zone]

    @classmethod
    def build(cls, zones: Iterable[Zone], rooms: Iterable[Room]) -> BuildingTree:
        by_id = {zone.id: zone for zone in zones}
        building_zones = sorted(
            (z for z in by_id.values() if z.kind == ZoneKind.BUILDING), key=lambda z: z.name.lower()
        )
        placement = Placement(by_id)
        levels_of: dict[str, dict[str, list[Room]]] = {b.id: {} for b in building_zones}
        for zone in by_id.values():
            if zone.kind == ZoneKind.LEVEL:
                building = placement.building_of(zone.id)
                if building is not None:
                    levels_of[building.id].setdefault(zone.id, [])
        loose: dict[str, list[Room]] = {b.id: [] for b in building_zones}
        unplaced: list[Room] = []
        for room in sorted(rooms, key=lambda r: r.name.lower()):
            building = placement.building(room)
            if building is None:
                unplaced.append(room)
                continue
            level = placement.level(room)
            if level is not None and placement.building_of(level.id) == building:
                levels_of[building.id].setdefault(level.id, []).append(room)
            else:
                loose[building.id].append(room)
        nodes = [
            BuildingNode(
                zone=b,
                levels=[
                    LevelNode(by_id[level_id], level_rooms)
                    for level_id, level_rooms in sorted(levels_of[b.id].items(), key=lambda kv: _level_sort_key(by_id[kv[0]]))
                ],
                rooms=loose[b.id],
            )
            for b in building_zones
        ]
        return cls(buildings=nodes, unplaced=unplaced, zones=by_id)

    def building(self, zone_id: str) -> BuildingNode | None:
        target = building_of(zone_id, self.zones)
        if target is None:
            return None
        return next((node for node in self.buildings if node.zone.id == target.id), None)

    def rooms(self) -> list[Room]:
        return [room for node in self.buildings for room in node.all_rooms()] + list(self.unplaced)

    def find_room(self, room_id: str) -> Room | None:
        """By id or (case-insensitive) calendar email."""
        wanted = room_id.lower()
        return next((r for r in self.rooms() if r.id == room_id or r.email.lower() == wanted), None)
