"""The estate (zones and rooms) is read once, shared by concurrent callers, re-read when old or
when invalidated, and a backend without zones still lists its rooms."""

from __future__ import annotations

import asyncio

from staffterm.errors import NotSupportedError
from staffterm.models import Room, Zone, ZoneKind
from staffterm.services.estate import Estate

BUILDING = Zone(id="bld", name="HQ", kind=ZoneKind.BUILDING)
ROOM = Room(id="r1", name="Ada", email="ada@example.com", capacity=4, zone_ids=["bld"])


class CountingBackend:
    def __init__(self, *, zones_supported: bool = True) -> None:
        self.zone_reads = self.room_reads = 0
        self.zones_supported = zones_supported
        self.gate: asyncio.Event | None = None

    async def list_zones(self) -> list[Zone]:
        self.zone_reads += 1
        if not self.zones_supported:
            raise NotSupportedError("no zones here", capability="zones")
        return [BUILDING]

    async def list_rooms(self) -> list[Room]:
        self.room_reads += 1
        if self.gate is not None:
            await self.gate.wait()
        return [ROOM]


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_read_once_then_served_until_old() -> None:
    backend, ticks = CountingBackend(), Ticks()
    estate = Estate(backend, monotonic=ticks)
    assert await estate.load() == ([BUILDING], [ROOM])
    assert await estate.zones() == [BUILDING] and await estate.rooms() == [ROOM]
    assert (backend.zone_reads, backend.room_reads) == (1, 1)
    ticks.now += Estate.MAX_AGE_SECONDS - 1
    await estate.load()
    assert backend.room_reads == 1
    ticks.now += 2
    await estate.load()
    assert (backend.zone_reads, backend.room_reads) == (2, 2)


async def test_invalidate_reads_again() -> None:
    backend = CountingBackend()
    estate = Estate(backend)
    await estate.load()
    estate.invalidate()
    await estate.load()
    assert backend.room_reads == 2


async def test_concurrent_callers_share_one_read() -> None:
    backend = CountingBackend()
    backend.gate = asyncio.Event()
    estate = Estate(backend)
    waiting = [asyncio.create_task(estate.load()) for _ in range(5)]
    await asyncio.sleep(0)
    backend.gate.set()
    results = await asyncio.gather(*waiting)
    assert all(r == ([BUILDING], [ROOM]) for r in results) and backend.room_reads == 1


async def test_callers_get_copies_not_the_cache() -> None:
    estate = Estate(CountingBackend())
    zones, rooms = await estate.load()
    zones.clear()
    rooms.clear()
    assert await estate.load() == ([BUILDING], [ROOM])


async def test_a_backend_without_zones_still_lists_rooms() -> None:
    estate = Estate(CountingBackend(zones_supported=False))
    assert await estate.load() == ([], [ROOM])


async def test_a_failed_read_is_not_kept() -> None:
    class Failing(CountingBackend):
        async def list_rooms(self) -> list[Room]:
            self.room_reads += 1
            raise RuntimeError("offline")

    backend = Failing()
    estate = Estate(backend)
    for _ in range(2):
        try:
            await estate.load()
        except RuntimeError:
            pass
    assert backend.room_reads == 2  # tried again, nothing stale or half-read kept


async def test_the_index_is_built_once_per_read_and_finds_rooms_by_id_or_email():
    backend = CountingBackend()
    estate = Estate(backend)
    index = await estate.index()
    assert await estate.index() is index  # the same read: the same index
    assert index.room("r1") is index.room("ADA@example.com") is not None
    assert index.room("nobody@example.com") is None
    assert index.building_for(index.room("r1")) == BUILDING
    assert index.building_for("bld") == BUILDING
    estate.invalidate()
    assert await estate.index() is not index  # read again: a new index


def _demo_estate() -> tuple[list[Zone], list[Room]]:
    from staffterm.backends.local.demo.estate import demo_estate

    estate = demo_estate()
    return estate.zones, estate.rooms


def test_the_index_places_rooms_as_the_zone_walk_does():
    """The board, free-room search and CLI group rooms through the index; it must agree with
    walking each room's zones up to its building and level (``room_building`` / ``room_level``)."""
    from staffterm.services.estate_index import EstateIndex
    from staffterm.services.zones import room_building, room_level

    zones, rooms = _demo_estate()
    # A room in no building and one whose zone is unknown land in the "no building" group.
    loose = Room(id="rm-loose", name="Loose", email="loose@acme.example", zone_ids=["nowhere"])
    rooms = [*rooms, loose]
    by_id = {z.id: z for z in zones}
    index = EstateIndex(zones, rooms)
    groups = index.group_by_building(rooms)
    walked: dict[str | None, list[Room]] = {}
    for room in rooms:
        building = room_building(room, by_id)
        walked.setdefault(building.id if building else None, []).append(room)
        assert index.building_for(room) == building
        assert index.level_of(room) == room_level(room, by_id)
    assert groups == walked
    assert set(groups) == {"bld-lon", "bld-nyc", None} and groups[None] == [loose]


async def test_the_board_groups_rooms_by_the_index_buildings():
    """``RoomBoard.load`` reads one window per building the index names, holding its rooms."""
    from datetime import datetime, timezone

    from staffterm.clock import FrozenClock
    from staffterm.services.room_board import RoomBoard

    zones, rooms = _demo_estate()

    class Site:
        def __init__(self) -> None:
            self.asked: list[tuple] = []

        async def list_zones(self) -> list[Zone]:
            return zones

        async def list_rooms(self) -> list[Room]:
            return rooms

        async def free_busy(self, start, end, room_ids=None, zone_id=None):
            self.asked.append((zone_id, sorted(room_ids or [])))
            return []

    backend = Site()
    estate = Estate(backend)
    board = RoomBoard(backend, FrozenClock(datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)), estate)
    snapshot = await board.load(None)
    index = await estate.index()
    groups = index.group_by_building(snapshot.rooms)
    assert set(snapshot.windows) == set(groups) == {"bld-lon", "bld-nyc"}
    # One free/busy call per building: by the building's zone when it holds every room shown,
    # else by the rooms of that building's group.
    assert len(backend.asked) == 2
    for zone_id, room_ids in backend.asked:
        assert zone_id in groups if zone_id else any(room_ids == sorted(r.id for r in g) for g in groups.values())
