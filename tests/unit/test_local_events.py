"""Meetings on the local site: rooms, clashes, approvals, cancellations, free/busy, time zones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import ConflictError, InvalidInputError, NotFoundError
from staffterm.models import (
    Attendee,
    BookingDraft,
    BusyStatus,
    EventDraft,
    EventPatch,
    EventStatus,
    ResponseStatus,
)
from staffterm.times import local_day_window

DAY = datetime(2026, 6, 2, 8, 0, tzinfo=timezone.utc)  # 09:00 in London
HOST = "james.walker@acme.example"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
async def site(tmp_path):
    clock = FrozenClock(DAY - timedelta(days=1))
    backend = LocalBackend("t", database=tmp_path / "site.sqlite3", clock=clock, seed_demo=False)
    await backend.seed_demo_estate()
    yield backend, clock
    await backend.close()


def meeting(start: datetime = DAY, minutes: int = 60, **kw) -> EventDraft:
    kw.setdefault("host", HOST)
    kw.setdefault("title", "Design review")
    return EventDraft(start=start, end=start + timedelta(minutes=minutes), **kw)


async def test_create_in_a_room_calendar_adds_room_and_organizer(site):
    backend, clock = site
    event = await backend.create_event("rm-lon-1-01", meeting(attendees=[Attendee(email="Sophie.Turner@acme.example")]))
    assert event.calendar_id == "rm-lon-1-01@acme.example"
    assert event.room_ids == ["rm-lon-1-01"] and event.location == "Thames"
    assert event.timezone == "Europe/London" and event.ical_uid and event.created == clock.now()
    organizer, person, room = event.attendees
    assert (organizer.email, organizer.organizer, organizer.response) == (HOST, True, ResponseStatus.ACCEPTED)
    assert organizer.name == "James Walker"
    assert person.email == "sophie.turner@acme.example"
    assert (room.email, room.resource, room.response) == ("rm-lon-1-01@acme.example", True, ResponseStatus.ACCEPTED)
    # Visible in the room (by id or email), the host's and the attendee's calendars.
    for calendar in ("rm-lon-1-01", "rm-lon-1-01@acme.example", HOST, "sophie.turner@acme.example"):
        found = await backend.list_events(calendar, DAY - timedelta(hours=1), DAY + timedelta(hours=2))
        assert [e.id for e in found] == [event.id]
    assert await backend.list_events("grace.kim@acme.example", DAY, DAY + timedelta(hours=2)) == []
    assert (await backend.get_event(HOST, event.id)).calendar_id == HOST
    with pytest.raises(NotFoundError):
        await backend.get_event("grace.kim@acme.example", event.id)


async def test_clash_refused_with_the_clashing_events_and_nothing_written(site):
    backend, _ = site
    first = await backend.create_event(HOST, meeting(room_ids=["rm-lon-1-01"]))
    with pytest.raises(ConflictError) as info:
        await backend.create_event(
            "sophie.turner@acme.example", meeting(start=DAY + timedelta(minutes=30), host="", room_ids=["rm-lon-1-01"])
        )
    assert [c.id for c in info.value.clashes] == [first.id]
    assert "Thames (rm-lon-1-01) is already booked" in info.value.message
    assert "2026-06-02 09:00–10:00 Europe/London" in info.value.message
    listed = await backend.list_events("rm-lon-1-01", DAY - timedelta(hours=2), DAY + timedelta(hours=4))
    assert [e.id for e in listed] == [first.id]
    assert await backend.list_events("sophie.turner@acme.example", DAY, DAY + timedelta(hours=4)) == []
    # Back to back is fine; a cancelled meeting no longer blocks.
    await backend.create_event(HOST, meeting(start=DAY + timedelta(hours=1), room_ids=["rm-lon-1-01"]))
    await backend.delete_event(HOST, first.id, notify=False)
    await backend.create_event(HOST, meeting(minutes=30, room_ids=["rm-lon-1-01"]))


async def test_clash_with_a_room_booking(site):
    backend, _ = site
    booking = await backend.create_booking(
        BookingDraft(type="room", asset_ids=["rm-lon-2-01"], start=DAY, end=DAY + timedelta(hours=1), user_email=HOST)
    )
    with pytest.raises(ConflictError) as info:
        await backend.create_event("rm-lon-2-01", meeting())
    assert [c.id for c in info.value.clashes] == [booking.id]


async def test_approval_room_is_tentative_until_approved_and_free_busy_shows_it(site):
    backend, _ = site
    event = await backend.create_event("rm-lon-4-01", meeting(title="Board prep"))
    assert [a.response for a in event.attendees if a.resource] == [ResponseStatus.TENTATIVE]
    window = (DAY - timedelta(minutes=30), DAY + timedelta(minutes=30))
    (availability,) = await backend.free_busy(*window, room_ids=["rm-lon-4-01"])
    (block,) = availability.blocks
    assert block.status == BusyStatus.TENTATIVE and block.event_id == event.id and block.title == "Board prep"
    # Clipped to the window.
    assert (block.start, block.end) == (DAY, DAY + timedelta(minutes=30))
    approved = await backend.approve_event("rm-lon-4-01@acme.example", event.id)
    assert [a.response for a in approved.attendees if a.resource] == [ResponseStatus.ACCEPTED]
    (availability,) = await backend.free_busy(*window, room_ids=["rm-lon-4-01"])
    assert [b.status for b in availability.blocks] == [BusyStatus.BUSY]
    with pytest.raises(NotFoundError, match="does not book"):
        await backend.approve_event("rm-lon-1-01", event.id)


async def test_reject_cancels_frees_the_room_and_tells_the_host(site):
    backend, _ = site
    event = await backend.create_event("rm-lon-3-06", meeting(title="Offsite planning"))
    rejected = await backend.reject_event("rm-lon-3-06", event.id)
    assert rejected.status == EventStatus.CANCELLED
    assert [a.response for a in rejected.attendees if a.resource] == [ResponseStatus.DECLINED]
    (availability,) = await backend.free_busy(DAY, DAY + timedelta(hours=1), room_ids=["rm-lon-3-06"])
    assert availability.blocks == []
    (mail,) = await backend.list_outbox()
    assert mail.to == [HOST] and "Southwark declined" in mail.text
    with pytest.raises(InvalidInputError, match="cancelled"):
        await backend.approve_event("rm-lon-3-06", event.id)


async def test_free_busy_for_a_zone_with_private_and_booking_blocks(site):
    backend, _ = site
    private = await backend.create_event("rm-lon-1-02", meeting(private=True, title="Salary review"))
    await backend.create_booking(
        BookingDraft(type="room", asset_ids=["rm-lon-1-03"], start=DAY - timedelta(hours=3), end=DAY + timedelta(hours=3),
                     user_email=HOST, title="Workshop")
    )
    start, end = DAY, DAY + timedelta(hours=2)
    rooms = await backend.free_busy(start, end, zone_id="lvl-lon-1")
    assert [a.room_id for a in rooms] == ["rm-lon-1-01", "rm-lon-1-02", "rm-lon-1-03", "rm-lon-1-04", "rm-lon-1-05"]
    by_room = {a.room_id: a for a in rooms}
    (block,) = by_room["rm-lon-1-02"].blocks
    assert block.private and block.event_id == private.id
    (booked,) = by_room["rm-lon-1-03"].blocks
    assert (booked.start, booked.end, booked.title, booked.event_id) == (start, end, "Workshop", None)
    assert by_room["rm-lon-1-01"].is_free(start, end)
    assert by_room["rm-lon-1-02"].email == "rm-lon-1-02@acme.example"
    with pytest.raises(NotFoundError):
        await backend.free_busy(start, end, room_ids=["rm-nope"])
    with pytest.raises(NotFoundError):
        await backend.free_busy(start, end, zone_id="bld-nope")
    with pytest.raises(InvalidInputError):
        await backend.free_busy(end, start, zone_id="lvl-lon-1")


async def test_update_rechecks_clashes_excluding_itself_and_moves_rooms(site):
    backend, _ = site
    a = await backend.create_event(HOST, meeting(room_ids=["rm-lon-1-01"], attendees=[Attendee(email="grace.kim@acme.example")]))
    b = await backend.create_event(HOST, meeting(start=DAY + timedelta(hours=2), room_ids=["rm-lon-1-01"]))
    longer = await backend.update_event(HOST, a.id, EventPatch(end=DAY + timedelta(minutes=90)))
    assert longer.end == DAY + timedelta(minutes=90)
    with pytest.raises(ConflictError) as info:
        await backend.update_event(HOST, a.id, EventPatch(end=DAY + timedelta(hours=3)))
    assert [c.id for c in info.value.clashes] == [b.id]
    assert (await backend.get_event(HOST, a.id)).end == DAY + timedelta(minutes=90)
    moved = await backend.update_event(HOST, a.id, EventPatch(room_ids=["rm-lon-4-01"], end=DAY + timedelta(hours=3)))
    assert moved.room_ids == ["rm-lon-4-01"] and moved.location == "Boardroom"
    assert [(x.email, x.response) for x in moved.attendees if x.resource] == [
        ("rm-lon-4-01@acme.example", ResponseStatus.TENTATIVE)
    ]
    assert await backend.list_events("rm-lon-1-01", DAY, DAY + timedelta(hours=1)) == []
    newest, older = await backend.list_outbox()  # one notice per successful move
    assert newest.to == ["grace.kim@acme.example"] and newest.subject == "Updated: Design review"
    assert "Boardroom" in newest.text and "Boardroom" not in older.text
    with pytest.raises(InvalidInputError, match="must be after start"):
        await backend.update_event(HOST, a.id, EventPatch(start=DAY + timedelta(hours=5)))
    with pytest.raises(InvalidInputError, match="cannot be booked"):
        await backend.update_event(HOST, a.id, EventPatch(room_ids=["rm-lon-1-05"]))


async def test_delete_is_soft_and_mails_attendees_with_the_comment(site):
    backend, clock = site
    event = await backend.create_event(
        HOST, meeting(room_ids=["rm-lon-1-01"], attendees=[Attendee(email="grace.kim@acme.example", name="Grace Kim")])
    )
    await backend.delete_event(HOST, event.id, comment="Room needed for an interview")
    window = (DAY - timedelta(hours=1), DAY + timedelta(hours=2))
    assert await backend.list_events(HOST, *window) == []
    (cancelled,) = await backend.list_events(HOST, *window, include_cancelled=True)
    assert cancelled.status == EventStatus.CANCELLED and cancelled.updated == clock.now()
    assert cancelled.extension_data["cancel_comment"] == "Room needed for an interview"
    (mail,) = await backend.list_outbox()
    assert mail.to == ["grace.kim@acme.example"] and mail.subject == "Cancelled: Design review"
    assert "Room needed for an interview" in mail.text and mail.sent_at == clock.now()
    assert mail.sender == "reception@acme.example"
    with pytest.raises(InvalidInputError, match="cancelled"):
        await backend.delete_event(HOST, event.id)
    with pytest.raises(InvalidInputError, match="cancelled"):
        await backend.update_event(HOST, event.id, EventPatch(title="again"))


async def test_decline_by_the_room_keeps_the_comment(site):
    backend, _ = site
    event = await backend.create_event("rm-lon-2-02", meeting())
    await backend.decline_event("rm-lon-2-02", event.id, notify=False, comment="Closed for cleaning")
    (declined,) = await backend.list_events("rm-lon-2-02", DAY, DAY + timedelta(hours=1), include_cancelled=True)
    assert declined.status == EventStatus.CANCELLED
    assert declined.extension_data["decline_comment"] == "Closed for cleaning"
    assert declined.extension_data["declined_by"] == "rm-lon-2-02@acme.example"
    assert [a.response for a in declined.attendees if a.resource] == [ResponseStatus.DECLINED]
    assert await backend.list_outbox() == []


async def test_an_attendee_declining_does_not_cancel_the_meeting(site):
    backend, _ = site
    event = await backend.create_event(
        HOST, meeting(room_ids=["rm-lon-2-02"], attendees=[Attendee(email="grace.kim@acme.example")])
    )
    await backend.decline_event("grace.kim@acme.example", event.id, comment="On leave")
    seen = await backend.get_event(HOST, event.id)
    assert seen.status == EventStatus.CONFIRMED
    assert [a.response for a in seen.attendees if a.email == "grace.kim@acme.example"] == [ResponseStatus.DECLINED]
    (mail,) = await backend.list_outbox()
    assert mail.to == [HOST] and "On leave" in mail.text
    # The host declining their own meeting calls it off.
    await backend.decline_event(HOST, event.id, notify=False)
    assert (await backend.get_event(HOST, event.id)).status == EventStatus.CANCELLED


async def test_idempotency_key_makes_one_meeting(site):
    backend, _ = site
    first = await backend.create_event("rm-lon-1-01", meeting(), idempotency_key="k-1")
    again = await backend.create_event("rm-lon-1-01", meeting(), idempotency_key="k-1")
    assert again.id == first.id
    assert len(await backend.list_events("rm-lon-1-01", DAY, DAY + timedelta(hours=1))) == 1


async def test_bad_input_is_refused_and_nothing_written(site):
    backend, _ = site
    with pytest.raises(NotFoundError, match="rm-lon-9-99"):
        await backend.create_event(HOST, meeting(room_ids=["rm-lon-9-99"]))
    with pytest.raises(NotFoundError, match="rm-nope"):
        await backend.create_event("rm-nope", meeting())
    with pytest.raises(NotFoundError, match="nobody@elsewhere.example"):
        await backend.list_events("nobody@elsewhere.example", DAY, DAY + timedelta(hours=1))
    with pytest.raises(InvalidInputError, match="cannot be booked"):
        await backend.create_event("rm-lon-1-05", meeting())
    with pytest.raises(InvalidInputError, match="must be after start"):
        await backend.create_event(HOST, {"title": "x", "start": DAY, "end": DAY, "room_ids": ["rm-lon-1-01"]})
    with pytest.raises(InvalidInputError, match="not an email"):
        await backend.create_event(HOST, meeting(room_ids=["rm-lon-1-01"], attendees=[Attendee(email="bob")]))
    with pytest.raises(InvalidInputError, match="no time zone"):
        await backend.list_events(HOST, datetime(2026, 6, 2), DAY)
    with pytest.raises(NotFoundError):
        await backend.get_event(HOST, "evt-missing")
    assert await backend.list_events("rm-lon-1-01", DAY - timedelta(days=1), DAY + timedelta(days=1)) == []
    assert [a for a in await backend.list_audit() if a["kind"] == "event"] == []


async def test_external_attendee_expected_becomes_a_guest_visit(site):
    backend, _ = site
    visitor = Attendee(email="olivia@northwind.example", name="Olivia Bennett", visit_expected=True, organisation="Northwind")
    event = await backend.create_event("rm-lon-1-01", meeting(attendees=[visitor]))
    (guest,) = await backend.query_guests(start=DAY - timedelta(hours=1), end=DAY + timedelta(hours=1))
    assert (guest.email, guest.event_id, guest.host_email, guest.host_name) == (
        "olivia@northwind.example", event.id, HOST, "James Walker"
    )
    assert guest.zone_ids == ["bld-lon", "lvl-lon-1"] and guest.visit_start == DAY
    await backend.update_event(HOST, event.id, EventPatch(start=DAY + timedelta(hours=1), end=DAY + timedelta(hours=2)))
    assert (await backend.get_guest(guest.id)).visit_start == DAY + timedelta(hours=1)
    await backend.delete_event(HOST, event.id, notify=False)
    assert await backend.query_guests(start=DAY - timedelta(hours=1), end=DAY + timedelta(hours=3)) == []


async def test_london_events_across_the_spring_dst_change(site):
    backend, _ = site
    night = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)  # 00:30 GMT, clocks go forward at 01:00 UTC
    across = await backend.create_event("rm-lon-1-01", meeting(start=night, minutes=60, title="Night shift handover"))
    before = await backend.create_event(
        "rm-lon-1-01", meeting(start=datetime.combine(date(2026, 3, 28), time(9), tzinfo=LONDON), title="Saturday")
    )
    after = await backend.create_event(
        "rm-lon-1-01", meeting(start=datetime.combine(date(2026, 3, 30), time(9), tzinfo=LONDON), title="Monday")
    )
    assert before.start == datetime(2026, 3, 28, 9, tzinfo=timezone.utc)
    assert after.start == datetime(2026, 3, 30, 8, tzinfo=timezone.utc)
    start, end = local_day_window(date(2026, 3, 29), "Europe/London")
    assert end - start == timedelta(hours=23)
    day_events = await backend.list_events("rm-lon-1-01", start, end)
    assert [e.id for e in day_events] == [across.id]
    local_start = day_events[0].start.astimezone(LONDON)
    local_end = day_events[0].end.astimezone(LONDON)
    assert (local_start.hour, local_end.hour) == (0, 2)  # 00:30 GMT to 02:30 BST
    monday = await backend.list_events("rm-lon-1-01", *local_day_window(date(2026, 3, 30), "Europe/London"))
    assert [e.id for e in monday] == [after.id]


async def test_free_busy_never_carries_a_private_meetings_title(tmp_path):
    """Free/busy is what every screen and kiosk shows: a private meeting's title stays private."""
    from datetime import datetime, timedelta, timezone

    from staffterm.backends.local.backend import LocalBackend
    from staffterm.clock import FrozenClock
    from staffterm.models import EventDraft

    start = datetime(2026, 11, 21, 14, 0, tzinfo=timezone.utc)
    backend = LocalBackend("t", database=tmp_path / "p.sqlite3", clock=FrozenClock(start - timedelta(hours=4)), seed_demo=True)
    async with backend:
        room = await backend.get_room("rm-lon-1-04")
        start = start + timedelta(hours=4)  # after the demo day's meetings
        await backend.create_event(room.email, EventDraft(title="Redundancy talk", start=start, end=start + timedelta(minutes=30),
                                                          host="amelia.hart@acme.example", room_ids=[room.id], private=True))
        (avail,) = await backend.free_busy(start, start + timedelta(hours=1), room_ids=[room.id])
    (block,) = avail.blocks
    assert block.private is True
    assert block.title is None


