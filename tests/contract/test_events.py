"""Meetings in a room's calendar: list, read, create, change, cancel, decline, approve."""

from __future__ import annotations

from datetime import timedelta

import pytest

from staffterm.capabilities import Capability
from staffterm.errors import ConflictError, InvalidInputError, NotFoundError
from staffterm.models import Attendee, EventDraft, EventPatch, EventStatus, ResponseStatus
from tests.contract.needs import needs


def _draft(site, title: str = "Contract meeting", hours_later: float = 0, minutes: int = 60, **over) -> EventDraft:
    start, end = site.scenario.slot(hours_later, minutes)
    data = {"title": title, "start": start, "end": end, "host": site.scenario.host_email,
            "attendees": [Attendee(email=site.scenario.person_email)]}
    data.update(over)
    return EventDraft.model_validate(data)


async def _room_is_free(site, room_id: str, start, end) -> bool:
    (availability,) = await site.backend.free_busy(start, end, room_ids=[room_id])
    assert availability.error is None
    return availability.is_free(start, end)


async def _ids_in(site, calendar_id: str, **kw) -> list[str]:
    day_start, day_end = site.scenario.today()
    return [e.id for e in await site.backend.list_events(calendar_id, day_start, day_end, **kw)]


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_a_meeting_made_in_a_room_is_listed_and_read_back(site):
    sc = site.scenario
    draft = _draft(site)
    made = await site.backend.create_event(sc.room_id, draft)
    assert made.title == draft.title and made.start == draft.start and made.end == draft.end
    assert sc.room_id in made.room_ids and made.host == sc.host_email
    assert made.status == EventStatus.CONFIRMED
    assert sc.person_email in {a.email for a in made.attendees}

    room = await site.backend.get_room(sc.room_id) if Capability.ROOMS in site.backend.capabilities else None
    assert made.id in await _ids_in(site, sc.room_id)
    if room is not None:
        assert made.id in await _ids_in(site, room.email)  # a room's mailbox names its calendar too
    again = await site.backend.get_event(sc.room_id, made.id)
    assert (again.id, again.title, again.start, again.end) == (made.id, made.title, made.start, made.end)


@needs(Capability.EVENTS)
async def test_listing_keeps_to_the_window(site):
    sc = site.scenario
    day_start, day_end = sc.today()
    for event in await site.backend.list_events(sc.room_id, day_start, day_end):
        assert event.start < day_end and event.end > day_start
        assert event.status != EventStatus.CANCELLED
    with pytest.raises(InvalidInputError):
        await site.backend.list_events(sc.room_id, day_end, day_start)


@needs(Capability.EVENTS)
async def test_unknown_meetings_and_calendars_are_not_found(site):
    day_start, day_end = site.scenario.today()
    with pytest.raises(NotFoundError):
        await site.backend.get_event(site.scenario.room_id, "no-such-meeting")
    with pytest.raises(NotFoundError):
        await site.backend.list_events(site.scenario.missing_room_id, day_start, day_end)


@needs(Capability.EVENTS, Capability.EVENT_WRITE, Capability.FREE_BUSY)
async def test_a_meeting_makes_its_room_busy(site):
    sc = site.scenario
    made = await site.backend.create_event(sc.room_id, _draft(site, minutes=30))
    start, end = sc.slot()
    (availability,) = await site.backend.free_busy(start, end, room_ids=[sc.room_id])
    assert [(b.start, b.end) for b in availability.blocks] == [(made.start, made.end)]
    assert availability.busy_at(made.start) is not None and availability.busy_at(made.end) is None


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_a_clashing_meeting_is_a_conflict_naming_the_clash(site):
    sc = site.scenario
    first = await site.backend.create_event(sc.room_id, _draft(site, "First"))
    with pytest.raises(ConflictError) as caught:
        await site.backend.create_event(sc.room_id, _draft(site, "Second", hours_later=0.5))
    assert first.id in {getattr(c, "id", None) for c in caught.value.clashes}
    titles = [e.title for e in await site.backend.list_events(sc.room_id, *sc.slot(minutes=120))]
    assert titles == ["First"]  # the refused meeting was not made
    # Back to back is not a clash.
    await site.backend.create_event(sc.room_id, _draft(site, "Next", hours_later=1))


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_the_same_idempotency_key_makes_one_meeting(site):
    sc = site.scenario
    first = await site.backend.create_event(sc.room_id, _draft(site), idempotency_key="contract-evt-1")
    second = await site.backend.create_event(sc.room_id, _draft(site), idempotency_key="contract-evt-1")
    assert second.id == first.id
    assert (await _ids_in(site, sc.room_id)).count(first.id) == 1
    other = await site.backend.create_event(sc.room_id, _draft(site, hours_later=2), idempotency_key="contract-evt-2")
    assert other.id != first.id


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_meetings_in_rooms_that_cannot_be_booked_are_refused(site):
    sc = site.scenario
    before = await _ids_in(site, sc.room_id)
    with pytest.raises(InvalidInputError):
        await site.backend.create_event(sc.unbookable_room_id, _draft(site))
    with pytest.raises(NotFoundError):
        await site.backend.create_event(sc.missing_room_id, _draft(site))
    with pytest.raises(InvalidInputError):  # bad times given as plain data (the CLI's JSON)
        start, end = sc.slot()
        await site.backend.create_event(sc.room_id, {"title": "Backwards", "start": end, "end": start})
    assert await _ids_in(site, sc.room_id) == before


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_changing_a_meeting(site):
    sc = site.scenario
    made = await site.backend.create_event(sc.room_id, _draft(site))
    later_end = made.end + timedelta(minutes=30)
    changed = await site.backend.update_event(sc.room_id, made.id, EventPatch(title="Renamed", end=later_end))
    assert (changed.id, changed.title, changed.start, changed.end) == (made.id, "Renamed", made.start, later_end)
    again = await site.backend.get_event(sc.room_id, made.id)
    assert (again.title, again.end) == ("Renamed", later_end)
    with pytest.raises(InvalidInputError):
        await site.backend.update_event(sc.room_id, made.id, EventPatch(end=made.start - timedelta(minutes=5)))
    assert (await site.backend.get_event(sc.room_id, made.id)).end == later_end  # the bad change changed nothing
    with pytest.raises(NotFoundError):
        await site.backend.update_event(sc.room_id, "no-such-meeting", EventPatch(title="x"))


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_moving_a_meeting_to_another_room(site):
    sc = site.scenario
    made = await site.backend.create_event(sc.room_id, _draft(site))
    moved = await site.backend.update_event(sc.room_id, made.id, EventPatch(room_ids=[sc.other_room_id]))
    assert moved.room_ids[0] == sc.other_room_id and sc.room_id not in moved.room_ids
    assert made.id not in await _ids_in(site, sc.room_id)
    assert made.id in await _ids_in(site, sc.other_room_id)


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_moving_a_meeting_onto_another_is_a_conflict(site):
    sc = site.scenario
    there = await site.backend.create_event(sc.other_room_id, _draft(site, "Already there"))
    mine = await site.backend.create_event(sc.room_id, _draft(site, "Mine"))
    with pytest.raises(ConflictError) as caught:
        await site.backend.update_event(sc.room_id, mine.id, EventPatch(room_ids=[sc.other_room_id]))
    assert there.id in {getattr(c, "id", None) for c in caught.value.clashes}
    assert mine.id in await _ids_in(site, sc.room_id)  # refused: nothing moved


