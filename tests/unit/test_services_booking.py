"""BookingService against the real local backend (the demo estate, no demo meetings), frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import ConflictError, InvalidInputError, NotFoundError
from staffterm.models import Attendee, BusyBlock, EventDraft
from staffterm.services.booking import BookingService

# Tuesday 10 March 2026, 10:07:30 UTC: London is on GMT, New York already on EDT (UTC-4).
NOW = datetime(2026, 3, 10, 10, 7, 30, tzinfo=timezone.utc)
HOST = "amelia.hart@acme.example"


def utc(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def backend(tmp_path, clock):
    site = LocalBackend("t", database=tmp_path / "x.sqlite3", clock=clock, seed_demo=False)
    async with site:
        await site.seed_demo_estate()
        yield site


@pytest.fixture
def service(backend, clock) -> BookingService:
    return BookingService(backend, clock)


async def meeting(backend, room_id: str, start: datetime, end: datetime, title: str, *, private: bool = False):
    room = await backend.get_room(room_id)
    draft = EventDraft(title=title, start=start, end=end, host=HOST, room_ids=[room.id], private=private)
    return await backend.create_event(room.email, draft)


async def room_events(backend, room_id: str):
    room = await backend.get_room(room_id)
    return await backend.list_events(room.email, utc(0), utc(23, 59))


# --------------------------------------------------------------------------- find free rooms


async def test_find_free_rooms_sorted_by_capacity_then_name(backend, service) -> None:
    await meeting(backend, "rm-lon-1-01", utc(10), utc(11), "Busy now")
    await meeting(backend, "rm-lon-1-02", utc(9), utc(10, 7), "Ended a moment ago")  # ends before the minute
    free = await service.find_free_rooms(30, zone_id="lvl-lon-1")
    ids = [r.id for r in free]
    assert "rm-lon-1-01" not in ids  # busy
    assert "rm-lon-1-05" not in ids  # not bookable
    assert "rm-lon-1-02" in ids
    assert [(r.capacity, r.name.lower()) for r in free] == sorted((r.capacity, r.name.lower()) for r in free)
    assert all(r.in_zone("lvl-lon-1") for r in free)


async def test_find_free_rooms_filters_and_start(backend, service) -> None:
    await meeting(backend, "rm-lon-1-01", utc(14), utc(15), "Afternoon")
    big = await service.find_free_rooms(60, zone_id="bld-lon", capacity=8, features=["vc"])
    assert big and all(r.capacity >= 8 and "vc" in r.features for r in big)
    assert "rm-lon-1-01" in [r.id for r in big]
    later = await service.find_free_rooms(60, zone_id="bld-lon", capacity=8, features=["vc"], start=utc(14, 30))
    assert "rm-lon-1-01" not in [r.id for r in later]


async def test_find_free_rooms_bad_input(service) -> None:
    with pytest.raises(InvalidInputError):
        await service.find_free_rooms(0)
    with pytest.raises(NotFoundError):
        await service.find_free_rooms(30, zone_id="bld-nowhere")
    with pytest.raises(InvalidInputError):
        await service.find_free_rooms(30, start=datetime(2026, 3, 10, 12))  # naive


# --------------------------------------------------------------------------- book a room


async def test_book_room_creates_in_room_calendar(backend, service) -> None:
    event = await service.book_room(
        "rm-lon-2-01", utc(11), utc(12), title="Quarterly review", host=HOST, attendees=["chloe.evans@acme.example"]
    )
    room = await backend.get_room("rm-lon-2-01")
    assert event.calendar_id == room.email
    assert event.room_ids == ["rm-lon-2-01"]
    assert event.host == HOST
    emails = {a.email: a for a in event.attendees}
    assert emails[HOST].organizer
    assert "chloe.evans@acme.example" in emails
    assert emails[room.email].resource
    assert event.timezone == "Europe/London"
    assert [e.id for e in await room_events(backend, "rm-lon-2-01")] == [event.id]


async def test_book_room_is_idempotent_with_a_key(backend, service) -> None:
    first = await service.book_room("rm-lon-2-01", utc(11), utc(12), title="Once", host=HOST, idempotency_key="k-1")
    again = await service.book_room("rm-lon-2-01", utc(11), utc(12), title="Once", host=HOST, idempotency_key="k-1")
    assert first.id == again.id
    assert len(await room_events(backend, "rm-lon-2-01")) == 1
    # A different key over the same span is a real clash, not a retry.
    with pytest.raises(ConflictError):
        await service.book_room("rm-lon-2-01", utc(11), utc(12), title="Other", host=HOST, idempotency_key="k-2")
    assert len(await room_events(backend, "rm-lon-2-01")) == 1


async def test_book_room_clash_is_refused_named_and_nothing_created(backend, service) -> None:
    existing = await meeting(backend, "rm-lon-1-02", utc(10), utc(11), "Board prep")
    with pytest.raises(ConflictError) as info:
        await service.book_room("rm-lon-1-02", utc(10, 30), utc(11, 30), title="Mine", host=HOST)
    error = info.value
    assert "Fleet" in error.message
    assert "'Board prep' 10:00–11:00" in error.message
    assert len(error.clashes) == 1
    assert isinstance(error.clashes[0], BusyBlock) and error.clashes[0].event_id == existing.id
    assert [e.id for e in await room_events(backend, "rm-lon-1-02")] == [existing.id]


async def test_book_room_clash_with_private_meeting_is_not_named(backend, service) -> None:
    await meeting(backend, "rm-lon-1-02", utc(13), utc(14), "Secret merger", private=True)
    with pytest.raises(ConflictError) as info:
        await service.book_room("rm-lon-1-02", utc(13, 30), utc(14, 30), title="Mine", host=HOST)
    assert "Secret" not in info.value.message
    assert "a private meeting 13:00–14:00" in info.value.message


async def test_back_to_back_is_not_a_clash(backend, service) -> None:
    await meeting(backend, "rm-lon-1-02", utc(10), utc(11), "Before")
    event = await service.book_room("rm-lon-1-02", utc(11), utc(12), title="After", host=HOST)
    assert event.start == utc(11)


@pytest.mark.parametrize(
    "room_id, start, end, host, field",
    [
        ("rm-lon-2-01", utc(12), utc(11), HOST, "end"),
        ("rm-lon-2-01", utc(12), utc(12), HOST, "end"),
        ("rm-lon-2-01", utc(10, 2), utc(11), HOST, "start"),  # more than 5 minutes ago
        ("rm-lon-2-01", utc(11), utc(12), "not-an-email", "host"),
        ("rm-lon-1-05", utc(11), utc(12), HOST, "room_id"),  # not bookable
    ],
)
async def test_book_room_bad_input_changes_nothing(backend, service, room_id, start, end, host, field) -> None:
    with pytest.raises(InvalidInputError) as info:
        await service.book_room(room_id, start, end, title="x", host=host)
    assert info.value.field == field
    assert await room_events(backend, room_id) == []


async def test_book_room_unknown_room(service) -> None:
    with pytest.raises(NotFoundError) as info:
        await service.book_room("rm-nope", utc(11), utc(12), title="x", host=HOST)
    assert "rm-nope" in info.value.message


async def test_book_room_allows_a_start_within_grace(service) -> None:
    event = await service.book_room("rm-lon-2-01", utc(10, 3), utc(11), title="Just started", host=HOST)
    assert event.start == utc(10, 3)


async def test_book_room_now(backend, service) -> None:
    event = await service.book_room_now("rm-lon-1-03", 30)
    assert (event.start, event.end) == (utc(10, 7), utc(10, 37))
    assert event.title == "Ad hoc meeting"
    assert event.host == ""  # the room booked itself
    room = await backend.get_room("rm-lon-1-03")
    assert [a.email for a in event.attendees] == [room.email]
    with pytest.raises(ConflictError):
        await service.book_room_now("rm-lon-1-03", 15, host=HOST)


# --------------------------------------------------------------------------- change meetings


async def test_extend_meeting_up_to_the_next_one(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(10), utc(10, 30), "Design crit")
    await meeting(backend, "rm-lon-1-01", utc(10, 45), utc(11, 30), "Standup")
    with pytest.raises(ConflictError) as info:
        await service.extend_meeting(current.calendar_id, current.id, 30)
    assert "'Standup' 10:45–11:30" in info.value.message
    assert "at most 15 minutes" in info.value.hint
    unchanged = await backend.get_event(current.calendar_id, current.id)
    assert unchanged.end == utc(10, 30)
    extended = await service.extend_meeting(current.calendar_id, current.id, 15)
    assert extended.end == utc(10, 45)


async def test_extend_from_the_hosts_calendar(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(10), utc(10, 30), "Design crit")
    await meeting(backend, "rm-lon-1-01", utc(10, 45), utc(11, 30), "Standup")
    with pytest.raises(ConflictError):
        await service.extend_meeting(HOST, current.id, 30)


async def test_extend_refuses_ended_and_bad_minutes(backend, service) -> None:
    past = await meeting(backend, "rm-lon-1-01", utc(8), utc(9), "Early")
    with pytest.raises(InvalidInputError):
        await service.extend_meeting(past.calendar_id, past.id, 15)
    with pytest.raises(InvalidInputError):
        await service.extend_meeting(past.calendar_id, past.id, -5)


async def test_end_meeting_now_shortens_a_running_meeting(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(10), utc(11), "Running")
    ended = await service.end_meeting_now(current.calendar_id, current.id)
    assert ended is not None and ended.end == utc(10, 7)
    # The room is free again from now.
    assert "rm-lon-1-01" in [r.id for r in await service.find_free_rooms(30, zone_id="lvl-lon-1")]


async def test_end_meeting_now_cancels_one_not_started(backend, service) -> None:
    later = await meeting(backend, "rm-lon-1-01", utc(12), utc(13), "Later")
    assert await service.end_meeting_now(later.calendar_id, later.id) is None
    assert await room_events(backend, "rm-lon-1-01") == []


async def test_end_meeting_now_refuses_a_finished_one(backend, service) -> None:
    past = await meeting(backend, "rm-lon-1-01", utc(8), utc(9), "Early")
    with pytest.raises(InvalidInputError):
        await service.end_meeting_now(past.calendar_id, past.id)


async def test_move_meeting_to_a_free_room(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(10), utc(11), "Moving")
    moved = await service.move_meeting(current.calendar_id, current.id, "rm-lon-1-03")
    assert moved.room_ids == ["rm-lon-1-03"]
    assert moved.location == "Walbrook"
    resources = [a.email for a in moved.attendees if a.resource]
    assert resources == ["rm-lon-1-03@acme.example"]
    assert await room_events(backend, "rm-lon-1-01") == []
    assert [e.id for e in await room_events(backend, "rm-lon-1-03")] == [current.id]


async def test_move_meeting_refuses_busy_room_and_changes_nothing(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(10), utc(11), "Moving")
    await meeting(backend, "rm-lon-1-03", utc(10, 30), utc(12), "In the way")
    with pytest.raises(ConflictError) as info:
        await service.move_meeting(current.calendar_id, current.id, "rm-lon-1-03")
    assert "In the way" in info.value.message
    assert (await backend.get_event(current.calendar_id, current.id)).room_ids == ["rm-lon-1-01"]
    with pytest.raises(InvalidInputError):
        await service.move_meeting(current.calendar_id, current.id, "rm-lon-1-01")


async def test_move_running_meeting_needs_the_whole_span_free(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(9, 30), utc(11), "Running")
    await meeting(backend, "rm-lon-1-03", utc(9), utc(10), "Finished earlier")
    with pytest.raises(ConflictError) as info:
        await service.move_meeting(current.calendar_id, current.id, "rm-lon-1-03")
    assert "'Finished earlier' 09:00–10:00" in info.value.message
    moved = await service.move_meeting(current.calendar_id, current.id, "rm-lon-1-02")
    assert moved.room_ids == ["rm-lon-1-02"]


async def test_cancel_meeting(backend, service) -> None:
    current = await meeting(backend, "rm-lon-1-01", utc(12), utc(13), "Doomed")
    await service.cancel_meeting(current.calendar_id, current.id, notify=False, comment="room closed")
    assert await room_events(backend, "rm-lon-1-01") == []


# --------------------------------------------------------------------------- bookings


async def test_create_desk_booking_and_clash_passes_through(backend, service) -> None:
    booking = await service.create_booking(
        "desk", "desk-lon-2-01", "chloe.evans@acme.example", utc(12), utc(17), zones=["bld-lon", "lvl-lon-2"]
    )
    assert booking.asset_ids == ["desk-lon-2-01"]
    assert booking.timezone == "Europe/London"
    with pytest.raises(ConflictError):
        await service.create_booking("desk", "desk-lon-2-01", "amelia.hart@acme.example", utc(13), utc(14))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"user_email": "nobody"}, "user_email"),
        ({"asset_id": " "}, "asset_id"),
        ({"start": utc(17), "end": utc(12)}, "end"),
        ({"type": " "}, "type"),
    ],
)
async def test_create_booking_bad_input(backend, service, kwargs, field) -> None:
    args = {"type": "desk", "asset_id": "desk-lon-2-01", "user_email": HOST, "start": utc(12), "end": utc(17)}
    args.update(kwargs)
    with pytest.raises(InvalidInputError) as info:
        await service.create_booking(args.pop("type"), args.pop("asset_id"), args.pop("user_email"), args.pop("start"), args.pop("end"))
    assert info.value.field == field


async def test_create_booking_unknown_zone(service) -> None:
    with pytest.raises(NotFoundError):
        await service.create_booking("desk", "desk-lon-2-01", HOST, utc(12), utc(17), zones=["nowhere"])


async def test_attendee_objects_are_accepted(backend, service) -> None:
    guest = Attendee(email="Visitor@Guest.example", name="Vi Sitor", visit_expected=True)
    event = await service.book_room("rm-lon-2-02", utc(15), utc(16), title="Visit", host=HOST, attendees=[guest])
    assert "visitor@guest.example" in [a.email for a in event.attendees]
    assert event.end - event.start == timedelta(hours=1)
