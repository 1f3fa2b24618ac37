"""RoomBoard against the real local backend, counting free/busy calls."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import NotFoundError, UnavailableError
from staffterm.models import EventDraft
from staffterm.services.room_board import RoomBoard

NOW = datetime(2026, 3, 10, 10, 7, 30, tzinfo=timezone.utc)
HOST = "amelia.hart@acme.example"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


class CountingLocal(LocalBackend):
    """The local site, recording each free/busy call and failing the zones it is told to."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[dict] = []
        self.failing: set[str] = set()

    async def free_busy(self, start, end, *, room_ids=(), zone_id=None):
        self.calls.append({"start": start, "end": end, "room_ids": list(room_ids), "zone_id": zone_id})
        if zone_id in self.failing:
            raise UnavailableError("calendar service unreachable")
        return await super().free_busy(start, end, room_ids=room_ids, zone_id=zone_id)


@pytest.fixture
async def backend(tmp_path):
    site = CountingLocal("t", database=tmp_path / "x.sqlite3", clock=FrozenClock(NOW), seed_demo=False)
    async with site:
        await site.seed_demo_estate()
        yield site


@pytest.fixture
def board(backend) -> RoomBoard:
    return RoomBoard(backend, FrozenClock(NOW))


async def meeting(backend, room_id, start, end, title):
    room = await backend.get_room(room_id)
    return await backend.create_event(room.email, EventDraft(title=title, start=start, end=end, host=HOST, room_ids=[room_id]))


async def test_whole_site_one_call_per_building_in_its_own_day(backend, board) -> None:
    await meeting(backend, "rm-lon-1-01", NOW.replace(hour=10, minute=0, second=0), NOW.replace(hour=11, minute=0, second=0), "Sync")
    snapshot = await board.load(None)
    all_rooms = await backend.list_rooms()
    assert len(snapshot.rooms) == len(all_rooms)
    assert sorted(c["zone_id"] for c in backend.calls) == ["bld-lon", "bld-nyc"]
    by_zone = {c["zone_id"]: c for c in backend.calls}
    assert by_zone["bld-lon"]["start"] == datetime(2026, 3, 10, 0, 0, tzinfo=LONDON)
    assert by_zone["bld-nyc"]["start"] == datetime(2026, 3, 10, 0, 0, tzinfo=NEW_YORK)
    assert snapshot.windows["bld-nyc"][1] - snapshot.windows["bld-nyc"][0] == timedelta(hours=24)
    assert set(snapshot.availability) == {r.id for r in all_rooms}
    thames = snapshot.statuses["rm-lon-1-01"]
    assert thames.state == "busy"
    assert thames.describe(snapshot.timezone_of(thames.room)) == "busy until 11:00"
    assert snapshot.statuses["rm-lon-1-02"].describe(LONDON) == "free"
    assert snapshot.loaded_at == NOW
    assert [b.zone.id for b in snapshot.tree.buildings] == ["bld-lon", "bld-nyc"]
    assert snapshot.errors == []


async def test_level_asks_by_level_zone(backend, board) -> None:
    snapshot = await board.load("lvl-lon-1")
    assert [c["zone_id"] for c in backend.calls] == ["lvl-lon-1"]
    assert snapshot.rooms and all(r.in_zone("lvl-lon-1") for r in snapshot.rooms)


async def test_filters_ask_by_room_ids_in_one_call(backend, board) -> None:
    snapshot = await board.load("bld-lon", capacity=8, features=["vc"])
    assert len(backend.calls) == 1
    call = backend.calls[0]
    assert call["zone_id"] is None
    assert sorted(call["room_ids"]) == sorted(r.id for r in snapshot.rooms)
    assert snapshot.rooms and all(r.capacity >= 8 and "vc" in r.features for r in snapshot.rooms)


async def test_accessible_and_bookable_filters(board) -> None:
    snapshot = await board.load("bld-lon", accessible=True, bookable=True)
    assert snapshot.rooms and all(r.accessible and r.bookable for r in snapshot.rooms)


async def test_given_day_and_working_hours(backend, board) -> None:
    snapshot = await board.load("bld-nyc", date(2026, 3, 11), hours=(time(8), time(18)))
    start, end = snapshot.windows["bld-nyc"]
    assert start == datetime(2026, 3, 11, 8, 0, tzinfo=NEW_YORK)
    assert end == datetime(2026, 3, 11, 18, 0, tzinfo=NEW_YORK)


async def test_unknown_zone(board) -> None:
    with pytest.raises(NotFoundError):
        await board.load("bld-atlantis")


async def test_one_building_failing_marks_its_rooms_unavailable(backend, board) -> None:
    backend.failing = {"bld-nyc"}
    snapshot = await board.load(None)
    nyc = [r for r in snapshot.rooms if r.in_zone("bld-nyc")]
    assert nyc and all(snapshot.statuses[r.id].state == "unavailable" for r in nyc)
    assert all(snapshot.statuses[r.id].state != "unavailable" for r in snapshot.rooms if r.in_zone("bld-lon"))
    assert len(snapshot.errors) == 1 and "New York" in snapshot.errors[0]


async def test_everything_failing_raises_so_the_screen_keeps_old_data(backend, board) -> None:
    backend.failing = {"bld-nyc", "bld-lon"}
    with pytest.raises(UnavailableError):
        await board.load(None)


async def test_statuses_at_later_moment(backend, board) -> None:
    await meeting(backend, "rm-lon-1-02", datetime(2026, 3, 10, 10, 20, tzinfo=timezone.utc),
                  datetime(2026, 3, 10, 11, tzinfo=timezone.utc), "Soon")
    snapshot = await board.load("lvl-lon-1")
    assert snapshot.statuses["rm-lon-1-02"].state == "soon"
    later = snapshot.statuses_at(datetime(2026, 3, 10, 10, 30, tzinfo=timezone.utc))
    assert later["rm-lon-1-02"].state == "busy"
    assert len(backend.calls) == 1


def test_slot_states_are_right_across_a_clock_change_in_the_buildings_zone():
    """Regression: subtracting two datetimes in the same ZoneInfo uses wall-clock time, an hour
    out on the day the clocks go back; slots must count real elapsed time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from staffterm.models import BusyBlock, BusyStatus, RoomAvailability
    from staffterm.services.room_board import slot_states

    london = ZoneInfo("Europe/London")
    start = datetime(2026, 10, 25, 0, 0, tzinfo=london)  # clocks go back at 02:00 BST -> 01:00 GMT
    block_start = datetime(2026, 10, 25, 9, 0, tzinfo=london)  # 09:00 GMT: 10 real hours after midnight BST
    block = BusyBlock(start=block_start, end=block_start + timedelta(hours=1), status=BusyStatus.BUSY)
    avail = RoomAvailability(room_id="r", start=start, end=start + timedelta(hours=25), blocks=[block])
    states = slot_states(avail, start, slot_minutes=60, slots=25)
    assert states.index(BusyStatus.BUSY) == 10
