"""The local site at 1,000 rooms / 20,000 meetings (issue 13, item 7).

Run: .venv/bin/python -m pytest tests/benchmarks/test_local_site.py -n 0 -s -p no:cacheprovider

Measured on demand, never in the normal run: best-of-N timings printed as ratios to an anchor
measured in the same run on the same site, never asserted. The site (``big_site``) has 5
buildings × 40 levels × 5 rooms, each room with 20 meetings over the 30 days before today and
the 10 after. Printed:
- the Zones screen's grouping (``building_views``) / one status pass over the estate
  (``statuses_at``), the least any grouping must do; it was ~12× when it sorted and scanned
  every room for each level;
- a level's free/busy asked by zone / the same five rooms asked by id: ~1 when the zone's rooms
  are read through the index, ~90× when the whole estate was loaded to find them;
- the estate's free/busy for today / listing the estate's rooms, and a room's day / reading the
  room, with the query plans: both read one bounded range of (room_id, start_ts) per room;
- a level's board (what the console loads for a level) / the level's free/busy by id.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.services.estate_index import EstateIndex
from staffterm.services.session import Session
from staffterm.ui.screens.zones.screen import building_views
from tests.benchmarks.big_site import NOW, SiteShape, build_site, level_id, room_id

RUNS = 9
DAY_START = NOW - timedelta(hours=10)  # midnight in London
DAY_END = DAY_START + timedelta(days=1)


def best_of(call) -> float:
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return min(samples)


async def abest_of(make) -> float:
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        await make()
        samples.append(time.perf_counter() - t0)
    return min(samples)


def report(label: str, measured: float, anchor_label: str, anchor: float) -> None:
    print(f"{label:<34} {measured * 1000:8.2f} ms  / {anchor_label:<26} {anchor * 1000:7.2f} ms"
          f"  ratio {measured / anchor:6.2f}")


def plans(path) -> None:
    conn = sqlite3.connect(path)
    ids = [room_id(0, 0, n) for n in range(5)]
    queries = {
        "free/busy": (
            "SELECT r.room_id FROM event_rooms r JOIN events e ON e.id = r.event_id JOIN rooms rm ON rm.id = r.room_id "
            "LEFT JOIN event_attendees a ON a.event_id = e.id AND a.email = rm.email "
            "WHERE r.room_id IN (?, ?, ?, ?, ?) AND r.start_ts >= ? AND r.start_ts < ? AND r.end_ts > ? "
            "AND e.status != 'cancelled'", (*ids, 0, 1, 0)),
        "zone's rooms": (
            "SELECT * FROM rooms WHERE id IN (SELECT room_id FROM room_zones WHERE zone_id IN "
            "(SELECT value FROM json_each(?))) ORDER BY id", ('["x"]',)),
        "longest meeting": ("SELECT MAX(end_ts - start_ts) FROM event_rooms", ()),
    }
    for name, (sql, args) in queries.items():
        detail = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        print(f"plan {name:<16} {detail}")
    conn.close()


async def _measure(tmp_path) -> None:
    path = tmp_path / "big.sqlite3"
    shape = SiteShape()
    t0 = time.perf_counter()
    build_site(path, shape)
    print(f"\n{shape.rooms} rooms on {shape.levels} levels, {shape.rooms * shape.meetings_per_room} meetings; "
          f"written in {time.perf_counter() - t0:.2f} s")
    plans(path)
    clock = FrozenClock(NOW)
    backend = LocalBackend("bench", database=path, clock=clock, seed_demo=False)
    async with Session(backend, clock=clock) as session:
        snapshot = await session.board.load(None)
        zones, rooms = await session.estate.load()
        catalog = EstateIndex(zones, rooms)
        report("Zones screen grouping", best_of(lambda: building_views(catalog, snapshot, NOW)),
               "one status pass", best_of(lambda: snapshot.statuses_at(NOW)))

        level, level_rooms = level_id(2, 17), [room_id(2, 17, n) for n in range(5)]
        by_ids = await abest_of(lambda: backend.free_busy(DAY_START, DAY_END, room_ids=level_rooms))
        report("level free/busy by zone", await abest_of(lambda: backend.free_busy(DAY_START, DAY_END, zone_id=level)),
               "same rooms by id", by_ids)
        report("estate free/busy today",
               await abest_of(lambda: backend.free_busy(DAY_START, DAY_END, zone_id="zone-org")),
               "list the estate's rooms", await abest_of(lambda: backend.list_rooms()))
        report("a room's day", await abest_of(lambda: backend.list_events(level_rooms[0], DAY_START, DAY_END)),
               "read the room", await abest_of(lambda: backend.get_room(level_rooms[0])))
        report("a level's board", await abest_of(lambda: session.board.load(level)), "level free/busy by id", by_ids)


def test_local_site_at_size(tmp_path) -> None:
    asyncio.run(_measure(tmp_path))
