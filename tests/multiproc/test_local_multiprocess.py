"""Several desks (processes) on one local site file: what a small office does for real.

Each test starts child processes running ``tests.multiproc.child`` and checks the file after.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.local.db import SCHEMA_VERSION
from staffterm.models import BookingQuery
from tests.multiproc.child import book_once, first_open, read_log, write_forever
from tests.multiproc.desks import FORK, Crowd

pytestmark = pytest.mark.multiproc

FIRST_OPENERS = 20
DESKS_RACING = 4
KILLS = 4


def test_many_processes_opening_a_new_file_at_once_all_succeed_and_the_schema_is_made_once(tmp_path):
    database = tmp_path / "new-site.sqlite3"
    crowd = Crowd(tmp_path, FIRST_OPENERS)
    crowd.start(first_open, database)
    crowd.release()
    lines = [line for child in crowd.results() for line in child]
    errors = [line for line in lines if line["event"] != "opened"]
    assert errors == []
    assert len(lines) == FIRST_OPENERS
    # Every step of the schema ran exactly once, in one of the processes.
    assert sum(line["migrations"] for line in lines) == SCHEMA_VERSION
    assert {line["rooms"] for line in lines} == {40}
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        # The demo estate was written once: one audit line for it, not one per process.
        seeded = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'demo_estate_seeded'").fetchone()[0]
        assert seeded == 1
    finally:
        conn.close()


def _seeded_site(path: Path) -> Path:
    """A site with the sample estate and nothing booked, made before any child starts."""

    async def seed() -> None:
        async with LocalBackend("multi", database=path, seed_demo=False) as backend:
            await backend.seed_demo_estate()

    asyncio.run(seed())
    return path


@pytest.mark.parametrize(("kind", "place"), [("room", "rm-lon-1-02"), ("desk", "desk-lon-2-01")])
def test_desks_booking_the_same_place_at_once_exactly_one_wins_the_rest_get_a_clash(tmp_path, kind, place):
    database = _seeded_site(tmp_path / "office.sqlite3")
    start = datetime(2030, 5, 6, 9, tzinfo=timezone.utc)
    crowd = Crowd(tmp_path, DESKS_RACING)
    crowd.start(book_once, database, per_child=lambda n: (kind, place, start, f"desk{n}@acme.example"))
    crowd.release()
    lines = [line for child in crowd.results() for line in child]
    assert len(lines) == DESKS_RACING
    won = [line for line in lines if line["event"] == "booked"]
    lost = [line for line in lines if line["event"] != "booked"]
    assert len(won) == 1, lines
    assert all(line["kind"] == "conflict" for line in lost), lost
    conn = sqlite3.connect(database)
    try:
        if kind == "room":
            rows = conn.execute(
                "SELECT e.id, e.host FROM events e JOIN event_rooms r ON r.event_id = e.id WHERE r.room_id = ?", (place,)
            ).fetchall()
        else:
            rows = conn.execute(
                "SELECT b.id, b.user_email FROM bookings b JOIN booking_assets a ON a.booking_id = b.id"
                " WHERE a.asset_id = ?", (place,)
            ).fetchall()
    finally:
        conn.close()
    assert rows == [(won[0]["id"], won[0]["user"])]


def _kill_a_writer_at_a_random_moment(database: Path, folder: Path, round_: int, rng: random.Random) -> list[dict]:
    prefix = f"w{round_}"
    log = folder / f"writer-{prefix}.log"
    writer = FORK.Process(target=write_forever, args=(log, database, prefix, 30 * round_), daemon=True)
    writer.start()
    deadline = time.monotonic() + 30
    while not any(line["event"] == "booked" for line in read_log(log)):
        assert writer.is_alive() and time.monotonic() < deadline, "the writer did not start writing"
        time.sleep(0.005)
    # Writing in a loop by now: a random moment is most likely in the middle of a write.
    time.sleep(rng.uniform(0, 0.25))
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(10)
    assert writer.exitcode == -signal.SIGKILL
    return [line for line in read_log(log) if line["event"] == "booked"]


def test_a_desk_killed_mid_write_leaves_a_sound_file_and_no_half_written_booking(tmp_path):
    database = _seeded_site(tmp_path / "office.sqlite3")
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    reported: list[dict] = []
    for round_ in range(KILLS):
        reported += _kill_a_writer_at_a_random_moment(database, tmp_path, round_, rng)
        conn = sqlite3.connect(database)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"seed {seed}"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], f"seed {seed}"
            bookings = {
                row[0]: row[1:]
                for row in conn.execute("SELECT id, description, asset_ids, start_ts, end_ts FROM bookings")
            }
            assets = dict(conn.execute("SELECT booking_id, asset_id FROM booking_assets").fetchall())
            keys = dict(conn.execute("SELECT key, item_id FROM idempotency WHERE kind = 'booking'").fetchall())
        finally:
            conn.close()
        # Every booking a desk was told is done is there; at most one more per killed writer
        # (committed, killed before it could say so); nothing exists only in part.
        assert {line["id"] for line in reported} <= set(bookings), f"seed {seed}"
        assert len(bookings) - len(reported) <= round_ + 1, f"seed {seed}"
        assert set(assets) == set(bookings) and set(keys.values()) == set(bookings), f"seed {seed}"
        for booking_id, (description, asset_ids, start_ts, end_ts) in bookings.items():
            key = next(k for k, v in keys.items() if v == booking_id)
            assert description == f"{key} " + "x" * 2000, f"seed {seed}"
            assert json.loads(asset_ids) == [assets[booking_id]] and end_ts - start_ts == 3600, f"seed {seed}"

    async def still_usable() -> int:
        async with LocalBackend("multi", database=database, seed_demo=False) as backend:
            after = datetime(2029, 12, 31, tzinfo=timezone.utc)
            found = await backend.query_bookings(BookingQuery(start=after, end=after + timedelta(days=3650)))
            return len(found)

    assert asyncio.run(still_usable()) >= len(reported)
