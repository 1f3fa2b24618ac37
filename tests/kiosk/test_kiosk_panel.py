"""The room panel on the demo site, driven with Pilot under a frozen clock: status, masking,
book now, check in, end early, extend, auto-release, and offline."""

from __future__ import annotations

from datetime import timedelta

from staffterm.models import EventDraft
from staffterm.services.room_panel import PanelRules
from staffterm.services.room_panel_actions import OFFLINE_MESSAGE, RoomPanelService
from staffterm.services.session import Session
from staffterm.ui.kiosk.panel import RoomPanelApp
from tests.kiosk.conftest import NOW, flat, screen_text, settle

BOARDROOM = "rm-lon-4-01"  # a private meeting 10:00-10:45 (starting now), then 11:45
FLEET = "rm-lon-1-02"  # free all day
KEW = "rm-lon-3-04"  # free now, "Architecture review" at 10:15
WELLBEING = "rm-lon-1-05"  # not bookable
SECRET = "Project Nightingale redundancies"


def make_panel(session, room_id, rules=None, backend=None):
    backend = backend or session.backend
    service = RoomPanelService(backend, session.clock, room_id, rules or PanelRules(), estate=session.estate, booking=session.booking)
    return RoomPanelApp(service, session.clock, pin_gate=None, refresh_seconds=3600)


async def room_events(session, room_id):
    room = await session.backend.get_room(room_id)
    return await session.backend.list_events(room.email, NOW - timedelta(hours=12), NOW + timedelta(hours=14))


async def test_a_free_room_offers_book_now_and_booking_shows_it_busy(demo_session):
    app = make_panel(demo_session, FLEET)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "FREE" in text and "Book 60 min (4)" in text and "Check in (c)" not in text
        await pilot.press("2")  # 30 minutes
        await settle(pilot, app)
        text = screen_text(app)
        assert "BUSY" in text and "until 10:30" in text and "Booked for 30 minutes." in text
        events = await room_events(demo_session, FLEET)
        assert [(e.start, e.end) for e in events] == [(NOW, NOW + timedelta(minutes=30))]
        # Booked at the door: checked in already, so it is never released as a no-show.
        assert events[0].extension_data.get("panel_checked_in_at")


async def test_book_now_is_capped_at_the_next_meeting(demo_session):
    app = make_panel(demo_session, KEW, PanelRules(privacy="titles"))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "STARTING SOON" in text and "Architecture review" in text
        assert "Book 15 min (1)" in text and "Book 30 min" not in text
        await pilot.press("2")  # not offered: nothing happens
        await settle(pilot, app)
        assert len(await room_events(demo_session, KEW)) == 5


async def test_a_room_that_is_not_bookable_offers_no_book_now(demo_session):
    app = make_panel(demo_session, WELLBEING)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "FREE" in screen_text(app) and "Book" not in screen_text(app)
        await pilot.press("1")
        await settle(pilot, app)
        assert await room_events(demo_session, WELLBEING) == []


async def test_check_in_then_extend_then_end_early(demo_session):
    app = make_panel(demo_session, BOARDROOM)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "WAITING FOR CHECK-IN" in text and "Check in (c)" in text
        await pilot.press("c")
        await settle(pilot, app)
        assert "BUSY" in screen_text(app) and "Checked in." in screen_text(app)
        await pilot.press("y")  # +30: the next meeting is at 11:45, so it fits
        await settle(pilot, app)
        assert "until 11:15" in screen_text(app)
        demo_session.clock.advance(timedelta(minutes=20))
        await pilot.press("e")
        await settle(pilot, app)
        assert "FREE" in screen_text(app) and "Meeting ended" in screen_text(app)
        private = next(e for e in await room_events(demo_session, BOARDROOM) if e.id == "evt-20261121-lon-06")
        assert private.end == NOW + timedelta(minutes=20)


