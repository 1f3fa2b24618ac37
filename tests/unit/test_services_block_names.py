"""Busy blocks named from a room's calendar: order kept, span and id taken, private meetings never
named, and a calendar that cannot be read leaves the blocks as they were."""

from __future__ import annotations

from datetime import UTC, datetime

from staffterm.capabilities import Capability
from staffterm.errors import UnavailableError
from staffterm.models import BusyBlock, BusyStatus, Event, Room
from staffterm.services.block_names import name_blocks, needs_names

ROOM = Room(id="sys-ada", name="Ada", email="ada.room@acme.example", capacity=8)
START, END = datetime(2026, 11, 22, 0, tzinfo=UTC), datetime(2026, 11, 23, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 22, hour, minute, tzinfo=UTC)


def event(event_id: str, start: datetime, end: datetime, title: str, *, private: bool = False) -> Event:
    return Event(id=event_id, calendar_id=ROOM.email, title=title, start=start, end=end, private=private)


class CalendarStub:
    """Just enough backend: a room calendar that answers, or fails, and counts its reads."""

    def __init__(self, events: list[Event], *, fail: bool = False, events_capability: bool = True) -> None:
        self.events, self.fail, self.events_capability = events, fail, events_capability
        self.reads: list[tuple[str, datetime, datetime]] = []

    def supports(self, capability: Capability) -> bool:
        return capability != Capability.EVENTS or self.events_capability

    async def list_events(self, calendar_id: str, start: datetime, end: datetime) -> list[Event]:
        self.reads.append((calendar_id, start, end))
        if self.fail:
            raise UnavailableError("calendar offline")
        return self.events


async def test_blocks_take_the_meetings_title_span_and_id_in_order() -> None:
    # Free/busy clipped the first block to 09:30 and named nothing.
    blocks = [BusyBlock(start=at(9, 30), end=at(10)), BusyBlock(start=at(14), end=at(15))]
    backend = CalendarStub([event("e2", at(14), at(15), "Client visit"), event("e1", at(9), at(10), "Weekly sync")])
    named = await name_blocks(backend, ROOM, blocks, START, END)
    assert [(b.title, b.event_id, b.start, b.end) for b in named] == [
        ("Weekly sync", "e1", at(9), at(10)), ("Client visit", "e2", at(14), at(15))]
    assert backend.reads == [(ROOM.email, START, END)]  # one read for all of them


async def test_a_block_with_an_event_id_matches_that_event_not_the_first_overlap() -> None:
    blocks = [BusyBlock(start=at(9), end=at(10), event_id="e2")]
    backend = CalendarStub([event("e1", at(9), at(10), "Overlap"), event("e2", at(9), at(10), "The one")])
    [named] = await name_blocks(backend, ROOM, blocks, START, END)
    assert named.title == "The one"


async def test_a_private_meeting_is_never_named() -> None:
    blocks = [BusyBlock(start=at(11), end=at(11, 30))]
    backend = CalendarStub([event("e3", at(11), at(11, 30), "Salary review", private=True)])
    [named] = await name_blocks(backend, ROOM, blocks, START, END)
    assert named.private and named.title is None and named.event_id == "e3"


async def test_an_unreadable_calendar_or_no_events_capability_leaves_the_blocks() -> None:
    blocks = [BusyBlock(start=at(9), end=at(10))]
    assert await name_blocks(CalendarStub([], fail=True), ROOM, blocks, START, END) == blocks
    no_events = CalendarStub([event("e1", at(9), at(10), "Weekly sync")], events_capability=False)
    assert await name_blocks(no_events, ROOM, blocks, START, END) == blocks and no_events.reads == []


def test_needs_names_only_for_untitled_public_busy_blocks() -> None:
    assert needs_names([BusyBlock(start=at(9), end=at(10))])
    assert not needs_names([BusyBlock(start=at(9), end=at(10), title="Weekly sync")])
    assert not needs_names([BusyBlock(start=at(9), end=at(10), private=True)])
    assert not needs_names([BusyBlock(start=at(9), end=at(10), status=BusyStatus.FREE)])
    assert not needs_names([])