@needs(Capability.EVENTS, Capability.EVENT_WRITE, Capability.FREE_BUSY)
async def test_cancelling_a_meeting_frees_the_room(site):
    sc = site.scenario
    plain = await site.backend.create_event(sc.room_id, _draft(site, "Plain"))
    with_note = await site.backend.create_event(sc.room_id, _draft(site, "With a note", hours_later=1))
    await site.backend.delete_event(sc.room_id, plain.id)
    await site.backend.delete_event(sc.room_id, with_note.id, comment="Room closed for cleaning")
    listed = await _ids_in(site, sc.room_id)
    assert plain.id not in listed and with_note.id not in listed
    assert await _room_is_free(site, sc.room_id, *sc.slot(minutes=120))
    # Once cancelled, the room can be booked again at that time.
    await site.backend.create_event(sc.room_id, _draft(site, "Instead"))


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_a_cancelled_meeting_is_listed_only_on_request(site):
    sc = site.scenario
    made = await site.backend.create_event(sc.room_id, _draft(site))
    await site.backend.delete_event(sc.room_id, made.id, comment="Called off")
    everything = await site.backend.list_events(sc.room_id, *sc.today(), include_cancelled=True)
    shown = [e for e in everything if e.id == made.id]
    assert all(e.status == EventStatus.CANCELLED for e in shown)
    assert made.id not in await _ids_in(site, sc.room_id)


@needs(Capability.EVENTS, Capability.EVENT_WRITE, Capability.FREE_BUSY)
async def test_a_room_declining_a_meeting_frees_it(site):
    sc = site.scenario
    made = await site.backend.create_event(sc.room_id, _draft(site))
    await site.backend.decline_event(sc.room_id, made.id, comment="Out of order")
    assert made.id not in await _ids_in(site, sc.room_id)
    assert await _room_is_free(site, sc.room_id, *sc.slot())


@needs(Capability.EVENTS, Capability.EVENT_WRITE)
async def test_cancelling_an_unknown_meeting_is_not_found(site):
    with pytest.raises(NotFoundError):
        await site.backend.delete_event(site.scenario.room_id, "no-such-meeting")


@needs(Capability.EVENTS, Capability.EVENT_WRITE, Capability.EVENT_APPROVAL)
async def test_a_room_approves_or_rejects_a_meeting(site):
    sc = site.scenario
    room = await site.backend.get_room(sc.approval_room_id)
    first = await site.backend.create_event(sc.approval_room_id, _draft(site, "Needs approval"))
    second = await site.backend.create_event(sc.approval_room_id, _draft(site, "Also", hours_later=1))

    def room_response(event):
        return next(a.response for a in event.attendees if a.email == room.email)

    approved = await site.backend.approve_event(sc.approval_room_id, first.id)
    assert approved.id == first.id and room_response(approved) == ResponseStatus.ACCEPTED
    rejected = await site.backend.reject_event(room.email, second.id)
    assert rejected.id == second.id and room_response(rejected) == ResponseStatus.DECLINED
    listed = await _ids_in(site, sc.approval_room_id)
    assert first.id in listed and second.id not in listed
    with pytest.raises(NotFoundError):
        await site.backend.approve_event(sc.approval_room_id, "no-such-meeting")
