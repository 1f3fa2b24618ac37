"""The estate as the console knows it: zones and rooms, loaded once per session and on refresh.

Screens use it for names and time zones without asking the backend again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from staffterm.models import Room, Zone, ZoneKind
from staffterm.services.zones import building_of, timezone_for

UTC = ZoneInfo("UTC")


@dataclass
class Catalog:
    zones: list[Zone] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)

    @property
    def buildings(self) -> list[Zone]:
        return sorted((z for z in self.zones if z.kind == ZoneKind.BUILDING), key=lambda z: z.name)

    def zone(self, zone_id: str | None) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def room(self, room_id: str | None) -> Room | None:
        return next((r for r in self.rooms if r.id == room_id or r.email == room_id), None)

    def levels(self, building_id: str) -> list[Zone]:
        return sorted((z for z in self.zones if z.parent_id == building_id), key=lambda z: _natural(z.name))

    def rooms_in(self, zone_id: str) -> list[Room]:
        inside = {zone_id} | {z.id for z in self.zones if z.parent_id == zone_id}
        return [r for r in self.rooms if inside.intersection(r.zone_ids)]

    def tz(self, zone_or_room: str | Room | None) -> tzinfo:
        if zone_or_room is None:
            return UTC
        try:
            return timezone_for(zone_or_room, self.zones)
        except Exception:  # an unknown id falls back to UTC rather than breaking a screen
            return UTC

    def building_for(self, zone_or_room: str | Room) -> Zone | None:
        zone_ids = zone_or_room.zone_ids if isinstance(zone_or_room, Room) else [zone_or_room]
        for zone_id in zone_ids:
            found = building_of(zone_id, self.zones)
            if found is not None:
                return found
        return None

    def today(self, zone_id: str | None, now: datetime) -> date:
        return now.astimezone(self.tz(zone_id)).date()


def _natural(name: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name))
