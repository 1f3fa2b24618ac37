"""The local site's reads stay the size of the answer as the estate and its history grow.

Work is counted in SQLite virtual-machine steps (a progress handler), which is deterministic
for the same data and plan: no timings here (those live in tests/benchmarks).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

from staffterm.backends.local import busy as local_busy
from staffterm.backends.local import events as local_events
from staffterm.backends.local import places as local_places
from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.local.schema import MIGRATIONS, SCHEMA_VERSION, _statements
from staffterm.backends.local.store import Session, config_from_settings
from staffterm.clock import FrozenClock
from tests.benchmarks.big_site import NOW, SiteShape, build_site, level_id, room_id

DAY_START = NOW - timedelta(hours=10)  # 00:00 in London (GMT in November)
DAY_END = DAY_START + timedelta(days=1)


def open_site(tmp_path, name: str, shape: SiteShape) -> sqlite3.Connection:
    path = tmp_path / f"{name}.sqlite3"
    build_site(path, shape)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def steps(conn: sqlite3.Connection, work) -> tuple[int, object]:
    """(SQLite VM steps, result) of ``work(session)``."""
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    conn.set_progress_handler(tick, 1)
    try:
        result = work(Session(conn=conn, now=NOW, config=config_from_settings(None)))
    finally:
        conn.set_progress_handler(None, 0)
    return count, result


def test_a_levels_free_busy_reads_the_level_not_the_estate(tmp_path):
    small = open_site(tmp_path, "small", SiteShape(buildings=2, levels_per_building=2, meetings_per_room=4))
    large = open_site(tmp_path, "large", SiteShape(buildings=2, levels_per_building=40, meetings_per_room=4))

    def level_free_busy(s: Session):
        return local_busy.free_busy(s, DAY_START, DAY_END, [], level_id(1, 1))

    small_steps, small_answer = steps(small, level_free_busy)
    large_steps, large_answer = steps(large, level_free_busy)
    assert [a.room_id for a in large_answer] == [room_id(1, 1, n) for n in range(5)]
    assert [(a.room_id, a.blocks) for a in large_answer] == [(a.room_id, a.blocks) for a in small_answer]
    # 20 times the rooms and levels around it; the same level costs the same (a scan of the
    # estate's rooms and zones made it grow ~15×).
    assert large_steps < small_steps * 1.2, (small_steps, large_steps)


def test_day_queries_read_the_window_not_the_history(tmp_path):
    """Two sites alike but for how many days of history lie before today (10 or 200)."""
    days_back = 200
    base = SiteShape(buildings=1, levels_per_building=4, meetings_per_room=10, days_back=10, days_ahead=10)
    longer = SiteShape(buildings=1, levels_per_building=4, meetings_per_room=(days_back + 10) // 2,
                       days_back=days_back, days_ahead=10)
    short_site, long_site = open_site(tmp_path, "short", base), open_site(tmp_path, "long", longer)
    room = room_id(0, 2, 0)  # one meeting today on both sites

    def room_day(s: Session):
        return local_events.list_events(s, room, DAY_START, DAY_END, False)

    def estate_free_busy(s: Session):
        return local_busy.free_busy(s, DAY_START, DAY_END, [], None)

    def clashes(s: Session):
        found = local_places.require_room(s, room)
        return local_busy.room_clashes(s, found, DAY_START, DAY_END)

    for query in (room_day, estate_free_busy, clashes):
        short_steps, short_answer = steps(short_site, query)
        long_steps, long_answer = steps(long_site, query)
        assert short_answer == long_answer and short_answer, query.__name__
        # 20× the history: reading it grew the work ~10×.
        assert long_steps < short_steps * 1.2, (query.__name__, short_steps, long_steps)


def test_the_time_and_zone_queries_use_bounded_index_ranges(tmp_path):
    conn = open_site(tmp_path, "plan", SiteShape(buildings=1, levels_per_building=2, meetings_per_room=4))
    traced: list[str] = []
    conn.set_trace_callback(traced.append)
    steps(conn, lambda s: local_busy.free_busy(s, DAY_START, DAY_END, [], level_id(0, 1)))
    steps(conn, lambda s: local_events.list_events(s, room_id(0, 1, 0), DAY_START, DAY_END, False))
    conn.set_trace_callback(None)
    plans = {
        sql: " | ".join(row["detail"] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in traced
        if sql.lstrip().upper().startswith(("SELECT", "WITH"))
    }
    meetings = [plan for sql, plan in plans.items() if "event_rooms r" in sql]
    assert len(meetings) == 2
    for plan in meetings:
        assert "SEARCH r USING INDEX event_rooms_by_room_time (room_id=? AND start_ts>? AND start_ts<?)" in plan
    bookings = [plan for sql, plan in plans.items() if "booking_assets a" in sql]
    assert len(bookings) == 1
    assert "SEARCH a USING INDEX booking_assets_by_asset_time (asset_id=? AND start_ts>? AND start_ts<?)" in bookings[0]
    longest = {plan for sql, plan in plans.items() if "MAX(end_ts - start_ts)" in sql}
    assert longest == {
        "SEARCH event_rooms USING INDEX event_rooms_by_length",
        "SEARCH booking_assets USING INDEX booking_assets_by_length",
    }
    rooms = [plan for sql, plan in plans.items() if "FROM rooms" in sql]
    assert rooms and all("SCAN rooms" not in plan for plan in rooms), rooms
    assert any("SEARCH room_zones USING PRIMARY KEY (zone_id=?)" in plan for plan in rooms)


async def test_a_site_from_schema_1_gets_its_zone_and_time_indexes_filled(tmp_path):
    """A file written before schema step 2: rooms and meetings stay found after the upgrade."""
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.executemany("INSERT INTO zones(id, name, kind, parent_id, timezone) VALUES (?, ?, ?, ?, ?)", [
        ("b", "Tower", "building", None, "Europe/London"), ("l1", "Level 1", "level", "b", None),
        ("l2", "Level 2", "level", "b", None)])
    for rid, level in (("r1", "l1"), ("r2", "l2")):
        conn.execute("INSERT INTO rooms(id, email, name, zone_ids) VALUES (?, ?, ?, ?)",
                     (rid, f"{rid}@acme.example", rid.upper(), json.dumps(["b", level])))
    start = int((DAY_START + timedelta(hours=9)).timestamp())
    conn.execute("INSERT INTO events(id, calendar_id, ical_uid, title, start_ts, end_ts) VALUES "
                 "('e1', 'r1@acme.example', 'u1', 'Board', ?, ?)", (start, start + 7200))
    conn.execute("INSERT INTO event_rooms(event_id, room_id, position) VALUES ('e1', 'r1', 0)")
    conn.execute("INSERT INTO bookings(id, type, asset_ids, start_ts, end_ts, title) VALUES "
                 "('k1', 'room', '[\"r2\"]', ?, ?, 'Interviews')", (start, start + 3600))
    conn.execute("INSERT INTO booking_assets(booking_id, asset_id) VALUES ('k1', 'r2')")
    conn.close()

    clock = FrozenClock(NOW)
    backend = LocalBackend("old", database=path, clock=clock, seed_demo=False)
    try:
        assert [r.id for r in await backend.list_rooms(zone_id="l1")] == ["r1"]
        assert [r.id for r in await backend.list_rooms(zone_id="b")] == ["r1", "r2"]
        (level,) = await backend.free_busy(DAY_START, DAY_END, zone_id="l1")
        assert [(b.event_id, b.end - b.start) for b in level.blocks] == [("e1", timedelta(hours=2))]
        assert [e.id for e in await backend.list_events("r1", DAY_START, DAY_END)] == ["e1"]
        (booked,) = await backend.free_busy(DAY_START, DAY_END, zone_id="l2")
        assert [(b.title, b.end - b.start) for b in booked.blocks] == [("Interviews", timedelta(hours=1))]
    finally:
        await backend.close()
    check = sqlite3.connect(path)
    assert check.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
