"""The Zones screen's buildings → levels → rooms grouping: what it shows, and that it costs
O(zones + rooms), not a sort and a scan of every room for each level."""

from __future__ import annotations

from datetime import UTC, datetime

from staffterm.models import Room, RoomAvailability, Zone, ZoneKind
from staffterm.services.estate_index import EstateIndex
from staffterm.ui.screens.zones.screen import building_views

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def zone(zone_id: str, name: str, kind: ZoneKind, parent: str | None = None, tz: str | None = None) -> Zone:
    return Zone(id=zone_id, name=name, kind=kind, parent_id=parent, timezone=tz)


class CountingSnapshot:
    """A board snapshot that counts how often the grouping asks for statuses and room names."""

    def __init__(self, rooms: list[Room]) -> None:
        self.rooms = [_NameCounting(room, self) for room in rooms]
        self.availability = {
            room.id: RoomAvailability(room_id=room.id, email=room.email, start=NOW, end=NOW.replace(hour=23))
            for room in rooms
        }
        self.loaded_at = NOW
        self.status_passes = 0
        self.name_reads = 0

    def statuses_at(self, now: datetime) -> dict[str, str]:
        self.status_passes += 1
        return {room.id: f"status of {room.id}" for room in self.rooms}


class _NameCounting:
    def __init__(self, room: Room, owner: CountingSnapshot) -> None:
        self._room, self._owner = room, owner
        self.id, self.zone_ids = room.id, room.zone_ids

    @property
    def name(self) -> str:
        self._owner.name_reads += 1
        return self._room.name


def estate(levels_per_building: int, rooms_per_level: int) -> tuple[list[Zone], list[Room]]:
    zones = [zone("org", "Acme", ZoneKind.ORG, tz="Europe/London")]
    rooms: list[Room] = []
    for b, tz in ((0, "Europe/London"), (1, "Australia/Sydney")):
        zones.append(zone(f"b{b}", f"Tower {b}", ZoneKind.BUILDING, "org", tz))
        for lv in range(levels_per_building):
            zones.append(zone(f"b{b}-l{lv}", f"Level {lv}", ZoneKind.LEVEL, f"b{b}"))
            for n in reversed(range(rooms_per_level)):  # stored out of name order
                rooms.append(Room(id=f"r{b}-{lv}-{n}", email=f"r{b}-{lv}-{n}@acme.example", name=f"Room {b}.{lv}.{n}",
                                  zone_ids=["org", f"b{b}", f"b{b}-l{lv}"]))
    return zones, rooms


def test_each_level_lists_its_rooms_by_name_in_the_buildings_time_zone():
    zones, rooms = estate(levels_per_building=3, rooms_per_level=2)
    zones.append(zone("b0-l9", "Level 10", ZoneKind.LEVEL, "b0"))  # an empty level is still shown
    # A room named on two levels (a double-height space) is listed under both.
    rooms.append(Room(id="atrium", email="atrium@acme.example", name="Atrium", zone_ids=["b0", "b0-l0", "b0-l1"]))
    snapshot = CountingSnapshot(rooms)
    views = building_views(EstateIndex(zones, rooms), snapshot, NOW)
    assert [v.zone.id for v in views] == ["b0", "b1"]
    assert [v.tz.key for v in views] == ["Europe/London", "Australia/Sydney"]
    tower0 = {level.name: [row.room.id for row in rows] for level, rows in views[0].levels}
    assert list(tower0) == ["Level 0", "Level 1", "Level 2", "Level 10"]
    assert tower0 == {
        "Level 0": ["atrium", "r0-0-0", "r0-0-1"],
        "Level 1": ["atrium", "r0-1-0", "r0-1-1"],
        "Level 2": ["r0-2-0", "r0-2-1"],
        "Level 10": [],
    }
    row = views[1].levels[2][1][0]
    assert (row.room.id, row.status, row.tz.key) == ("r1-2-0", "status of r1-2-0", "Australia/Sydney")
    assert row.availability is snapshot.availability["r1-2-0"]
    assert views[0].loaded_at == NOW


def test_grouping_reads_each_room_once_however_many_levels():
    zones, rooms = estate(levels_per_building=50, rooms_per_level=4)  # 100 levels, 400 rooms
    snapshot = CountingSnapshot(rooms)
    views = building_views(EstateIndex(zones, rooms), snapshot, NOW)
    assert sum(len(rows) for view in views for _, rows in view.levels) == 400
    # Once per room for the sort; a sort per level read them 100 × 400 times.
    assert snapshot.name_reads == len(rooms)
    # Statuses worked out once for the estate, not once per building.
    assert snapshot.status_passes == 1