async def test_a_meeting_cancelled_from_the_rooms_calendar_tells_the_host(tmp_path):
    """Regression: cancelling at the desk (through the room's calendar) mailed attendees but not the host."""
    from datetime import datetime, timedelta, timezone

    from staffterm.backends.local.backend import LocalBackend
    from staffterm.clock import FrozenClock
    from staffterm.models import Attendee, EventDraft

    now = datetime(2026, 11, 21, 6, 0, tzinfo=timezone.utc)
    backend = LocalBackend("t", database=tmp_path / "c.sqlite3", clock=FrozenClock(now))
    async with backend:
        room = await backend.get_room("rm-lon-1-04")
        start = now + timedelta(hours=14)
        host, guest = "amelia.hart@acme.example", "emily.clarke@acme.example"
        event = await backend.create_event(room.email, EventDraft(
            title="Budget", start=start, end=start + timedelta(minutes=30), host=host,
            attendees=[Attendee(email=guest)], room_ids=[room.id]))
        await backend.delete_event(room.email, event.id, notify=True, comment="Room needed for an interview")
        told = {addr for mail in await backend.list_outbox() for addr in mail.to}
        assert {host, guest} <= told
        # The host cancelling their own meeting is not mailed about it.
        other = await backend.create_event(host, EventDraft(
            title="Sync", start=start, end=start + timedelta(minutes=30), host=host,
            attendees=[Attendee(email=guest)], room_ids=[room.id]))
        before = len(await backend.list_outbox())
        await backend.delete_event(host, other.id, notify=True)
        latest = (await backend.list_outbox())[: len(await backend.list_outbox()) - before]
        assert all(host not in mail.to for mail in latest) and any(guest in mail.to for mail in latest)
