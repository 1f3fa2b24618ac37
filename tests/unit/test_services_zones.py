from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from staffterm.errors import InvalidInputError
from staffterm.models import Room, Zone, ZoneKind
from staffterm.services.zones import (
    BuildingTree,
    Placement,
    building_of,
    local_day_window,
    local_hours_window,
    room_building,
    room_in_zone,
    room_level,
    timezone_for,
)

ZONES = [
    Zone(id="org", name="Acme", kind=ZoneKind.ORG, timezone="Europe/Paris"),
    Zone(id="bld-lon", name="London", kind=ZoneKind.BUILDING, parent_id="org", timezone="Europe/London"),
    Zone(id="lvl-lon-10", name="Level 10", kind=ZoneKind.LEVEL, parent_id="bld-lon"),
    Zone(id="lvl-lon-2", name="Level 2", kind=ZoneKind.LEVEL, parent_id="bld-lon"),
    Zone(id="area-lon-2-east", name="East wing", kind=ZoneKind.AREA, parent_id="lvl-lon-2"),
    Zone(id="bld-nyc", name="New York", kind=ZoneKind.BUILDING, timezone="America/New_York"),
    Zone(id="lvl-nyc-1", name="Level 1", kind=ZoneKind.LEVEL, parent_id="bld-nyc"),
    Zone(id="bld-x", name="No zone", kind=ZoneKind.BUILDING),
    # A cycle in provider data must not hang anything.
    Zone(id="loop-a", name="A", parent_id="loop-b"),
    Zone(id="loop-b", name="B", parent_id="loop-a"),
]


def _room(rid: str, name: str, *zones: str) -> Room:
    return Room(id=rid, email=f"{rid}@acme.example", name=name, zone_ids=list(zones))


def test_building_of_walks_up_parents() -> None:
    assert building_of("area-lon-2-east", ZONES).id == "bld-lon"
    assert building_of("bld-nyc", ZONES).id == "bld-nyc"
    assert building_of("org", ZONES) is None
    assert building_of("unknown", ZONES) is None
    assert building_of("loop-a", ZONES) is None


def test_timezone_for_zone_and_room() -> None:
    assert timezone_for("lvl-nyc-1", ZONES) == ZoneInfo("America/New_York")
    assert timezone_for("area-lon-2-east", ZONES) == ZoneInfo("Europe/London")
    assert timezone_for("org", ZONES) == ZoneInfo("Europe/Paris")
    assert timezone_for("bld-x", ZONES) == ZoneInfo("UTC")
    assert timezone_for("loop-a", ZONES) == ZoneInfo("UTC")
    assert timezone_for(_room("r", "R", "unknown", "lvl-nyc-1"), ZONES) == ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "day, hours",
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)],
)
def test_local_day_window_dst(day: date, hours: int) -> None:
    start, end = local_day_window(day, ZoneInfo("Europe/London"))
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(ZoneInfo("Europe/London")).hour == 0
    assert start.astimezone(ZoneInfo("Europe/London")).date() == day
    assert end.astimezone(ZoneInfo("Europe/London")).date() == day + timedelta(days=1)


def test_local_hours_window() -> None:
    start, end = local_hours_window(date(2026, 1, 5), ZoneInfo("America/New_York"), time(8), time(18))
    assert start.hour == 13 and end.hour == 23  # EST is UTC-5
    with pytest.raises(InvalidInputError):
        local_hours_window(date(2026, 1, 5), ZoneInfo("UTC"), time(18), time(8))


def test_building_tree() -> None:
    rooms = [
        _room("r10", "Sky", "bld-lon", "lvl-lon-10"),
        _room("r2b", "Beta", "area-lon-2-east"),
        _room("r2a", "Alpha", "bld-lon", "lvl-lon-2"),
        _room("rlobby", "Lobby", "bld-lon"),
        _room("rny", "Hudson", "bld-nyc", "lvl-nyc-1"),
        _room("rnowhere", "Shed"),
    ]
    tree = BuildingTree.build(ZONES, rooms)
    assert [b.zone.id for b in tree.buildings] == ["bld-lon", "bld-nyc", "bld-x"]
    london = tree.buildings[0]
    assert [lvl.zone.id for lvl in london.levels] == ["lvl-lon-2", "lvl-lon-10"]  # natural order
    assert [r.id for r in london.levels[0].rooms] == ["r2a", "r2b"]
    assert [r.id for r in london.rooms] == ["rlobby"]
    assert london.timezone == ZoneInfo("Europe/London")
    assert [r.id for r in tree.unplaced] == ["rnowhere"]
    assert tree.building("lvl-nyc-1").zone.id == "bld-nyc"
    assert tree.find_room("RNY@acme.example").id == "rny"
    assert len(tree.rooms()) == len(rooms)


def test_room_in_zone() -> None:
    room = _room("r2b", "Beta", "area-lon-2-east")
    assert room_in_zone(room, "lvl-lon-2", ZONES)
    assert room_in_zone(room, "bld-lon", ZONES)
    assert not room_in_zone(room, "bld-nyc", ZONES)


def test_timezone_of_zones_listed_org_first() -> None:
    # PlaceOS lists a room's or booking's zones org first; the org names no time zone.
    from staffterm.models import Room, Zone, ZoneKind
    from staffterm.services.zones import timezone_for

    zones = [
        Zone(id="org", name="Acme", kind=ZoneKind.ORG),
        Zone(id="syd", name="Sydney", kind=ZoneKind.BUILDING, parent_id="org", timezone="Australia/Sydney"),
        Zone(id="syd-1", name="Level 1", kind=ZoneKind.LEVEL, parent_id="syd"),
    ]
    room = Room(id="r", email="r@x", name="R", zone_ids=["org", "syd", "syd-1"])
    assert timezone_for(room, zones).key == "Australia/Sydney"
    assert timezone_for(["org", "syd-1"], zones).key == "Australia/Sydney"
    assert timezone_for(["org"], zones).key == "UTC"


def test_placement_places_every_room_as_the_walks_do() -> None:
    rooms = [
        _room("r10", "Sky", "bld-lon", "lvl-lon-10"),
        _room("r2b", "Beta", "area-lon-2-east"),
        _room("rny", "Hudson", "lvl-nyc-1"),
        _room("rmixed", "Mixed", "unknown", "bld-nyc", "lvl-lon-2"),  # first known building wins
        _room("rloop", "Loop", "loop-a"),
        _room("rorg", "Org", "org"),
        _room("rnowhere", "Shed"),
    ]
    placement = Placement(ZONES)
    for room in rooms:
        assert placement.building(room) == room_building(room, ZONES), room.id
        assert placement.level(room) == room_level(room, ZONES), room.id
    assert placement.building(rooms[3]).id == "bld-nyc" and placement.level(rooms[3]).id == "lvl-lon-2"
    assert placement.building_of("area-lon-2-east").id == "bld-lon"
    assert placement.building_of("unknown") is None
