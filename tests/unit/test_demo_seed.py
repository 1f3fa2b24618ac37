"""The demo site: stable ids, deterministic days, and a useful morning at 10:00 in London."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.local.demo import estate as demo_estate
from staffterm.backends.local.demo import seed as demo_seed
from staffterm.clock import FrozenClock
from staffterm.models import BookingDraft, BookingQuery, EventDraft, ResponseStatus
from staffterm.times import local_day_window

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TEN_IN_LONDON = datetime(2026, 11, 19, 10, 0, tzinfo=LONDON)


def test_estate_uses_the_documented_ids():
    estate = demo_estate.demo_estate()
    zones = {z.id: z for z in estate.zones}
    assert zones["org-acme"].name == "Acme Corp"
    assert zones["bld-lon"].name == "London — Bishopsgate" and zones["bld-lon"].timezone == "Europe/London"
    assert zones["bld-nyc"].name == "New York — Hudson Yards" and zones["bld-nyc"].timezone == "America/New_York"
    assert zones["bld-lon"].tags == ["building"] and zones["bld-lon"].parent_id == "org-acme"
    levels = sorted(z.id for z in estate.zones if z.kind == "level")
    assert levels == ["lvl-lon-1", "lvl-lon-2", "lvl-lon-3", "lvl-lon-4", "lvl-nyc-1", "lvl-nyc-2", "lvl-nyc-3"]
    assert all(zones[level].tags == ["level"] and zones[level].name.startswith("Level ") for level in levels)
    rooms = estate.rooms
    assert 38 <= len(rooms) <= 42 and "rm-lon-1-01" in {r.id for r in rooms}
    for room in rooms:
        building, level = room.zone_ids
        assert room.id.startswith(f"rm-{building[4:]}-{level[-1]}-")
        assert room.email == f"{room.id}@acme.example"
        assert 2 <= room.capacity <= 20
        assert set(room.features) <= {"screen", "vc", "whiteboard", "phone", "approval"}
    assert sum("approval" in r.features for r in rooms) >= 2
    assert 1 <= sum(not r.bookable for r in rooms) <= 2 and any(r.accessible for r in rooms)
    assets = {a.id: a for a in estate.assets}
    assert "desk-lon-2-01" in assets and "park-lon-01" in assets and "park-nyc-05" in assets
    assert sum(a.type == "desk" and "bld-lon" in a.zone_ids for a in assets.values()) == 10
    assert any(a.type == "locker" for a in assets.values())
    emails = {u.email for u in estate.users}
    assert len(emails) == 20 and all(e.endswith("@acme.example") and "." in e.split("@")[0] for e in emails)
    assert all(u.manager_email in emails for u in estate.users if u.manager_email)
    groups = {g.name: members for g, members in estate.groups}
    assert {"Reception", "Facilities", "Engineering"} <= set(groups) and all(groups.values())


def test_same_date_same_day_and_other_dates_differ():
    day = date(2026, 11, 19)
    assert demo_seed.demo_days(day) == demo_seed.demo_days(day)
    other = demo_seed.demo_days(day + timedelta(days=1))

    def shape(plan: demo_seed.DemoDay) -> set[tuple[str, str, str]]:
        tz = ZoneInfo(demo_estate.building(plan.building_id).timezone)
        return {(e.room_ids[0], e.start.astimezone(tz).strftime("%H:%M"), e.title) for e in plan.events}

    for building_id in ("bld-lon", "bld-nyc"):
        assert shape(demo_seed.demo_day(day, building_id)) != shape(other[building_id])


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 7, 1), date(2026, 11, 19)])
def test_meetings_fall_between_eight_and_six_local_without_clashes(day):
    for plan in demo_seed.demo_days(day).values():
        tz = ZoneInfo(demo_estate.building(plan.building_id).timezone)
        start, end = local_day_window(day, str(tz))
        by_room: dict[str, list] = {}
        for event in plan.events:
            local_start, local_end = event.start.astimezone(tz), event.end.astimezone(tz)
            assert local_start.date() == day and time(8) <= local_start.time() and local_end.time() <= time(18)
            assert start <= event.start < event.end <= end
            by_room.setdefault(event.room_ids[0], []).append(event)
        for events in by_room.values():
            events.sort(key=lambda e: e.start)
            assert all(a.end <= b.start for a, b in zip(events, events[1:], strict=False))
        assert any(e.private for e in plan.events)
        assert any(e.online_meeting_url for e in plan.events)
        assert any(a.response == ResponseStatus.TENTATIVE for e in plan.events for a in e.attendees if a.resource)


def test_ten_to_fifteen_guests_linked_to_meetings_or_visitor_bookings():
    days = demo_seed.demo_days(date(2026, 11, 19))
    guests = [g for plan in days.values() for g in plan.guests]
    assert 10 <= len(guests) <= 15
    for plan in days.values():
        events = {e.id: e for e in plan.events}
        bookings = {b.id: b for b in plan.bookings}
        for guest in plan.guests:
            assert guest.organisation and guest.host_email.endswith("@acme.example")
            assert guest.zone_ids[0] == plan.building_id
            if guest.event_id:
                attendee = next(a for a in events[guest.event_id].attendees if a.email == guest.email)
                assert attendee.visit_expected
            else:
                assert bookings[guest.booking_id].type == "visitor"
                assert bookings[guest.booking_id].asset_ids == [guest.email]


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 7, 6), date(2026, 11, 19)])
async def test_at_ten_in_london_some_rooms_busy_some_free_and_guests_expected(tmp_path, day):
    clock = FrozenClock(datetime.combine(day, time(10), tzinfo=LONDON))
    backend = LocalBackend("demo", database=tmp_path / "demo.sqlite3", clock=clock)
    now = clock.now()
    rooms = await backend.free_busy(now, now + timedelta(hours=1), zone_id="bld-lon")
    busy_now = [r.room_id for r in rooms if r.busy_at(now)]
    free_hour = [r.room_id for r in rooms if r.is_free(now, now + timedelta(hours=1))]
    assert len(busy_now) >= 3 and len(free_hour) >= 3
    start, end = local_day_window(now.astimezone(LONDON).date(), "Europe/London")
    guests = await backend.query_guests(start=start, end=end, zone_id="bld-lon")
    waiting = [g for g in guests if not g.checked_in and g.visit_end > now]
    assert len(waiting) >= 2
    pending = await backend.query_bookings(BookingQuery(start=start, end=end, approved=False))
    assert any(b.type == "parking" for b in pending)
    events = await backend.list_events("rm-lon-4-01", start, end)
    assert any(a.response == ResponseStatus.TENTATIVE for e in events for a in e.attendees if a.resource)
    await backend.close()


async def test_each_building_gets_its_own_local_today(tmp_path):
    # 02:00 in London on the 20th is still the 19th in New York.
    clock = FrozenClock(datetime(2026, 11, 20, 2, 0, tzinfo=LONDON))
    backend = LocalBackend("demo", database=tmp_path / "demo.sqlite3", clock=clock)
    london = await backend.list_events("rm-lon-4-01", *local_day_window(date(2026, 11, 20), "Europe/London"))
    nyc = await backend.list_events("rm-nyc-3-01", *local_day_window(date(2026, 11, 19), "America/New_York"))
    assert london and nyc
    assert all(e.start.astimezone(NEW_YORK).date() == date(2026, 11, 19) for e in nyc)
    await backend.close()


async def test_a_new_day_adds_its_meetings_without_wiping_user_data(tmp_path):
    clock = FrozenClock(TEN_IN_LONDON)
    backend = LocalBackend("demo", database=tmp_path / "demo.sqlite3", clock=clock)
    tomorrow = TEN_IN_LONDON.date() + timedelta(days=1)
    # Someone books the Boardroom and a desk for all of tomorrow before the demo day exists.
    day_start, day_end = local_day_window(tomorrow, "Europe/London")
    mine = await backend.create_event(
        "rm-lon-4-01", EventDraft(title="Offsite", host="amelia.hart@acme.example", start=day_start, end=day_end)
    )
    desk = await backend.create_booking(
        BookingDraft(type="desk", asset_ids=["desk-lon-2-01"], start=day_start, end=day_end, user_email="a@acme.example")
    )
    today_events = await backend.list_events("rm-lon-4-01", *local_day_window(TEN_IN_LONDON.date(), "Europe/London"))
    clock.set(TEN_IN_LONDON + timedelta(days=1))
    seeded = await backend.list_events("rm-lon-3-06", day_start, day_end)
    assert seeded, "tomorrow's demo meetings were added"
    # What the person booked stays, and the demo skipped what would clash with it.
    assert [e.id for e in await backend.list_events("rm-lon-4-01", day_start, day_end)] == [mine.id]
    assert (await backend.get_booking(desk.id)).asset_ids == ["desk-lon-2-01"]
    holders = await backend.query_bookings(BookingQuery(start=day_start, end=day_end, asset_ids=["desk-lon-2-01"]))
    assert [b.id for b in holders] == [desk.id]
    # Yesterday's demo meetings are still there, and reopening does not add anything twice.
    assert await backend.list_events("rm-lon-4-01", *local_day_window(TEN_IN_LONDON.date(), "Europe/London")) == today_events
    await backend.close()
    again = LocalBackend("demo", database=tmp_path / "demo.sqlite3", clock=clock)
    assert await again.list_events("rm-lon-3-06", day_start, day_end) == seeded
    await again.close()


def test_the_dst_day_is_generated_in_local_time():
    plan = demo_seed.demo_day(date(2026, 3, 29), "bld-lon")
    assert plan.events
    for event in plan.events:
        local = event.start.astimezone(LONDON)
        assert local.utcoffset() == timedelta(hours=1)  # every meeting is after 01:00 UTC: summer time
        assert event.start.astimezone(timezone.utc).hour == local.hour - 1
