"""Both kiosks on the in-repo fake PlaceOS (staff-api over httpx.MockTransport): the same
services, so the same behaviour, with PlaceOS's own rules (its VisitorMailer tells the host)."""

from __future__ import annotations

from datetime import timedelta

from staffterm.models import Attendee, EventDraft
from staffterm.services.kiosk_lobby import LobbyService
from staffterm.services.kiosk_outbox import KioskOutbox
from staffterm.services.room_panel import CHECKED_IN_KEY, PanelRules
from staffterm.services.room_panel_actions import RoomPanelService
from staffterm.ui.kiosk.lobby import LobbyKioskApp
from staffterm.ui.kiosk.panel import RoomPanelApp
from tests.functional.placeos_fixtures import *  # noqa: F403 - pytest finds the fixtures by name here
from tests.functional.placeos_fixtures import PLACEOS_NOW, SYDNEY
from tests.kiosk.conftest import flat, screen_text, settle

SCAN = "VISIT:jane.visitor@example.com,zone-syd,1004,host@example.com"


def panel(session, room_id, rules=None):
    service = RoomPanelService(session.backend, session.clock, room_id, rules or PanelRules(), estate=session.estate,
                               booking=session.booking)
    return RoomPanelApp(service, session.clock, pin_gate=None, refresh_seconds=3600)


async def day_events(session, room_id):
    room = await session.backend.get_room(room_id)
    return await session.backend.list_events(room.email, PLACEOS_NOW - timedelta(hours=12), PLACEOS_NOW + timedelta(hours=12))


async def test_check_in_is_recorded_in_the_event_metadata(placeos_session):
    app = panel(placeos_session, "sys-babbage")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "WAITING FOR CHECK-IN" in screen_text(app)
        await pilot.press("c")
        await settle(pilot, app)
        assert "BUSY" in screen_text(app)
    event = next(e for e in await day_events(placeos_session, "sys-babbage") if e.id == "evt-0004")
    assert event.extension_data.get(CHECKED_IN_KEY)


async def test_book_now_on_placeos(placeos_session):
    app = panel(placeos_session, "sys-darwin")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("1")
        await settle(pilot, app)
        assert "BUSY" in screen_text(app) and "Booked for 15 minutes." in screen_text(app)
    events = await day_events(placeos_session, "sys-darwin")
    assert [(e.start, e.end) for e in events] == [(PLACEOS_NOW, PLACEOS_NOW + timedelta(minutes=15))]


async def test_an_unattended_meeting_is_released_on_placeos(placeos_session):
    placeos_session.clock.advance(timedelta(minutes=10))
    app = panel(placeos_session, "sys-babbage")
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "FREE" in screen_text(app)
    assert all(e.id != "evt-0004" for e in await day_events(placeos_session, "sys-babbage"))


async def test_a_private_title_never_shows_on_placeos(placeos_session):
    secret = "Acquisition of Contoso"
    room = await placeos_session.backend.get_room("sys-darwin")
    await placeos_session.backend.create_event(room.email, EventDraft(
        title=secret, start=PLACEOS_NOW + timedelta(minutes=30), end=PLACEOS_NOW + timedelta(minutes=90),
        host="host@example.com", room_ids=[room.id], private=True,
        attendees=[Attendee(email=room.email, resource=True)],
    ))
    frames = []
    app = panel(placeos_session, "sys-darwin", PanelRules(privacy="titles"))
    async with app.run_test(size=(110, 30)) as pilot:
        for minutes in (0, 26, 10, 20):
            placeos_session.clock.advance(timedelta(minutes=minutes))
            app.refresh_now()
            await settle(pilot, app)
            frames.append(screen_text(app))
            if "Check in (c)" in frames[-1]:
                await pilot.press("c")
                await settle(pilot, app)
                frames.append(screen_text(app))
    assert "Private meeting" in frames[0] and "Meeting in progress" in frames[-1]
    assert all(flat(secret) not in flat(f) and "Contoso" not in f for f in frames)


async def test_a_scanned_invite_checks_in_and_placeos_tells_the_host(placeos_session, placeos_fake, tmp_path):
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="acme")
    service = LobbyService(placeos_session.reception, outbox, SYDNEY)
    app = LobbyKioskApp(service, placeos_session.clock, pin_gate=None, building_name="Sydney HQ")
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press(*SCAN, "enter")
        await settle(pilot, app)
        assert app.lobby.step == "confirm" and "Hello Jane" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "done" and app.last_check_in.host_told
    guest = await placeos_session.backend.get_guest("booking:1004:jane.visitor@example.com")
    assert guest.checked_in
    assert [e.state for e in await outbox.entries()] == ["done"]