async def test_extend_is_offered_only_while_the_next_slot_is_free(demo_session):
    app = make_panel(demo_session, BOARDROOM)
    demo_session.clock.set(NOW + timedelta(minutes=2))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await settle(pilot, app)
        assert "+30 min (y)" in screen_text(app)
    # Fill 10:45-11:05 so only nothing fits: +15 would reach 11:00 and clash.
    room = await demo_session.backend.get_room(BOARDROOM)
    await demo_session.booking.book_room(BOARDROOM, NOW + timedelta(minutes=45), NOW + timedelta(minutes=65), title="x", host=room.email)
    app = make_panel(demo_session, BOARDROOM)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "+15 min" not in text and "+30 min" not in text
        await pilot.press("x")
        await settle(pilot, app)
    private = next(e for e in await room_events(demo_session, BOARDROOM) if e.id == "evt-20261121-lon-06")
    assert private.end == NOW + timedelta(minutes=45)


async def test_a_meeting_nobody_checked_in_to_is_released_and_the_organiser_told(demo_session):
    clock = demo_session.clock
    app = make_panel(demo_session, BOARDROOM)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "WAITING FOR CHECK-IN" in screen_text(app)
        clock.advance(timedelta(minutes=9))
        app.refresh_now()
        await settle(pilot, app)
        assert len([e for e in await room_events(demo_session, BOARDROOM) if e.id == "evt-20261121-lon-06"]) == 1
        clock.advance(timedelta(minutes=1))  # 10 minutes after the start
        app.refresh_now()
        await settle(pilot, app)
        assert "FREE" in screen_text(app) and "released" in screen_text(app)
    assert all(e.id != "evt-20261121-lon-06" for e in await room_events(demo_session, BOARDROOM))
    event = await demo_session.backend.get_event("rm-lon-4-01@acme.example", "evt-20261121-lon-06")
    outbox = await demo_session.backend.list_outbox()
    assert any(event.host in m.to for m in outbox), "the organiser is told by the cancellation notice"


async def test_an_exempt_room_keeps_its_unattended_meeting(demo_session):
    clock = demo_session.clock
    app = make_panel(demo_session, BOARDROOM, PanelRules(exempt_rooms=frozenset({BOARDROOM})))
    clock.advance(timedelta(minutes=12))
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "BUSY" in screen_text(app)
    assert any(e.id == "evt-20261121-lon-06" for e in await room_events(demo_session, BOARDROOM))


async def test_a_private_title_is_never_on_screen(demo_session):
    room = await demo_session.backend.get_room(FLEET)
    await demo_session.backend.create_event(room.email, EventDraft(
        title=SECRET, start=NOW + timedelta(minutes=30), end=NOW + timedelta(minutes=90),
        host="harry.patel@acme.example", room_ids=[room.id], private=True,
    ))
    # Even with titles shown, a private meeting's is not.
    app = make_panel(demo_session, FLEET, PanelRules(privacy="titles"))
    frames: list[str] = []
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        frames.append(screen_text(app))
        assert "Private meeting" in frames[-1]
        for minutes in (25, 10, 30):  # check-in window, then under way
            demo_session.clock.advance(timedelta(minutes=minutes))
            app.refresh_now()
            await settle(pilot, app)
            frames.append(screen_text(app))
            if "Check in (c)" in frames[-1]:
                await pilot.press("c")
                await settle(pilot, app)
                frames.append(screen_text(app))
    assert "Meeting in progress" in frames[-1]
    assert all(flat(SECRET) not in flat(frame) and "Nightingale" not in frame for frame in frames)


async def test_privacy_private_masks_every_title(demo_session):
    app = make_panel(demo_session, KEW)  # default privacy: every title masked
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "Private meeting" in text and "Architecture review" not in text


async def test_offline_shows_the_last_day_and_refuses_actions(demo_session, outage):
    session = Session.for_backend(outage, clock=demo_session.clock)
    app = make_panel(session, FLEET, backend=outage)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "FREE" in screen_text(app)
        outage.down = True
        app.refresh_now()
        await settle(pilot, app)
        text = screen_text(app)
        assert "OFFLINE" in text and "last known at 10:00" in text and "Fleet" in text
        assert "Book 15 min" not in text
        await pilot.press("1")
        await settle(pilot, app)
        assert OFFLINE_MESSAGE.split(",")[0] in screen_text(app)
        outage.down = False
        app.refresh_now()
        await settle(pilot, app)
        assert "FREE" in screen_text(app) and "OFFLINE" not in screen_text(app)
    assert await room_events(demo_session, FLEET) == []
