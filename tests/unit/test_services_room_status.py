from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffterm.errors import InvalidInputError
from staffterm.models import BusyBlock, BusyStatus, Room, RoomAvailability
from staffterm.services.room_board import room_status, slot_states

LONDON = ZoneInfo("Europe/London")
ROOM = Room(id="rm-1", email="rm-1@acme.example", name="Room 1")
DAY = datetime(2026, 6, 1, 0, 0, tzinfo=LONDON)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute).astimezone(timezone.utc)


def block(h1: int, m1: int, h2: int, m2: int, status: BusyStatus = BusyStatus.BUSY) -> BusyBlock:
    return BusyBlock(start=at(h1, m1), end=at(h2, m2), status=status)


def avail(*blocks: BusyBlock, error: str | None = None) -> RoomAvailability:
    return RoomAvailability(room_id=ROOM.id, start=at(0), end=at(23, 59), blocks=list(blocks), error=error)


def test_free_all_day() -> None:
    status = room_status(ROOM, avail(), at(9))
    assert status.state == "free" and status.describe(LONDON) == "free"


def test_free_until_next_meeting() -> None:
    status = room_status(ROOM, avail(block(14, 30, 15, 0)), at(9))
    assert status.state == "free"
    assert status.free_until == at(14, 30)
    assert status.describe(LONDON) == "free until 14:30"
    assert status.describe(LONDON, clock_24h=False) == "free until 2:30 pm"


def test_soon() -> None:
    status = room_status(ROOM, avail(block(15, 0, 16, 0)), at(14, 50), soon_minutes=15)
    assert status.state == "soon"
    assert status.describe(LONDON) == "next meeting at 15:00"
    assert room_status(ROOM, avail(block(15, 0, 16, 0)), at(14, 40), soon_minutes=15).state == "free"


def test_busy_until_end_of_back_to_back_chain() -> None:
    status = room_status(ROOM, avail(block(10, 0, 10, 30), block(10, 30, 11, 0), block(13, 0, 14, 0)), at(10, 10))
    assert status.state == "busy"
    assert status.busy_until == at(11)
    assert status.describe(LONDON) == "busy until 11:00"
    assert status.current.start == at(10)
    assert status.next.start == at(13)


def test_tentative_counts_as_busy_and_free_blocks_do_not() -> None:
    assert room_status(ROOM, avail(block(9, 0, 10, 0, BusyStatus.TENTATIVE)), at(9, 30)).state == "busy"
    assert room_status(ROOM, avail(block(9, 0, 10, 0, BusyStatus.FREE)), at(9, 30)).state == "free"


def test_unavailable() -> None:
    status = room_status(ROOM, avail(error="mailbox not found"), at(9))
    assert status.state == "unavailable"
    assert status.describe(LONDON) == "unavailable: mailbox not found"
    assert room_status(ROOM, None, at(9)).state == "unavailable"


def test_busy_until_tomorrow_shows_date() -> None:
    late = BusyBlock(start=at(22), end=at(22) + timedelta(hours=4))
    assert room_status(ROOM, avail(late), at(23)).describe(LONDON) == "busy until Tue 2 Jun 02:00"


def test_describe_in_other_zone() -> None:
    status = room_status(ROOM, avail(block(14, 30, 15, 0)), at(9))
    assert status.describe(ZoneInfo("America/New_York")) == "free until 09:30"


def test_slot_states_buckets_and_worst_wins() -> None:
    blocks = [
        block(0, 0, 0, 30, BusyStatus.ELSEWHERE),
        block(0, 5, 0, 12, BusyStatus.TENTATIVE),  # inside slot 0 with elsewhere: tentative wins
        block(1, 0, 1, 15, BusyStatus.OOF),
        block(1, 5, 1, 40, BusyStatus.BUSY),  # busy beats oof in slot 4, fills slots 4-6
        block(2, 0, 2, 15, BusyStatus.FREE),
    ]
    slots = slot_states(avail(*blocks), at(0), slot_minutes=15, slots=10)
    assert slots == [
        BusyStatus.TENTATIVE,
        BusyStatus.ELSEWHERE,
        BusyStatus.FREE,
        BusyStatus.FREE,
        BusyStatus.BUSY,
        BusyStatus.BUSY,
        BusyStatus.BUSY,
        BusyStatus.FREE,
        BusyStatus.FREE,
        BusyStatus.FREE,
    ]


def test_slot_states_boundaries_and_clipping() -> None:
    # Ends exactly on a boundary: does not spill into the next slot. Starts before the window.
    slots = slot_states(avail(block(0, 0, 0, 30), block(2, 45, 3, 30)), at(0, 15), slot_minutes=15, slots=11)
    assert slots[0] == BusyStatus.BUSY and slots[1] == BusyStatus.FREE
    assert slots[9] == BusyStatus.FREE and slots[10] == BusyStatus.BUSY
    assert len(slots) == 11


def test_slot_states_rejects_bad_slot_length() -> None:
    with pytest.raises(InvalidInputError):
        slot_states(avail(), at(0), slot_minutes=0)
